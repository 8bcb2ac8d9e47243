"""The storage layer on both backends (a real SQLite file, a real PostgreSQL server): nights, the catalogue,
leases and rate slots, the PostgreSQL dialect rules, and copying an installation with `migrate-to`."""
from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.domain.models import Film, Link
from bot.storage.backend import Backend
from bot.storage.connect import open_database
from bot.storage import catalog as catalog_sql
from bot.storage.catalog import CatalogStore
from bot.storage.coordination import ClusterMembers, Leases, RateSlots
from bot.storage.db import Database
from bot.storage.errors import DatabaseUnusable
from bot.storage.migrations import LATEST_VERSION, for_dialect
from bot.storage.nights import NightStore
from bot.storage.people import PeopleStore, UserPrefs
from bot.storage.postgres import Dialect, PostgresDatabase, redacted
from bot.storage.transfer import copy_sqlite_to_postgres
from tests.pg import PostgresForTests


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_night_opens_once_per_channel_and_votes_race_the_close_safely(storage: Backend) -> None:
    nights = NightStore(storage)
    night = await nights.create(guild_id=1 << 60, channel_id=2, host_id=3, title="T", showtime=None, closes_at=None,
                                voting="approval")
    assert night is not None and night.guild_id == 1 << 60  # 64-bit Discord ids survive
    assert await nights.create(guild_id=1, channel_id=2, host_id=3, title="T", showtime=None, closes_at=None,
                               voting="approval") is None
    assert (await nights.nominate(night.id, "heat-1995", 3)).status == "added"
    assert (await nights.nominate(night.id, "alien-1979", 3)).status == "added"
    # 30 voters, each clicking twice at the same instant, against a close in the middle of the wave.
    writes = [nights.cast(night.id, 100 + n, ["heat-1995"] if n % 2 else ["alien-1979", "heat-1995"])
              for n in range(30) for _ in range(2)]
    half = len(writes) // 2

    def decide(nominees, ballots):
        return "heat-1995", {"counted": sorted(b.user_id for b in ballots)}

    results = await asyncio.gather(*writes[:half], nights.finish(night.id, decide), *writes[half:])
    finished = results[half]
    cast = [r for i, r in enumerate(results) if i != half]
    assert finished is not None
    acknowledged = {100 + i // 2 for i, r in enumerate(cast) if r.status in ("new", "changed", "unchanged")}
    closed, _, counted = finished
    # Every ballot acknowledged was counted, once; everything after the close was refused.
    assert sorted(b.user_id for b in counted) == sorted(acknowledged)
    assert closed.outcome == {"counted": sorted(acknowledged)}
    assert await nights.finish(night.id, decide) is None  # closes once
    assert [n.id for n in await nights.history(1 << 60, 5)] == [night.id]


async def test_the_catalogue_round_trips_with_its_tag_order_and_stats(storage: Backend) -> None:
    store = CatalogStore(storage)
    films = [Film(id="a-2001", title="A", year=2001, tags=("tense", "neon", "heist"), genres=("Drama",)),
             Film(id="b-1999", title="B", year=1999, popularity=2.5, curated=True, tags=("slow-burn",))]
    await store.replace_all(films, [Link("a-2001", "b-1999", "both rob banks")], data_version="v1")
    revision = await store.revision()
    loaded, links = await store.load()
    by_id = {f.id: f for f in loaded}
    assert by_id["a-2001"].tags == ("tense", "neon", "heist") and by_id["b-1999"].popularity == 2.5
    assert links == [Link("a-2001", "b-1999", "both rob banks")]
    await store.apply_changes(upserted=[Film(id="a-2001", title="A", year=2001, tags=("heist", "tense"))],
                              links_removed=[("b-1999", "a-2001")], edit=(1, 2, "tag", {"film": "a-2001"}))
    assert await store.revision() != revision
    loaded, links = await store.load()
    assert {f.id: f.tags for f in loaded}["a-2001"] == ("heist", "tense") and links == []
    stats = await store.stats()
    assert stats["films"] == 2 and stats["curated"] == 1 and stats["local_edits"] == 1
    assert stats["by_decade"]["2000s"]["films"] == 1 and stats["with_tags"] == 2
    assert [e.op for e in await store.edits()] == ["tag"]


async def test_the_rows_become_films_off_the_event_loop(storage: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bot reloading the catalogue another process changed goes on answering meanwhile: the second of Python
    # that makes 20,000 films of the rows runs in a thread, not on the event loop.
    made_on: set[int] = set()
    make = catalog_sql._film_from_row

    def recording(*args: Any) -> Film:
        made_on.add(threading.get_ident())
        return make(*args)

    monkeypatch.setattr(catalog_sql, "_film_from_row", recording)
    store = CatalogStore(storage)
    await store.replace_all([Film(id="a-2001", title="A", year=2001)], [], data_version="v1")
    films, _ = await store.load()
    assert [f.id for f in films] == ["a-2001"] and made_on and threading.get_ident() not in made_on


async def test_a_lease_is_held_by_one_process_until_it_lapses(storage: Backend) -> None:
    clock = Clock()
    first, second = Leases(storage, "one", clock=clock), Leases(storage, "two", clock=clock)
    assert await first.acquire("deadlines", ttl=10)
    assert not await second.acquire("deadlines", ttl=10)
    clock.now += 5
    assert await first.acquire("deadlines", ttl=10)  # renewed: now good until +15
    clock.now += 9
    assert not await second.acquire("deadlines", ttl=10)
    clock.now += 7  # "one" stopped renewing (it died): the lease lapses and "two" takes it
    assert await second.acquire("deadlines", ttl=10)
    assert not await first.acquire("deadlines", ttl=10)
    [lease] = await second.all()
    assert lease.holder == "two" and lease.expires_at == clock.now + 10
    await second.release("deadlines")
    assert await first.acquire("deadlines", ttl=10)


async def test_simultaneous_lease_takers_get_it_once(storage: Backend) -> None:
    takers = [Leases(storage, f"p{n}") for n in range(8)]
    won = await asyncio.gather(*(t.acquire("once", ttl=30) for t in takers))
    assert sum(won) == 1


async def test_a_rate_slot_goes_to_one_caller_per_interval(storage: Backend) -> None:
    clock = Clock()
    slots = RateSlots(storage, clock=clock)
    assert await slots.claim("edit:1", 1.0) == 0.0
    assert await slots.claim("edit:1", 1.0) == pytest.approx(1.0)
    assert await slots.claim("edit:2", 1.0) == 0.0  # another message has its own slots
    clock.now += 0.75
    assert await slots.claim("edit:1", 1.0) == pytest.approx(0.25)
    clock.now += 0.25
    assert await slots.claim("edit:1", 1.0) == 0.0
    racing = await asyncio.gather(*(RateSlots(storage, clock=clock).claim("identify:0", 5.0) for _ in range(6)))
    assert racing.count(0.0) == 1


async def test_cluster_members_report_their_shards(storage: Backend) -> None:
    clock = Clock()
    members = ClusterMembers(storage, clock=clock)
    await members.report("host:1:aa", shard_ids=(0,), shard_count=2, latencies={0: 0.042}, guilds=3, started_at=1.0)
    await members.report("host:2:bb", shard_ids=(1,), shard_count=2, latencies={1: 0.05}, guilds=4, started_at=2.0)
    clock.now += 10
    await members.report("host:1:aa", shard_ids=(0,), shard_count=2, latencies={0: 0.04}, guilds=5, started_at=1.0)
    found = await members.all()
    assert [(m.pid, m.shard_ids, m.guilds) for m in found] == [(1, (0,), 5), (2, (1,), 4)]
    assert found[0].latencies == {0: 0.04} and found[0].seen_at == clock.now
    clock.now += 4000
    assert await members.all() == []  # long gone


def test_the_dialect_rules() -> None:
    dialect = Dialect({"links": ["a", "b"], "meta": ["key"]}, {"nights"})
    assert dialect.translate("SELECT 1 FROM t WHERE a = ? AND b = '?' AND c = ?").sql == \
        "SELECT 1 FROM t WHERE a = $1 AND b = '?' AND c = $2"
    assert dialect.translate("INSERT OR IGNORE INTO seen(user_id, film_id) VALUES (?, ?)").sql == \
        "INSERT INTO seen(user_id, film_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    assert dialect.translate("INSERT OR REPLACE INTO links(a, b, reason) VALUES (?, ?, ?)").sql == \
        "INSERT INTO links(a, b, reason) VALUES ($1, $2, $3) ON CONFLICT (a, b) DO UPDATE SET reason = EXCLUDED.reason"
    assert dialect.translate("SELECT id FROM nights WHERE guild_id IS ?").sql == \
        "SELECT id FROM nights WHERE guild_id IS NOT DISTINCT FROM $1"
    insert = dialect.translate("INSERT INTO nights(title) VALUES (?)")
    assert insert.sql.endswith("RETURNING id") and insert.adds_returning and insert.returns_rows
    assert not dialect.translate("UPDATE nights SET title = ?").returns_rows
    schema = for_dialect(99, "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, r REAL);\n"
                             "PRAGMA foreign_keys=ON;", "postgresql")
    assert "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" in schema and "n BIGINT" in schema
    assert "DOUBLE PRECISION" in schema and "PRAGMA" not in schema
    assert redacted("postgresql://bot:s3cret@db:5432/m") == "postgresql://bot:***@db:5432/m"


async def test_a_newer_postgresql_schema_is_refused_untouched(postgres: PostgresForTests) -> None:
    url = await postgres.create()
    try:
        db = await PostgresDatabase.connect(url)
        await db.execute("UPDATE marquee_schema SET version = ?", (LATEST_VERSION + 5,))
        await db.close()
        with pytest.raises(DatabaseUnusable, match="newer"):
            await open_database(url)
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT version FROM marquee_schema") == LATEST_VERSION + 5
        finally:
            await conn.close()
    finally:
        await postgres.drop(url)


async def test_an_unreachable_server_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusable, match="DATABASE_URL"):
        await open_database(f"postgresql://marquee:pw@/marquee?host={tmp_path}&port=1")


async def test_migrate_to_copies_everything_with_counts_checked(template_db: Path, tmp_path: Path,
                                                               postgres: PostgresForTests) -> None:
    source_path = tmp_path / "source.db"
    source_path.write_bytes(template_db.read_bytes())
    source = await Database.open(source_path)
    people, nights = PeopleStore(source), NightStore(source)
    await people.save_prefs(UserPrefs(7, "DE", ("mubi",)))
    await people.add_to_watchlist(7, "heat-1995")
    await people.rate(7, "heat-1995", 5)
    night = await nights.create(guild_id=9, channel_id=10, host_id=7, title="N", showtime=None, closes_at=None,
                                voting="ranked")
    assert night is not None
    await nights.nominate(night.id, "heat-1995", 7)
    await nights.cast(night.id, 7, ["heat-1995"])
    await CatalogStore(source).apply_changes(upserted=[Film(id="new-2020", title="New", year=2020)],
                                             edit=(9, 7, "add", {"id": "new-2020"}))
    url = await postgres.create()
    try:
        target = await PostgresDatabase.connect(url)
        try:
            report = await copy_sqlite_to_postgres(source, target)
            for table in ("films", "film_tags", "links", "catalog_edits", "watchlist", "ratings", "nights",
                          "nominees", "ballots", "meta"):
                assert report.counts[table] == await source.scalar(f"SELECT COUNT(*) FROM {table}"), table
            assert report.counts["films"] > 17_000 and "leases" not in report.counts
            assert (await PeopleStore(target).prefs(7)).services == ("mubi",)
            copied = NightStore(target)
            assert [b.choices for b in await copied.ballots(night.id)] == [("heat-1995",)]
            assert await target.get_meta("catalog_revision") == await source.get_meta("catalog_revision")
            later = await copied.create(guild_id=9, channel_id=11, host_id=7, title="M", showtime=None,
                                        closes_at=None, voting="approval")
            assert later is not None and later.id == night.id + 1  # ids continue after the copied ones
            films, _ = await CatalogStore(target).load()
            assert {f.id: f.tags for f in films} == {f.id: f.tags for f in (await CatalogStore(source).load())[0]}
            # A second copy into a database that has data is refused, and changes nothing.
            with pytest.raises(DatabaseUnusable, match="empty"):
                await copy_sqlite_to_postgres(source, target)
            assert json.loads(json.dumps(report.counts)) == report.counts
        finally:
            await target.close()
    finally:
        await source.close()
        await postgres.drop(url)
