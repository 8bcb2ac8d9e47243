"""Renderers for the shared results: notices, failures, help, the disambiguation prompt."""
from __future__ import annotations

from ..services.results import Disambiguation, Failure, HelpResult, Notice
from . import renderer
from .base import Button, Embed, Message, error_message, safe


@renderer.register
def _notice(result: Notice) -> Message:
    return Message(embeds=[Embed(title=("✅ " if result.ok else "ℹ️ ") + result.title, description=result.text or None)])


@renderer.register
def _failure(result: Failure) -> Message:
    text = result.message
    if result.error_id:
        text += f"\nError id: `{result.error_id}`"
    return error_message(result.title, text, result.suggestions)


@renderer.register
def _help(result: HelpResult) -> Message:
    embed = Embed(title="🎬 Marquee commands", description="What should we watch, is it like Kill Bill, and movie-night votes.")
    for group, commands in result.groups.items():
        embed.add(group, "\n".join(f"`/{c.name}` — {c.description}" for c in commands))
    return Message(embeds=[embed])


@renderer.register
def _disambiguation(result: Disambiguation) -> Message:
    lines = []
    buttons = []
    for n, film in enumerate(result.candidates[:10], start=1):
        country = ", ".join(film.countries[:2]) or "country unknown"
        director = ", ".join(film.directors[:2]) or "director unknown"
        lines.append(f"**{n}.** {safe(film.title)} ({film.year or '?'}) · {safe(country)} · {safe(director)}")
        if n <= len(result.choice_ids):
            buttons.append(Button(f"{n}. {film.title} ({film.year or '?'})", result.choice_ids[n - 1]))
    embed = Embed(title=f"Which “{safe(result.query)}” did you mean?", description="\n".join(lines))
    return Message(embeds=[embed]).buttons(*buttons)
