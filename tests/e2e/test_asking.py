"""Asking Marquee in plain words (issue 13, part 3), through the stand-in's gateway and REST: a message that
mentions the bot, a DM, replies that ping nobody, the reading and its Adjust button."""
from __future__ import annotations

from tests.standin import (
    ALICE, BOB, BotProcess, DiscordStandIn, find_component, is_ephemeral, iter_components, message_text,
)


def _reply_to(standin: DiscordStandIn, asked: dict, channel_id: int | None = None):
    return standin.wait_for_channel_message(
        channel_id, lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"], timeout=10)


async def test_a_mention_is_answered_as_the_slash_command_would_be(standin: DiscordStandIn, bot: BotProcess) -> None:
    asked = await standin.user_message("something like Kill Bill but under two hours on Netflix <@&1> @everyone",
                                       user=ALICE, mention_bot=True)
    reply = await _reply_to(standin, asked)
    assert reply["type"] == 19 and reply["author"]["id"] == str(standin.bot_user.id)
    assert reply["content"].startswith("I read this as: **like Kill Bill · ≤ 120 min · Netflix**")
    assert reply["embeds"][0]["title"] == "🎬 What to watch"  # /watch's own answer
    record = next(m for m in standin.mentions if m.message_id == int(reply["id"]))
    assert record.allowed_mentions == {"parse": [], "replied_user": False}
    # Only the asker may adjust; dropping a part answers again, privately, in place of the adjust view.
    adjust = next(c["custom_id"] for c in _controls(reply) if c.get("label") == "Adjust")
    refused = await (await standin.click(reply, adjust, user=BOB)).answer()
    assert is_ephemeral(refused) and "Not your question" in message_text(refused)
    view = await (await standin.click(reply, adjust, user=ALICE)).answer()
    assert is_ephemeral(view) and "/watch like:\"Kill Bill\" max_minutes:120 service:netflix" in message_text(view)
    drop = next(c["custom_id"] for c in _controls(view) if c.get("label") == "✕ Netflix")
    again = await (await standin.click(view, drop, user=ALICE)).answer()
    assert is_ephemeral(again) and again["id"] == view["id"]
    assert again["content"].startswith("I read this as: **like Kill Bill · ≤ 120 min**")

    # A comparison is the verdict card, the reading as its first text; the DM needs no mention.
    dm = standin.dm_channel_id(BOB)
    asked = await standin.user_message("is ballerina-2023 like John Wick?", user=BOB, channel_id=dm)
    card = await _reply_to(standin, asked, dm)
    assert card["flags"] & (1 << 15) and message_text(card).split("\n")[1].startswith("I read this as")
    assert find_component(card, next(c["custom_id"] for c in _controls(card) if c.get("label") == "Adjust"))

    # Not mentioned, or written by a bot: no answer.
    other_bot = standin.add_user("helper", bot=True)
    before = len(standin.channel_messages())
    await standin.user_message("a comedy", user=BOB)
    await standin.user_message("a comedy", user=other_bot, mention_bot=True)
    late = await standin.user_message("help", user=ALICE, mention_bot=True)  # answered: the others were not
    await _reply_to(standin, late)
    assert len(standin.channel_messages()) == before + 4
    assert standin.pings() == []


def _controls(message: dict) -> list[dict]:
    return [c for c in iter_components(message.get("components") or []) if c.get("type") == 2]
