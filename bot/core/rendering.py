"""Rendering: result object -> `Message` (Discord and console) and -> JSON (console --json).

Each feature registers a renderer per result type in its own `render.py` with `@renderer.register`; the
renderers of the results every feature shares (notices, failures, help, the "which one?" prompt) live
here. A feature's renderers are registered when the composition root imports the feature.
"""
from __future__ import annotations

import dataclasses
import enum
from functools import singledispatch
from typing import Any

from ..domain.models import Film
from .message import Button, Embed, Message, error_message
from .results import Disambiguation, Failure, HelpResult, Notice
from .text import safe


@singledispatch
def renderer(result: Any) -> Message:
    raise TypeError(f"no renderer for {type(result).__name__}")


def render(result: Any) -> Message:
    return renderer(result).fitted()


def film_json(film: Film) -> dict[str, Any]:
    """The compact film shape used in every JSON answer."""
    return {
        "id": film.id,
        "title": film.title,
        "year": film.year,
        "runtime_minutes": film.runtime,
        "directors": list(film.directors),
        "countries": list(film.countries),
        "curated": film.curated,
    }


def to_json(value: Any) -> Any:
    """The structured result the renderers use, as plain JSON values."""
    if isinstance(value, Film):
        return film_json(value)
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_json(getattr(value, f.name))
                for f in dataclasses.fields(value) if not f.name.startswith("_")}
        return {"type": _type_name(value), **data} if _is_result(value) else data
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def _is_result(value: Any) -> bool:
    return renderer.dispatch(type(value)) is not renderer.dispatch(object)


def _type_name(value: Any) -> str:
    name = type(value).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def render_text(message: Message) -> str:
    """A readable plain-text form of a message (Discord markup left as it is), for the console and tests."""
    lines: list[str] = []
    if message.content:
        lines.append(message.content)
    for embed in message.embeds:
        if embed.title:
            lines.append(f"== {embed.title} ==")
        if embed.description:
            lines.append(embed.description)
        for f in embed.fields:
            lines.append(f"-- {f.name}")
            lines.append(f.value)
        if embed.footer:
            lines.append(f"({embed.footer})")
        if embed.thumbnail:
            lines.append(f"[image: {embed.thumbnail}]")
    for row in message.rows:
        if isinstance(row, list):
            lines.append("  ".join(f"[{b.label}]" + (" (disabled)" if b.disabled else "") + f" <{b.custom_id}>"
                                   for b in row))
        else:
            lines.append(f"[select: {row.placeholder or 'choose'}] <{row.custom_id}>")
            lines.extend(f"  - {o.label}" + (f" — {o.description}" if o.description else "") + f" <{o.value}>"
                         for o in row.options)
    for attachment in message.files:
        lines.append(f"[file: {attachment.filename}, {len(attachment.data)} bytes]")
    return "\n".join(lines)


# The results every feature shares ----------------------------------------------------------------------


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
    embed = Embed(title="🎬 Marquee commands",
                  description="What should we watch, is it like Kill Bill, and movie-night votes.")
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
    if result.kind == "suggestion":
        lines.insert(0, f"No film is called exactly “{safe(result.query[:100])}”.\n")
        title = "Did you mean…?"
    else:
        title = f"Which “{safe(result.query)}” did you mean?"
    embed = Embed(title=title, description="\n".join(lines))
    return Message(embeds=[embed]).buttons(*buttons)
