"""/import (issue 13, part 5): Letterboxd's export and IMDb's ratings and watchlist CSVs read, matched to the
catalogue (IMDb id, else exact title and year) and written to the person's lists in one transaction;
limits, malformed files and hostile titles answered plainly. Parsers are tested on small inline files, the
command on a real SQLite database with the shipped catalogue."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest

from bot.core.interface import Actor
from bot.core.rendering import render, render_text, to_json
from bot.domain.history import (
    MAX_ROWS, HistoryFileError, HistoryLimitError, HistoryMatcher, HistoryRow, imdb_stars, letterboxd_stars,
    parse_history, rating_note, unmatched_csv,
)
from cogs.history.results import HistoryImport

LB_WATCHED = (
    "Date,Name,Year,Letterboxd URI\n"
    "2024-01-02,Oldboy,2003,https://boxd.it/a\n"
    "2024-01-03,Amélie,2001,https://boxd.it/b\n"
    "2024-01-04,A Film Nobody Made,2020,https://boxd.it/c\n"
)
LB_RATINGS = (
    "Date,Name,Year,Letterboxd URI,Rating\n"
    "2024-01-02,Oldboy,2003,https://boxd.it/a,3.5\n"
    "2024-01-05,Spirited Away,2002,https://boxd.it/d,0.5\n"  # the catalogue says 2001: one year off, unique
    "2024-01-06,\"Heat\",1995,https://boxd.it/e,4\n"
)
LB_WATCHLIST = (
    "Date,Name,Year,Letterboxd URI\n"
    "2024-02-01,The Matrix,1999,https://boxd.it/f\n"
    "2024-02-02,Aftermath,2012,https://boxd.it/g\n"  # two films of that name from 2012: never a guess
    "2024-02-03,@everyone,2020,https://boxd.it/h\n"
    "2024-02-04,\"=HYPERLINK(\"\"http://x\"\")\",2020,https://boxd.it/i\n"
)
IMDB_RATINGS_HEADER = ("Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),"
                       "Year,Genres,Num Votes,Release Date,Directors\n")
IMDB_RATINGS = IMDB_RATINGS_HEADER + (
    # Matched by id whatever the title says.
    "tt0113277,7,2024-01-01,Heat (a retitled copy),Heat,https://www.imdb.com/title/tt0113277/,Movie,8.3,170,1995,"
    "\"Crime, Drama\",700000,1995-12-15,Michael Mann\n"
    "tt0133093,10,2024-01-02,The Matrix,The Matrix,https://www.imdb.com/title/tt0133093/,Movie,8.7,136,1999,"
    "Action,2000000,1999-03-31,Lana Wachowski\n"
    "tt0211915,1,2024-01-03,Amélie,Le fabuleux destin d'Amélie Poulain,https://www.imdb.com/title/tt0211915/,Movie,"
    "8.3,122,2001,Comedy,800000,2001-04-25,Jean-Pierre Jeunet\n"
    # Another film called Heat from 1995 (its id is not the catalogue's Heat's): not matched to it.
    "tt9999991,6,2024-01-04,Heat,Heat,https://www.imdb.com/title/tt9999991/,Movie,5.0,90,1995,Drama,10,"
    "1995-01-01,Somebody Else\n"
    "tt0903747,9,2024-01-05,Breaking Bad,Breaking Bad,https://www.imdb.com/title/tt0903747/,TV Series,9.5,49,2008,"
    "Drama,2000000,2008-01-20,\n"
)
IMDB_WATCHLIST = (
    "Position,Const,Created,Modified,Description,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),"
    "Year,Genres,Num Votes,Release Date,Directors,Your Rating,Date Rated\n"
    "1,tt0364569,2024-01-01,2024-01-01,,Oldboy,Oldeuboi,https://www.imdb.com/title/tt0364569/,Movie,8.4,120,2003,"
    "Thriller,600000,2003-11-21,Park Chan-wook,,\n"
    "2,tt2911666,2024-01-02,2024-01-02,,John Wick,John Wick,https://www.imdb.com/title/tt2911666/,Movie,7.4,101,2014,"
    "Action,700000,2014-10-24,Chad Stahelski,,\n"
)


def letterboxd_zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile.csv", "Date Joined,Username\n2020-01-01,alice\n")
        archive.writestr("lists/watchlist.csv", "Letterboxd list export v7\nnot,what,we,read\n")
        for name, text in members.items():
            archive.writestr(name.replace("_", "/") if "_" in name else f"{name}.csv", text)
    return buffer.getvalue()


def full_export() -> bytes:
    return letterboxd_zip(watched=LB_WATCHED, ratings=LB_RATINGS, watchlist=LB_WATCHLIST)


async def run(app, actor: Actor, data: bytes, filename: str) -> HistoryImport:
    reply = await app.dispatch_command(actor, "import", {"file": data, "filename": filename})
    assert reply.ephemeral
    assert isinstance(reply.result, HistoryImport), reply.result
    return reply.result


def shown(result: HistoryImport) -> str:
    return render_text(render(result))


# --------------------------------------------------------------------------- pure parsing and mapping


def test_rating_maps_round_up_to_whole_stars() -> None:
    assert [letterboxd_stars(v)[0] for v in ("0.5", "1", "3.5", "4", "4.5", "5")] == [1, 1, 4, 4, 5, 5]
    assert letterboxd_stars("3.5")[1] and not letterboxd_stars("3")[1]
    assert [imdb_stars(str(n))[0] for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    for bad in ("0", "5.5", "3.25", "nan", "inf", "abc", ""):
        with pytest.raises(ValueError):
            letterboxd_stars(bad)
    for bad in ("0", "11", "7.5", "٧", ""):
        with pytest.raises(ValueError):
            imdb_stars(bad)


def test_parses_each_letterboxd_file_and_the_zip() -> None:
    watched = parse_history(LB_WATCHED.encode(), "watched.csv")
    assert watched.origin == "Letterboxd" and [r.kind for r in watched.rows] == ["seen"] * 3
    assert watched.rows[1] == HistoryRow("watched.csv", 3, "seen", "Amélie", 2001)
    ratings = parse_history(LB_RATINGS.encode(), "ratings.csv")
    assert [(r.title, r.stars, r.given) for r in ratings.rows] == [
        ("Oldboy", 4, "3.5"), ("Spirited Away", 1, "0.5"), ("Heat", 4, "4")]
    assert [r.rounded for r in ratings.rows] == [True, True, False]
    assert "half stars rounded up" in (rating_note(ratings.scale, 3, 2) or "")
    watchlist = parse_history(LB_WATCHLIST.encode(), "watchlist.csv")
    assert {r.kind for r in watchlist.rows} == {"watchlist"}
    # The look-alike lists need their own names; with one they are read as what they are.
    with pytest.raises(HistoryFileError, match="watched.csv or watchlist.csv"):
        parse_history(LB_WATCHED.encode(), "export.csv")

    both = parse_history(full_export(), "letterboxd-alice-2024.zip")
    # Only the three known members, never lists/watchlist.csv or profile.csv.
    assert both.files == ["watched.csv", "ratings.csv", "watchlist.csv"]
    assert len(both.rows) == 3 + 4 + 3 and not both.problems


def test_parses_imdb_ratings_and_watchlist() -> None:
    ratings = parse_history(IMDB_RATINGS.encode(), "ratings.csv")
    assert ratings.origin == "IMDb" and ratings.scale == "imdb"
    assert [(r.imdb, r.stars) for r in ratings.rows] == [
        ("tt0113277", 4), ("tt0133093", 5), ("tt0211915", 1), ("tt9999991", 3), ("tt0903747", 5)]
    assert [r.rounded for r in ratings.rows] == [True, False, True, False, True]
    assert "7 → 4★" in (rating_note(ratings.scale, 5, 3) or "")
    watchlist = parse_history(IMDB_WATCHLIST.encode(), "WATCHLIST.csv")
    assert [(r.kind, r.imdb, r.original_title) for r in watchlist.rows] == [
        ("watchlist", "tt0364569", "Oldeuboi"), ("watchlist", "tt2911666", "John Wick")]


@pytest.mark.parametrize(("data", "message"), [
    (LB_RATINGS.replace("3.5", "seven"), r"ratings.csv line 2: the rating 'seven'"),
    (LB_RATINGS.replace(",0.5\n", ",0.5,extra\n"), r"ratings.csv line 3: 6 cells, expected 5"),
    (LB_RATINGS.replace(",1995,", ",nineteen,"), r"ratings.csv line 4: the year 'nineteen'"),
])
def test_a_malformed_row_is_named_by_its_line(data: str, message: str) -> None:
    parsed = parse_history(data.encode(), "ratings.csv")
    assert len(parsed.problems) == 1
    assert str(parsed.problems[0]).startswith(message.replace("\\", ""))


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ratings.csv", "not UTF-8 text (line 1)"),
    (LB_WATCHED.encode() + b"2024-01-09,Caf\xe9,2001,u\n", "watched.csv", "not UTF-8 text (line 5)"),
    (b"Date,Title,Year\n2024-01-01,Heat,1995\n", "ratings.csv", "not a Letterboxd or IMDb export"),
    (b"Date,Name,Year,Letterboxd URI\n", "ratings.csv", "lacks the column(s) Rating"),
    (b"Const,Title\n", "ratings.csv", "neither the ratings export"),
    (b'Date,Name,Year,Letterboxd URI\n2024,"unclosed,2001,u\n', "watched.csv", "not a readable CSV file"),
    (b"PK\x03\x04 not really a zip", "export.zip", "the ZIP cannot be read"),
    (letterboxd_zip(diary="Date,Name\n"), "export.zip", "no watched.csv, ratings.csv or watchlist.csv"),
    (b"   \n", "ratings.csv", "empty"),
])
def test_a_file_that_cannot_be_read_says_why(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(HistoryFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_history(data, filename)


def test_limits_stop_reading_at_once() -> None:
    # A ZIP bomb: a few kB that unpack to 24 MB of watched.csv. Refused at 20 MB, never unpacked whole.
    line = "2024-01-01," + "x" * 60_000 + ",2001,u\n"
    bomb = letterboxd_zip(watched="Date,Name,Year,Letterboxd URI\n" + line * 400)
    assert len(bomb) < 100_000
    with pytest.raises(HistoryLimitError, match="more than 20 MB"):
        parse_history(bomb, "export.zip")
    rows = "Date,Name,Year,Letterboxd URI\n" + "2024-01-01,A,2001,u\n" * (MAX_ROWS + 1)
    with pytest.raises(HistoryLimitError, match="more than 50,000 rows"):
        parse_history(rows.encode(), "watched.csv")
    with pytest.raises(HistoryLimitError, match="limit is 2 MB"):
        parse_history(b"x" * 2_000_001, "watched.csv")
    with pytest.raises(HistoryLimitError, match="line 2 .* longer than 100,000 bytes"):
        parse_history(("Date,Name,Year,Letterboxd URI\n2024," + "y" * 100_001 + "\n").encode(), "watched.csv")


def test_unmatched_file_guards_formulas_and_control_characters() -> None:
    rows = [(HistoryRow("watchlist.csv", 5, "watchlist", '=HYPERLINK("http://x")', 2020), "no film"),
            (HistoryRow("watched.csv", 2, "seen", "Tab\tand\x1bescape", None), "no year"),
            (HistoryRow("watched.csv", 3, "seen", "+1", 2001), "-no film")]
    table = list(csv.reader(io.StringIO(unmatched_csv(rows).decode())))
    assert table[0] == ["file", "line", "list", "title", "year", "imdb_id", "your_rating", "why"]
    assert table[1][3] == "'=HYPERLINK(\"http://x\")"
    assert table[2][3] == "Tab and escape"
    assert table[3][3] == "'+1" and table[3][7] == "'-no film"


# --------------------------------------------------------------------------- matching against the catalogue


async def test_matching_by_imdb_id_then_exact_title_and_year(app) -> None:
    matcher = HistoryMatcher(app.ctx.catalogue.catalog, app.ctx.catalogue.titles)

    def film(row: HistoryRow) -> str | None:
        found, _why = matcher.match(row)
        return found.id if found else None

    assert film(HistoryRow("r", 2, "seen", "Whatever it is called", 1990, imdb="tt0113277")) == "heat-1995"
    assert film(HistoryRow("r", 2, "seen", "Heat", 1995)) == "heat-1995"
    assert film(HistoryRow("r", 2, "seen", "Heat", 1972)) == "heat-1972"
    assert film(HistoryRow("r", 2, "seen", "old boy", 2003)) == "oldboy-2003"  # an alias, folded
    assert film(HistoryRow("r", 2, "seen", "Spirited Away", 2002)) == "spirited-away-2001"  # one year off, unique
    assert film(HistoryRow("r", 2, "seen", "Heat", None)) is None  # no year: which Heat?
    assert film(HistoryRow("r", 2, "seen", "Aftermath", 2012)) is None  # two of them that year
    assert film(HistoryRow("r", 2, "seen", "Heat", 2010)) is None  # no Heat near 2010
    assert film(HistoryRow("r", 2, "seen", "Heat", 1995, imdb="tt9999991", title_type="Movie")) is None
    assert film(HistoryRow("r", 2, "seen", "Heat", 1995, imdb="tt9999991", title_type="TV Series")) is None
    assert matcher.match(HistoryRow("r", 2, "seen", "Aftermath", 2012))[1] == "2 films of that title from 2012"


# --------------------------------------------------------------------------- /import


async def test_a_letterboxd_zip_fills_seen_ratings_and_watchlist(app, alice: Actor) -> None:
    result = await run(app, alice, full_export(), "letterboxd-alice.zip")
    people = app.ctx.people
    seen = await people.seen_ids(alice.user_id)
    assert {"oldboy-2003", "amelie-2001", "spirited-away-2001", "heat-1995"} <= seen
    assert await people.ratings([alice.user_id]) == {
        (alice.user_id, "oldboy-2003"): 4, (alice.user_id, "spirited-away-2001"): 1, (alice.user_id, "heat-1995"): 4}
    assert [e.film_id for e in await people.watchlist(alice.user_id)] == ["the-matrix-1999"]
    written = result.written
    assert written is not None
    assert (written.seen_added, written.ratings_added, written.watchlist_added, written.already) == (4, 3, 1, 0)
    assert result.unmatched == 4  # the film nobody made, Aftermath, @everyone, the formula

    text = shown(result)
    assert "Seen: 4 added" in text and "Ratings: 3 set" in text and "Watchlist: 1 added" in text
    assert "Unmatched: 4" in text and "Already there: 0" in text
    assert "half stars rounded up" in text and "2 of 3 rating(s)" in text
    assert "a file's rating replaces" in text.lower()
    # The unmatched rows, attached, with where they came from and why.
    [attachment] = render(result).files
    table = list(csv.reader(io.StringIO(attachment.data.decode())))
    assert [(r[0], r[1], r[3]) for r in table[1:]] == [
        ("watched.csv", "4", "A Film Nobody Made"), ("watchlist.csv", "3", "Aftermath"),
        ("watchlist.csv", "4", "'@everyone"), ("watchlist.csv", "5", "'=HYPERLINK(\"http://x\")")]
    assert to_json(result)["unmatched"] == 4


async def test_importing_the_same_file_twice_changes_nothing(app, alice: Actor) -> None:
    await run(app, alice, full_export(), "export.zip")
    before = (await app.ctx.people.seen_ids(alice.user_id), await app.ctx.people.ratings([alice.user_id]),
              await app.ctx.people.watchlist(alice.user_id))
    again = await run(app, alice, full_export(), "export.zip")
    after = (await app.ctx.people.seen_ids(alice.user_id), await app.ctx.people.ratings([alice.user_id]),
             await app.ctx.people.watchlist(alice.user_id))
    assert after == before
    assert again.written is not None and again.written.changed == 0 and again.written.already == 4 + 3 + 1
    assert "Nothing changed" in shown(again) and "Nothing new from Letterboxd" in shown(again)


async def test_imdb_ratings_replace_stored_ratings_and_leave_others_alone(app, alice: Actor, bob: Actor) -> None:
    await app.dispatch_command(alice, "rate", {"film": "heat-1995", "stars": 2})
    await app.dispatch_command(bob, "rate", {"film": "heat-1995", "stars": 5})
    await app.dispatch_command(bob, "watchlist add", {"film": "oldboy-2003"})
    bob_before = (await app.ctx.people.ratings([bob.user_id]), await app.ctx.people.watchlist(bob.user_id),
                  await app.ctx.people.seen_ids(bob.user_id))

    result = await run(app, alice, IMDB_RATINGS.encode(), "ratings.csv")
    assert await app.ctx.people.ratings([alice.user_id]) == {
        (alice.user_id, "heat-1995"): 4, (alice.user_id, "the-matrix-1999"): 5, (alice.user_id, "amelie-2001"): 1}
    assert result.written is not None
    assert (result.written.ratings_added, result.written.ratings_replaced) == (2, 1)
    assert result.unmatched == 2  # the other Heat, and a TV series
    text = shown(result)
    assert "Ratings: 3 set (1 replaced: a file's rating replaces the one you had)" in text
    assert "IMDb's 1-10 halved and rounded up" in text and "3 rating(s), 2 of them rounded up" in text

    watchlist = await run(app, alice, IMDB_WATCHLIST.encode(), "watchlist.csv")
    assert watchlist.written is not None and watchlist.written.watchlist_added == 2
    assert (await app.ctx.people.ratings([bob.user_id]), await app.ctx.people.watchlist(bob.user_id),
            await app.ctx.people.seen_ids(bob.user_id)) == bob_before


async def test_bad_files_are_answered_with_the_line_and_nothing_is_written(app, alice: Actor) -> None:
    bad_row = letterboxd_zip(watched=LB_WATCHED, ratings=LB_RATINGS.replace("0.5", "half"))
    result = await run(app, alice, bad_row, "export.zip")
    assert result.refused == "Bad rows" and "ratings.csv line 3: the rating 'half'" in shown(result)
    assert await app.ctx.people.seen_ids(alice.user_id) == set()  # the good watched.csv waits for the fix

    wrong = await run(app, alice, LB_WATCHED.replace("Amélie,2001,", "Amélie,2001,x,").encode(), "watched.csv")
    assert "watched.csv line 3: 5 cells, expected 4" in shown(wrong)
    latin1 = await run(app, alice, "Date,Name,Year,Letterboxd URI\n2024,Amélie,2001,u\n".encode("latin-1"),
                       "watched.csv")
    assert latin1.refused == "Can't read that file" and "not UTF-8 text (line 2)" in shown(latin1)
    bomb = await run(app, alice, letterboxd_zip(watched="Date,Name,Year,Letterboxd URI\n"
                                                + ("2024-01-01," + "x" * 60_000 + ",2001,u\n") * 400), "x.zip")
    assert bomb.refused == "File too big" and "20 MB" in shown(bomb)
    rows = "Date,Name,Year,Letterboxd URI\n" + "2024-01-01,A,2001,u\n" * (MAX_ROWS + 1)
    many = await run(app, alice, rows.encode(), "watched.csv")
    assert many.refused == "File too big" and "50,000 rows" in shown(many)
    empty = await run(app, alice, b"Date,Name,Year,Letterboxd URI\n", "watched.csv")
    assert empty.refused == "Nothing to import" and "no rows" in shown(empty)
    big = await app.dispatch_command(alice, "import", {"file": b"", "filename": "huge.zip", "size": 5_000_000})
    assert big.result.refused == "File too big" and "limit is 2 MB" in shown(big.result)
    assert await app.ctx.people.seen_ids(alice.user_id) == set()


async def test_titles_from_a_file_never_ping(app, alice: Actor) -> None:
    hostile = ("Date,Name,Year,Letterboxd URI\n"
               "2024-01-01,@everyone,2020,u\n2024-01-02,@here <@&123> **bold**,2020,u\n")
    result = await run(app, alice, hostile.encode(), "watched.csv")
    message = render(result)
    texts = [e.description or "" for e in message.embeds] + [f.value for e in message.embeds for f in e.fields]
    joined = "\n".join(texts)
    assert "everyone" in joined and "@everyone" not in joined and "@here" not in joined and "<@&" not in joined
    assert "\\*\\*bold\\*\\*" in joined
    refused = await run(app, alice, b"Date,@everyone,Year\n1,2,3\n", "watched.csv")
    assert "@everyone" not in shown(refused)
