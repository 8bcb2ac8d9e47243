"""`marquee db migrate-to postgresql://...`: copy a SQLite installation into an empty PostgreSQL database.

Everything is copied (the catalogue with the edit log, users' lists, ratings, settings, nights with their
nominees, ballots and attendees, button states, meta), table by table in foreign-key order, in one
PostgreSQL transaction with COPY; then every table's row count is compared with the source and the copy is
committed only if they all match. Identity sequences (night and edit ids) continue after the copied ids.
Process-local state (leases, rate slots, cluster members) is not copied: it belongs to running processes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from .db import Database
from .errors import DatabaseUnusable
from .postgres import PostgresDatabase

log = logging.getLogger(__name__)

RUNTIME_TABLES = frozenset({"leases", "rate_slots", "cluster_members"})


@dataclass(slots=True)
class TransferReport:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows copied (equal in source and target)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class CountMismatch(DatabaseUnusable):
    """The copy does not hold the rows the source has (nothing was committed)."""


async def copy_sqlite_to_postgres(source: Database, target: PostgresDatabase) -> TransferReport:
    tables = await _tables_in_order(source)
    target_columns = await _target_columns(target)
    report = TransferReport()
    async with target.transaction() as conn:
        raw = conn.raw
        missing = [t for t in tables if t not in target_columns]
        if missing:
            raise DatabaseUnusable(f"The PostgreSQL database has no table {', '.join(missing)}: it is not at the "
                                   "same schema version as the SQLite file. Upgrade Marquee and run it once on both.")
        occupied = [t for t in tables if await raw.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{t}")')]
        if occupied:
            raise DatabaseUnusable(
                f"The PostgreSQL database already holds data (in {', '.join(occupied[:5])}). migrate-to copies into "
                "an empty database only, so nothing is overwritten: create a new database (CREATE DATABASE "
                "marquee) and point the URL at it. Nothing was copied.")
        for table in tables:
            columns = [c for c in await _source_columns(source, table) if c in target_columns[table]]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = await source.fetchall(f'SELECT {quoted} FROM "{table}"')  # noqa: S608 - names from the schema
            kinds = [target_columns[table][c] for c in columns]
            records = [tuple(_coerce(value, kind) for value, kind in zip(row, kinds, strict=True)) for row in rows]
            if records:
                await raw.copy_records_to_table(table, records=records, columns=columns)
            copied = int(await raw.fetchval(f'SELECT COUNT(*) FROM "{table}"'))  # noqa: S608
            if copied != len(records):
                raise CountMismatch(f"Copying {table} gave {copied} rows in PostgreSQL for {len(records)} in SQLite; "
                                    "nothing was committed.")
            report.counts[table] = copied
            log.info("Copied %s: %d rows", table, copied)
        for table, table_columns in target_columns.items():
            if "id" in table_columns and table in report.counts and await raw.fetchval(
                    "SELECT pg_get_serial_sequence($1, 'id')", table):
                await raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - names from the schema
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
    # Counted again from outside the copy's transaction: what a new process will see.
    for table, expected in report.counts.items():
        source_count = int(await source.scalar(f'SELECT COUNT(*) FROM "{table}"'))  # noqa: S608
        target_count = int(await target.scalar(f'SELECT COUNT(*) FROM "{table}"'))  # noqa: S608
        if not source_count == target_count == expected:
            raise CountMismatch(f"{table}: {source_count} rows in SQLite, {target_count} in PostgreSQL.")
    return report


async def _tables_in_order(source: Database) -> list[str]:
    """The source's tables, each after the tables its foreign keys point at."""
    names = [r[0] for r in await source.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    names = [n for n in names if n not in RUNTIME_TABLES]
    parents = {n: {r[2] for r in await source.fetchall(f'PRAGMA foreign_key_list("{n}")')} - {n} for n in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle (none in Marquee's schema): keep the rest in schema order
            ready = [n for n in names if n not in ordered]
        ordered.extend(ready)
    return ordered


async def _source_columns(source: Database, table: str) -> list[str]:
    return [r[1] for r in await source.fetchall(f'PRAGMA table_info("{table}")')]


async def _target_columns(target: PostgresDatabase) -> dict[str, dict[str, str]]:
    columns: dict[str, dict[str, str]] = {}
    for row in await target.fetchall(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
        columns.setdefault(row[0], {})[row[1]] = row[2]
    return columns


def _coerce(value: Any, kind: str) -> Any:
    """A SQLite value as the PostgreSQL column's type wants it (SQLite types values, not columns)."""
    if value is None:
        return None
    if kind in ("bigint", "integer", "smallint"):
        return int(value)
    if kind in ("double precision", "real", "numeric"):
        return float(value)
    if kind == "bytea":
        return bytes(value)
    return value if isinstance(value, str) else str(value)
