"""Latency of the main commands on SQLite and on PostgreSQL, through the app's own dispatch.

    python scripts/benchmark_storage.py [--runs 200]

Builds a SQLite database with the shipped catalogue, copies it into a PostgreSQL server started from the
`pgserver` package (the test extra), and times the same handlers on each: /watch, /film, /watchlist add,
/movienight vote (casting a ballot through the select) and a catalogue edit (/catalog tag + untag). The
in-memory engine is shared, so the difference is the storage. Prints p50 / p95 in milliseconds, beside a
floor measured in the same run: one `SELECT 1` round trip to each database.
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.composition import FEATURES  # noqa: E402
from bot.core.app import Marquee  # noqa: E402
from bot.core.catalogue import Catalogue  # noqa: E402
from bot.core.context import Context  # noqa: E402
from bot.core.interface import Actor  # noqa: E402
from bot.core.results import Failure  # noqa: E402
from bot.storage.backend import Backend  # noqa: E402
from bot.storage.catalog import CatalogStore  # noqa: E402
from bot.storage.connect import open_database  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.postgres import PostgresDatabase  # noqa: E402
from bot.storage.transfer import copy_sqlite_to_postgres  # noqa: E402
from cogs.movienight.service import NightService  # noqa: E402

# The night's host, and one of the bot's owners (only they change the catalogue).
HOST = Actor(user_id=1, name="host", guild_id=900, channel_id=901, can_manage_guild=True, can_manage_events=True,
             is_owner=True)


def app_on(db: Backend, shared: Catalogue) -> Marquee:
    catalogue = copy.copy(shared)
    catalogue.store = CatalogStore(db)
    catalogue.edit_lock = asyncio.Lock()
    return Marquee(Context(db, catalogue), FEATURES)


async def timed(runs: int, step: Callable[[int], Awaitable[Any]]) -> tuple[float, float]:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        reply = await step(n)
        samples.append((time.perf_counter() - started) * 1000)
        if isinstance(getattr(reply, "result", None), Failure):  # a refusal is fast, and not what is measured
            raise SystemExit(f"the benchmark's command failed: {reply.result.title}: {reply.result.message}")
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def measure(app: Marquee, runs: int) -> dict[str, tuple[float, float]]:
    night = await app.dispatch_command(HOST, "movienight start", {"title": "Bench", "closes_in": "2h"})
    night_id = night.result.night.id
    for film in ("heat-1995", "alien-1979"):
        await app.dispatch_command(HOST, "movienight nominate", {"film": film})

    def voter(n: int) -> Actor:
        return Actor(user_id=10_000 + n, name=f"v{n}", guild_id=900, channel_id=901)

    results = {
        # The floor: one round trip to the database, what any command that reads or writes pays at least.
        "floor: SELECT 1": await timed(runs, lambda n: app.ctx.db.scalar("SELECT 1")),
        "/watch mood:tense": await timed(runs, lambda n: app.dispatch_command(voter(n), "watch", {"mood": "tense"})),
        "/film heat-1995": await timed(runs, lambda n: app.dispatch_command(voter(n), "film", {"title": "heat-1995"})),
        "/watchlist add": await timed(runs, lambda n: app.dispatch_command(voter(n), "watchlist add",
                                                                           {"film": "alien-1979"})),
        "ballot cast (select)": await timed(runs, lambda n: app.dispatch_component(
            voter(n), f"mq:mnap:{night_id}", ["0"] if n % 2 else ["0", "1"])),
        "/catalog tag + untag": await timed(max(10, runs // 10), lambda n: app.dispatch_command(
            HOST, "catalog tag" if n % 2 == 0 else "catalog untag", {"film": "heat-1995", "tag": "cathartic"})),
    }
    await app.service(NightService).settle()
    return results


async def main(runs: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    folder = Path(tempfile.mkdtemp(prefix="marquee-bench-"))
    sqlite_path = folder / "marquee.db"
    built = await Marquee.open(sqlite_path, FEATURES)
    shared = built.catalogue
    await built.close()  # after the engine snapshot is written
    server = pgserver.get_server(folder / "pg", cleanup_mode="delete")
    server.psql("CREATE DATABASE bench;")
    url = server.get_uri("bench")
    source, target = await Database.open(sqlite_path), await PostgresDatabase.connect(url)
    await copy_sqlite_to_postgres(source, target)
    await source.close()
    await target.close()
    print(f"{'command':<24} {'SQLite p50/p95 ms':>20} {'PostgreSQL p50/p95 ms':>24}")
    figures = {}
    for name, where in (("sqlite", sqlite_path), ("postgresql", url)):
        app = app_on(await open_database(where), shared)
        try:
            figures[name] = await measure(app, runs)
        finally:
            await app.close()
    for command in figures["sqlite"]:
        lite, pg = figures["sqlite"][command], figures["postgresql"][command]
        print(f"{command:<24} {lite[0]:>9.2f} / {lite[1]:>7.2f} {pg[0]:>12.2f} / {pg[1]:>7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    asyncio.run(main(parser.parse_args().runs))
