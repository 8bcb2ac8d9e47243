"""Discovery commands through the Discord stand-in: autocomplete, answers, prompts, every button, and the
right-click menus."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.standin import ALICE, BOB, CAROL, BotProcess, DiscordStandIn, is_ephemeral, iter_components, message_text

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)

V2, CONTAINER = 1 << 15, 17  # the IS_COMPONENTS_V2 message flag; the container component type
REVIEW = Path(__file__).resolve().parents[2] / "fixtures" / "review.txt"  # our words, the seed article's shape


def components(message: dict) -> list[dict]:
    """The controls of a message (buttons and selects), in rows or nested in a Components V2 layout."""
    return [c for c in iter_components(message.get("components", [])) if c.get("type") in (2, 3, 5, 6, 7, 8)]


def custom_ids(message: dict) -> list[str]:
    return [c["custom_id"] for c in components(message) if "custom_id" in c]


def field_names(message: dict) -> list[str]:
    return [f["name"] for e in message["embeds"] for f in e.get("fields", [])]


async def test_film_autocomplete_is_typo_tolerant_and_labelled(standin: DiscordStandIn, bot: BotProcess) -> None:
    choices = await standin.autocomplete("film", "title", "kil bil")
    assert 1 <= len(choices) <= 25
    values = [c["value"] for c in choices]
    assert "kill-bill-volume-1-2003" in values[:5]
    label = next(c["name"] for c in choices if c["value"] == "kill-bill-volume-1-2003")
    assert label == "Kill Bill: Volume 1 (2003) · Quentin Tarantino"
    fury = await standin.autocomplete("similar", "film", "fury road")
    assert fury[0]["value"] == "mad-max-fury-road-2015"
    both = [c["value"] for c in await standin.autocomplete("islike", "other", "oldboy", film="heat-1995")]
    assert {"oldboy-2003", "oldboy-2013"} <= set(both[:4])


async def test_watch_with_filters_and_its_buttons(standin: DiscordStandIn, bot: BotProcess) -> None:
    sent = await standin.slash("watch", genre="Action", max_minutes=110, count=3, user=ALICE)
    first = await sent.answer()
    assert not is_ephemeral(first)
    picks = field_names(first)
    assert len(picks) == 3
    ids = custom_ids(first)
    more = next(i for i in ids if i.startswith("mq:more:"))
    # Another batch replaces the picks in place, with different films.
    again = await (await standin.click(first, more, user=ALICE)).answer()
    assert not is_ephemeral(again) and again["id"] == first["id"]
    assert set(field_names(again)).isdisjoint(picks)
    # Someone else pressing it is refused, privately; Alice's message and batch are left alone.
    refused = await (await standin.click(again, more, user=BOB)).answer()
    assert is_ephemeral(refused) and "Not your picks" in str(refused["embeds"])
    assert field_names(standin.message(first["id"])) == field_names(again)
    # "I've seen" marks the chosen film for the clicker, privately.
    seen_select = next(c for c in components(again) if c.get("custom_id") == "mq:seenpick")
    film_id = seen_select["options"][0]["value"]
    ack = await (await standin.select(again, "mq:seenpick", [film_id], user=ALICE)).answer()
    assert is_ephemeral(ack) and "Marked as seen" in str(ack["embeds"])
    wl = await (await standin.select(again, "mq:wlpick", [film_id], user=ALICE)).answer()
    assert is_ephemeral(wl) and "Added" in str(wl["embeds"])


async def test_watch_that_fits_nothing_names_the_filter(standin: DiscordStandIn, bot: BotProcess) -> None:
    answer = await (await standin.slash("watch", genre="Western", era="2020", max_minutes=30)).answer()
    assert is_ephemeral(answer)
    text = str(answer["embeds"])
    assert "emptied the list" in text


async def test_islike_explains_itself(standin: DiscordStandIn, bot: BotProcess) -> None:
    answer = await (await standin.slash("islike", film="ballerina-2023", other="kill-bill-volume-1-2003")).answer()
    # A Components V2 card: one container in the accent colour, the verdict first, the sections after.
    assert answer["flags"] & V2 and not answer["embeds"]
    (card,) = answer["components"]
    texts = message_text(answer)
    assert card["type"] == CONTAINER and card["accent_color"] and "/100" in texts.split("**What they share**")[0]
    assert texts.index("What they share") < texts.index("Where they differ") < texts.index("Which one tonight?")
    similar_button = next(i for i in custom_ids(answer) if i == "mq:sim:ballerina-2023")
    more = await (await standin.click(answer, similar_button, user=BOB)).answer()
    assert is_ephemeral(more) and "Films like Ballerina" in more["embeds"][0]["title"]


async def test_ambiguous_free_text_gets_a_prompt_and_the_pick_runs_the_command(standin: DiscordStandIn, bot: BotProcess) -> None:
    prompt = await (await standin.slash("similar", film="Ballerina", count=3, user=ALICE)).answer()
    assert is_ephemeral(prompt)
    assert "Which “Ballerina”" in prompt["embeds"][0]["title"]
    buttons = components(prompt)
    assert len(buttons) >= 2
    korean = next(b for b in buttons if "2023" in b["label"])
    result = await (await standin.click(prompt, korean["custom_id"], user=ALICE)).answer()
    assert result["embeds"][0]["title"].startswith("Films like Ballerina (2023)")
    assert len(field_names(result)) == 3


async def test_unknown_title_suggests(standin: DiscordStandIn, bot: BotProcess) -> None:
    answer = await (await standin.slash("film", title="Kil Bil Volume")).answer()
    assert is_ephemeral(answer)
    assert "Kill Bill" in str(answer["embeds"])


async def test_film_card_and_its_buttons(standin: DiscordStandIn, bot: BotProcess) -> None:
    card = await (await standin.slash("film", title="ballerina-2023")).answer()
    assert card["flags"] & V2 and not card["embeds"] and card["components"][0]["type"] == CONTAINER
    texts = message_text(card)
    assert texts.startswith("\n## Ballerina (2023)")
    assert all(f"**{name}" in texts for name in ("Director", "Scores", "Similar", "Where to watch"))
    assert "Lee Chung-hyun" in texts
    for custom_id, expected in (("mq:wl:ballerina-2023", "watchlist"), ("mq:seen:ballerina-2023", "seen"),
                                ("mq:sim:ballerina-2023", "Films like")):
        answer = await (await standin.click(card, custom_id, user=BOB)).answer()
        assert is_ephemeral(answer) and expected.lower() in str(answer["embeds"]).lower()


async def test_where_is_honest_about_unknowns(standin: DiscordStandIn, bot: BotProcess) -> None:
    known = await (await standin.slash("where", title="ballerina-2023", region="US")).answer()
    assert "Netflix" in known["embeds"][0]["description"] and "checked" in known["embeds"][0]["description"]
    unknown = await (await standin.slash("where", title="heat-1995", region="US")).answer()
    assert "We don't know" in unknown["embeds"][0]["description"]


async def test_right_click_menus_on_a_review_and_on_a_member(standin: DiscordStandIn, bot: BotProcess) -> None:
    """Part 2: a message command and a user command, through the stand-in's context-menu interactions."""
    for name, kind in (("Films in this message", 3), ("What would they like?", 2)):
        menu = standin.command(name, standin.guild_ids[0], type=kind)
        assert menu is not None and menu["contexts"] == [0, 1, 2] and menu["integration_types"] == [0, 1]
    review = await standin.user_message(REVIEW.read_text(encoding="utf-8")[:2000], user=BOB)
    found = await (await standin.context_menu("Films in this message", review, user=ALICE)).answer()
    assert found["flags"] & V2 and not is_ephemeral(found)
    text = message_text(found)
    for title in ("Ballerina** (2023) · Lee Chung-hyun", "Kill Bill: Volume 1", "John Wick** (2014)"):
        assert title in text, title
    pair = next(c for c in iter_components(found["components"]) if c.get("label") == "Ballerina (2023) ↔ John Wick")
    verdict = await (await standin.click(found, pair["custom_id"], user=BOB)).answer()
    assert is_ephemeral(verdict) and "Is Ballerina like John Wick?" in message_text(verdict)

    await (await standin.slash("watchlist add", film="heat-1995", user=BOB)).answer()
    picks = await (await standin.context_menu("What would they like?", BOB, user=ALICE)).answer()
    assert is_ephemeral(picks) and "What would Bob like?" in message_text(picks) and "Heat" in message_text(picks)
    nothing = await (await standin.context_menu("What would they like?", CAROL, user=ALICE)).answer()
    assert is_ephemeral(nothing) and "Nothing to go on" in message_text(nothing)
