"""Build Marquee's base film layer from the CC0 Wikidata films in bokeh-sampledata.

Usage:
    python scripts/build_base_data.py SOURCE_DB [--repair scripts/curation/base_repair.jsonl]
                                      [--out bot/data/base_films.jsonl.gz]

Getting SOURCE_DB (only release 2026.1 or later: older releases carried a
non-commercial licence):
    pip download --no-deps bokeh-sampledata==2026.1 -d /tmp/bokeh
    cd /tmp/bokeh && unzip bokeh_sampledata-2026.1-*.whl
    # the file is bokeh_sampledata/_data/movies.db (17,472 rows, Wikidata, CC0,
    # snapshot 2026-10-18)

Output: gzip'd JSON lines, one film per line, sorted by id, with short keys
(id title year runtime genres xgenres directors writers cast billed languages
xlanguages countries xcountries cert imdb rt rt_n mc method tags); empty fields are
omitted. The build is reproducible: the same inputs give the same bytes (sorted
rows, sorted keys, gzip mtime 0, no file name).

Primary and secondary facts. The source lists genres, countries and languages
without saying which matter (Heat: seven genres; Oldboy: "Japan, South Korea";
Toy Story "in Spanish" from a dub). `genres`, `countries` and `languages` hold
the primary ones, `x...` the rest:
- for the films in the repair file (the 3,138 most reviewed, merged from two
  independent passes by scripts/curation/merge_base_repair.py), the agreed
  primary genres, country and original language; `method` says so;
- otherwise a value is primary only when the source leaves no doubt: one
  country, one language, at most three genres.
The cast is kept whole: first the names in agreed billing order (`billed` says
how many), then the rest by prominence (how many catalogue films each actor is
in), since the source lists cast alphabetically.

Tags: for the 2,760 well-known films two independent passes tagged from the
controlled vocabulary (scripts/curation/merge_base_tags.py), the tags both
chose. Corrections (scripts/curation/base_corrections.jsonl): a source year
both passes contradicted is fixed; a row whose facts are another film's is
dropped.

Only facts are kept. Prose columns (Awards, Consensus, Image, Website,
BoxOffice, Production, DVD) are never read. See bot/data/SOURCES.md.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sqlite3
import sys
import unicodedata
from collections import Counter
from pathlib import Path

PRIMARY_GENRES_MAX = 3
# The record validator's runtime range (bot/domain/records.py). A source runtime outside it is left out:
# almost always a unit mix-up; the one real case here (Out 1, 1971, 776 min) loses a fact, not the range.
RUNTIME_RANGE = (1, 600)
REPAIR_METHOD = "double-entry"

# Wikidata labels that name the same place or language as a commoner label;
# merged so that filters such as `language:Mandarin` find every film.
COUNTRY_NAMES = {"People's Republic of China": "China"}
LANGUAGE_NAMES = {
    "Standard Chinese": "Mandarin",
    "Yue Chinese": "Cantonese",
    "Modern Greek": "Greek",
    "American English": "English",
    "British English": "English",
}

# A name suffix that the source separates with the list separator itself,
# e.g. "Robert Downey, Jr." arrives as the two items "Robert Downey" and "Jr.".
NAME_SUFFIXES = {"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV"}

QUERY = """
SELECT o.imdbID, o.Title, o.Year, o.Runtime, o.Genre, o.Director, o.Writer, o."Cast",
       o.Language, o.Country, o.Rating, o.Metacritic, t.Meter, t.Reviews
FROM omdb o LEFT JOIN tomatoes t ON t.ID = o.ID
"""


def split_names(value: str | None) -> list[str]:
    """Split a ", "-separated source list, re-attaching Jr./Sr. suffixes."""
    names: list[str] = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        if item in NAME_SUFFIXES and names:
            names[-1] = f"{names[-1]} {item}"
        else:
            names.append(item)
    # The source sometimes lists a name twice; keep the first occurrence.
    return list(dict.fromkeys(names))


def ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = re.sub(r"['\u2019]", "", folded.lower())  # "People's" -> "peoples"
    return re.findall(r"[a-z0-9]+", folded)


def title_slug(title: str, year: int | None) -> str:
    words = ascii_words(title) or ["film"]  # e.g. the 1971 film titled "$"
    return "-".join(words + ([str(year)] if year else []))


def read_rows(db_path: Path) -> list[dict]:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = connection.execute(QUERY).fetchall()
    finally:
        connection.close()
    films = []
    for imdb, title, year, runtime, genre, director, writer, cast, language, country, cert, mc, rt, rt_n in rows:
        film = {
            "imdb": (imdb or "").strip(),
            "title": (title or "").strip(),
            "year": int(year) if year else None,
            # Runtime is stored as REAL (e.g. 93.0).
            "runtime": (int(round(runtime)) if runtime and RUNTIME_RANGE[0] <= round(runtime) <= RUNTIME_RANGE[1]
                        else None),
            "genres": split_names(genre),
            "directors": split_names(director),
            "writers": split_names(writer),
            "cast": split_names(cast),
            "languages": list(dict.fromkeys(LANGUAGE_NAMES.get(x, x) for x in split_names(language))),
            "countries": list(dict.fromkeys(COUNTRY_NAMES.get(x, x) for x in split_names(country))),
            "cert": (cert or "").strip(),
            "mc": mc,
            "rt": rt,
            "rt_n": rt_n,
        }
        films.append(film)
    return films


def richness(film: dict) -> tuple:
    """Ordering key: which of two rows sharing an imdbID carries more information."""
    filled = sum(1 for value in film.values() if value not in (None, "", []))
    return (filled, film["rt_n"] or 0, len(film["cast"]), film["title"])


def dedupe(films: list[dict]) -> list[dict]:
    """Two imdbIDs appear twice (a film and its re-cut); keep the richer row."""
    best: dict[str, dict] = {}
    for film in films:
        key = film["imdb"] or f"{film['title']}|{film['year']}"
        if key not in best or richness(film) > richness(best[key]):
            best[key] = film
    return list(best.values())


def rank_cast(films: list[dict]) -> None:
    """Order each film's whole cast by prominence.

    The source lists cast alphabetically, not by billing; the number of
    catalogue films an actor appears in is the best prominence signal it has.
    Ties keep the source (alphabetical) order. The repair puts the agreed
    billing in front of this order.
    """
    appearances = Counter(name for film in films for name in film["cast"])
    for film in films:
        film["cast"] = sorted(film["cast"], key=lambda name: -appearances[name])


def read_repair(path: Path | None) -> dict[str, dict]:
    """A JSON-lines file keyed by IMDb id (the repair, the tags and the corrections all are)."""
    if path is None or not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {record["imdb"]: record for record in map(json.loads, filter(str.strip, handle))}


def correct(films: list[dict], corrections: dict[str, dict]) -> list[dict]:
    """Apply the corrections file: a wrong year fixed, a row whose facts belong to another film dropped."""
    out = []
    for film in films:
        fix = corrections.get(film["imdb"], {})
        if fix.get("drop"):
            continue
        if isinstance(fix.get("year"), int):
            film["year"] = fix["year"]
        out.append(film)
    return out


def add_tags(films: list[dict], tags: dict[str, dict]) -> None:
    """The tags two passes agreed on (scripts/curation/merge_base_tags.py)."""
    for film in films:
        if tags.get(film["imdb"], {}).get("tags"):
            film["tags"] = tags[film["imdb"]]["tags"]


def split_primary(films: list[dict], repair: dict[str, dict]) -> None:
    """Primary genres/country/language in front, the rest secondary (see the module docstring)."""
    for film in films:
        fix = repair.get(film["imdb"], {})
        genres, countries, languages = film["genres"], film["countries"], film["languages"]
        if fix.get("genres"):
            primary_genres = [g for g in fix["genres"] if g in genres]
        else:
            primary_genres = genres if len(genres) <= PRIMARY_GENRES_MAX else []
        primary_countries = ([fix["country"]] if fix.get("country") in countries
                             else countries if len(countries) == 1 else [])
        fixed_language = LANGUAGE_NAMES.get(fix.get("language", ""), fix.get("language"))
        primary_languages = ([fixed_language] if fixed_language in languages
                             else languages if len(languages) == 1 else [])
        film["genres"], film["xgenres"] = primary_genres, [g for g in genres if g not in primary_genres]
        film["countries"], film["xcountries"] = primary_countries, [c for c in countries if c not in primary_countries]
        film["languages"], film["xlanguages"] = primary_languages, [x for x in languages if x not in primary_languages]
        billed = [name for name in fix.get("billed", []) if name in film["cast"]]
        if billed:
            film["cast"] = billed + [name for name in film["cast"] if name not in billed]
            film["billed"] = len(billed)
        if fix:
            film["method"] = REPAIR_METHOD


def assign_ids(films: list[dict]) -> None:
    """Slug = title words + year; on collision add the first director's surname, then a counter.

    Among films sharing a slug, the most reviewed one keeps the plain slug.
    """
    groups: dict[str, list[dict]] = {}
    for film in films:
        groups.setdefault(title_slug(film["title"], film["year"]), []).append(film)
    taken = set(groups)
    for slug, group in sorted(groups.items()):
        group.sort(key=lambda f: (-(f["rt_n"] or 0), f["imdb"]))
        group[0]["id"] = slug
        for film in group[1:]:
            surname = ascii_words(film["directors"][0])[-1:] if film["directors"] else []
            candidate = "-".join([slug, *surname])
            counter = 2
            unique = candidate
            while unique in taken:
                unique = f"{candidate}-{counter}"
                counter += 1
            taken.add(unique)
            film["id"] = unique


KEY_ORDER = ("id", "title", "year", "runtime", "genres", "xgenres", "directors", "writers", "cast", "billed",
             "languages", "xlanguages", "countries", "xcountries", "cert", "imdb", "rt", "rt_n", "mc", "method", "tags")


def to_line(film: dict) -> str:
    record = {key: film[key] for key in KEY_ORDER if film.get(key) not in (None, "", [])}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def build(db_path: Path, repair_path: Path | None = None, tags_path: Path | None = None,
          corrections_path: Path | None = None) -> bytes:
    films = dedupe(correct(read_rows(db_path), read_repair(corrections_path)))
    rank_cast(films)
    split_primary(films, read_repair(repair_path))
    add_tags(films, read_repair(tags_path))
    assign_ids(films)
    films.sort(key=lambda f: f["id"])
    text = "".join(to_line(film) + "\n" for film in films)
    buffer = io.BytesIO()
    # mtime=0 and an empty file name make the gzip header independent of when/where we ran.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(text.encode("utf-8"))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source_db", type=Path, help="movies.db from bokeh-sampledata 2026.1")
    parser.add_argument("--repair", type=Path,
                        default=Path(__file__).resolve().parent / "curation" / "base_repair.jsonl",
                        help="agreed primary facts and billing (scripts/curation/merge_base_repair.py)")
    parser.add_argument("--tags", type=Path, default=Path(__file__).resolve().parent / "curation" / "base_tags.jsonl",
                        help="agreed tags (scripts/curation/merge_base_tags.py)")
    parser.add_argument("--corrections", type=Path,
                        default=Path(__file__).resolve().parent / "curation" / "base_corrections.jsonl",
                        help="source rows with a wrong year, or another film's facts (dropped)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "bot" / "data" / "base_films.jsonl.gz")
    args = parser.parse_args(argv)
    if not args.source_db.is_file():
        parser.error(f"{args.source_db} not found (see this script's docstring)")
    data = build(args.source_db, args.repair, args.tags, args.corrections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    count = gzip.decompress(data).count(b"\n")
    print(f"wrote {count} films, {len(data)} bytes to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
