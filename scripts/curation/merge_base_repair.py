"""Merge the two independent base-repair passes into the facts both agree on.

Usage:
    python scripts/curation/merge_base_repair.py [--passes scripts/curation/passes]
                                                 [--out scripts/curation/base_repair.jsonl]

Two passes (A and B, written separately, neither seeing the other; instructions in
passes/INSTRUCTIONS-base.md) chose, for the 3,138 most reviewed base films, the top-billed cast in
billing order, the primary genres, the primary country and the original language, each only from the
values the Wikidata source already lists for that film. A fact is kept only where both agree:

- billing: the longest common prefix of the two billing-order lists (the names both put first, in the
  same order). The rest of the film's cast stays, after them, in the prominence order of the build.
- primary genres: the genres both chose, in pass A's order (at most 3).
- primary country / original language: kept when both chose the same one.

Everything else is left as the source has it (and counted as secondary). The output (one JSON object
per film, keyed by IMDb id, sorted) is read by scripts/build_base_data.py; the report printed on
standard output is the agreement rate per field.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from merge_films import read_jsonl  # the one JSON-lines reader of these scripts (a sibling file)

HERE = Path(__file__).resolve().parent
METHOD = "double entry: two independent passes agree (choices from the Wikidata values)"


def common_prefix(a: list[str], b: list[str]) -> list[str]:
    prefix = []
    for x, y in zip(a, b, strict=False):  # lists of different lengths: the prefix they share
        if x != y:
            break
        prefix.append(x)
    return prefix


def merge(inputs: dict[str, dict[str, Any]], a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]],
          ids: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """(merged records, {field: [agreed, both answered, either answered]})."""
    stats = {f: [0, 0, 0] for f in ("cast", "genres", "country", "language")}
    out = []
    for key, source in inputs.items():
        pa, pb = a.get(key, {}), b.get(key, {})
        if pa.get("unknown") or pb.get("unknown"):
            continue
        record: dict[str, Any] = {"imdb": ids[key], "id": key}
        for field, check in (("cast", "cast_source"), ("genres", "genres_source"),
                             ("country", "countries_source"), ("language", "languages_source")):
            va, vb = pa.get(field), pb.get(field)
            if va is None and vb is None:
                continue
            stats[field][2] += 1
            if va is None or vb is None:
                continue
            stats[field][1] += 1
            allowed = set(source.get(check, []))
            if field == "cast":
                agreed: Any = [n for n in common_prefix(list(va), list(vb)) if n in allowed]
                if agreed:
                    record["billed"] = agreed
                if agreed == list(va) == list(vb):
                    stats[field][0] += 1
            elif field == "genres":
                agreed = [g for g in va if g in vb and g in allowed][:3]
                if agreed:
                    record["genres"] = agreed
                if set(va) == set(vb):
                    stats[field][0] += 1
            elif va == vb and va in allowed:
                record[field] = va
                stats[field][0] += 1
        if len(record) > 2:
            record["method"] = METHOD
            out.append(record)
    out.sort(key=lambda r: r["imdb"])
    return out, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=Path, default=HERE / "passes")
    parser.add_argument("--base", type=Path, default=HERE.parent.parent / "bot" / "data" / "base_films.jsonl.gz",
                        help="the current base layer, for the id -> IMDb id map")
    parser.add_argument("--out", type=Path, default=HERE / "base_repair.jsonl")
    args = parser.parse_args(argv)
    ids = {f["id"]: f["imdb"] for f in read_jsonl(args.base) if f.get("imdb")}
    inputs: dict[str, dict[str, Any]] = {}
    a: dict[str, dict[str, Any]] = {}
    b: dict[str, dict[str, Any]] = {}
    for path in sorted(args.passes.glob("base-in-*.jsonl.gz")):
        inputs.update((r["key"], r) for r in read_jsonl(path))
    for path in sorted(args.passes.glob("base-A-*.jsonl.gz")):
        a.update((r["key"], r) for r in read_jsonl(path))
    for path in sorted(args.passes.glob("base-B-*.jsonl.gz")):
        b.update((r["key"], r) for r in read_jsonl(path))
    records, stats = merge(inputs, a, b, ids)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(inputs):,} films in the passes; {len(records):,} with at least one agreed fact -> {args.out}")
    for field, (agreed, both, either) in stats.items():
        rate = agreed / both if both else 0.0
        print(f"  {field:<8} both answered {both:>5,} of {either:>5,}; identical {agreed:>5,} ({rate:.1%})")
    billed = [len(r["billed"]) for r in records if "billed" in r]
    print(f"  billing kept for {len(billed):,} films; names in agreed billing order: "
          f"{sum(billed) / max(1, len(billed)):.1f} on average")
    return 0


if __name__ == "__main__":
    sys.exit(main())
