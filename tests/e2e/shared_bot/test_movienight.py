"""Movie nights through the Discord stand-in and one bot process for the module (conftest.py): each test runs
its night in a channel of its own, as two servers' channels would. The tests that restart the bot are in
tests/e2e/test_movienight.py."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

import pytest

from tests.e2e.test_movienight import approve, buttons_of, nominate, start_night, text_of, wait_for
from tests.standin import ALICE, BOB, CAROL, BotProcess, DiscordStandIn, find_component, is_ephemeral, iter_components

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


async def event_named(standin: DiscordStandIn, name: str) -> dict[str, Any]:
    """The scheduled event the bot created for this test's night."""
    return await wait_for(lambda: next((e for e in standin.scheduled_events.values() if e["name"] == name), None),
                          what=f"a scheduled event named {name!r}")


async def test_a_whole_movie_night(standin: DiscordStandIn, bot: BotProcess) -> None:
    here = standin.add_channel("friday-films")
    ballot, night_id = await start_night(standin, here, title="Friday **films**", when="in 3h")
    assert "<t:" in text_of(ballot)
    event = await event_named(standin, "Friday **films**")

    # An ambiguous title asks which one; the pick button nominates.
    prompt = await nominate(standin, "Heat", channel_id=here)
    pick = next(c["custom_id"] for row in prompt["components"] for c in row["components"]
                if c["custom_id"].startswith("mq:mnp:heat-1995:"))
    picked = await (await standin.click(prompt, pick)).answer()
    assert "on the ballot" in text_of(picked)
    await nominate(standin, "alien-1979", user=BOB, channel_id=here)
    duplicate = await nominate(standin, "heat-1995", user=CAROL, channel_id=here)
    assert f"<@{ALICE.id}>" in text_of(duplicate) and "already" in text_of(duplicate).lower()

    # Votes: by button and select, by /movienight vote, and a change of mind.
    await approve(standin, ballot, night_id, ALICE, ["0", "1"])
    await approve(standin, ballot, night_id, BOB, ["0"])
    private = await (await standin.slash("movienight vote", user=CAROL, channel_id=here)).answer()
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
    refused = await (await standin.slash("movienight close", user=BOB, channel_id=here)).answer()
    assert is_ephemeral(refused)

    announcement = await (await standin.slash("movienight close", user=ALICE, channel_id=here)).answer()
    assert not is_ephemeral(announcement)
    said = text_of(announcement)
    assert "Alien" in said and "Approval" in said and "3 voters" in said

    # The ballot ends closed, without buttons; the event names the film.
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the closed ballot")
    assert "Winner: Alien" in text_of(standin.message(ballot["id"]))
    await wait_for(lambda: "Alien" in standin.scheduled_events[int(event["id"])]["name"], what="the event edit")

    history = await (await standin.slash("movienight history", user=BOB, channel_id=here)).answer()
    assert "Alien" in text_of(history) and "3 voters, 1 in" in text_of(history)


async def test_fifty_ballots_at_once_are_all_counted(standin: DiscordStandIn, bot: BotProcess) -> None:
    here = standin.add_channel("crowd")
    ballot, night_id = await start_night(standin, here, title="Crowd", closes_in="1h")
    await nominate(standin, "heat-1995", channel_id=here)
    await nominate(standin, "alien-1979", channel_id=here)
    voters = [standin.add_user(f"voter{n}") for n in range(50)]
    privates = await asyncio.gather(*(standin.slash("movienight vote", user=u, channel_id=here) for u in voters))
    privates = await asyncio.gather(*(i.answer() for i in privates))
    selects = await asyncio.gather(*(
        standin.select(p, f"mq:mnap:{night_id}", ["0"] if n % 2 else ["0", "1"], user=u)
        for n, (p, u) in enumerate(zip(privates, voters, strict=True))))
    answers = await asyncio.gather(*(s.answer() for s in selects))
    assert all("counted" in text_of(a) for a in answers)

    # Every ballot is in the database, and the public message ends showing all of them.
    assert bot.db_path is not None
    with sqlite3.connect(bot.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM ballots WHERE night_id = ?", (night_id,)).fetchone()[0] == 50
    await wait_for(lambda: "50 voted" in text_of(standin.message(ballot["id"])), what="50 voted on the ballot")
    final = text_of(standin.message(ballot["id"]))
    assert "50 votes" in final and "25 votes" in final
    # Coalesced: far fewer edits than ballots.
    edits = [r for r in standin.requests if r.method == "PATCH" and f"/messages/{ballot['id']}" in r.path]
    assert 1 <= len(edits) < 25, len(edits)


async def test_the_deadline_closes_a_night_by_itself(standin: DiscordStandIn, bot: BotProcess) -> None:
    here = standin.add_channel("soon")
    showtime = int(time.time()) + 4
    ballot, night_id = await start_night(standin, here, title="Soon", when=f"<t:{showtime}:F>")
    await nominate(standin, "heat-1995", channel_id=here)
    await approve(standin, ballot, night_id, BOB, ["0"])
    announcement = await standin.wait_for_channel_message(
        here, predicate=lambda m: "Closed automatically" in text_of(m), timeout=15)
    assert "Heat" in text_of(announcement)
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the closed ballot")


async def test_forged_night_ids_get_a_polite_answer(standin: DiscordStandIn, bot: BotProcess) -> None:
    here = standin.add_channel("forgery")
    ballot, night_id = await start_night(standin, here, title="Forgery", closes_in="1h")
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
    here = standin.add_channel("ideas")
    ballot, night_id = await start_night(standin, here, title="Ideas", when="tomorrow 20:00")
    event = await event_named(standin, "Ideas")
    await (await standin.click(ballot, f"mq:mnin:{night_id}", user=BOB)).answer()
    await (await standin.slash("watchlist add", film="heat-1995", user=BOB)).answer()
    suggestions = await (await standin.slash("movienight suggest", count=3, user=CAROL, channel_id=here)).answer()
    assert "Heat" in text_of(suggestions) and "watchlist" in text_of(suggestions)
    picked = await (await standin.select(suggestions, f"mq:mnsug:{night_id}", ["heat-1995"], user=CAROL)).answer()
    assert is_ephemeral(picked) and "on the ballot" in text_of(picked)
    await wait_for(lambda: "Heat" in text_of(standin.message(ballot["id"])), what="the nominee on the ballot")

    refused = await (await standin.slash("movienight cancel", user=CAROL, channel_id=here)).answer()
    assert is_ephemeral(refused) and "host" in text_of(refused)
    cancelled = await (await standin.slash("movienight cancel", user=ALICE, channel_id=here)).answer()
    assert not is_ephemeral(cancelled) and "cancelled" in text_of(cancelled)
    await wait_for(lambda: standin.scheduled_events[int(event["id"])]["status"] == 4, what="the cancelled event")
    await wait_for(lambda: not buttons_of(standin.message(ballot["id"])), what="the cancelled ballot")
