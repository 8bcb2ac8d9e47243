"""Personal lists, preferences, /forgetme and server settings through the Discord stand-in."""
from __future__ import annotations

import pytest

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, Perm, is_ephemeral, message_text

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


def text(message: dict) -> str:
    return message_text(message)


async def test_watchlist_add_show_remove(standin: DiscordStandIn, bot: BotProcess) -> None:
    added = await (await standin.slash("watchlist add", film="heat-1995", user=ALICE)).answer()
    assert is_ephemeral(added) and "Added" in text(added)
    again = await (await standin.slash("watchlist add", film="heat-1995", user=ALICE)).answer()
    assert "already" in text(again)
    mine = await (await standin.slash("watchlist show", user=ALICE)).answer()
    assert "Heat (1995)" in text(mine)
    theirs = await (await standin.slash("watchlist show", member=ALICE, user=BOB)).answer()
    assert "Heat (1995)" in text(theirs)
    removed = await (await standin.slash("watchlist remove", film="heat-1995", user=ALICE)).answer()
    assert "Removed" in text(removed)
    empty = await (await standin.slash("watchlist show", user=ALICE)).answer()
    assert "empty" in text(empty)


async def test_seen_unseen_and_rate(standin: DiscordStandIn, bot: BotProcess) -> None:
    seen = await (await standin.slash("seen", film="heat-1995")).answer()
    assert "Marked as seen" in text(seen)
    rated = await (await standin.slash("rate", film="heat-1995", stars=4)).answer()
    assert "★★★★☆" in text(rated)
    card = await (await standin.slash("film", title="heat-1995")).answer()
    assert "you rated it ★★★★" in message_text(card)
    unseen = await (await standin.slash("unseen", film="heat-1995")).answer()
    assert "No longer marked" in text(unseen)


async def test_prefs_show_set_and_bad_values(standin: DiscordStandIn, bot: BotProcess) -> None:
    shown = await (await standin.slash("prefs")).answer()
    assert "not set" in text(shown)
    saved = await (await standin.slash("prefs", region="gb", services="netflix, prime video")).answer()
    assert "GB" in text(saved) and "Prime Video" in text(saved)
    bad = await (await standin.slash("prefs", services="netflix, blorbo+")).answer()
    assert is_ephemeral(bad) and "Known services" in text(bad)
    region = await (await standin.slash("prefs", region="XX")).answer()
    assert "not a region" in text(region)
    choices = await standin.autocomplete("prefs", "services", "netflix, pri")
    assert "netflix, Prime Video" in [c["value"] for c in choices]


async def test_forgetme_asks_then_deletes_only_mine(standin: DiscordStandIn, bot: BotProcess) -> None:
    await (await standin.slash("watchlist add", film="heat-1995", user=ALICE)).answer()
    await (await standin.slash("watchlist add", film="heat-1995", user=BOB)).answer()
    prompt = await (await standin.slash("forgetme", user=ALICE)).answer()
    assert is_ephemeral(prompt)
    confirm = next(c["custom_id"] for row in prompt["components"] for c in row["components"]
                   if c["custom_id"].startswith("mq:forget:"))
    done = await (await standin.click(prompt, confirm, user=ALICE)).answer()
    assert "1 watchlist entry" in text(done)  # one entry: singular (was "1 watchlist entries")
    mine = await (await standin.slash("watchlist show", user=ALICE)).answer()
    theirs = await (await standin.slash("watchlist show", user=BOB)).answer()
    assert "empty" in text(mine) and "Heat" in text(theirs)


async def test_settings_are_admin_only_to_change(standin: DiscordStandIn, bot: BotProcess) -> None:
    shown = await (await standin.slash("settings", user=BOB)).answer()
    assert "Server settings" in text(shown)
    refused = await (await standin.slash("settings", region="DE", user=BOB)).answer()
    assert is_ephemeral(refused) and "Manage Server" in text(refused)
    saved = await (await standin.slash("settings", region="DE", timezone="Europe/Berlin", user=ALICE,
                                       permissions=int(Perm.MANAGE_GUILD))).answer()
    assert "DE" in text(saved) and "Europe/Berlin" in text(saved)
    bad = await (await standin.slash("settings", timezone="Mars/Olympus", user=ALICE,
                                     permissions=int(Perm.MANAGE_GUILD))).answer()
    assert "not a time zone" in text(bad)
