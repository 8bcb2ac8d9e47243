"""A neutral message model (what Discord can show) and the rules that keep it within Discord's limits.

Every renderer builds a `Message`; the Discord adapter turns it into embeds and components, the console
into text. Limits are enforced here, once, so no user-typed text can produce a payload Discord rejects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .text import clip, defuse, defuse_everyone, safe

# Discord limits (see shared notes / Discord docs).
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBEDS_TOTAL_MAX = 6000
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
OPTION_TEXT_MAX = 100
PLACEHOLDER_MAX = 150
ROWS_MAX = 5
BUTTONS_PER_ROW = 5

COLOUR = 0xE8B64C  # marquee-bulb amber
ERROR_COLOUR = 0xD9534F

Style = Literal["primary", "secondary", "success", "danger"]


@dataclass(slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(slots=True)
class Embed:
    title: str | None = None
    description: str | None = None
    fields: list[Field] = field(default_factory=list)
    footer: str | None = None
    colour: int = COLOUR
    thumbnail: str | None = None  # an https image URL (a film's poster); nothing is downloaded or attached

    def add(self, name: str, value: str, inline: bool = False) -> "Embed":
        if len(self.fields) < FIELDS_MAX and value:
            self.fields.append(Field(name, value, inline))
        return self


@dataclass(slots=True)
class Button:
    label: str
    custom_id: str
    style: Style = "secondary"
    disabled: bool = False
    emoji: str | None = None


@dataclass(slots=True)
class SelectOption:
    label: str
    value: str
    description: str | None = None
    default: bool = False


@dataclass(slots=True)
class Select:
    custom_id: str
    options: list[SelectOption]
    placeholder: str | None = None
    min_values: int = 1
    max_values: int = 1


Row = list[Button] | Select


@dataclass(slots=True)
class Attachment:
    filename: str
    data: bytes


@dataclass(slots=True)
class Message:
    content: str | None = None
    embeds: list[Embed] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)

    def buttons(self, *buttons: Button) -> "Message":
        """Append buttons, five to a row."""
        for i in range(0, len(buttons), BUTTONS_PER_ROW):
            self.rows.append(list(buttons[i : i + BUTTONS_PER_ROW]))
        return self

    def fitted(self) -> "Message":
        """Return this message trimmed to Discord's limits (idempotent)."""
        # A last safety net: whatever a renderer forgot to escape, @everyone/@here never reach Discord intact.
        self.content = clip(defuse_everyone(self.content), CONTENT_MAX) if self.content else None
        self.embeds = self.embeds[:10]
        for embed in self.embeds:
            embed.title = clip(defuse_everyone(embed.title), TITLE_MAX) if embed.title else None
            embed.description = clip(defuse_everyone(embed.description), DESCRIPTION_MAX) if embed.description else None
            embed.footer = clip(embed.footer, FOOTER_MAX) if embed.footer else None
            if embed.thumbnail and not (embed.thumbnail.startswith("https://") and len(embed.thumbnail) <= 2048):
                embed.thumbnail = None
            embed.fields = [
                Field(clip(defuse_everyone(f.name), FIELD_NAME_MAX) or "\u200b",
                      clip(defuse_everyone(f.value), FIELD_VALUE_MAX) or "\u200b", f.inline)
                for f in embed.fields[:FIELDS_MAX]
            ]
        _fit_total(self.embeds)
        rows: list[Row] = []
        for row in self.rows[:ROWS_MAX]:
            if isinstance(row, Select):
                row.placeholder = clip(row.placeholder, PLACEHOLDER_MAX) if row.placeholder else None
                row.options = [
                    SelectOption(clip(o.label, OPTION_TEXT_MAX) or "?", o.value[:OPTION_TEXT_MAX],
                                 clip(o.description, OPTION_TEXT_MAX) if o.description else None, o.default)
                    for o in row.options[:SELECT_OPTIONS_MAX]
                ]
                row.max_values = max(1, min(row.max_values, len(row.options)))
                row.min_values = max(0, min(row.min_values, row.max_values))
                if row.options:
                    rows.append(row)
            elif row:
                for button in row[:BUTTONS_PER_ROW]:
                    button.label = clip(button.label, BUTTON_LABEL_MAX) or "?"
                rows.append(row[:BUTTONS_PER_ROW])
        self.rows = rows
        return self


def _embed_size(e: Embed) -> int:
    return (len(e.title or "") + len(e.description or "") + len(e.footer or "")
            + sum(len(f.name) + len(f.value) for f in e.fields))


def _fit_total(embeds: list[Embed]) -> None:
    """Drop trailing fields, then shorten descriptions, until all embeds together fit in 6000 characters."""
    while sum(map(_embed_size, embeds)) > EMBEDS_TOTAL_MAX:
        excess = sum(map(_embed_size, embeds)) - EMBEDS_TOTAL_MAX
        biggest = max(embeds, key=_embed_size)
        if biggest.fields:
            biggest.fields.pop()
        elif biggest.description and len(biggest.description) > 1:
            biggest.description = clip(biggest.description, max(1, len(biggest.description) - excess))
        else:
            embeds.remove(biggest)


def error_message(title: str, text: str, suggestions: list[str] | None = None) -> Message:
    # Error texts quote what the user typed: defuse every mention form in them.
    embed = Embed(title=f"⚠️ {defuse(title)}", description=defuse(text), colour=ERROR_COLOUR)
    if suggestions:
        embed.add("Did you mean", "\n".join(f"• {safe(s)}" for s in suggestions[:10]))
    return Message(embeds=[embed])
