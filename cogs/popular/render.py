"""Renderer for /popular."""
from __future__ import annotations

from bot.core.live import OutsideChart
from bot.core.message import Embed, Message
from bot.core.rendering import renderer
from bot.core.text import safe
from bot.sources.tmdb import PROVIDER_SOURCE, TMDB_NOTICE

from .results import PopularAnswer

KIND_WORDS = {"watchlist": ("watchlist add", "watchlist adds"), "nominated": ("nomination", "nominations"),
              "watched": ("watched", "watched"), "rated": ("rating", "ratings")}


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{n} {KIND_WORDS[k][0 if n == 1 else 1]}" for k, n in counts.items() if k in KIND_WORDS)


def _outside(chart: OutsideChart) -> Embed:
    when = f" · {chart.as_of}" if chart.as_of else ""
    name = safe(chart.name)
    embed = Embed(title=f"📈 {name[:1].upper()}{name[1:]}{when}")
    lines = []
    for line in chart.lines[:10]:
        year = f" ({line.year})" if line.year else ""
        here = "" if line.film is not None else " — not in Marquee's catalogue"
        lines.append(f"{line.rank}. {safe(line.title)}{year}{here}")
    if chart.problem:
        lines.append(f"_Couldn't fetch a fresh list: {safe(chart.problem)}._")
    embed.description = "\n".join(lines) or "Nothing on this chart right now."
    credit = f"Data: {chart.source}" if chart.source != "TMDB" else "Data: TMDB"
    embed.footer = f"{credit}. {TMDB_NOTICE}"
    return embed


@renderer.register
def _popular(answer: PopularAnswer) -> Message:
    title = f"🔥 Popular here · last {answer.days} days"
    if not answer.in_server:
        here = Embed(title="🔥 Popular here", description="The server chart counts what members do in a server; "
                                                           "run /popular in one.")
    elif not answer.rows:
        here = Embed(title=title, description="Nobody here has added, nominated, watched or rated a film in the last "
                                              f"{answer.days} days. `/watchlist add`, `/seen`, `/rate` and movie-night "
                                              "nominations fill this chart.")
    else:
        here = Embed(title=title, description="\n".join(
            f"{row.rank}. **{safe(row.film.title)}** ({row.film.year or '?'}) — {_counts(row.counts)}"
            for row in answer.rows))
        here.footer = "Counted from what members here did with Marquee: each member counts once per kind."
    embeds = [here, *(_outside(chart) for chart in answer.outside)]
    if answer.note and answer.tmdb_on:
        embeds[-1].description = f"{embeds[-1].description}\n\n{safe(answer.note)}"
    if any(chart.source == PROVIDER_SOURCE for chart in answer.outside):
        embeds[-1].footer = f"Streaming data: {PROVIDER_SOURCE}. {TMDB_NOTICE}"
    return Message(embeds=embeds)
