"""Components V2 cards in the neutral message model: Discord's rules kept once, the console shows the same card."""
from __future__ import annotations

import discord

from bot.core.message import (
    LAYOUT_COMPONENTS_MAX, LAYOUT_TEXT_MAX, Button, Container, Embed, Message, Section, Select, SelectOption,
    Separator, Text, Thumbnail, layout_size, layout_text_length,
)
from bot.core.rendering import render_text
from bot.discord.adapter import to_discord

POSTER = "https://image.tmdb.org/t/p/w342/poster.jpg"


def _card() -> Message:
    embed = Embed(title="Heat *(1995)*", description="*A heist.*", footer="you've seen it", colour=0x123456)
    embed.add("Facts", "170 min").add("Director", "Michael Mann", True).add("Starring", "Al Pacino", True)
    embed.add("Tags", "`heist`")
    embed.thumbnail = POSTER
    return Message(embeds=[embed]).buttons(Button("➕ Watchlist", "mq:wl:heat-1995", "primary"))


def test_an_embed_becomes_a_card_with_the_poster_beside_the_title_and_the_buttons_in_place() -> None:
    message = _card().as_card().fitted()
    assert message.content is None and message.embeds == [] and message.rows == []
    (card,) = message.layout or []
    assert isinstance(card, Container) and card.accent == 0x123456
    head, separator, facts, people, tags, footer, buttons = card.blocks
    assert isinstance(head, Section) and head.texts == ["## Heat \\*(1995)\\*\n*A heist.*"]
    assert head.accessory == Thumbnail(POSTER, "Heat *(1995)*")  # alt text is plain text
    assert isinstance(separator, Separator)
    assert facts == Text("**Facts**\n170 min")
    assert people == Text("**Director:** Michael Mann\n**Starring:** Al Pacino")  # inline fields together
    assert tags == Text("**Tags**\n`heist`") and footer == Text("-# you've seen it")
    assert isinstance(buttons, list) and buttons[0].custom_id == "mq:wl:heat-1995"


def test_without_a_poster_the_heading_is_a_plain_text_and_escaped_text_is_not_escaped_twice() -> None:
    message = Message(embeds=[Embed(title="\\*\\*loud\\*\\* @everyone")]).as_card().fitted()
    (card,) = message.layout or []
    assert card.blocks == [Text("## \\*\\*loud\\*\\* @\u200beveryone")]


def test_a_layout_keeps_within_40_components_dropping_text_before_controls() -> None:
    blocks: list = [Text(f"line {n}") for n in range(60)]
    blocks.append([Button("Keep me", "mq:keep")])
    message = Message(layout=[Container(blocks)]).fitted()
    assert layout_size(message.layout or []) <= LAYOUT_COMPONENTS_MAX
    (card,) = message.layout or []
    assert card.blocks[0] == Text("line 0") and card.blocks[-1][0].label == "Keep me"


def test_a_layout_keeps_within_4000_characters_shortening_the_longest_text() -> None:
    message = Message(layout=[Text("a" * 3000), Text("b" * 3000), Text("short")]).fitted()
    assert layout_text_length(message.layout or []) <= LAYOUT_TEXT_MAX
    first, second, short = message.layout or []
    assert first.content.endswith("…") and second.content == "b" * 3000 and short == Text("short")


def test_nothing_classic_survives_beside_a_layout_and_bad_parts_are_dropped() -> None:
    message = Message(content="above", embeds=[Embed(title="gone")], layout=[
        Section(["text"], Thumbnail("javascript:alert(1)")),  # not an image URL: shown as a plain text
        Text("   "),  # empty text displays are refused by Discord
        Container([Container([Text("nested")])]),  # containers do not nest
        Select("mq:pick", [SelectOption("a", "a")], max_values=5),
    ]).fitted()
    assert message.content is None and message.embeds == []
    assert message.layout is not None and message.layout[0] == Text("above") and message.layout[1] == Text("text")
    assert isinstance(message.layout[-1], Select) and message.layout[-1].max_values == 1
    assert not any(isinstance(b, Container) for b in message.layout)


def test_the_console_prints_the_same_card_framed() -> None:
    text = render_text(_card().as_card().fitted())
    lines = text.splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert "│ Heat \\*(1995)\\*" in lines and f"│ [image: {POSTER}]" in lines
    assert "│ you've seen it" in lines and "│ [➕ Watchlist] <mq:wl:heat-1995>" in lines


def test_discord_gets_a_layout_view_and_no_content_or_embeds() -> None:
    kwargs = to_discord(_card().as_card().fitted())
    assert kwargs["content"] is None and kwargs["embeds"] == []
    view = kwargs["view"]
    assert isinstance(view, discord.ui.LayoutView) and view.has_components_v2()
    (container,) = view.to_components()
    assert container["type"] == 17 and container["accent_color"] == 0x123456
    section = container["components"][0]
    assert section["type"] == 9 and section["accessory"]["media"]["url"] == POSTER
    row = container["components"][-1]
    assert row["type"] == 1 and row["components"][0]["custom_id"] == "mq:wl:heat-1995"
