"""Renderers for /watch, /islike, /similar, /film and /where."""
from __future__ import annotations

from bot.core.interface import custom_id
from bot.core.live import Freshness
from bot.core.message import Button, Embed, Message, Select, SelectOption
from bot.core.rendering import renderer
from bot.core.text import safe
from bot.domain.models import Film
from bot.domain.reasons import Reason
from bot.sources.tmdb import PROVIDER_SOURCE

from .results import FilmCard, IsLikeAnswer, SimilarAnswer, StreamingOption, WatchAnswer, WhereAnswer

KIND_LABELS = {"subscription": "Included with subscription", "free": "Free", "rent": "Rent", "buy": "Buy"}
FILTER_LABELS = {"mood": "mood", "genre": "genre", "service": "service", "max_minutes": "max runtime",
                 "like": "like", "country": "country", "era": "era", "exclude": "not seen by you"}


def film_line(film: Film) -> str:
    """Title (Year) · Director · 93 min — the one-line identity of a film."""
    parts = [f"**{safe(film.title)}** ({film.year or '?'})"]
    if film.directors:
        parts.append(safe(", ".join(film.directors[:2])))
    if film.runtime:
        parts.append(f"{film.runtime} min")
    return " · ".join(parts)


def primary_and_more(primary: tuple[str, ...], more: tuple[str, ...], joiner: str) -> str:
    """`South Korea (with Japan)`, `Crime, Thriller (also Drama)`: what defines the film first."""
    if not primary and not more:
        return ""
    if not primary:
        return safe(", ".join(more[:4]))
    text = safe(", ".join(primary[:3]))
    return f"{text} ({joiner} {safe(', '.join(more[:3]))})" if more else text


def reason_lines(reasons: list[Reason], limit: int = 4) -> str:
    return "\n".join(f"• {safe(r.text)}" for r in reasons[:limit])


def score_line(film: Film) -> str | None:
    parts = []
    for score in film.scores:
        label = {"critics": "critics", "audience": "audience", "metacritic": "Metacritic"}.get(score.kind, score.kind)
        value = f"{score.value}%" if score.kind != "metacritic" else f"{score.value}/100"
        when = f", {score.as_of}" if score.as_of else ""
        count = f", {score.count} reviews" if score.count else ""
        parts.append(f"{value} {label} ({safe(score.source)}{when}{count})")
    return "\n".join(parts) or None


def streaming_text(options: list[StreamingOption], region: str, elsewhere: list[str]) -> str:
    if not options:
        text = f"We don't know where it streams in {region}: our catalogue has nothing for that region."
        if elsewhere:
            text += f" We do have data for {', '.join(elsewhere[:12])}{'…' if len(elsewhere) > 12 else ''}."
        return text
    groups: dict[str, list[str]] = {}
    for o in options:
        groups.setdefault(o.kind, []).append(f"{safe(o.service_name)} (checked {o.checked})")
    return "\n".join(f"**{KIND_LABELS.get(kind, kind)}:** {', '.join(items)}" for kind, items in groups.items())


def live_note(options: list[StreamingOption], freshness: Freshness | None) -> str | None:
    """The credit TMDB's terms require wherever JustWatch's data is shown, and how old that data is."""
    if freshness is None and not any(o.source == PROVIDER_SOURCE for o in options):
        return None
    parts = [f"Streaming data: {PROVIDER_SOURCE}"]
    if freshness is not None:
        parts.append(safe(freshness.note))
        if freshness.link:
            parts.append(f"[TMDB page]({freshness.link})")
    return " · ".join(parts)


@renderer.register
def _watch(answer: WatchAnswer) -> Message:
    asked = ", ".join(f"{FILTER_LABELS.get(k, k)}: {safe(v)}" for k, v in answer.filters.items()) or "anything good"
    if not answer.picks:
        if answer.emptied_by:
            blocker = FILTER_LABELS.get(answer.emptied_by, answer.emptied_by)
            if answer.emptied_by == "service" and answer.services_note:
                blocker = "saved services"
            lines = [f"Nothing fits every filter ({asked}) in {answer.region}: "
                     f"the **{blocker}** filter emptied the list."]
        elif answer.batch:
            lines = [f"That was every film that fits ({asked}) in {answer.region}: there is no further batch. "
                     "Change a filter for new picks."]
        else:
            lines = [f"Nothing fits all of these filters together ({asked}) in {answer.region}."]
        if answer.relaxations:
            lines.append("Closest alternatives:")
            lines.extend(f"• {safe(r.description)}" for r in answer.relaxations[:4])
        if answer.services_note:
            lines.append(safe(answer.services_note))
        return Message(embeds=[Embed(title="🎬 No picks", description="\n".join(lines))])
    batch = f" · batch {answer.batch + 1}" if answer.batch else ""
    lines = [f"For {asked} · region {answer.region}{batch}"]
    if answer.services_note:
        lines.append(safe(answer.services_note))
    if not answer.batch and len(answer.picks) < answer.asked:
        lines.append(f"Only {answer.matched} {'film fits' if answer.matched == 1 else 'films fit'} every filter.")
    embed = Embed(title="🎬 What to watch", description="\n".join(lines))
    for n, pick in enumerate(answer.picks, start=1):
        film = pick.film
        pitch = f"*{safe(film.pitch)}*\n" if film.pitch else ""
        embed.add(f"{n}. {film.title} ({film.year or '?'})", f"{pitch}{reason_lines(pick.reasons, 5)}")
    embed.footer = f"{answer.matched:,} films fit · reasons are from Marquee's catalogue"
    message = Message(embeds=[embed])
    options = [SelectOption(f"{p.film.title} ({p.film.year or '?'})", p.film.id) for p in answer.picks]
    message.rows.append(Select(custom_id("seenpick"), [SelectOption(o.label, o.value) for o in options],
                               placeholder="✓ I've seen…", min_values=1, max_values=len(options)))
    message.rows.append(Select(custom_id("wlpick"), [SelectOption(o.label, o.value) for o in options],
                               placeholder="➕ Add to my watchlist…", min_values=1, max_values=len(options)))
    if answer.open_night_id is not None:
        message.rows.append(Select(custom_id("mnpick", answer.open_night_id),
                                   [SelectOption(o.label, o.value) for o in options],
                                   placeholder="🗳 Nominate for movie night…", min_values=1, max_values=1))
    if answer.token:
        message.buttons(Button("🔄 Another batch", custom_id("more", answer.token), style="primary"))
    return message


@renderer.register
def _islike(answer: IsLikeAnswer) -> Message:
    v = answer.verdict
    embed = Embed(title=f"Is {v.a.title} like {v.b.title}?",
                  description=f"**{safe(v.headline)} — {v.score}/100**\n{film_line(v.a)}\n{film_line(v.b)}")
    embed.add("What they share", reason_lines(v.shared, 8) or "Very little that our catalogue records.")
    embed.add("Where they differ", reason_lines(v.differences, 6) or "Nothing notable that we know of.")
    if v.pick_line:
        embed.add("Which one tonight?", safe(v.pick_line))
    return Message(embeds=[embed]).buttons(
        Button(f"More like {v.a.title}", custom_id("sim", v.a.id)),
        Button(f"More like {v.b.title}", custom_id("sim", v.b.id)),
    ).as_card()


@renderer.register
def _similar(answer: SimilarAnswer) -> Message:
    scope = f" on {safe(answer.service)} in {answer.region}" if answer.service else ""
    if not answer.items:
        return Message(embeds=[Embed(title=f"Nothing like {answer.film.title}{scope}",
                                     description="No film in the catalogue fits. Try without the service filter.")])
    embed = Embed(title=f"Films like {answer.film.title} ({answer.film.year or '?'}){scope}")
    first = answer.start + 1
    if answer.start:
        embed.description = f"Numbers {first}–{answer.start + len(answer.items)}, best first."
    for n, item in enumerate(answer.items, start=first):
        embed.add(f"{n}. {item.film.title} ({item.film.year or '?'}) — {item.score}/100",
                  reason_lines(item.reasons, 3) or "Similar on the whole.")
    message = Message(embeds=[embed])
    if answer.token:
        message.buttons(Button("More", custom_id("simmore", answer.token), style="primary"))
    return message


@renderer.register
def _card(card: FilmCard) -> Message:
    film = card.film
    embed = Embed(title=f"{film.title} ({film.year or '?'})",
                  description=f"*{safe(film.pitch)}*" if film.pitch else None)
    facts = []
    if film.runtime:
        facts.append(f"{film.runtime} min")
    if film.certificate:
        facts.append(f"US {film.certificate}")
    if countries := primary_and_more(film.countries, film.secondary_countries, "with"):
        facts.append(countries)
    if languages := primary_and_more(film.languages, film.secondary_languages, "also"):
        facts.append(languages)
    embed.add("Facts", " · ".join(facts) or "—", inline=False)
    embed.add("Director", safe(", ".join(film.directors[:3])) or "unknown", inline=True)
    if film.writers:
        embed.add("Written by", safe(", ".join(film.writers[:3])), inline=True)
    if film.billed:
        embed.add("Starring", safe(", ".join(film.billed_cast[:5])), inline=True)
    elif film.cast:
        # The order of an unchecked cast list is a prominence guess, and it says so.
        embed.add("Cast (best known first)", safe(", ".join(film.cast[:5])), inline=True)
    else:
        embed.add("Cast", "unknown", inline=True)
    embed.add("Genres", primary_and_more(film.genres, film.secondary_genres, "also") or "—", inline=True)
    if film.series:
        embed.add("Series", safe(film.series) + (f" #{film.series_order}" if film.series_order else ""), inline=True)
    if film.tags:
        embed.add("Tags", ", ".join(f"`{t}`" for t in film.tags))
    embed.add("Scores", score_line(film) or "No scores recorded.")
    embed.add(f"Where to watch in {card.region}", streaming_text(card.streaming, card.region, card.other_regions))
    if note := live_note(card.streaming, card.freshness):
        embed.add("Streaming data", note)
    if card.chart:
        where = f" in {card.chart.region}" if card.chart.region and card.chart.region not in card.chart.chart else ""
        embed.add("Charts", f"Ranked #{card.chart.rank} in {safe(card.chart.chart)}{where} ({card.chart.as_of}, "
                            f"{safe(card.chart.source)})")
    embed.thumbnail = card.poster_url
    names = [n for n in (film.original_title, *film.aliases) if n]
    if names:
        embed.add("Also known as", safe(", ".join(names[:6])))
    if film.notes:
        embed.add("Note", safe(film.notes))
    if card.similar:
        embed.add("Similar", "\n".join(f"• {safe(s.film.title)} ({s.film.year or '?'}) — {s.score}/100"
                                       for s in card.similar))
    mine = []
    if card.seen:
        mine.append("you've seen it")
    if card.your_rating:
        mine.append(f"you rated it {'★' * card.your_rating}")
    embed.footer = " · ".join(mine) if mine else None
    # A Components V2 card: the poster (when known) beside the title, the buttons in place.
    return Message(embeds=[embed]).buttons(
        Button("➕ Watchlist", custom_id("wl", film.id), style="primary"),
        Button("✓ Seen it", custom_id("seen", film.id)),
        Button("More like this", custom_id("sim", film.id)),
    ).as_card()


@renderer.register
def _where(answer: WhereAnswer) -> Message:
    film = answer.film
    text = streaming_text(answer.streaming, answer.region, answer.other_regions)
    if note := live_note(answer.streaming, answer.freshness):
        text += f"\n\n{note}"
    embed = Embed(title=f"Where to watch {film.title} ({film.year or '?'}) in {answer.region}", description=text)
    if answer.streaming:
        embed.footer = "Availability changes: each line says when we last checked it."
    return Message(embeds=[embed])
