"""/import through the Discord stand-in: a Letterboxd export ZIP attached, the counts answered privately, the
unmatched rows sent back as a CSV file, and the lists showing what came in."""
from __future__ import annotations

import csv
import io
import zipfile

from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, message_text

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
    upload = standin.add_attachment("letterboxd-alice-2024-06-01-utc.zip", export_zip())
    answer = await (await standin.slash("import", file=upload, user=ALICE)).answer(timeout=30)
    assert is_ephemeral(answer), answer
    text = message_text(answer)
    assert "Imported from Letterboxd" in text
    assert "Seen: 2 added" in text and "Ratings: 2 set" in text and "Watchlist: 1 added" in text
    assert "Unmatched: 1" in text and "half stars rounded up" in text and "1 of 2 rating(s)" in text
    [attachment] = answer["attachments"]
    assert attachment["filename"] == "marquee-import-unmatched.csv"
    rows = list(csv.reader(io.StringIO(standin.file_bytes(attachment).decode())))
    assert rows[1][:4] == ["watchlist.csv", "3", "watchlist", "'@everyone"]

    mine = await (await standin.slash("watchlist show", user=ALICE)).answer()
    assert "The Matrix (1999)" in message_text(mine)
    theirs = await (await standin.slash("watchlist show", user=BOB)).answer()
    assert "empty" in message_text(theirs)

    again = await (await standin.slash("import", file=upload, user=ALICE)).answer(timeout=30)
    assert "Nothing new from Letterboxd" in message_text(again) and "Already there: 5" in message_text(again)
