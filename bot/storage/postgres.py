"""The PostgreSQL backend (asyncpg): the same storage interface as SQLite, for several processes.

- A pool of connections; every write transaction first takes one cluster-wide advisory lock
  (`pg_advisory_xact_lock`), so writes are serialised exactly as SQLite's BEGIN IMMEDIATE serialises them:
  a store's "is the night still open? then write the ballot" holds against every other process.
- The stores' SQL is written once with `?` placeholders; `Dialect.translate` rewrites it for PostgreSQL
  (placeholders to `$n`, `INSERT OR IGNORE`, `INSERT OR REPLACE`, `IS ?`, and `RETURNING id` so an
  INSERT's `lastrowid` works) and caches the result.
- Migrations from `migrations.py`, translated by `for_dialect`, under an advisory lock so that processes
  starting together migrate once. The version is kept in `marquee_schema`.
- `listen(channel, callback)`: LISTEN on a connection of its own, reconnected if it drops.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Iterable, Sequence, Union
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from .backend import Backend, Row
from .errors import DatabaseUnusable
from .migrations import MIGRATIONS, for_dialect, refuse_newer

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Raw = Union[asyncpg.Connection[Any], PoolConnectionProxy[Any]]  # a connection of its own, or a pooled one

# Advisory lock keys (any 64-bit numbers no other program on the server uses).
WRITE_LOCK = 0x4D51_0001  # every write transaction
MIGRATE_LOCK = 0x4D51_0002  # applying migrations
POOL_SIZE = 10
RECONNECT_AFTER = 1.0  # seconds before a dropped LISTEN connection is opened again


def redacted(url: str) -> str:
    """The URL without its password (for logs and `marquee status`)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    returns_rows: bool
    adds_returning: bool  # `RETURNING id` was added so that `lastrowid` can be read


_PLACEHOLDER_OR_LITERAL = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.I)
_INSERT_INTO = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.I)
_IS_PARAM = re.compile(r"\bIS\s+(NOT\s+)?\$(\d+)", re.I)
_RETURNING = re.compile(r"\bRETURNING\b", re.I)
_READS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b", re.I)


class Dialect:
    """Rewrites the stores' SQLite-flavoured SQL for PostgreSQL, knowing each table's primary key."""

    def __init__(self, primary_keys: dict[str, list[str]], identity_tables: set[str]) -> None:
        self.primary_keys = primary_keys
        self.identity_tables = identity_tables
        self._cache: dict[str, Statement] = {}

    def translate(self, sql: str) -> Statement:
        cached = self._cache.get(sql)
        if cached is None:
            cached = self._cache[sql] = self._translate(sql)
        return cached

    def _translate(self, sql: str) -> Statement:
        counter = iter(range(1, 10_000))
        text = _PLACEHOLDER_OR_LITERAL.sub(lambda m: f"${next(counter)}" if m.group(0) == "?" else m.group(0), sql)
        text = _IS_PARAM.sub(lambda m: f"IS {'' if m.group(1) else 'NOT '}DISTINCT FROM ${m.group(2)}", text)
        text = text.rstrip().rstrip(";")
        conflict = ""
        if match := _INSERT_OR.match(text):
            mode, table = match.group(1).upper(), match.group(2)
            columns = [c.strip() for c in match.group(3).split(",")]
            text = re.sub(r"^\s*INSERT\s+OR\s+\w+\s+INTO", "INSERT INTO", text, count=1, flags=re.I)
            key = self.primary_keys.get(table)
            if mode == "IGNORE" or not key:
                conflict = " ON CONFLICT DO NOTHING"
            else:
                others = [c for c in columns if c not in key]
                conflict = (f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                            + ", ".join(f"{c} = EXCLUDED.{c}" for c in others)) if others else " ON CONFLICT DO NOTHING"
        if conflict:
            returning = _RETURNING.search(text)
            text = (text[:returning.start()] + conflict.strip() + " " + text[returning.start():]) if returning \
                else text + conflict
        adds_returning = False
        insert = _INSERT_INTO.match(text)
        if insert and insert.group(1) in self.identity_tables and not _RETURNING.search(text):
            text += " RETURNING id"
            adds_returning = True
        returns_rows = bool(_READS.match(text) or _RETURNING.search(text))
        return Statement(text, returns_rows, adds_returning)


class _Cursor:
    """What `conn.execute` gives back: aiosqlite's cursor, as much of it as the stores use."""

    def __init__(self, rows: Sequence[Row], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Row | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[Row]:
        return list(self._rows)

    async def close(self) -> None:
        return None


class _Pending:
    """`conn.execute(...)`: awaited, or used as `async with ... as cursor` (like aiosqlite's)."""

    def __init__(self, run: Callable[[], Any]) -> None:
        self._run = run

    def __await__(self) -> Any:
        return self._run().__await__()

    async def __aenter__(self) -> _Cursor:
        cursor: _Cursor = await self._run()
        return cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


def _rowcount(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isascii() and last.isdecimal() else -1


class PgConnection:
    """One pooled connection inside a transaction, speaking the stores' SQL."""

    def __init__(self, raw: Raw, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect

    def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> _Pending:
        statement = self.dialect.translate(sql)
        args = tuple(parameters or ())

        async def run() -> _Cursor:
            if statement.returns_rows:
                rows = await self.raw.fetch(statement.sql, *args)
                lastrowid = rows[0][0] if statement.adds_returning and rows else None
                return _Cursor([] if statement.adds_returning else rows, len(rows), lastrowid)
            return _Cursor([], _rowcount(await self.raw.execute(statement.sql, *args)), None)

        return _Pending(run)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> None:
        statement = self.dialect.translate(sql)
        text = statement.sql[: -len(" RETURNING id")] if statement.adds_returning else statement.sql
        rows = [tuple(p) for p in parameters]
        if rows:
            await self.raw.executemany(text, rows)


class PostgresDatabase(Backend):
    dialect = "postgresql"

    def __init__(self, url: str, pool: asyncpg.Pool, dialect: Dialect) -> None:
        self.url = url
        self._pool = pool
        self._dialect = dialect
        self._listeners: list[asyncio.Task[None]] = []
        self.path = self.cache_path(url)

    @staticmethod
    def cache_path(url: str) -> Path:
        """Where local caches of the database at `url` live (a file in the temporary folder named after the
        server and database, without the password)."""
        digest = hashlib.sha256(redacted(url).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"marquee-postgresql-{digest}"

    @property
    def description(self) -> str:
        return f"postgresql {redacted(self.url)}"

    @classmethod
    async def connect(cls, url: str, *, pool_size: int = POOL_SIZE) -> "PostgresDatabase":
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise DatabaseUnusable(
                f"Cannot connect to the PostgreSQL database at {redacted(url)}: {error}. Check that the server is "
                f"running and that DATABASE_URL names it, its database, user and password "
                f"(postgresql://user:password@host:5432/marquee)."
            ) from error
        assert pool is not None
        try:
            async with pool.acquire() as conn:
                await _migrate(conn, redacted(url))
                dialect = Dialect(*await _keys(conn))
        except BaseException:
            await pool.close()
            raise
        return cls(url, pool, dialect)

    async def close(self) -> None:
        for task in self._listeners:
            task.cancel()
        for task in self._listeners:
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing anyway
                pass
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgConnection]:
        async with self._pool.acquire() as raw:
            async with raw.transaction():
                await raw.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                yield PgConnection(raw, self._dialect)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        statement = self._dialect.translate(sql)
        return list(await self._pool.fetch(statement.sql, *tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        statement = self._dialect.translate(sql)
        return await self._pool.fetchrow(statement.sql, *tuple(params))

    async def schema_version(self) -> int:
        return int(await self.scalar("SELECT version FROM marquee_schema"))

    async def listen(self, channel: str, callback: Callable[[str], None]) -> bool:
        connected = asyncio.Event()
        task = asyncio.create_task(self._listen(channel, callback, connected), name=f"LISTEN {channel}")
        self._listeners.append(task)
        await asyncio.wait([task, asyncio.create_task(connected.wait())], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises what stopped it
        return True

    async def _listen(self, channel: str, callback: Callable[[str], None], connected: asyncio.Event) -> None:
        """Hold a LISTEN connection open; when it drops, open another (and tell the callback, with an empty
        payload, that notifications may have been missed meanwhile)."""
        first = True
        while True:
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(self.url)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("LISTEN %s: cannot connect (%s); retrying", channel, error)
                await asyncio.sleep(RECONNECT_AFTER)
                continue
            try:
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await conn.add_listener(channel, lambda _conn, _pid, _channel, payload: callback(str(payload)))
                connected.set()
                if not first:
                    callback("")
                first = False
                await lost.wait()
                log.warning("LISTEN %s: the connection dropped; reconnecting", channel)
            finally:
                if not conn.is_closed():
                    await conn.close()
            await asyncio.sleep(RECONNECT_AFTER)


async def _migrate(conn: Raw, where: str) -> None:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS marquee_schema (version INTEGER NOT NULL)")
        version = await conn.fetchval("SELECT version FROM marquee_schema")
        if version is None:
            await conn.execute("INSERT INTO marquee_schema(version) VALUES (0)")
            version = 0
        refuse_newer(version, where, "DATABASE_URL")
        for number, script in MIGRATIONS:
            if number <= version:
                continue
            log.info("Applying database migration %d (PostgreSQL)", number)
            await conn.execute(for_dialect(number, script, "postgresql"))
            await conn.execute("UPDATE marquee_schema SET version = $1", number)


async def _keys(conn: Raw) -> tuple[dict[str, list[str]], set[str]]:
    """Each table's primary key columns, and the tables with an identity `id` column."""
    keys: dict[str, list[str]] = {}
    for row in await conn.fetch(
        "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
        "AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name "
        "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
        "ORDER BY tc.table_name, kcu.ordinal_position"
    ):
        keys.setdefault(row[0], []).append(row[1])
    identity = {row[0] for row in await conn.fetch(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'id' AND is_identity = 'YES'")}
    return keys, identity
