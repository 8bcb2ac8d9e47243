"""Operator commands: `marquee status` (shards, latency, database, leases) and `marquee db migrate-to`."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from .core.errors import ConfigError
from .core.settings import Settings
from .storage.backend import is_server_url
from .storage.connect import open_database
from .storage.coordination import ClusterMembers, Leases
from .storage.db import Database
from .storage.errors import DatabaseUnusable

LIVE_WITHIN = 30.0  # seconds: a process that reported more recently than this is serving


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the status as one JSON object")


def add_db_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", required=True)
    migrate = sub.add_parser("migrate-to", help="copy this SQLite installation into an empty PostgreSQL database")
    migrate.add_argument("url", help="postgresql://user:password@host:5432/database (the database must be empty)")


async def status(settings: Settings, *, as_json: bool = False) -> dict[str, Any]:
    """What the processes serving from this database report, and who holds which lease."""
    db = await open_database(settings.database)
    try:
        now = time.time()
        members = await ClusterMembers(db).all()
        leases = await Leases(db, holder="status").all()
        report: dict[str, Any] = {
            "database": {"backend": db.dialect, "where": db.description, "schema": await db.schema_version()},
            "processes": [{
                "id": m.id, "host": m.host, "pid": m.pid, "shards": list(m.shard_ids), "shard_count": m.shard_count,
                "latency_ms": {str(k): round(v * 1000, 1) for k, v in m.latencies.items()}, "guilds": m.guilds,
                "up_s": round(now - m.started_at), "seen_s_ago": round(now - m.seen_at, 1),
                "live": now - m.seen_at <= LIVE_WITHIN,
            } for m in members],
            "leases": [{"name": lease.name, "holder": lease.holder, "expires_in_s": round(lease.expires_at - now, 1),
                        "live": lease.expires_at > now} for lease in leases],
        }
        counts = {m.shard_count for m in members if now - m.seen_at <= LIVE_WITHIN}
        served = {s for m in members if now - m.seen_at <= LIVE_WITHIN for s in m.shard_ids}
        report["shards"] = {"count": max(counts) if counts else None, "served": sorted(served),
                            "missing": sorted(set(range(max(counts))) - served) if counts else []}
    finally:
        await db.close()
    print(json.dumps(report) if as_json else _text(report))
    return report


def _text(report: dict[str, Any]) -> str:
    database = report["database"]
    lines = [f"Database: {database['where']} (schema version {database['schema']})"]
    shards = report["shards"]
    if shards["count"] is None:
        lines.append("Shards: no process is serving (none reported in the last 30 s)")
    else:
        missing = f"; MISSING {', '.join(map(str, shards['missing']))}" if shards["missing"] else ""
        lines.append(f"Shards: {len(shards['served'])} of {shards['count']} served{missing}")
    lines.append(f"Processes ({len(report['processes'])}):")
    for p in report["processes"]:
        latency = ", ".join(f"shard {k}: {v:.0f} ms" for k, v in p["latency_ms"].items()) or "no shard connected"
        state = "" if p["live"] else "  (not seen lately: stopped or dead)"
        lines.append(f"  {p['host']} pid {p['pid']}: shards {','.join(map(str, p['shards']))} of {p['shard_count']}"
                     f" · {latency} · {p['guilds']} servers · up {p['up_s']}s · seen {p['seen_s_ago']}s ago{state}")
    lines.append(f"Leases ({len(report['leases'])}):")
    for lease in report["leases"]:
        state = f"expires in {lease['expires_in_s']}s" if lease["live"] else "lapsed (free to take)"
        lines.append(f"  {lease['name']}: {lease['holder']}, {state}")
    return "\n".join(lines)


async def migrate_to(settings: Settings, url: str) -> int:
    """`marquee db migrate-to URL`: copy the SQLite database DATABASE_PATH into the PostgreSQL one at URL."""
    if not is_server_url(url):
        raise ConfigError(f"migrate-to needs a PostgreSQL URL (postgresql://user:password@host:5432/db), not {url!r}.")
    if settings.database_url:
        raise ConfigError("migrate-to copies the SQLite file DATABASE_PATH; unset DATABASE_URL while running it.")
    source_path = Path(settings.database_path)
    if not source_path.is_file():
        raise DatabaseUnusable(f"There is no SQLite database at {source_path} (DATABASE_PATH) to copy.")
    from .storage.postgres import PostgresDatabase
    from .storage.transfer import copy_sqlite_to_postgres

    source = await Database.open(source_path)
    try:
        target = await PostgresDatabase.connect(url)
        try:
            report = await copy_sqlite_to_postgres(source, target)
            where = target.description
        finally:
            await target.close()
    finally:
        await source.close()
    width = max(len(t) for t in report.counts)
    for table, count in report.counts.items():
        print(f"  {table:<{width}}  {count:>9,}")
    print(f"Copied {report.total:,} rows from {source_path} to {where}; every table's count matches. "
          f"Set DATABASE_URL to that URL to run on it.")
    return 0
