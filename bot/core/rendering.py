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
from .message import Button, Container, Embed, Message, Row, Section, Separator, Text, Thumbnail, error_message
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
        lines.extend(_row_text(row))
    for item in message.layout or []:
        if isinstance(item, Container):
            lines.append("┌" + "─" * 40)
            lines.extend(f"│ {line}" if line else "│" for block in item.blocks for line in _block_text(block))
            lines.append("└" + "─" * 40)
        else:
            lines.extend(_block_text(item))
    for attachment in message.files:
        lines.append(f"[file: {attachment.filename}, {len(attachment.data)} bytes]")
    return "\n".join(lines)


def _button_text(b: Button) -> str:
    return f"[{b.label}]" + (" (disabled)" if b.disabled else "") + f" <{b.custom_id}>"


def _row_text(row: Row) -> list[str]:
    if isinstance(row, list):
        return ["  ".join(_button_text(b) for b in row)]
    return [f"[select: {row.placeholder or 'choose'}] <{row.custom_id}>",
            *(f"  - {o.label}" + (f" — {o.description}" if o.description else "") + f" <{o.value}>"
              for o in row.options)]


def _block_text(block: Text | Section | Separator | Row) -> list[str]:
    """A Components V2 block as console lines: headings unmarked, a thumbnail or button after its text."""
    if isinstance(block, Text):
        return [line.lstrip("#").lstrip() if line.startswith("#") else line.removeprefix("-# ")
                for line in block.content.split("\n")]
    if isinstance(block, Section):
        lines = [line for text in block.texts for line in _block_text(Text(text))]
        if isinstance(block.accessory, Thumbnail):
            lines.append(f"[image: {block.accessory.url}]")
        elif isinstance(block.accessory, Button):
            lines.append(_button_text(block.accessory))
        return lines
    if isinstance(block, Separator):
        return ["─" * 20] if block.divider else [""]
    return _row_text(block)


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
