"""Absurd numbers through Discord: a clear ephemeral answer with the accepted range, never "Something went
wrong" (the `bot` fixture also fails the test if the log has a traceback)."""
from __future__ import annotations

import re

import pytest

from tests.standin import ALICE, BotProcess, DiscordStandIn, is_ephemeral, iter_components

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


def said(message: dict) -> str:
    """Everything a message shows, whether embeds or a Components V2 layout."""
    texts = [c.get("content") or "" for c in iter_components(message.get("components") or [])]
    return "\n".join([message.get("content") or "", str(message.get("embeds") or ""), *texts])


def night_of(ballot: dict) -> str:
    """The night id its controls carry (`mq:mnvote:<id>`)."""
    ids = [m[1] for c in iter_components(ballot.get("components") or [])
           if (m := re.fullmatch(r"mq:mnvote:(\d+)", c.get("custom_id") or ""))]
    assert ids, ballot
    return ids[0]


async def test_far_off_times_and_durations_name_the_range(standin: DiscordStandIn, bot: BotProcess) -> None:
    for options, limit in (({"when": "in 9999999999 days"}, "within the next year"),
                           ({"when": "31 dec 9999 23:59"}, "within the next year"),
                           ({"closes_in": "99999999999999999d"}, "longest allowed is 14 days")):
        answer = await (await standin.slash("movienight start", user=ALICE, **options)).answer()
        assert is_ephemeral(answer) and limit in said(answer), said(answer)
        assert "went wrong" not in said(answer)


async def test_forged_digits_in_a_ballot_button_are_a_stale_control(standin: DiscordStandIn, bot: BotProcess) -> None:
    ballot = await (await standin.slash("movienight start", user=ALICE)).answer()
    night = night_of(ballot)
    # Tamper with the stored message the way a modified client would: digits int() refuses, or too many.
    forged = [f"mq:mnvote:{night}²", f"mq:mnin:{'9' * 90}"]
    stored = standin._messages[int(ballot["id"])]  # the stand-in's copy, as Discord would hold it
    buttons = [c for c in iter_components(stored["components"]) if c.get("type") == 2]
    for button, custom_id in zip(buttons[:len(forged)], forged, strict=True):
        button["custom_id"] = custom_id
    for custom_id in forged:
        answer = await (await standin.click(ballot, custom_id)).answer()
        assert is_ephemeral(answer) and "expired" in said(answer).lower(), said(answer)
