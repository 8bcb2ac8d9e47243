"""Latency and memory of the discovery engine: autocomplete, /watch, similar, islike, and start-up.

Each catalogue's table prints beside a floor measured in the same run: a plain sparse dot product over the
same IDF-weighted features with a partial sort (what any similarity engine must at least do), and checks
the goals: /similar and /watch p50 within 5x the floor, p95 under 10 ms on the shipped catalogue and
50 ms at 200,000 films, autocomplete p95 under 3 ms; the console's first answer under 1.5 s on a warm
start and the running process under 200 MiB.

Runs over the shipped catalogue (via bot.domain.dataset) and over generated
catalogues (seeded synthetic titles, people and tags) of the requested sizes.

    python -m scripts.benchmark                # real + 200,000 films
    python -m scripts.benchmark --quick        # fewer queries, 50,000 films
    python -m scripts.benchmark --sizes 20000,200000 --no-real
"""
from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tomllib
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.catalog import Catalog, vocabulary_maps  # noqa: E402
from bot.domain.models import Availability, Film, Link, Score  # noqa: E402
from bot.domain.recommend import WatchQuery, recommend  # noqa: E402
from bot.domain.search import TitleIndex  # noqa: E402
from bot.domain.similarity import SimilarityEngine  # noqa: E402
from bot.domain.vectors import FilmArrays  # noqa: E402

VOCABULARY = ROOT / "bot" / "data" / "vocabulary.toml"
# Genre frequencies of the real base catalogue (per 17,472 films), so document frequencies look real.
GENRE_WEIGHTS = {
    "Drama": 8925, "Comedy": 5568, "Romance": 2666, "Action": 2359, "Crime": 2201, "Thriller": 2051,
    "Horror": 1922, "Documentary": 1597, "Sci-Fi": 1203, "Fantasy": 1191, "Adventure": 914, "Musical": 819,
    "Biography": 817, "Mystery": 769, "War": 589, "Family": 527, "Animation": 419, "Western": 311,
    "Sport": 293, "History": 288, "Music": 40,
}
COUNTRIES = [("United States", "English", 60), ("United Kingdom", "English", 12), ("France", "French", 9),
             ("Germany", "German", 5), ("Japan", "Japanese", 3), ("South Korea", "Korean", 2),
             ("India", "Hindi", 2), ("Italy", "Italian", 3), ("Spain", "Spanish", 3), ("Mexico", "Spanish", 1)]
SERVICES = ("netflix", "prime-video", "max", "hulu", "disney-plus", "peacock", "tubi", "mubi")
SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "dor", "vel", "sha", "qui", "ber", "nox", "tal", "zen", "ful",
             "gar", "hop", "ix", "jun", "mor", "pel", "ros", "sin", "tor", "ul", "van", "wes", "yor", "ae")
STOP = ("the", "of", "a", "in", "and")


def load_vocabulary() -> tuple[dict[str, str], dict[str, float]]:
    with open(VOCABULARY, "rb") as handle:
        return vocabulary_maps(tomllib.load(handle))


def synthetic_catalog(size: int, seed: int = 1) -> Catalog:
    """A seeded catalogue shaped like the real one: ~2.5% curated with tags, links and streaming."""
    rng = random.Random(seed)
    tag_facets, facet_weights = load_vocabulary()
    tags = sorted(tag_facets)
    tag_popularity = [1.0 / (1 + i % 40) for i in range(len(tags))]  # a few common tags, a long tail
    # Sorted sets and dict.fromkeys, not bare sets: their order changes with the hash seed, and the same seed
    # must build the same catalogue in every process for runs to be comparable.
    words = sorted({rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(("", *SYLLABLES))
                    for _ in range(max(4000, size // 4))})
    directors = [f"{rng.choice(words).title()} {rng.choice(words).title()}" for _ in range(max(500, size // 5))]
    actors = [f"{rng.choice(words).title()} {rng.choice(words).title()}" for _ in range(max(2000, size // 2))]
    genres, genre_weights = list(GENRE_WEIGHTS), list(GENRE_WEIGHTS.values())
    country_weights = [c[2] for c in COUNTRIES]
    films = []
    curated_ids = []
    for i in range(size):
        title_words = [rng.choice(words) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))]
        if rng.random() < 0.3:
            title_words.insert(0, rng.choice(STOP))
        title = " ".join(title_words).title()
        if rng.random() < 0.05:
            title += f" {rng.randint(2, 4)}"
        country, language, _ = rng.choices(COUNTRIES, country_weights)[0]
        curated = rng.random() < 0.025
        film_tags = tuple(sorted(set(rng.choices(tags, tag_popularity, k=rng.randint(8, 15))))) if curated else ()
        availability = ()
        if curated or rng.random() < 0.1:
            availability = tuple(Availability(s, r, rng.choice(("subscription", "rent")), "2025-06")
                                 for s in rng.sample(SERVICES, rng.randint(1, 3))
                                 for r in rng.sample(("US", "GB", "DE", "FR"), rng.randint(1, 3)))
        reviews = int(rng.paretovariate(1.2)) * 3
        film = Film(
            id=f"syn-{i}", title=title, year=rng.randint(1920, 2025),
            runtime=None if rng.random() < 0.07 else int(rng.gauss(105, 20)) or 90,
            genres=tuple(dict.fromkeys(rng.choices(genres, genre_weights, k=rng.randint(1, 3)))),
            directors=(directors[int(rng.paretovariate(1.0)) % len(directors)],),
            cast=tuple(dict.fromkeys(actors[int(rng.paretovariate(0.8) * 7) % len(actors)]
                                     for _ in range(rng.randint(2, 8)))),
            languages=(language,), countries=(country,), curated=curated, tags=film_tags,
            scores=(Score("critics", rng.randint(10, 100), "synthetic", "2025-06", reviews),) if reviews else (),
            availability=availability, popularity=(len(str(reviews)) + (1.0 if curated else 0.0)),
        )
        films.append(film)
        if curated:
            curated_ids.append(film.id)
    links = [Link(a, b, "synthetic link")
             for a, b in zip(curated_ids, rng.sample(curated_ids, len(curated_ids)), strict=True) if a != b]
    return Catalog(films, links, tag_facets, facet_weights)


def real_catalog() -> Catalog | None:
    try:
        from bot.domain.dataset import load_dataset
    except ImportError as error:
        print(f"real catalogue skipped: bot.domain.dataset is not importable ({error})")
        return None
    try:
        dataset = load_dataset()
    except (OSError, ValueError) as error:
        print(f"real catalogue skipped: could not load the shipped data ({error})")
        return None
    return Catalog.from_dataset(dataset)


def typed_queries(catalog: Catalog, rng: random.Random, count: int) -> list[str]:
    """What people type: growing prefixes of real titles, plus a typo now and then."""
    films = list(catalog.films.values())
    queries = []
    while len(queries) < count:
        title = rng.choice(films).title.lower()
        for end in range(1, min(len(title), 14) + 1, 2):
            text = title[:end]
            if rng.random() < 0.15 and len(text) > 4:
                i = rng.randrange(len(text) - 1)
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
            queries.append(text)
    return queries[:count]


def watch_queries(catalog: Catalog, rng: random.Random, count: int) -> list[WatchQuery]:
    moods = list(catalog.tag_facets and [t for t, f in catalog.tag_facets.items() if f == "mood"]) or [None]
    genres = catalog.genres()[:15] or [None]
    services = catalog.services("US") or [None]
    curated = [f.id for f in catalog.films.values() if f.curated] or list(catalog.films)[:100]
    out = []
    for i in range(count):
        out.append(WatchQuery(
            mood=rng.choice(moods) if rng.random() < 0.4 else None,
            genre=rng.choice(genres) if rng.random() < 0.5 else None,
            service=rng.choice(services) if rng.random() < 0.4 else None,
            max_minutes=rng.choice((90, 100, 120)) if rng.random() < 0.4 else None,
            like=rng.choice(curated) if rng.random() < 0.3 else None,
            era=rng.choice((1970, 1980, 1990, 2000, 2010)) if rng.random() < 0.2 else None,
            seed=i, batch=rng.choice((0, 0, 1))))
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def percentiles(samples: list[float]) -> str:
    return (f"p50 {percentile(samples, 0.50):7.2f}  p95 {percentile(samples, 0.95):7.2f}  "
            f"p99 {percentile(samples, 0.99):7.2f}  max {max(samples):7.2f}  "
            f"mean {statistics.fmean(samples):6.2f} ms  (n={len(samples)})")


def timed(label: str, calls: list[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"  {label:<13} {percentiles(samples)}")
    return samples


def floor_query(arrays: FilmArrays, row: int, count: int = 10) -> Any:
    """The floor: a plain sparse dot product over the same IDF-weighted features, then a partial sort."""
    total = np.zeros(arrays.n, np.float32)
    for family in arrays.families.values():
        total += family.dot(row, arrays.n)
    total[row] = 0.0
    top = np.argpartition(-total, count)[:count]
    return top[np.argsort(-total[top])]


def run(name: str, build: Callable[[], Catalog | None], queries: int, seed: int, p95_goal: float) -> None:
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    catalog = build()
    built = time.perf_counter()
    if catalog is None:
        tracemalloc.stop()
        return
    index = TitleIndex(catalog)
    engine = SimilarityEngine(catalog)
    indexed = time.perf_counter()
    engine.prepare()
    arrayed = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"\n== {name}: {len(catalog):,} films, {len(catalog.links):,} links")
    print(f"  build {built - start:.1f}s, title index {indexed - built:.1f}s, similarity arrays "
          f"{arrayed - indexed:.1f}s (all under tracemalloc); python heap {current / 2**20:.0f} MiB, "
          f"peak {peak / 2**20:.0f} MiB")
    rng = random.Random(seed)
    ids = list(catalog.films)
    curated = [fid for fid in ids if catalog.films[fid].curated] or ids
    picks = [rng.choice(curated if rng.random() < 0.5 else ids) for _ in range(queries)]
    pairs = [(rng.choice(curated), rng.choice(ids)) for _ in range(queries)]
    catalog.ranked_ids()  # warm the rank cache the first query would otherwise pay for
    arrays = engine.arrays
    results = {
        "floor": timed("floor", [lambda f=f: floor_query(arrays, arrays.rows[f]) for f in picks]),
        "autocomplete": timed("autocomplete", [lambda q=q: index.autocomplete(q)
                                               for q in typed_queries(catalog, rng, queries * 3)]),
        "resolve": timed("resolve", [lambda q=q: index.resolve(q) for q in typed_queries(catalog, rng, queries)]),
        "watch": timed("watch", [lambda q=q: recommend(catalog, engine, q)
                                 for q in watch_queries(catalog, rng, queries)]),
        "similar": timed("similar", [lambda f=f: engine.similar(f, 5) for f in picks]),
        "islike": timed("islike", [lambda a=a, b=b: engine.compare(a, b) for a, b in pairs]),
    }
    floor = percentile(results["floor"], 0.5)
    print(f"  targets (floor p50 {floor:.2f} ms):")
    answer_goals = ((0.5, 5 * floor, "p50 <= 5x floor"), (0.95, p95_goal, f"p95 < {p95_goal:g} ms"))
    for label, samples, goals in (
        ("similar", results["similar"], answer_goals),
        ("watch", results["watch"], answer_goals),
        ("autocomplete", results["autocomplete"], ((0.95, 3.0, "p95 < 3 ms"),)),
    ):
        for q, limit, words in goals:
            value = percentile(samples, q)
            ratio = f" = {value / floor:4.1f}x floor" if q == 0.5 else ""
            print(f"    {label:<13} {words:<16} {value:7.2f} ms{ratio:<16} {'met' if value <= limit else 'MISSED'}")


STARTUP_SCRIPT = """
import asyncio, resource, sys, time
started = time.perf_counter()
from bot.composition import build_bot, open_app
from bot.core.settings import load_settings

def rss():
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('VmRSS')) / 1024

async def main():
    settings = load_settings(read_dotenv=False)
    app = await open_app(settings)
    bot = build_bot(settings, app, serving=False)
    await bot.load_cogs()
    reply = await app.dispatch_command(app_actor(), 'similar', {'film': 'kill-bill-volume-1-2003'})
    answered = time.perf_counter() - started
    await app.close()
    print(f"{answered:.3f} {rss():.0f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")

def app_actor():
    from bot.core.interface import Actor
    return Actor(user_id=1, name='bench', guild_id=None, channel_id=None)

asyncio.run(main())
"""


def startup(runs: int) -> None:
    """The running app's start: first answer after a cold (no snapshot) and warm starts, and its memory."""
    import os
    import subprocess
    import tempfile

    print("\n== start-up (a fresh process on the shipped catalogue, answering /similar)")
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "MARQUEE_DATABASE_PATH": str(Path(directory) / "marquee.db"), "PYTHONPATH": str(ROOT)}
        rows = []
        for attempt in range(runs + 1):
            out = subprocess.run([sys.executable, "-c", STARTUP_SCRIPT], env=env, cwd=directory, check=True,
                                 capture_output=True, text=True).stdout.split()
            rows.append((float(out[0]), float(out[1]), float(out[2])))
            label = "first start (builds the database and snapshot)" if attempt == 0 else f"warm start {attempt}"
            print(f"  {label:<48} first answer {rows[-1][0]:5.2f} s   RSS {rows[-1][1]:4.0f} MiB "
                  f"(peak {rows[-1][2]:4.0f} MiB)")
        warm = [r[0] for r in rows[1:]]
        rss = max(r[1] for r in rows[1:])
        print(f"    warm first answer  median {statistics.median(warm):.2f} s (goal < 1.5 s: "
              f"{'met' if statistics.median(warm) < 1.5 else 'MISSED'}); running RSS {rss:.0f} MiB "
              f"(goal < 200 MiB: {'met' if rss < 200 else 'MISSED'})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer queries; 50,000 synthetic films by default")
    parser.add_argument("--sizes", default=None, help="comma-separated synthetic catalogue sizes (default 200000)")
    parser.add_argument("--no-real", action="store_true", help="skip the shipped catalogue")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up and memory runs")
    parser.add_argument("--queries", type=int, default=None, help="queries per operation")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    queries = args.queries or (100 if args.quick else 400)
    sizes = [int(s) for s in (args.sizes or ("50000" if args.quick else "200000")).split(",") if s]
    print(f"Python {sys.version.split()[0]}; {queries} queries per operation (autocomplete x3)")
    if not args.no_real:
        run("shipped catalogue", real_catalog, queries, args.seed, p95_goal=10.0)
        if not args.no_startup:
            startup(3)
    for size in sizes:
        run(f"synthetic {size:,}", lambda size=size: synthetic_catalog(size, args.seed), queries, args.seed,
            p95_goal=50.0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nprocess peak RSS {rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
