"""A Wikidata refresh, as pure functions: the long-form fact rows of one film -> a catalogue record, and the
records of a refresh -> the import rows that merge them (fill what a film lacks, add what is new).

A film we have gets the facts it lacks (`bot.domain.edits.fill_gaps`), and `refresh_updates` brings
what Wikidata knows better up to date: a review score with a newer point in time, the original title, the
series and its position, the cast in billing order. Curated fields and admin edits always win: an admin's
field (`bot.domain.edits.admin_fields`, read from the edit log) and a curated film's curation are never
replaced. A new film is added whole. Every record goes through the one record validator (`check_record`)
first; one that fails is skipped and counted with its reason.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Collection, Iterable, Mapping, Sequence

from bot.domain.edits import ALL, FilmIndex, apply_updates, fill_gaps, score_dict
from bot.domain.dataset import title_key
from bot.domain.interchange import film_from_record, same_film
from bot.domain.models import Film
from bot.domain.records import MAX_NAMES, MAX_SERIES_ORDER, RUNTIME_RANGE, YEAR_RANGE, check_record

SOURCE = "Wikidata"
METHOD = "wikidata-refresh"
RT_SOURCE = "Rotten Tomatoes via Wikidata"
MC_SOURCE = "Metacritic via Wikidata"
ROTTEN_TOMATOES, METACRITIC = "Q105584", "Q150248"
MINUTE, SECOND, HOUR = "Q7727", "Q11574", "Q25235"
MAX_CAST = 30  # a refreshed film keeps its first 30 credited names
MIN_BILLED = 3  # Wikidata's billing replaces an unordered cast only when it orders at least this many names

# Wikidata genre labels ("drama film") -> ours. Labels not here are dropped, not guessed.
GENRE_LABELS = {
    "drama": "Drama", "comedy": "Comedy", "comedy-drama": "Comedy", "romance": "Romance", "romantic comedy": "Romance",
    "action": "Action", "crime": "Crime", "thriller": "Thriller", "crime thriller": "Thriller",
    "psychological thriller": "Thriller", "horror": "Horror", "documentary": "Documentary",
    "science fiction": "Sci-Fi", "fantasy": "Fantasy", "adventure": "Adventure", "musical": "Musical",
    "biographical": "Biography", "mystery": "Mystery", "war": "War", "family": "Family",
    "animated": "Animation", "animated feature": "Animation", "western": "Western", "sports": "Sport",
    "historical": "History", "music": "Music", "heist": "Crime", "superhero": "Action", "action thriller": "Action",
}
# The base layer's names for places and languages, so one name finds every film.
COUNTRY_NAMES = {"United States of America": "United States", "People's Republic of China": "China"}
LANGUAGE_NAMES = {"Standard Chinese": "Mandarin", "Yue Chinese": "Cantonese", "Modern Greek": "Greek",
                  "American English": "English", "British English": "English"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T")
_PERCENT = re.compile(r"(\d{1,3})%")
_OUT_OF_100 = re.compile(r"(\d{1,3})/100")


@dataclass(slots=True)
class Converted:
    qid: str
    record: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


def _genre(label: str) -> str | None:
    key = label.casefold().strip()
    for suffix in (" film", " movie"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return GENRE_LABELS.get(key)


def _minutes(amount: str, unit: str | None) -> int | None:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if unit == SECOND:
        value = value / 60
    elif unit == HOUR:
        value = value * 60
    elif unit not in (MINUTE, None):
        return None
    minutes = int(value.to_integral_value())
    return minutes if RUNTIME_RANGE[0] <= minutes <= RUNTIME_RANGE[1] else None


def _ordinal(text: str | None) -> int | None:
    return int(text) if text is not None and text.isascii() and text.isdecimal() and len(text) <= 4 else None


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def record_from_rows(qid: str, rows: Sequence[Mapping[str, str]], *, as_of: str) -> Converted:
    """One film's facts (long-form rows of `bot.sources.wikidata.WikidataClient.facts`) as a record.

    `as_of` (YYYY-MM-DD) dates the review scores whose statement has no point in time."""
    problems: list[str] = []
    label = next((r["value"] for r in rows if r["prop"] == "label" and r.get("value")), None)
    titles = [r["value"] for r in rows if r["prop"] == "title" and r.get("value")]
    imdbs = sorted({r["value"] for r in rows if r["prop"] == "imdb" and r.get("value")})
    dates = sorted(m.group(0)[:-1] for r in rows if r["prop"] == "date" and (m := _DATE.match(r.get("value", ""))))
    if label is None:
        return Converted(qid, None, ["no English label"])
    if len(imdbs) != 1:
        return Converted(qid, None, [f"{len(imdbs)} IMDb ids (need exactly one)"])
    if not dates:
        return Converted(qid, None, ["no release date"])
    year = int(dates[0][:4])
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return Converted(qid, None, [f"release year {year} is out of range"])

    def labels(prop: str) -> list[str]:
        return _unique(r["itemLabel"] for r in rows if r["prop"] == prop and r.get("itemLabel"))

    cast_rows = [r for r in rows if r["prop"] == "cast" and r.get("itemLabel")]
    ordered = sorted((r for r in cast_rows if _ordinal(r.get("ord")) is not None),
                     key=lambda r: (_ordinal(r.get("ord")), r["itemLabel"]))
    billed = _unique(r["itemLabel"] for r in ordered)
    rest = [n for n in _unique(r["itemLabel"] for r in cast_rows) if n.casefold() not in {b.casefold() for b in billed}]
    cast = (billed + rest)[:MAX_CAST]
    runtimes = sorted({minutes for r in rows if r["prop"] == "duration" and r.get("value")
                       if (minutes := _minutes(r["value"], r.get("unit"))) is not None})
    if any(r["prop"] == "duration" for r in rows) and not runtimes:
        problems.append("runtime unreadable (kept out)")
    genres = list(dict.fromkeys(g for label_ in labels("genre") if (g := _genre(label_))))
    countries = [COUNTRY_NAMES.get(c, c) for c in labels("country")]
    languages = list(dict.fromkeys(LANGUAGE_NAMES.get(x, x) for x in labels("language")))
    record: dict[str, Any] = {
        "title": label,
        "year": year,
        "external_ids": {"imdb": imdbs[0]},
        "directors": labels("director")[:MAX_NAMES],
        "cast": cast,
        "billed": min(len(billed), len(cast)),
        "countries": countries[:1],
        "secondary_countries": countries[1:MAX_NAMES],
        "languages": languages[:1],
        "secondary_languages": languages[1:MAX_NAMES],
        "genres": genres[:3],
        "secondary_genres": genres[3:],
        "method": METHOD,
    }
    if runtimes:
        record["runtime_minutes"] = runtimes[0] if len(runtimes) == 1 else runtimes[len(runtimes) // 2]
    original = next((t for t in titles if t != label), None)
    if original:
        record["original_title"] = original
    series = [r for r in rows if r["prop"] == "series" and r.get("itemLabel")]
    if series:
        record["series"] = series[0]["itemLabel"]
        order = _ordinal(series[0].get("ord"))
        if order is not None and order <= MAX_SERIES_ORDER:
            record["series_order"] = order
    scores = _scores(rows, as_of)
    if scores:
        record["scores"] = scores
    record = {k: v for k, v in record.items() if v not in ([], None)}
    return Converted(qid, record, problems)


def _scores(rows: Iterable[Mapping[str, str]], as_of: str) -> list[dict[str, Any]]:
    """The newest Rotten Tomatoes percentage and Metacritic score, each with its point in time."""
    best: dict[str, tuple[str, dict[str, Any]]] = {}
    for r in rows:
        if r["prop"] != "review" or not r.get("value"):
            continue
        when = r.get("when", "")
        date = when[:10] if _DATE.match(when) else as_of
        if r.get("by") == ROTTEN_TOMATOES and (m := _PERCENT.fullmatch(r["value"].strip())):
            kind, value, source = "critics", int(m.group(1)), RT_SOURCE
        elif r.get("by") == METACRITIC and (m := _OUT_OF_100.fullmatch(r["value"].strip())):
            kind, value, source = "metacritic", int(m.group(1)), MC_SOURCE
        else:
            continue
        if value > 100:
            continue
        score: dict[str, Any] = {"kind": kind, "value": value, "source": source, "as_of": date}
        count = r.get("count")
        if count is not None and count.isascii() and count.isdecimal() and len(count) <= 7:
            score["count"] = int(count)
        if kind not in best or date > best[kind][0]:
            best[kind] = (date, score)
    return [score for _, score in best.values()]


# --------------------------------------------------------------------------- planning a merge


@dataclass(slots=True)
class Planned:
    title: str
    year: int | None
    film_id: str | None  # the film it fills, None for a new film
    facts: list[str]  # the record fields it adds; then "updated: ..." when it also updates some
    updated: list[str] = field(default_factory=list)  # what it updates ("scores (Rotten Tomatoes 2026-11-01)")


@dataclass(slots=True)
class RefreshPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)  # import rows for `apply_edit("import", ...)`
    added: list[Planned] = field(default_factory=list)
    filled: list[Planned] = field(default_factory=list)  # every film we have that changes (fills, updates)
    updated: list[Planned] = field(default_factory=list)  # those of them with updates
    unchanged: int = 0
    ambiguous: list[str] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (Q-id or title, why)


# Film attributes fill_gaps may fill -> the record field a person would recognise.
_FILLED = {"year": "year", "runtime": "runtime_minutes", "imdb_id": "imdb", "genres": "genres",
           "directors": "directors", "cast": "cast", "languages": "languages", "countries": "countries",
           "aliases": "aliases"}


_WIKIDATA_SCORES = frozenset({RT_SOURCE, MC_SOURCE})  # the base layer's and our refreshes' score sources
_SCORE_NAMES = {RT_SOURCE: "Rotten Tomatoes", MC_SOURCE: "Metacritic"}


def _date_key(as_of: str | None) -> str:
    """An as_of date comparable as text: a month alone counts as its first day; no date is oldest."""
    if not as_of:
        return ""
    return as_of if len(as_of) > 7 else f"{as_of}-01"


def refresh_updates(film: Film, record: dict[str, Any],
                    protected: Collection[str] = ()) -> tuple[dict[str, Any], list[str], list[str]]:
    """What a checked Wikidata record updates on a film we have: (the import row's "update" for
    `bot.domain.edits.apply_updates`, the facts it sets where the film had none, what it replaces).

    - A score of a kind is set when the film has none of that kind, and replaces the stored one only when
      its as_of date is newer and it says something else (value, count or source): a score Wikidata gives
      without a point in time is dated the day of the refresh, and must not churn on every run.
    - The original title and the series (with its position) are set when absent, or replace a stored one
      that differs.
    - The cast is replaced by Wikidata's billing order only when ours has no checked billing (`billed` 0:
      the base layer's alphabetical or prominence order) and Wikidata orders at least MIN_BILLED names.

    Never touched: `protected` fields (an admin set them; ALL: every field), and on a curated film its
    original title, series and cast (curation may have set them, and a Film does not say which field it
    did) and any score whose source is not Wikidata's (a curator's "Rotten Tomatoes" figure)."""
    if ALL in protected:
        return {}, [], []
    incoming = film_from_record({**record, "id": film.id})
    update: dict[str, Any] = {}
    fills: list[str] = []
    updates: list[str] = []
    if "scores" not in protected:
        for fresh in incoming.scores:
            stored = film.score(fresh.kind)
            if stored is None:
                fills.append(f"scores ({_SCORE_NAMES.get(fresh.source, fresh.source)} {fresh.as_of})")
            elif film.curated and stored.source not in _WIKIDATA_SCORES:
                continue
            elif (_date_key(fresh.as_of) > _date_key(stored.as_of)
                  and (fresh.value, fresh.count, fresh.source) != (stored.value, stored.count, stored.source)):
                updates.append(f"scores ({_SCORE_NAMES.get(fresh.source, fresh.source)} {fresh.as_of})")
            else:
                continue
            update.setdefault("scores", {})[fresh.kind] = score_dict(stored)
    if ("original_title" not in protected and incoming.original_title
            and incoming.original_title != film.original_title and (film.original_title is None or not film.curated)):
        (fills if film.original_title is None else updates).append("original_title")
        update["original_title"] = film.original_title
    if "series" not in protected and incoming.series and (film.series is None or not film.curated):
        order = incoming.series_order
        if order is None and film.series and title_key(film.series) == title_key(incoming.series):
            order = film.series_order  # Wikidata names the series without a position: keep ours
        if (incoming.series, order) != (film.series, film.series_order):
            (fills if film.series is None else updates).append("series")
            update["series"] = [film.series, film.series_order]
    if ("cast" not in protected and not film.curated and film.cast and film.billed == 0
            and incoming.billed >= MIN_BILLED):
        updates.append("cast (billing order)")
        update["cast"] = [list(film.cast), film.billed]
    return update, fills, updates


def plan(films: Mapping[str, Film], records: Iterable[tuple[str, dict[str, Any]]], *, vocabulary: Any = None,
         services: Any = None, add_new: bool = True, index: FilmIndex | None = None,
         protected: Mapping[str, Collection[str]] | None = None) -> RefreshPlan:
    """The import rows that merge these (Q-id, record) pairs into the catalogue, and what each would do.
    `index` is a `FilmIndex` of `films` to reuse (building one reads every title: 0.4 s for 20,000 films);
    `protected`: film id -> the fields admin edits set (`bot.domain.edits.admin_fields`), never updated."""
    protected = protected or {}
    out = RefreshPlan()
    index = index or FilmIndex(films)
    taken: set[str] = set()
    for qid, record in records:
        checked, reasons = check_record(record, vocabulary=vocabulary, services=services, partial=True)
        if checked is None:
            out.invalid.append((qid, "; ".join(reasons)))
            continue
        film_id, why = index.match(checked, use_id=False)
        if film_id is None and why == "ambiguous":
            out.ambiguous.append(f"{checked['title']} ({checked.get('year')})")
            continue
        if film_id is not None:
            if film_id in taken:
                out.ambiguous.append(f"{checked['title']} ({checked.get('year')}): two Wikidata items match {film_id}")
                continue
            taken.add(film_id)
            old = films[film_id]
            filled = fill_gaps(old, checked)
            update, more, updated = refresh_updates(old, checked, protected.get(film_id, ()))
            new = apply_updates(filled, checked, update) if update else filled
            if same_film(new, old):
                out.unchanged += 1
                continue
            facts = [label for attr, label in _FILLED.items() if getattr(filled, attr) != getattr(old, attr)] + more
            row: dict[str, Any] = {"mode": "fill", "film": checked, "source": SOURCE, "wikidata": qid, "facts": facts}
            if update:
                row["update"], row["updated"] = update, updated
            out.rows.append(row)
            shown = facts + ([f"updated: {'; '.join(updated)}"] if updated else [])
            planned = Planned(old.title, old.year, film_id, shown, updated)
            out.filled.append(planned)
            if updated:
                out.updated.append(planned)
            continue
        if not add_new:
            out.unchanged += 1
            continue
        new_film = film_from_record({**checked, "id": "new"})
        if not new_film.directors and not new_film.runtime:
            out.invalid.append((qid, f"{checked['title']}: too little known to add (no director, no runtime)"))
            continue
        out.rows.append({"mode": "fill", "film": checked, "add": True, "source": SOURCE, "wikidata": qid,
                         "facts": sorted(k for k in checked if k != "method")})
        out.added.append(Planned(checked["title"], checked.get("year"), None, sorted(checked)))
    return out


def month_slices(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[start, end) cut at month boundaries: the pages a refresh queries one at a time."""
    slices = []
    current = start
    while current < end:
        nxt = dt.date(current.year + (current.month == 12), current.month % 12 + 1, 1)
        slices.append((current, min(nxt, end)))
        current = nxt
    return slices
