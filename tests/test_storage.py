"""The storage layer on real SQLite files: migrations, pragmas, refusing newer databases, user data."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.backend import Backend
from bot.storage.connect import open_database
from bot.storage.db import Database
from bot.storage.errors import DatabaseUnusable
from bot.storage.migrations import LATEST_VERSION
from bot.storage.people import PeopleStore, UserPrefs


async def test_migrations_pragmas_and_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "m.db")
    try:
        assert await db.scalar("PRAGMA user_version") == LATEST_VERSION
        assert (await db.scalar("PRAGMA journal_mode")).lower() == "wal"
        assert await db.scalar("PRAGMA foreign_keys") == 1
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"films", "nights", "ballots", "watchlist", "catalog_edits", "ui_state"} <= tables
    finally:
        await db.close()
    # Reopening applies nothing new and keeps the data.
    db = await Database.open(tmp_path / "m.db")
    await db.set_meta("k", "v")
    await db.close()
    db = await Database.open(tmp_path / "m.db")
    assert await db.get_meta("k") == "v"
    await db.close()


async def test_a_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
        conn.execute("CREATE TABLE mine (x)")
    with pytest.raises(DatabaseUnusable, match="newer"):
        await Database.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 5


async def test_unwritable_location_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusable, match="DATABASE_PATH"):
        await Database.open(tmp_path / "no" / "such" / "dir.db")
    with pytest.raises(DatabaseUnusable, match="directory"):
        await Database.open(tmp_path)


async def test_a_failed_transaction_leaves_nothing(storage: Backend) -> None:
    with pytest.raises(RuntimeError):
        async with storage.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('half', 'done')")
            raise RuntimeError("boom")
    assert await storage.get_meta("half") is None


async def test_people_store_round_trips_and_forgets_only_that_person(storage: Backend) -> None:
    people = PeopleStore(storage)
    await people.save_prefs(UserPrefs(1, "GB", ("netflix", "mubi")))
    assert await people.add_to_watchlist(1, "heat-1995") is True
    assert await people.add_to_watchlist(1, "heat-1995") is False  # no duplicates
    await people.add_to_watchlist(2, "heat-1995")
    await people.mark_seen([1, 2], "oldboy-2003")
    assert await people.rate(1, "oldboy-2003", 5) is None
    assert await people.rate(1, "oldboy-2003", 4) == 5
    assert (await people.prefs(1)).services == ("netflix", "mubi")
    forgotten = await people.forget(1)
    assert forgotten.counts == {"preferences": 1, "watchlist": 1, "seen": 1, "ratings": 1}
    assert await people.watchlist(1) == [] and await people.seen_ids(1) == set()
    # Someone else's data is untouched.
    assert [e.film_id for e in await people.watchlist(2)] == ["heat-1995"]
    assert await people.seen_ids(2) == {"oldboy-2003"}


async def test_film_ids_are_bound_parameters_not_sql(storage: Backend) -> None:
    people = PeopleStore(storage)
    evil = "x'); DROP TABLE watchlist; --"
    await people.add_to_watchlist(7, evil)
    assert [e.film_id for e in await people.watchlist(7)] == [evil]


async def test_every_migration_is_applied_and_reopening_keeps_the_data(database_target: str | Path) -> None:
    db = await open_database(database_target)
    try:
        assert await db.schema_version() == LATEST_VERSION
        await db.set_meta("k", "v")
    finally:
        await db.close()
    db = await open_database(database_target)
    try:
        assert await db.schema_version() == LATEST_VERSION and await db.get_meta("k") == "v"
    finally:
        await db.close()
