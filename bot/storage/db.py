"""The one owner of the aiosqlite connection: opening, pragmas, migrations and transactions."""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

import aiosqlite

from .backend import Backend
from .errors import DatabaseUnusable
from .migrations import MIGRATIONS, for_dialect, refuse_newer

log = logging.getLogger(__name__)


class Database(Backend):
    """The SQLite backend (the embedded default). Wraps one connection. Writes go through `transaction()`,
    which serialises writers in-process (one asyncio lock) and uses BEGIN IMMEDIATE so a write either fully
    happens or not at all."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path):
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> "Database":
        path = Path(path)
        _check_writable(path)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseUnusable(f"Cannot open the database at {path}: {exc}.") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            # Before anything writes: even `journal_mode=WAL` rewrites the header of a file that is not ours.
            await db._check_usable()
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            # Another process on the same file (`marquee catalog import` while the bot runs) waits its turn to
            # write rather than failing; on a loaded machine a turn can take seconds.
            await conn.execute("PRAGMA busy_timeout=30000")
            await db._migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def _check_usable(self) -> None:
        """Refuse, with what to do, a file that is not a SQLite database, a damaged one, or another program's.
        Only reads: the file is left exactly as it was."""
        try:
            version = await self.scalar("PRAGMA user_version")
            tables = [row[0] for row in await self.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            # Reads every page (about 30 ms for the shipped catalogue): damage found now, not halfway through
            # a migration or a catalogue rebuild that would write over it.
            damage = [row[0] for row in await self.fetchall("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as error:
            raise _unreadable(self.path, error) from error
        if damage != ["ok"]:
            raise _damaged(self.path, "; ".join(damage))
        if version == 0 and tables:
            raise DatabaseUnusable(
                f"{self.path} is a SQLite database, but not Marquee's: it has tables ({_listed(tables)}) and no "
                f"Marquee schema version, so it belongs to another program (or to a copy made by hand). Marquee "
                f"will not write into it. Set DATABASE_PATH to Marquee's own database, or to a new file name to "
                f"start afresh. The file was not changed."
            )

    async def _migrate(self) -> None:
        version = await self.scalar("PRAGMA user_version")
        refuse_newer(version, str(self.path), "DATABASE_PATH")
        for number, script in MIGRATIONS:
            if number <= version:
                continue
            log.info("Applying database migration %d", number)
            # executescript commits on its own; wrap the script so a failure leaves nothing half-applied.
            script = for_dialect(number, script, self.dialect)
            await self._conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except asyncio.CancelledError:
                # The BEGIN runs on in aiosqlite's thread. Queue its ROLLBACK behind it (the thread runs them in
                # order) before the lock is let go, or the next transaction finds this one still open.
                await asyncio.shield(self._rollback_if_begun())
                raise
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def _rollback_if_begun(self) -> None:
        try:
            await self._conn.execute("ROLLBACK")
        except sqlite3.OperationalError:  # the BEGIN itself failed: there is nothing to roll back
            pass

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def schema_version(self) -> int:
        return int(await self.scalar("PRAGMA user_version"))


def _unreadable(path: Path, error: sqlite3.DatabaseError) -> DatabaseUnusable:
    # SQLITE_NOTADB: not SQLite at all (a text file, an encrypted database, random bytes); anything else that
    # stops the first reads is damage.
    if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB or "not a database" in str(error):
        return DatabaseUnusable(
            f"{path} is not a SQLite database (SQLite says: {error}), so it cannot be Marquee's. DATABASE_PATH "
            f"probably names the wrong file: set it to Marquee's database, or to a new file name to start "
            f"afresh. The file was not changed."
        )
    return _damaged(path, str(error))


def _damaged(path: Path, detail: str) -> DatabaseUnusable:
    return DatabaseUnusable(
        f"The database {path} is damaged (SQLite says: {detail[:300]}). Marquee stopped before writing to it. "
        f"Restore it from a backup, or recover what SQLite can still read with `sqlite3 {path} .recover | "
        f"sqlite3 recovered.db` and set DATABASE_PATH to recovered.db; to start afresh, move the file away. "
        f"The file was not changed."
    )


def _listed(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _check_writable(path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    problem = None
    if path.exists() and path.is_dir():
        problem = "it is a directory"
    elif not directory.exists():
        problem = f"the folder {directory} does not exist"
    elif path.exists() and not os.access(path, os.W_OK):
        problem = "the file is read-only for this user"
    elif not path.exists() and not os.access(directory, os.W_OK):
        problem = f"the folder {directory} is not writable for this user"
    if problem:
        raise DatabaseUnusable(
            f"Marquee cannot write its database at {path}: {problem}. Set DATABASE_PATH to a file in a folder "
            f"this user can write (for example DATABASE_PATH=./marquee.db), or fix the folder's permissions."
        )
