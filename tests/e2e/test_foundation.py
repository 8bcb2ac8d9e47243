"""The bot as a process: start-up, sync discipline, restarts, clean failures (the bot while serving: shared_bot/test_serving.py)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, iter_components, message_text


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
