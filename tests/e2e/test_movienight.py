"""Movie nights through the Discord stand-in and the real bot process: the tests that restart the bot, and the
helpers every movie-night test uses. Those that need no restart share one bot (tests/e2e/shared_bot/)."""
from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, iter_components, message_text


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in iter_components(message.get("components") or []) if c.get("type") == 2]


def text_of(message: dict[str, Any]) -> str:
    return message_text(message)  # the ballot is a Components V2 card; the other answers are embeds


def night_id_of(ballot: dict[str, Any]) -> int:
    match = re.search(r"night #(\d+)", text_of(ballot))
    assert match, text_of(ballot)
    return int(match.group(1))


async def wait_for(predicate, timeout: float = 10.0, what: str = "a condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def start_night(standin: DiscordStandIn, channel_id: int | None = None,
                      **options: Any) -> tuple[dict[str, Any], int]:
    ballot = await (await standin.slash("movienight start", user=ALICE, channel_id=channel_id, **options)).answer()
    assert not is_ephemeral(ballot), text_of(ballot)
    return ballot, night_id_of(ballot)


async def nominate(standin: DiscordStandIn, film: str, user=ALICE, channel_id: int | None = None) -> dict[str, Any]:
    answer = await (await standin.slash("movienight nominate", film=film, user=user, channel_id=channel_id)).answer()
    assert is_ephemeral(answer)
    return answer


async def approve(standin: DiscordStandIn, ballot: dict[str, Any], night_id: int, user, values: list[str]) -> dict:
    """Vote button on the public ballot, then the approval select on the private ballot."""
    private = await (await standin.click(ballot, f"mq:mnvote:{night_id}", user=user)).answer()
    assert is_ephemeral(private), text_of(private)
    updated = await (await standin.select(private, f"mq:mnap:{night_id}", values, user=user)).answer()
    assert "counted" in text_of(updated) or "updated" in text_of(updated) or "already" in text_of(updated)
    return updated


async def test_buttons_keep_working_after_a_restart(standin: DiscordStandIn, bot: BotProcess) -> None:
    ballot, night_id = await start_night(standin, title="Restart", voting="ranked", closes_in="2h")
    await nominate(standin, "heat-1995")
    await nominate(standin, "jaws-1975")
    await bot.restart()
    # The ranked builder, on the ballot message posted before the restart.
    private = await (await standin.click(ballot, f"mq:mnvote:{night_id}", user=BOB)).answer()
    step = await (await standin.select(private, f"mq:mnrk:{night_id}:-", ["1"], user=BOB)).answer()
    assert "1. Jaws" in text_of(step)
    step = await (await standin.select(step, f"mq:mnrk:{night_id}:1", ["0"], user=BOB)).answer()
    confirmed = await (await standin.click(step, f"mq:mnrc:{night_id}:10", user=BOB)).answer()
    assert "counted" in text_of(confirmed)
    await wait_for(lambda: "1 voted" in text_of(standin.message(ballot["id"])), what="the ballot refresh")
    announcement = await (await standin.click(ballot, f"mq:mnclose:{night_id}", user=ALICE)).answer()
    assert "Jaws" in text_of(announcement) and "Schulze" in text_of(announcement)


async def test_a_missed_deadline_is_processed_on_start(standin: DiscordStandIn, bot: BotProcess, bot_db: Path) -> None:
    ballot, night_id = await start_night(standin, title="Missed", closes_in="5m")
    await nominate(standin, "heat-1995")
    await bot.stop()
    with sqlite3.connect(bot_db) as conn:
        conn.execute("UPDATE nights SET closes_at = ? WHERE id = ?", (int(time.time()) - 30, night_id))
    await bot.start()
    announcement = await standin.wait_for_channel_message(
        predicate=lambda m: "Closed automatically" in text_of(m), timeout=15)
    assert "no winner" in text_of(announcement).lower()
