"""Movie nights through the Discord stand-in and the real bot process."""
from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.standin import (
    ALICE, BOB, CAROL, BotProcess, DiscordStandIn, find_component, is_ephemeral, iter_components,
    message_text,
)


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


async def start_night(standin: DiscordStandIn, **options: Any) -> tuple[dict[str, Any], int]:
    ballot = await (await standin.slash("movienight start", user=ALICE, **options)).answer()
    assert not is_ephemeral(ballot), text_of(ballot)
    return ballot, night_id_of(ballot)


async def nominate(standin: DiscordStandIn, film: str, user=ALICE) -> dict[str, Any]:
    answer = await (await standin.slash("movienight nominate", film=film, user=user)).answer()
    assert is_ephemeral(answer)
    return answer


async def approve(standin: DiscordStandIn, ballot: dict[str, Any], night_id: int, user, values: list[str]) -> dict:
    """Vote button on the public ballot, then the approval select on the private ballot."""
    private = await (await standin.click(ballot, f"mq:mnvote:{night_id}", user=user)).answer()
    assert is_ephemeral(private), text_of(private)
    updated = await (await standin.select(private, f"mq:mnap:{night_id}", values, user=user)).answer()
    assert "counted" in text_of(updated) or "updated" in text_of(updated) or "already" in text_of(updated)
    return updated


async def test_a_whole_movie_night(standin: DiscordStandIn, bot: BotProcess) -> None:
    ballot, night_id = await start_night(standin, title="Friday **films**", when="in 3h")
    assert "<t:" in text_of(ballot)
    event = await wait_for(lambda: next(iter(standin.scheduled_events.values()), None), what="a scheduled event")
    assert event["name"] == "Friday **films**"

    # An ambiguous title asks which one; the pick button nominates.
    prompt = await nominate(standin, "Heat")
    pick = next(c["custom_id"] for row in prompt["components"] for c in row["components"]
                if c["custom_id"].startswith("mq:mnp:heat-1995:"))
    picked = await (await standin.click(prompt, pick)).answer()
    assert "on the ballot" in text_of(picked)
    await nominate(standin, "alien-1979", user=BOB)
    duplicate = await nominate(standin, "heat-1995", user=CAROL)
    assert f"<@{ALICE.id}>" in text_of(duplicate) and "already" in text_of(duplicate).lower()

    # Votes: by button and select, by /movienight vote, and a change of mind.
    await approve(standin, ballot, night_id, ALICE, ["0", "1"])
    await approve(standin, ballot, night_id, BOB, ["0"])
    private = await (await standin.slash("movienight vote", user=CAROL)).answer()
    await (await standin.select(private, f"mq:mnap:{night_id}", ["1"], user=CAROL)).answer()
    changed = await approve(standin, ballot, night_id, BOB, ["1"])
    assert "updated" in text_of(changed)
    joined = await (await standin.click(ballot, f"mq:mnin:{night_id}", user=BOB)).answer()
    assert is_ephemeral(joined)

    await wait_for(lambda: "3 voted · 1 in" in text_of(standin.message(ballot["id"])), what="the live tally")
    live = text_of(standin.message(ballot["id"]))
    assert "3 votes" in live and "1 vote" in live

    # Someone who is not the host (and lacks Manage Events) is refused.
    refused = await (await standin.click(ballot, f"mq:mnclose:{night_id}", user=CAROL)).answer()
    assert is_ephemeral(refused) and "host" in text_of(refused)
    refused = await (await standin.slash("movienight close", user=BOB)).answer()
    assert is_ephemeral(refused)

    announcement = await (await standin.slash("movienight close", user=ALICE)).answer()
    assert not is_ephemeral(announcement)
    said = text_of(announcement)
    assert "Alien" in said and "Approval" in said and "3 voters" in said

    # The ballot ends closed, without buttons; the event names the film.
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the closed ballot")
    assert "Winner: Alien" in text_of(standin.message(ballot["id"]))
    await wait_for(lambda: "Alien" in standin.scheduled_events[int(event["id"])]["name"], what="the event edit")

    history = await (await standin.slash("movienight history", user=BOB)).answer()
    assert "Alien" in text_of(history) and "3 voters, 1 in" in text_of(history)


async def test_fifty_ballots_at_once_are_all_counted(standin: DiscordStandIn, bot: BotProcess, bot_db: Path) -> None:
    ballot, night_id = await start_night(standin, title="Crowd", closes_in="1h")
    await nominate(standin, "heat-1995")
    await nominate(standin, "alien-1979")
    voters = [standin.add_user(f"voter{n}") for n in range(50)]
    privates = await asyncio.gather(*(standin.slash("movienight vote", user=u) for u in voters))
    privates = await asyncio.gather(*(i.answer() for i in privates))
    selects = await asyncio.gather(*(
        standin.select(p, f"mq:mnap:{night_id}", ["0"] if n % 2 else ["0", "1"], user=u)
        for n, (p, u) in enumerate(zip(privates, voters, strict=True))))
    answers = await asyncio.gather(*(s.answer() for s in selects))
    assert all("counted" in text_of(a) for a in answers)

    # Every ballot is in the database, and the public message ends showing all of them.
    with sqlite3.connect(bot_db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM ballots WHERE night_id = ?", (night_id,)).fetchone()[0] == 50
    await wait_for(lambda: "50 voted" in text_of(standin.message(ballot["id"])), what="50 voted on the ballot")
    final = text_of(standin.message(ballot["id"]))
    assert "50 votes" in final and "25 votes" in final
    # Coalesced: far fewer edits than ballots.
    edits = [r for r in standin.requests if r.method == "PATCH" and f"/messages/{ballot['id']}" in r.path]
    assert 1 <= len(edits) < 25, len(edits)


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


async def test_the_deadline_closes_a_night_by_itself(standin: DiscordStandIn, bot: BotProcess) -> None:
    showtime = int(time.time()) + 4
    ballot, night_id = await start_night(standin, title="Soon", when=f"<t:{showtime}:F>")
    await nominate(standin, "heat-1995")
    await approve(standin, ballot, night_id, BOB, ["0"])
    announcement = await standin.wait_for_channel_message(
        predicate=lambda m: "Closed automatically" in text_of(m), timeout=15)
    assert "Heat" in text_of(announcement)
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the closed ballot")


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


async def test_forged_night_ids_get_a_polite_answer(standin: DiscordStandIn, bot: BotProcess) -> None:
    ballot, night_id = await start_night(standin, title="Forgery", closes_in="1h")
    message = standin._messages[int(ballot["id"])]  # tamper with the stored copy, as a modified client would
    row = next(c for c in iter_components(message["components"]) if c["type"] == 1)  # inside the card
    row["components"][2]["custom_id"] = "mq:mnin:99999"
    row["components"][3]["custom_id"] = "mq:mnclose:x"
    for custom_id in ("mq:mnin:99999", "mq:mnclose:x"):
        answer = await (await standin.click(ballot, custom_id, user=BOB)).answer()
        assert is_ephemeral(answer) and ("expired" in text_of(answer).lower() or "exist" in text_of(answer))
    assert find_component(standin.message(ballot["id"]), f"mq:mnvote:{night_id}") is not None


async def test_suggest_nominates_in_one_click_and_cancel_cancels_the_event(standin: DiscordStandIn,
                                                                           bot: BotProcess) -> None:
    ballot, night_id = await start_night(standin, title="Ideas", when="tomorrow 20:00")
    event = await wait_for(lambda: next(iter(standin.scheduled_events.values()), None), what="a scheduled event")
    await (await standin.click(ballot, f"mq:mnin:{night_id}", user=BOB)).answer()
    await (await standin.slash("watchlist add", film="heat-1995", user=BOB)).answer()
    suggestions = await (await standin.slash("movienight suggest", count=3, user=CAROL)).answer()
    assert "Heat" in text_of(suggestions) and "watchlist" in text_of(suggestions)
    picked = await (await standin.select(suggestions, f"mq:mnsug:{night_id}", ["heat-1995"], user=CAROL)).answer()
    assert is_ephemeral(picked) and "on the ballot" in text_of(picked)
    await wait_for(lambda: "Heat" in text_of(standin.message(ballot["id"])), what="the nominee on the ballot")

    refused = await (await standin.slash("movienight cancel", user=CAROL)).answer()
    assert is_ephemeral(refused) and "host" in text_of(refused)
    cancelled = await (await standin.slash("movienight cancel", user=ALICE)).answer()
    assert not is_ephemeral(cancelled) and "cancelled" in text_of(cancelled)
    await wait_for(lambda: standin.scheduled_events[int(event["id"])]["status"] == 4, what="the cancelled event")
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the cancelled ballot")
