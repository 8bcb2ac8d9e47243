"""Merge the two independent tagging passes over well-known base films into the tags both chose.

Usage:
    python scripts/curation/merge_base_tags.py [--passes scripts/curation/passes]
                                               [--out scripts/curation/base_tags.jsonl]

Two passes (A and B, written separately, neither seeing the other; instructions in
passes/INSTRUCTIONS-tags.md) tagged the 2,770 most reviewed base films that had no tags, from the
controlled vocabulary (bot/data/vocabulary.toml). A tag is kept only when both passes chose it (in pass
A's order); a film gets tags only when at least MIN_AGREED of them agree, since two or fewer shared tags
say too little to compare films by. A film either pass marked unknown gets none.

The output (one JSON object per film, keyed by IMDb id, sorted) is read by scripts/build_base_data.py;
the report printed on standard output is the agreement between the passes.
"""
from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from merge_films import read_jsonl  # the one JSON-lines reader of these scripts (a sibling file)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MIN_AGREED = 3


def vocabulary_tags() -> set[str]:
    with open(ROOT / "bot" / "data" / "vocabulary.toml", "rb") as handle:
        vocabulary = tomllib.load(handle)
    return {tag for facet in vocabulary.get("facets", {}).values() for tag in facet.get("tags", {})}


def base_imdb_ids() -> dict[str, str]:
    """Film id -> IMDb id, from the shipped base layer (the passes are keyed by film id)."""
    return {r["id"]: r["imdb"] for r in read_jsonl(ROOT / "bot" / "data" / "base_films.jsonl.gz") if r.get("imdb")}


def merge(passes: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    known = vocabulary_tags()
    imdb = base_imdb_ids()
    out: list[dict[str, Any]] = []
    jaccard: list[float] = []
    agreed = Counter[int]()
    unknown = thin = 0
    slices = sorted(passes.glob("basetags-in-*.jsonl.gz"))
    for inputs in slices:
        n = inputs.name.removeprefix("basetags-in-").removesuffix(".jsonl.gz")
        a = {r["key"]: r for r in read_jsonl(passes / f"basetags-A-{n}.jsonl.gz")}
        b = {r["key"]: r for r in read_jsonl(passes / f"basetags-B-{n}.jsonl.gz")}
        for film in read_jsonl(inputs):
            key = film["key"]
            first, second = a.get(key, {"unknown": True}), b.get(key, {"unknown": True})
            if first.get("unknown") or second.get("unknown"):
                unknown += 1
                continue
            tags_a = [t for t in first["tags"] if t in known]
            tags_b = {t for t in second["tags"] if t in known}
            both = list(dict.fromkeys(t for t in tags_a if t in tags_b))
            jaccard.append(len(both) / max(1, len(set(tags_a) | tags_b)))
            agreed[len(both)] += 1
            if len(both) < MIN_AGREED or key not in imdb:
                thin += 1
                continue
            out.append({"imdb": imdb[key], "id": key, "tags": both})
    out.sort(key=lambda r: r["imdb"])
    report = {"films": sum(agreed.values()) + unknown, "unknown": unknown, "too_few_agreed": thin,
              "tagged": len(out), "mean_jaccard": round(sum(jaccard) / max(1, len(jaccard)), 3),
              "agreed_tags": dict(sorted(agreed.items()))}
    return out, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=Path, default=HERE / "passes")
    parser.add_argument("--out", type=Path, default=HERE / "base_tags.jsonl")
    args = parser.parse_args(argv)
    records, report = merge(args.passes)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
