"""The one storage interface, and the choice of backend.

Every store (catalog, people, nights, coordination...) talks to a `Backend`: SQLite (`db.Database`, the
embedded default, one process) or PostgreSQL (`postgres.PostgresDatabase`, several processes on several
machines). The stores write their SQL once, in the portable subset both understand with `?` placeholders;
the PostgreSQL backend translates the few SQLite spellings left (`INSERT OR IGNORE`, `INSERT OR REPLACE`,
`IS ?`, an INSERT's `lastrowid`) when it prepares a statement, so a store never asks which backend it has.

`connect.open_database(target)` picks the backend: a `postgresql://` URL opens PostgreSQL, anything else is a
SQLite file path.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, AsyncContextManager, Callable, Iterable, Protocol

# A row: index it by position (`row[0]`) or by column name (`row["title"]`). aiosqlite.Row and
# asyncpg.Record both do.
Row = Any

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


class Connection(Protocol):
    """What a transaction hands its body: aiosqlite's connection methods, as the stores use them.

    `execute(sql, params)` is awaited for a cursor (`.rowcount`, `.lastrowid`, `await .fetchone()`,
    `await .fetchall()`) or used as `async with conn.execute(...) as cursor`."""

    def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> Any: ...


class Backend(ABC):
    """A database Marquee can keep everything in. Writes go through `transaction()`: one at a time, all or
    nothing (SQLite: BEGIN IMMEDIATE; PostgreSQL: one cluster-wide write lock per transaction), so a store's
    check-then-write (is the night still open? is the channel free?) holds across every process."""

    dialect: str = ""  # "sqlite" or "postgresql"
    # Where local caches of this database live (the engine snapshot is `path` + ".engine"). For SQLite the
    # database file itself; for a server, a file in the temporary folder named after the server and database.
    path: Path

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AsyncContextManager[Any]:
        """`async with db.transaction() as conn:` a `Connection` whose statements commit together."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None: ...

    @abstractmethod
    async def schema_version(self) -> int:
        """The number of the last migration applied."""

    @property
    def description(self) -> str:
        """Where the data is, for `marquee status` and logs (never a password)."""
        return f"{self.dialect} {self.path}"

    async def listen(self, channel: str, callback: Callable[[str], None]) -> bool:
        """Call `callback(payload)` whenever `channel` is notified by any process. False when this backend
        cannot push notifications (SQLite): the caller polls instead."""
        return False

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        """A single-statement write, atomic on its own."""
        async with self.transaction() as conn:
            await conn.execute(sql, tuple(params))

    async def get_meta(self, key: str) -> str | None:
        return await self.scalar("SELECT value FROM meta WHERE key = ?", (key,))

    async def set_meta(self, key: str, value: str) -> None:
        await self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
