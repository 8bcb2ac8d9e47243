"""How fast `marquee data refresh` merges, against the local Wikidata stand-in (no network).

    python scripts/benchmark_refresh.py [--films 600] [--updates]

Builds a catalogue database from the shipped data in a temporary folder, puts `--films` generated 2025 films
(each with a director, three billed cast members, a runtime, a country, a language and two genres) in the
stand-in beside its fixed set, and runs the refresh: a month of listings at a time, facts in batches of 50,
one catalogue edit per month. With `--updates` it also asks about every film the catalogue has by IMDb id
(175 batches for the shipped catalogue). Prints seconds, requests, films read and merged per second.
The stand-in answers at once, so this measures Marquee's side: parsing, validating, planning, writing.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.composition import FEATURES  # noqa: E402
from bot.core.app import Marquee  # noqa: E402
from bot.core.refresh import RefreshOptions, WikidataRefresh  # noqa: E402
from bot.sources.http import HttpSource, user_agent  # noqa: E402
from bot.sources.wikidata import WikidataClient  # noqa: E402
from bot.storage.live import RefreshState  # noqa: E402
from tests.standin.wikidata import FILMS, MINUTE, WikidataStandIn  # noqa: E402


def generated(count: int) -> list[dict]:
    films = []
    for n in range(count):
        month = n % 12 + 1
        films.append({
            "qid": f"Q{300000000 + n}", "label": f"Benchmark Film {n}", "imdb": [f"tt{80000000 + n}"],
            "dates": [f"2025-{month:02d}-{n % 27 + 1:02d}"], "directors": [(f"Q{310000000 + n}", f"Director {n}")],
            "cast": [(f"Q{320000000 + 3 * n + k}", f"Actor {n}-{k}", str(k + 1)) for k in range(3)],
            "duration": [(str(80 + n % 60), MINUTE)], "countries": [("Q30", "United States of America")],
            "languages": [("Q1860", "English")], "genres": [("Q130232", "drama film"), ("Q2484376", "thriller film")],
        })
    return films


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=600)
    parser.add_argument("--updates", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="marquee-refresh-"))
    started = time.perf_counter()
    app = await Marquee.open(folder / "bench.db", FEATURES)
    print(f"catalogue built in {time.perf_counter() - started:.1f}s ({len(app.catalogue.catalog)} films)")
    server = await WikidataStandIn(films=FILMS + generated(args.films)).start()
    http = HttpSource("Wikidata", user_agent=user_agent("benchmark@example.org"), budget=None)
    client = WikidataClient(http, server.url)
    try:
        refresh = WikidataRefresh(app.catalogue, RefreshState(app.ctx.db), client)
        report = await refresh.run(RefreshOptions(dt.date(2025, 1, 1), dt.date(2026, 1, 1), updates=args.updates))
    finally:
        await client.close()
        await server.stop()
        await app.close()
    merged = len(report.added) + len(report.filled)
    print(f"refresh: {report.seconds:.2f}s, {report.requests} requests, {report.films_seen} films read, "
          f"{len(report.added)} added, {len(report.filled)} filled, {len(report.invalid)} invalid; "
          f"{report.films_seen / report.seconds:.0f} films read/s, {merged / report.seconds:.0f} merged/s, "
          f"{report.requests / report.seconds:.0f} requests/s")


if __name__ == "__main__":
    asyncio.run(main())
