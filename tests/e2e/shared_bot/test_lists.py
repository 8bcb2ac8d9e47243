"""Personal lists, preferences, /forgetme, server settings and a Letterboxd import through the Discord stand-in."""
from __future__ import annotations

import csv
import io
import zipfile

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


WATCHED = "Date,Name,Year,Letterboxd URI\n2024-01-02,Oldboy,2003,https://boxd.it/a\n"
RATINGS = ("Date,Name,Year,Letterboxd URI,Rating\n"
           "2024-01-02,Oldboy,2003,https://boxd.it/a,3.5\n"
           "2024-01-03,Heat,1995,https://boxd.it/b,5\n")
WATCHLIST = ("Date,Name,Year,Letterboxd URI\n"
             "2024-02-01,The Matrix,1999,https://boxd.it/c\n"
             "2024-02-02,@everyone,2020,https://boxd.it/d\n")


def export_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("watched.csv", WATCHED), ("ratings.csv", RATINGS), ("watchlist.csv", WATCHLIST)):
            archive.writestr(name, text)
    return buffer.getvalue()


async def test_a_letterboxd_export_is_imported(standin: DiscordStandIn, bot: BotProcess) -> None:
    # /import through the stand-in: the export ZIP attached, the counts answered privately, the unmatched rows
    # sent back as a CSV file, and the lists showing what came in. Users of its own: the others' lists change.
    reader, other = standin.add_user("reader"), standin.add_user("other")
    upload = standin.add_attachment("letterboxd-alice-2024-06-01-utc.zip", export_zip())
    answer = await (await standin.slash("import", file=upload, user=reader)).answer(timeout=30)
    assert is_ephemeral(answer), answer
    text = message_text(answer)
    assert "Imported from Letterboxd" in text
    assert "Seen: 2 added" in text and "Ratings: 2 set" in text and "Watchlist: 1 added" in text
    assert "Unmatched: 1" in text and "half stars rounded up" in text and "1 of 2 rating(s)" in text
    [attachment] = answer["attachments"]
    assert attachment["filename"] == "marquee-import-unmatched.csv"
    rows = list(csv.reader(io.StringIO(standin.file_bytes(attachment).decode())))
    assert rows[1][:4] == ["watchlist.csv", "3", "watchlist", "'@everyone"]

    mine = await (await standin.slash("watchlist show", user=reader)).answer()
    assert "The Matrix (1999)" in message_text(mine)
    theirs = await (await standin.slash("watchlist show", user=other)).answer()
    assert "empty" in message_text(theirs)

    again = await (await standin.slash("import", file=upload, user=reader)).answer(timeout=30)
    assert "Nothing new from Letterboxd" in message_text(again) and "Already there: 5" in message_text(again)
