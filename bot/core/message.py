"""A neutral message model (what Discord can show) and the rules that keep it within Discord's limits.

Every renderer builds a `Message`; the Discord adapter turns it into embeds and components, the console
into text. Limits are enforced here, once, so no user-typed text can produce a payload Discord rejects.

A message is either classic (content, embeds, up to five rows of controls) or a Components V2 layout
(`layout`: containers with an accent colour, text, sections with a thumbnail or a button beside the text,
separators and rows of controls in place). A layout can carry nothing else: Discord refuses content or
embeds beside the IS_COMPONENTS_V2 flag, more than 40 components, or more than 4,000 characters of text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

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
# Components V2 (a `layout`): every component counts, nested ones included; all text together.
LAYOUT_COMPONENTS_MAX = 40
LAYOUT_TEXT_MAX = 4000
THUMBNAIL_DESCRIPTION_MAX = 1024

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


# Components V2 blocks ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Text:
    """A Text Display: markdown, mentions inert (the bot allows no mentions)."""

    content: str


@dataclass(slots=True)
class Thumbnail:
    """A small image beside a section's text (a poster): an http(s) URL."""

    url: str
    description: str | None = None  # alt text


@dataclass(slots=True)
class Section:
    """One to three texts with a thumbnail or a button beside them (without one it is shown as texts)."""

    texts: list[str]
    accessory: Thumbnail | Button | None = None


@dataclass(slots=True)
class Separator:
    divider: bool = True
    large: bool = False


Block = Text | Section | Separator | Row


@dataclass(slots=True)
class Container:
    """A card: blocks inside a frame with an accent colour down its side."""

    blocks: list[Block]
    accent: int | None = COLOUR


LayoutItem = Container | Block


@dataclass(slots=True)
class Message:
    content: str | None = None
    embeds: list[Embed] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    # A Components V2 layout; when set, the message has no content, embeds or rows of its own.
    layout: list[LayoutItem] | None = None

    def buttons(self, *buttons: Button) -> "Message":
        """Append buttons, five to a row."""
        for i in range(0, len(buttons), BUTTONS_PER_ROW):
            self.rows.append(list(buttons[i : i + BUTTONS_PER_ROW]))
        return self

    @property
    def is_layout(self) -> bool:
        return self.layout is not None

    def as_card(self) -> "Message":
        """This classic message as a Components V2 card, for answers that read better as one: each embed a
        container in its colour (the title as a heading and the description beside the embed's thumbnail,
        a separator, the fields, consecutive inline fields together, the footer in small print), the rows of
        controls in place at the end of the last card. Embed titles, field names and footers are plain text
        on Discord; in a text display they would be markdown, so they are escaped."""
        if self.layout is not None:
            return self
        layout: list[LayoutItem] = [Text(self.content)] if self.content else []
        for embed in self.embeds:
            blocks: list[Block] = []
            head = [f"## {_literal(embed.title)}"] if embed.title else []
            if embed.description:
                head.append(embed.description)
            thumbnail = getattr(embed, "thumbnail", None)
            if head and thumbnail:
                blocks.append(Section(["\n".join(head)], Thumbnail(thumbnail, embed.title)))
            elif head:
                blocks.append(Text("\n".join(head)))
            if embed.fields:
                blocks.append(Separator())
            inline: list[str] = []
            for f in embed.fields:
                if f.inline:
                    inline.append(f"**{_literal(f.name)}:** {f.value}")
                    continue
                if inline:
                    blocks.append(Text("\n".join(inline)))
                    inline = []
                blocks.append(Text(f"**{_literal(f.name)}**\n{f.value}"))
            if inline:
                blocks.append(Text("\n".join(inline)))
            if embed.footer:
                blocks.append(Text(f"-# {_literal(embed.footer)}"))
            layout.append(Container(blocks, embed.colour))
        if self.rows:
            if layout and isinstance(layout[-1], Container):
                layout[-1].blocks.extend(self.rows)
            else:
                layout.extend(self.rows)
        self.content, self.embeds, self.rows, self.layout = None, [], [], layout
        return self

    def noted(self, note: str) -> "Message":
        """The same message with a line of text above it (as content, or as the layout's first text)."""
        if self.layout is not None:
            self.layout.insert(0, Text(note))
        else:
            self.content = f"{note}\n{self.content}" if self.content else note
        return self

    def fitted(self) -> "Message":
        """Return this message trimmed to Discord's limits (idempotent)."""
        if self.layout is not None:
            return self._fitted_layout()
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

    def _fitted_layout(self) -> "Message":
        """A layout within Components V2's rules: no content or embeds beside it (content becomes the first
        text, embeds are dropped), rows as in a classic message, at most 40 components and 4,000 characters
        of text (the last blocks go first, controls last of all)."""
        layout = self.layout if self.layout is not None else []
        if self.content:
            layout.insert(0, Text(self.content))
        self.content, self.embeds, self.rows = None, [], []
        self.layout = _fit_blocks(layout, top=True)
        while layout_size(self.layout) > LAYOUT_COMPONENTS_MAX and _drop_last_block(self.layout):
            pass
        excess = layout_text_length(self.layout) - LAYOUT_TEXT_MAX
        while excess > 0 and _shorten_longest_text(self.layout, excess):
            excess = layout_text_length(self.layout) - LAYOUT_TEXT_MAX
        return self


_UNESCAPED = re.compile(r"(?<!\\)([*_`~|\[\]])")


def _literal(text: str) -> str:
    """Plain text (an embed title, a field name) made literal as markdown, like `text.safe()`, but leaving
    what a renderer already escaped as it is (no double backslashes)."""
    text = _UNESCAPED.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    if text[:1] in ("#", ">", "-"):
        text = "\\" + text
    return defuse(text) or ""


def _fit_row(row: Row) -> Row | None:
    holder = Message(rows=[row]).fitted()
    return holder.rows[0] if holder.rows else None


def _fit_blocks(blocks: list[Any], *, top: bool) -> list[Any]:
    fitted: list[Any] = []
    for block in blocks:
        if isinstance(block, Container):
            if top:  # containers do not nest
                block.blocks = _fit_blocks(block.blocks, top=False)
                block.accent = None if block.accent is None else max(0, min(block.accent, 0xFFFFFF))
                if block.blocks:
                    fitted.append(block)
        elif isinstance(block, Text):
            block.content = clip(defuse_everyone(block.content), LAYOUT_TEXT_MAX) or ""
            if block.content.strip():
                fitted.append(block)
        elif isinstance(block, Section):
            texts = [clip(defuse_everyone(t), LAYOUT_TEXT_MAX) or "" for t in block.texts]
            block.texts = [t for t in texts if t.strip()][:3]
            if isinstance(block.accessory, Thumbnail):
                url = block.accessory.url
                if not url.startswith(("https://", "http://")):
                    block.accessory = None
                elif block.accessory.description:
                    block.accessory.description = clip(block.accessory.description, THUMBNAIL_DESCRIPTION_MAX)
            elif isinstance(block.accessory, Button):
                block.accessory.label = clip(block.accessory.label, BUTTON_LABEL_MAX) or "?"
            if block.texts:
                fitted.append(block if block.accessory is not None else Text("\n".join(block.texts)))
        elif isinstance(block, Separator):
            fitted.append(block)
        elif (row := _fit_row(block)) is not None:
            fitted.append(row)
    return fitted


def _block_size(block: Any) -> int:
    if isinstance(block, Container):
        return 1 + sum(map(_block_size, block.blocks))
    if isinstance(block, Section):
        return 1 + len(block.texts) + (block.accessory is not None)
    if isinstance(block, (Text, Separator)):
        return 1
    if isinstance(block, Select):
        return 2
    return 1 + len(block)  # a row of buttons


def layout_size(layout: list[Any]) -> int:
    """Components in a layout, as Discord counts them (each nested one too)."""
    return sum(map(_block_size, layout))


def _texts(layout: list[Any]) -> list[tuple[Any, int]]:
    """(holder, index) of every text in a layout: a Text (index -1) or a section's text."""
    found: list[tuple[Any, int]] = []
    for block in layout:
        if isinstance(block, Container):
            found.extend(_texts(block.blocks))
        elif isinstance(block, Text):
            found.append((block, -1))
        elif isinstance(block, Section):
            found.extend((block, i) for i in range(len(block.texts)))
    return found


def _text_of(holder: Any, index: int) -> str:
    return holder.content if index < 0 else holder.texts[index]


def layout_text_length(layout: list[Any]) -> int:
    """All Text Display characters of a layout together (Discord allows 4,000)."""
    return sum(len(_text_of(holder, index)) for holder, index in _texts(layout))


def _shorten_longest_text(layout: list[Any], excess: int) -> bool:
    texts = _texts(layout)
    if not texts:
        return False
    holder, index = max(texts, key=lambda t: len(_text_of(*t)))
    text = _text_of(holder, index)
    if len(text) <= 1:
        return False
    shorter = clip(text, max(1, len(text) - excess))
    if index < 0:
        holder.content = shorter
    else:
        holder.texts[index] = shorter
    return True


def _drop_last_block(layout: list[Any]) -> bool:
    """Remove the last block that is not a row of controls (a row only when nothing else is left)."""
    places: list[tuple[list[Any], int]] = []  # (holder, index) in display order, containers' blocks included
    for i, block in enumerate(layout):
        if isinstance(block, Container):
            places.extend((block.blocks, j) for j in range(len(block.blocks)))
        else:
            places.append((layout, i))
    if not places:
        return False
    texts = [(h, i) for h, i in places if not isinstance(h[i], (list, Select))]
    holder, index = (texts or places)[-1]
    del holder[index]
    layout[:] = [b for b in layout if not isinstance(b, Container) or b.blocks]
    return True


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
