"""The bot as a process: start-up, sync discipline, /help, restarts, stale controls, clean failures."""
from __future__ import annotations

import asyncio
from pathlib import Path

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, iter_components, message_text


async def test_help_lists_commands_ephemerally(standin: DiscordStandIn, bot: BotProcess) -> None:
    interaction = await standin.slash("help")
    message = await interaction.answer()
    assert is_ephemeral(message)
    text = str(message["embeds"])
    for name in ("/watch", "/islike", "/similar", "/film", "/where", "/watchlist add", "/help"):
        assert name in text


async def test_commands_sync_once_not_on_every_start(standin: DiscordStandIn, bot: BotProcess) -> None:
    assert standin.sync_count == 1
    names = {c["name"] for c in standin.commands(standin.guild_ids[0])}
    assert {"help", "watch", "islike", "similar", "film", "where", "watchlist"} <= names
    await bot.restart()
    assert standin.sync_count == 1, "an unchanged command tree must not be synced again"


async def test_state_and_buttons_survive_a_restart(standin: DiscordStandIn, bot: BotProcess) -> None:
    card = await (await standin.slash("film", title="kill-bill-volume-1-2003", user=ALICE)).answer()
    await (await standin.slash("watchlist add", film="heat-1995", user=ALICE)).answer()
    await bot.restart()
    # The watchlist entry written before the restart is still there...
    shown = await (await standin.slash("watchlist show", user=ALICE)).answer()
    assert "Heat" in message_text(shown)
    # ...and a button on a message sent before the restart still works.
    watchlist_button = next(c["custom_id"] for c in _buttons(card) if c["custom_id"].startswith("mq:wl:"))
    answer = await (await standin.click(card, watchlist_button, user=BOB)).answer()
    assert is_ephemeral(answer) and "Added to your watchlist" in message_text(answer)


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


async def test_a_rejected_token_stops_with_a_clear_message(standin: DiscordStandIn, bot_db: Path) -> None:
    process = BotProcess({"DISCORD_TOKEN": "wrong-token"}, bot_db, standin)
    await process.start(wait_ready=False)
    for _ in range(300):
        if not process.running:
            break
        await asyncio.sleep(0.1)
    code = process.returncode
    log = process.log_text()
    assert code == 1
    assert "rejected the token" in log and "Traceback" not in log


def _buttons(message: dict) -> list[dict]:
    """The message's buttons with a custom id, wherever they sit (action rows, or sections of a V2 card)."""
    return [c for c in iter_components(message.get("components", [])) if c.get("type") == 2 and "custom_id" in c]


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
