"""How long counting a movie night takes: approval and Schulze over the largest ballot Marquee allows.

Twenty nominees (the cap) and 5,000 voters, random ballots from a fixed seed. Each count prints its
percentiles over repeated runs beside a floor measured in the same run: one pass over every ballot's
entries (what any count must at least do). The goal: a close answers well inside Discord's 3 s, i.e. each
count under 100 ms p95 on this machine.

    python -m scripts.benchmark_voting
    python -m scripts.benchmark_voting --voters 20000 --runs 10
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.voting import count_approval, count_schulze  # noqa: E402

GOAL_MS = 100.0
NOMINEES = 20


def timings(work: Callable[[], Any], runs: int) -> list[float]:
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        result.append((time.perf_counter() - started) * 1000)
    return sorted(result)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(1)
    films = [f"film-{i}" for i in range(NOMINEES)]
    ranked = [rng.sample(films, NOMINEES) for _ in range(args.voters)]
    approved = [set(rng.sample(films, rng.randint(1, NOMINEES))) for _ in range(args.voters)]

    def floor(ballots: list[Any]) -> Callable[[], int]:
        return lambda: sum(1 for ballot in ballots for _ in ballot)

    print(f"{NOMINEES} nominees, {args.voters:,} voters, {args.runs} runs (ms)")
    print(f"{'count':<10}{'p50':>9}{'p95':>9}{'floor p50':>11}{'x floor':>9}  goal p95 < {GOAL_MS:g} ms")
    met = True
    for name, count, ballots in (("approval", count_approval, approved), ("schulze", count_schulze, ranked)):
        spent = timings(lambda c=count, b=ballots: c(films, b), args.runs)
        base = timings(floor(ballots), args.runs)
        p50, p95, floor_p50 = percentile(spent, 0.5), percentile(spent, 0.95), percentile(base, 0.5)
        ok = p95 < GOAL_MS
        met &= ok
        print(f"{name:<10}{p50:>9.1f}{p95:>9.1f}{floor_p50:>11.1f}{p50 / floor_p50:>9.1f}  {'met' if ok else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
