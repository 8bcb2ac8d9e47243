"""Rendering, in one place: result object -> `Message` (Discord and console) and -> JSON (console --json).

Feature modules register a renderer per result type with `@renderer.register`. Importing this package
imports them all, so `render(result)` works for every result a handler can return.
"""
from __future__ import annotations

import dataclasses
import enum
from functools import singledispatch
from typing import Any

from ..domain.models import Film
from .base import Message, error_message


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
        data = {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
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
    """A readable plain-text form of a message, for the console."""
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
    for row in message.rows:
        if isinstance(row, list):
            lines.append("  ".join(f"[{b.label}]" + (" (disabled)" if b.disabled else "") + f" <{b.custom_id}>" for b in row))
        else:
            lines.append(f"[select: {row.placeholder or 'choose'}] <{row.custom_id}>")
            lines.extend(f"  - {o.label}" + (f" — {o.description}" if o.description else "") + f" <{o.value}>" for o in row.options)
    for attachment in message.files:
        lines.append(f"[file: {attachment.filename}, {len(attachment.data)} bytes]")
    return "\n".join(lines)


# Feature renderers register themselves on import.
from . import catalog, common, discovery, lists, nights  # noqa: E402,F401

__all__ = ["Message", "error_message", "render", "render_text", "renderer", "to_json", "film_json"]
