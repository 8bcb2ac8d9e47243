"""Merge the independent fact passes for films newer than the base layer into the facts they agree on.

Usage:
    python scripts/curation/merge_films.py [--passes scripts/curation/passes]
                                           [--out bot/data/recent_films.jsonl.gz]
                                           [--disputes scripts/curation/disputes.jsonl]

For each year 2015-2025 a list of the films people ask about was drawn up (passes/lists-*.jsonl), then two
passes (A and B) wrote the facts of every listed film without seeing each other (instructions:
passes/INSTRUCTIONS-facts.md); a third, blind pass (C, passes/INSTRUCTIONS-third.md) answered again for
the fields A and B disagreed on or only one of them gave, and the facts the project had written earlier
for 206 of these films (passes/films-O-*) count as one more opinion. A field is kept when two opinions
agree (A with B first, then A or B with the third pass or the earlier facts):

- identity: the film is kept only when both passes know it (status "ok") and name the same directors;
- lists of names (writers, aliases): the names both give; cast: the names both put first, in the same
  billing order (their longest common prefix);
- runtime, primary country, original language, original title, series, streaming original: equal
  values (names compared without case, accents or punctuation);
- genres: those both chose (at most 3, in pass A's order); secondary countries and languages likewise;
- tags: those both chose; the pitch is pass A's, in our own words.

Every record says how it was made (`method`). Fields that still disagree are left out and listed in
`--disputes` (the input of the third pass). Output: gzip'd JSON lines in the base layer's shape.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
METHOD = "double-entry"
FIELDS = ("directors", "writers", "cast", "runtime", "countries", "languages", "genres", "series",
          "original_title", "original_of", "aliases", "tags")
GENRES = {"Drama", "Comedy", "Romance", "Action", "Crime", "Thriller", "Horror", "Documentary", "Sci-Fi",
          "Fantasy", "Adventure", "Musical", "Biography", "Mystery", "War", "Family", "Animation", "Western",
          "Sport", "History", "Music"}
SERVICES = {"netflix", "prime-video", "apple-tv-plus", "disney-plus", "max", "hulu", "paramount-plus", "peacock"}


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def fold(text: object) -> str:
    """Comparison form of a name or title: no case, accents, punctuation or spacing differences."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode() or str(text)
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def same(a: object, b: object) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return same(a.get("name"), b.get("name")) and a.get("order") == b.get("order")
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b) and fold(a) != ""
    return a == b


def common_prefix(a: list[str], b: list[str]) -> list[str]:
    prefix = []
    for x, y in zip(a, b, strict=False):  # lists of different lengths: the prefix they share
        if fold(x) != fold(y):
            break
        prefix.append(x)
    return prefix


def both(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """The names in `a` that `b` also has, in a's order and spelling."""
    folded = {fold(x) for x in b}
    return list(dict.fromkeys(x for x in a if fold(x) in folded))


PAIRS = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))


def agree(field: str, opinions: list[Any]) -> Any:
    """What two of the opinions agree on, or None. Opinions: pass A, pass B, then the third pass and the
    project's earlier facts when there are any; pairs are tried in that order (A with B first)."""
    for i, j in PAIRS:
        if j >= len(opinions):
            continue
        x, y = opinions[i], opinions[j]
        if x in (None, [], "") or y in (None, [], ""):
            continue
        if field == "cast":
            value: Any = common_prefix(x, y) or None
        elif field in ("writers", "aliases", "tags"):
            value = both(x, y) or None
        elif field == "genres":
            value = [g for g in both(x, y) if g in GENRES][:3] or None
        elif field == "directors":
            value = x if sorted(map(fold, x)) == sorted(map(fold, y)) else None
        else:
            value = x if same(x, y) else None
        if value is not None:
            return value
    return None


def primary_and_more(opinions: list[list[str] | None]) -> tuple[list[str], list[str]]:
    """Agreed primary (first) value of a country/language list, and the further values both passes give."""
    firsts = [o[0] if o else None for o in opinions]
    primary = agree("country", firsts)
    if primary is None:
        return [], []
    a, b = (opinions + [None, None])[:2]
    rest = [x for x in both(a or [], b or []) if fold(x) != fold(primary)]
    return [primary], rest


def old_opinions(passes: Path) -> dict[str, dict[str, Any]]:
    """Facts the project wrote earlier, by a single pass from memory, for 206 of these films (kept in
    passes/films-O-*.jsonl.gz as they were): one more opinion each, never enough on its own."""
    old: dict[str, dict[str, Any]] = {}
    for path in sorted(passes.glob("films-O-*.jsonl.gz")):
        old.update((r["key"], r) for r in read_jsonl(path))
    return old


# Fields a third pass is asked for when only one of A and B answered (one opinion is not enough).
ONE_SIDED = ("directors", "writers", "cast", "runtime", "countries", "languages", "genres", "series",
             "original_title", "original_of")


def _present(value: Any) -> bool:
    return value not in (None, [], "")


def merge_film(listed: dict[str, Any], a: dict[str, Any], b: dict[str, Any], others: list[dict[str, Any]]
               ) -> tuple[dict[str, Any] | None, list[str], str]:
    """(record or None, fields to ask a third pass about, why dropped)."""
    if a.get("status") != "ok" or b.get("status") != "ok":
        statuses = {a.get("status"), b.get("status")}
        if statuses == {"wrong-year"} and a.get("year") == b.get("year"):
            return None, [], f"both passes date it {a.get('year')}"
        return None, [], f"status {a.get('status')}/{b.get('status')}"
    opinions = [a, b, *others]
    asked = {f for o in others for f in o if f in ONE_SIDED}  # what a third opinion already covered

    def unsettled(field: str) -> bool:
        """A and B did not give two matching opinions, and no third opinion was asked yet."""
        return field not in asked and (_present(a.get(field)) or _present(b.get(field)))

    directors = agree("directors", [o.get("directors") for o in opinions])
    if not directors:
        return None, [f for f in ONE_SIDED if f not in asked], "directors disagree"
    title = a.get("title") if same(a.get("title"), b.get("title")) else listed["title"]
    record: dict[str, Any] = {"id": listed["key"], "title": title, "year": listed["year"], "directors": directors,
                              "method": METHOD}
    ask: list[str] = []
    for field in ("writers", "cast", "runtime", "genres", "original_title", "aliases", "tags"):
        value = agree(field, [o.get(field) for o in opinions])
        if value is not None:
            record[field] = value
        elif field in ONE_SIDED and unsettled(field):
            ask.append(field)
    for field, more in (("countries", "xcountries"), ("languages", "xlanguages")):
        primary, rest = primary_and_more([o.get(field) for o in opinions])
        if primary:
            record[field] = primary
            if rest:
                record[more] = rest
        elif unsettled(field):
            ask.append(field)
    series = [o.get("series") for o in opinions]
    if all(not _present(x) for x in series[:2]):
        pass  # both say standalone (or do not know): no series
    elif (agreed := agree("series", series)) is not None:
        record["series"] = {"name": agreed["name"], "order": agreed.get("order")}
    elif (name := agree("series-name", [x.get("name") if isinstance(x, dict) else None for x in series])):
        record["series"] = {"name": name, "order": None}  # the series, not its position
    elif unsettled("series"):
        ask.append("series")
    original = agree("original_of", [o.get("original_of") for o in opinions])
    if original in SERVICES:
        scopes = {a.get("original_scope"), b.get("original_scope")}
        record["original_of"] = original
        record["original_scope"] = "worldwide" if scopes == {"worldwide"} else "home"
    elif unsettled("original_of") and not (_present(a.get("original_of")) and _present(b.get("original_of"))
                                           and same(a.get("original_of"), b.get("original_of"))):
        ask.append("original_of")
    if record.get("original_title") and same(record["original_title"], title):
        del record["original_title"]
    if record.get("cast"):
        record["billed"] = len(record["cast"])  # every agreed name is in agreed billing order
    if a.get("pitch"):
        record["pitch"] = str(a["pitch"]).strip()
    # Only fields where A and B do not already agree are worth a third opinion.
    return record, [f for f in ask if f not in record], ""


def notability(passes: Path) -> dict[tuple[str, int], float]:
    """How high a film stands on its year's list, within its category (the lists put the most watched and
    talked-about first): 1.0 at the top of a category, towards 0.0 at its end. The popularity prior of
    films that have no review counts."""
    out: dict[tuple[str, int], float] = {}
    for path in sorted(passes.glob("lists-*.jsonl.gz")):
        entries = list(read_jsonl(path))
        sizes: dict[str, int] = {}
        for entry in entries:
            sizes[entry.get("category", "")] = sizes.get(entry.get("category", ""), 0) + 1
        seen: dict[str, int] = {}
        for entry in entries:
            category = entry.get("category", "")
            rank = seen.get(category, 0)
            seen[category] = rank + 1
            out.setdefault((fold(entry["title"]), entry["year"]), round(1 - rank / max(1, sizes[category]), 3))
    return out


def same_listing(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two list entries for one film: same year and directors, one title the start of the other
    ("Summer of Soul" and "Summer of Soul (...Or, When the Revolution Could Not Be Televised)")."""
    ta, tb = fold(a["title"]), fold(b["title"])

    def words(names: list[str]) -> set[str]:
        return {w for name in names for w in re.findall(r"[a-z0-9]{4,}", unicodedata.normalize(
            "NFKD", name).encode("ascii", "ignore").decode().casefold())}

    # Directors spelled two ways ("Questlove", 'Ahmir "Questlove" Thompson') still share a name.
    return (a["year"] == b["year"] and bool(words(a["directors"]) & words(b["directors"]))
            and (ta.startswith(tb) or tb.startswith(ta)))


def run(passes: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    listed: dict[str, dict[str, Any]] = {}
    for path in sorted(passes.glob("films-in-*.jsonl.gz")):
        listed.update((r["key"], r) for r in read_jsonl(path))
    ranks = notability(passes)
    by_pass: dict[str, dict[str, dict[str, Any]]] = {}
    for name in ("A", "B", "C"):
        by_pass[name] = {}
        for path in sorted(passes.glob(f"films-{name}-*.jsonl.gz")):
            by_pass[name].update((r["key"], r) for r in read_jsonl(path))
    old = old_opinions(passes)
    records: list[dict[str, Any]] = []
    disputes: list[dict[str, Any]] = []
    report: dict[str, Any] = {"listed": len(listed), "dropped": {}, "fields": {f: [0, 0] for f in FIELDS}}
    for key, entry in listed.items():
        a, b = by_pass["A"].get(key, {}), by_pass["B"].get(key, {})
        others = [o for o in (by_pass["C"].get(key), old.get(key)) if o]
        record, disputed, why = merge_film(entry, a, b, others)
        for field in FIELDS:
            if a.get(field) not in (None, []) and b.get(field) not in (None, []):
                report["fields"][field][1] += 1
                if field in ("cast", "writers", "tags", "aliases", "genres"):
                    ordered = field == "cast"  # billing order matters; the others are sets
                    left = [fold(x) for x in a[field]]
                    right = [fold(x) for x in b[field]]
                    identical = left == right if ordered else sorted(left) == sorted(right)
                else:
                    identical = agree(field, [a.get(field), b.get(field)]) is not None
                report["fields"][field][0] += identical
        if record is None:
            report["dropped"][why] = report["dropped"].get(why, 0) + 1
            if disputed:
                disputes.append({"key": key, "title": entry["title"], "year": entry["year"],
                                 "country": entry.get("country"), "fields": disputed})
            continue
        if (rank := ranks.get((fold(entry["title"]), entry["year"]))) is not None:
            record["notability"] = rank
        twin = next((r for r in records if same_listing(r, record)), None)
        if twin is not None:
            # Listed twice under two spellings: keep the project's existing id (the curated one) once.
            keep, drop = (twin, record) if key not in old else (record, twin)
            keep.setdefault("aliases", [])
            for title in (drop["title"],):
                if fold(title) != fold(keep["title"]) and title not in keep["aliases"]:
                    keep["aliases"].append(title)
            if keep is record:
                records.remove(twin)
                records.append(record)
            report["dropped"]["listed twice"] = report["dropped"].get("listed twice", 0) + 1
            continue
        records.append(record)
        if disputed:
            disputes.append({"key": key, "title": entry["title"], "year": entry["year"],
                             "country": entry.get("country"), "fields": disputed})
    # Two films holding the same place in a series (a remake series sharing the original's name, or a
    # miscounted position): the place is disputed, so neither keeps it.
    places: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for record in records:
        series = record.get("series") or {}
        if series.get("order") is not None:
            places.setdefault((fold(series["name"]), series["order"]), []).append(record)
    for holders in places.values():
        if len(holders) > 1:
            for record in holders:
                record["series"] = {"name": record["series"]["name"], "order": None}
            report["dropped"]["(kept) series place cleared"] = report["dropped"].get("(kept) series place cleared",
                                                                                    0) + len(holders)
    records.sort(key=lambda r: r["id"])
    return records, disputes, report


KEY_ORDER = ("id", "title", "original_title", "year", "runtime", "genres", "directors", "writers", "cast",
             "billed", "languages", "xlanguages", "countries", "xcountries", "series", "original_of",
             "original_scope", "aliases", "tags", "pitch", "notability", "method")


def write_gzip(records: list[dict[str, Any]], path: Path) -> None:
    text = "".join(json.dumps({k: r[k] for k in KEY_ORDER if k in r}, ensure_ascii=False, separators=(",", ":"))
                   + "\n" for r in records)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=Path, default=HERE / "passes")
    parser.add_argument("--out", type=Path, default=REPO / "bot" / "data" / "recent_films.jsonl.gz")
    parser.add_argument("--disputes", type=Path, default=HERE / "disputes.jsonl")
    args = parser.parse_args(argv)
    records, disputes, report = run(args.passes)
    write_gzip(records, args.out)
    with open(args.disputes, "w", encoding="utf-8") as handle:
        for entry in disputes:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"{report['listed']:,} films listed; {len(records):,} kept -> {args.out}")
    for why, count in sorted(report["dropped"].items(), key=lambda item: -item[1]):
        print(f"  dropped {count:>4}: {why}")
    print("  agreement of A and B where both answered (identical values):")
    for field, (agreed, answered) in report["fields"].items():
        print(f"    {field:<15} {agreed:>5,} / {answered:>5,} ({agreed / max(1, answered):.1%})")
    print(f"  {len(disputes):,} films with disputed fields -> {args.disputes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
