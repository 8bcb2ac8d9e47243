"""The bot while serving, through the Discord stand-in: /help, forged or stale controls, text that must never
ping, and messages that mention the bot."""
from __future__ import annotations

import pytest

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, message_text

from ..test_foundation import _buttons

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


async def test_help_lists_commands_ephemerally(standin: DiscordStandIn, bot: BotProcess) -> None:
    interaction = await standin.slash("help")
    message = await interaction.answer()
    assert is_ephemeral(message)
    text = str(message["embeds"])
    for name in ("/watch", "/islike", "/similar", "/film", "/where", "/watchlist add", "/help"):
        assert name in text


async def test_forged_or_stale_controls_get_a_polite_answer(standin: DiscordStandIn, bot: BotProcess) -> None:
    card = await (await standin.slash("film", title="kill-bill-volume-1-2003")).answer()
    # Forge the message's components the way an old version of the bot (or a tampered client) would.
    message = standin._messages[int(card["id"])]  # the stand-in's stored copy, as Discord would hold it
    forged = ("old-bot-v0:watchlist:123", "mq:rerun:doesnotexist:0", "mq:seen")
    buttons = _buttons(message)
    assert len(buttons) >= len(forged)
    for button, custom_id in zip(buttons, forged, strict=False):  # the first three buttons
        button["custom_id"] = custom_id
    for custom_id in forged:
        answer = await (await standin.click(card, custom_id)).answer()
        assert is_ephemeral(answer)
        said = message_text(answer).lower()
        assert "expired" in said or "not valid" in said, said


async def test_user_text_can_never_ping(standin: DiscordStandIn, bot: BotProcess) -> None:
    answer = await (await standin.slash("film", title="@everyone <@&123456> **Heat**")).answer()
    assert is_ephemeral(answer)  # unknown film: a user error, answered privately
    assert "@everyone" not in str(answer["embeds"])  # defused, and allowed_mentions is none anyway


async def test_a_message_mentioning_the_bot_is_not_an_error(standin: DiscordStandIn, bot: BotProcess) -> None:
    # commands.Bot calls invoke(ctx) for every message; Marquee once overrode invoke with its own signature,
    # so any @mention logged "AttributeError: 'Context' object has no attribute 'user'".
    before = len(standin.channel_messages())
    asked = await standin.user_message("hello there", user=ALICE, mention_bot=True)
    await standin.user_message("no mention here", user=BOB)
    # A greeting is answered (issue 13: questions in words) with help, as a reply; the other message is not.
    reply = await standin.wait_for_channel_message(
        predicate=lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"])
    assert "just ask me" in message_text(reply)
    answer = await (await standin.slash("help")).answer()  # still serving
    assert is_ephemeral(answer)
    log = bot.log_text()
    assert "AttributeError" not in log and "CommandNotFound" not in log and "Ignoring exception" not in log
    assert len(standin.channel_messages()) == before + 3  # the two user messages and the one reply
