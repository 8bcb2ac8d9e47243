"""The bot's log at LOG_LEVEL=DEBUG, through the Discord stand-in: still says what happened, but never the bot
token, an interaction token, a member's id or a query's parameters (aiosqlite logged every query with its
parameters; discord.py logged every gateway payload and the interaction token in each webhook URL)."""
from __future__ import annotations

import re
from pathlib import Path

from tests.backends import copy_database
from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, SentInteraction, is_ephemeral, iter_components

# Shaped like a real bot token (base64 id, timestamp, HMAC), so nothing could pass by not looking like one.
BOT_TOKEN = "MTI1MDAwMDAwMDAwMDAwMDAwMQ.GqW3xZ.q7Vd1-2bN4fK8sLm0pRt5uYw9zXc3eHj6aBiQoTs"


async def test_debug_logs_name_no_token_and_no_member(template_db: Path, tmp_path: Path) -> None:
    standin = DiscordStandIn(token=BOT_TOKEN)
    await standin.start()
    database = copy_database(template_db, tmp_path / "bot.db")
    bot = BotProcess({"LOG_LEVEL": "DEBUG"}, database, standin)
    interactions: list[SentInteraction] = []
    try:
        await bot.start(wait_sync=True)

        async def answer(interaction: SentInteraction) -> dict:
            interactions.append(interaction)
            return await interaction.answer()

        await answer(await standin.slash("watchlist add", film="heat-1995", user=ALICE))
        await answer(await standin.slash("rate", film="heat-1995", stars=4, user=ALICE))
        ballot = await answer(await standin.slash("movienight start", title="Logs", user=BOB))
        night = next(re.fullmatch(r"mq:mnvote:(\d+)", c["custom_id"]) for c in iter_components(ballot["components"])
                     if str(c.get("custom_id", "")).startswith("mq:mnvote:"))
        assert night, ballot
        await answer(await standin.slash("movienight nominate", film="heat-1995", user=ALICE))
        private = await answer(await standin.click(ballot, f"mq:mnvote:{night[1]}", user=ALICE))
        assert is_ephemeral(private)
        await answer(await standin.select(private, f"mq:mnap:{night[1]}", ["0"], user=ALICE))
        await answer(await standin.click(ballot, f"mq:mnin:{night[1]}", user=ALICE))
    finally:
        code = await bot.stop()
        await standin.stop()
    log = bot.log_text()

    assert code == 0 and "Traceback" not in log, log[-3000:]
    assert standin.rejections == []
    # Free of secrets and personal data.
    assert BOT_TOKEN not in log
    for interaction in interactions:
        assert interaction.token not in log
    for member in (ALICE, BOB):
        assert str(member.id) not in log, f"{member.username}'s id is in the log"
    assert "INSERT INTO" not in log and "aiosqlite" not in log  # no query, let alone its parameters
    # Still useful at DEBUG: which events arrived, which routes answered.
    assert "DEBUG" in log and "t=INTERACTION_CREATE" in log and "command=watchlist" in log
    assert re.search(r"POST \S+/interactions/\d+/<token>/callback has returned status code 200", log)
