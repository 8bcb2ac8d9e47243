"""Load, merge and validate Marquee's shipped film data.

Layers, all files inside the package (`bot/data/`):
- the base layer `base_films.jsonl.gz`: ~17,470 CC0 Wikidata films (facts only,
  primary facts repaired for the most reviewed), built by `scripts/build_base_data.py`;
- the recent layer `recent_films.jsonl.gz`: films from 2015 on, facts agreed by two
  independent passes, with tags and pitches (`scripts/curation/merge_films.py`);
- curated TOML files `curated/*.toml`: `[[film]]` tables that add tags, pitches,
  aliases, availability and films of their own, and `[[link]]` tables ("it's like...");
- `vocabulary.toml` (the controlled tags) and `services.toml` (streaming services).

Curated records are laid over base films by IMDb id and over recent films by id;
the curated id and fields win. Every record is checked by the one record validator
(`bot.domain.records`). The format is described in `bot/data/README.md`.

Pure: reads files, never touches SQL or Discord. Check the data with
`python -m bot.domain.dataset` (prints every problem, exits 1 if any).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.domain.models import Availability, Film, Link, Score
from bot.domain.records import (GENRES, ID_PATTERN, IMDB_PATTERN, MAX_PITCH, MAX_REASON, REGIONS, RUNTIME_RANGE,
                                YEAR_RANGE, check_record, is_int, is_number, series_problems)

__all__ = ["GENRES", "ID_PATTERN", "IMDB_PATTERN", "MAX_PITCH", "MAX_REASON", "REGIONS", "RUNTIME_RANGE",
           "YEAR_RANGE"]

BASE_SNAPSHOT = "2026-10-18"  # Wikidata snapshot date of the base layer
RT_SOURCE = "Rotten Tomatoes via Wikidata"
MC_SOURCE = "Metacritic via Wikidata"
# Popularity is log10(1 + critic review count) (0 to ~2.6); curation says
# "people ask about this film", which is worth about a 10x review count.
CURATED_BOOST = 1.0

TAG_COUNT = (4, 10)
MAX_CURATED_CAST = 5
# Films after the base layer have no review counts; being on a year's list of the films people ask about
# is worth as much as a well reviewed base film: popularity 1.6 (end of a list) to 2.4 (top of a list).
RECENT_POPULARITY = (1.6, 2.4)
# Streaming originals: recorded when the data was made; it streams there by design, nobody looked today.
RECENT_CHECKED = "2026-12"
ORIGINAL_METHOD = "streams there by design; not a live check"
COUNTRY_OF_REGION = {"US": "United States", "GB": "United Kingdom", "KR": "South Korea", "IN": "India",
                     "JP": "Japan", "FR": "France", "DE": "Germany", "ES": "Spain"}

FILM_KEYS = frozenset({
    "id", "imdb", "title", "original_title", "year", "runtime", "directors", "writers", "cast", "genres",
    "countries", "languages", "series", "series_order", "tags", "pitch", "aliases", "notes", "availability",
    "scores",
})
AVAILABILITY_KEYS = frozenset({"service", "regions", "kind", "checked", "source"})
LINK_KEYS = frozenset({"a", "b", "reason"})
LIST_FIELDS = ("directors", "writers", "cast", "genres", "countries", "languages", "tags", "aliases")

# ISO 3166-1 alpha-2 (as in tzdata's iso3166.tab); UK is the common mistake for GB.
# What people type that is not the ISO code: the United Kingdom is GB in ISO 3166-1.
REGION_ALIASES = {"UK": "GB"}


def normalise_region(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for what a user typed ("gb", " uk ", "US"), or None if it is not one.

    The one rule for regions: /prefs, /settings, /watch, /catalog, imports and the data files all use it."""
    region = (text or "").strip().upper()
    region = REGION_ALIASES.get(region, region)
    return region if region in REGIONS else None


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True, slots=True)
class DataPaths:
    root: Path
    base: Path
    vocabulary: Path
    services: Path
    curated: Path  # directory of *.toml
    recent: Path  # films after the base layer (optional: a data folder may have none)

    @classmethod
    def under(cls, root: Path) -> DataPaths:
        root = Path(root)
        return cls(root, root / "base_films.jsonl.gz", root / "vocabulary.toml",
                   root / "services.toml", root / "curated", root / "recent_films.jsonl.gz")

    def files(self) -> list[Path]:
        """Every shipped data file, in a fixed order (the input of `version`)."""
        recent = [self.recent] if self.recent.is_file() else []
        return [self.base, *recent, self.vocabulary, self.services, *sorted(self.curated.glob("*.toml"))]


def default_paths() -> DataPaths:
    """The data shipped inside the package; package-data in pyproject.toml installs it."""
    return DataPaths.under(Path(__file__).resolve().parent.parent / "data")


def data_version(paths: DataPaths | None = None) -> str:
    """Hash of every shipped data file: changes whenever any of them changes."""
    paths = paths or default_paths()
    digest = hashlib.sha256()
    for path in paths.files():
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class Facet:
    name: str
    weight: float
    description: str
    tags: Mapping[str, str]  # tag -> one-line meaning, in file order


class Vocabulary:
    """The controlled tag vocabulary: facets, their weights and each tag's meaning."""

    def __init__(self, facets: Iterable[Facet]):
        self.facets: dict[str, Facet] = {}
        self._facet_of: dict[str, str] = {}
        for facet in facets:
            self.facets[facet.name] = facet
            for tag in facet.tags:
                if tag in self._facet_of:
                    raise ValueError(f"tag {tag!r} is in facets {self._facet_of[tag]!r} and {facet.name!r}")
                self._facet_of[tag] = facet.name

    def facet_of(self, tag: str) -> str | None:
        return self._facet_of.get(tag)

    def meaning(self, tag: str) -> str | None:
        facet = self.facet_of(tag)
        return self.facets[facet].tags[tag] if facet else None

    def weight(self, tag: str) -> float:
        """How much sharing this tag counts towards similarity (0 for unknown tags)."""
        facet = self.facet_of(tag)
        return self.facets[facet].weight if facet else 0.0

    def tags(self, facet: str | None = None) -> tuple[str, ...]:
        if facet is not None:
            return tuple(self.facets[facet].tags) if facet in self.facets else ()
        return tuple(self._facet_of)

    def moods(self) -> tuple[str, ...]:
        return self.tags("mood")

    def __contains__(self, tag: object) -> bool:
        return tag in self._facet_of

    def __len__(self) -> int:
        return len(self._facet_of)


def load_vocabulary(path: Path) -> Vocabulary:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    facets = []
    for name, body in data.get("facets", {}).items():
        tags = body.get("tags", {})
        for tag, meaning in tags.items():
            if not ID_PATTERN.fullmatch(tag) or not isinstance(meaning, str) or not meaning:
                raise ValueError(f"{path}: facet {name!r}: bad tag {tag!r}")
        facets.append(Facet(name, float(body.get("weight", 1.0)), body.get("description", ""),
                            MappingProxyType(dict(tags))))
    return Vocabulary(facets)


# --------------------------------------------------------------------------- services


def service_lookup_key(text: str) -> str:
    """Lookup form of a service name: "Disney+" -> "disneyplus", "Prime Video" -> "primevideo"."""
    return re.sub(r"[\s.\-_]", "", text.casefold().replace("+", "plus"))


@dataclass(frozen=True, slots=True)
class Service:
    key: str
    name: str
    kind: str  # subscription | free | store | library
    aliases: tuple[str, ...] = ()
    home: str | None = None  # the market its home-only originals premiere in
    regions: tuple[str, ...] = ()  # where its worldwide originals stream (a conservative subset)


class Services(Mapping[str, Service]):
    """Canonical services by key, plus lookup by whatever name a user types."""

    def __init__(self, services: Iterable[Service]):
        self._by_key = {service.key: service for service in services}
        self._by_name: dict[str, str] = {}
        for service in self._by_key.values():
            for name in (service.key, service.name, *service.aliases):
                lookup = service_lookup_key(name)
                owner = self._by_name.setdefault(lookup, service.key)
                if owner != service.key:
                    raise ValueError(f"service name {name!r} is used by {owner!r} and {service.key!r}")

    def resolve(self, text: str) -> Service | None:
        key = self._by_name.get(service_lookup_key(text))
        return self._by_key[key] if key else None

    def __getitem__(self, key: str) -> Service:
        return self._by_key[key]

    def name_of(self, key: str) -> str:
        """The display name for a service key ("disney-plus" -> "Disney+"); the key itself if unknown."""
        service = self._by_key.get(key)
        return service.name if service else key

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)


def load_services(path: Path) -> Services:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return Services(
        Service(key, body["name"], body.get("kind", "subscription"), tuple(body.get("aliases", ())),
                body.get("home"), tuple(body.get("regions", ())))
        for key, body in data.items()
    )


# --------------------------------------------------------------------------- base layer


def popularity_from_reviews(count: object) -> float:
    """log10(1 + reviews); 0 for a count that is not a whole number >= 0 (validate_layer says which)."""
    return math.log10(1 + count) if is_int(count) and count > 0 else 0.0


def film_from_base(record: Mapping[str, Any]) -> Film:
    """A film from a line of the base (or recent) layer."""
    scores = []
    if record.get("rt") is not None:
        scores.append(Score("critics", record["rt"], RT_SOURCE, BASE_SNAPSHOT, record.get("rt_n")))
    if record.get("mc") is not None:
        scores.append(Score("metacritic", record["mc"], MC_SOURCE, BASE_SNAPSHOT))
    entry = record.get("series")
    series: Mapping[str, Any] = entry if isinstance(entry, dict) else {}
    return Film(
        id=record["id"],
        title=record["title"],
        year=record.get("year"),
        runtime=record.get("runtime"),
        genres=tuple(record.get("genres", ())),
        directors=tuple(record.get("directors", ())),
        cast=tuple(record.get("cast", ())),
        languages=tuple(record.get("languages", ())),
        countries=tuple(record.get("countries", ())),
        certificate=record.get("cert"),
        imdb_id=record.get("imdb"),
        scores=tuple(scores),
        popularity=popularity_from_reviews(record.get("rt_n")),
        original_title=record.get("original_title"),
        writers=tuple(record.get("writers", ())),
        billed=record.get("billed", 0),
        series=series.get("name"),
        series_order=series.get("order"),
        secondary_genres=tuple(record.get("xgenres", ())),
        secondary_countries=tuple(record.get("xcountries", ())),
        secondary_languages=tuple(record.get("xlanguages", ())),
        method=record.get("method"),
        tags=tuple(record.get("tags", ())),
    )


def read_layer(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a layer file (none when the file is absent)."""
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_base(path: Path) -> list[Film]:
    return [film_from_base(record) for record in read_layer(path)]


def original_availability(record: Mapping[str, Any], services: Services | None) -> tuple[Availability, ...]:
    """Where a streaming service's own film streams by design: its worldwide markets for an original that
    premiered everywhere; for one that premiered at home, the home market when the film is from there."""
    key = record.get("original_of")
    service = services.get(key) if services is not None and isinstance(key, str) else None
    if service is None:
        return ()
    if record.get("original_scope") == "worldwide":
        regions = service.regions
    elif service.home and (record.get("countries") or [None])[0] == COUNTRY_OF_REGION.get(service.home):
        regions = (service.home,)
    else:
        return ()
    source = f"{service.name} original ({ORIGINAL_METHOD})"
    return tuple(Availability(service.key, region, "subscription", RECENT_CHECKED, source) for region in regions)


def film_from_recent(record: Mapping[str, Any], services: Services | None = None) -> Film:
    """A film from the recent layer: agreed facts, and the curation both passes gave it."""
    notability = record.get("notability")
    low, high = RECENT_POPULARITY
    notable = notability if is_number(notability) and 0 <= notability <= 1 else 0.5
    popularity = low + (high - low) * notable
    tags = tuple(record.get("tags", ()))
    curated = bool(tags and record.get("pitch"))
    return replace(
        film_from_base(record),
        tags=tags, pitch=record.get("pitch"), aliases=tuple(record.get("aliases", ())),
        availability=original_availability(record, services), curated=curated,
        popularity=popularity + (CURATED_BOOST if curated else 0.0),
    )


def load_recent(path: Path, services: Services | None = None) -> list[Film]:
    return [film_from_recent(record, services) for record in read_layer(path)]


# --------------------------------------------------------------------------- curated layer


class DataFileError(ValueError):
    """A data file that cannot be parsed at all."""

    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(f"{file}:{line or '?'}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(frozen=True, slots=True)
class CuratedRecord:
    """One `[[film]]` table as written, with where it was written (for problems)."""

    file: str
    line: int | None
    data: Mapping[str, object]

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def imdb(self) -> str | None:
        value = self.data.get("imdb")
        return value if isinstance(value, str) else None

    @property
    def where(self) -> str:
        return self.id or f"[[film]] #{self.line or '?'}"


@dataclass(frozen=True, slots=True)
class CuratedLink(Link):
    """A Link as read from a file; remembers where, so problems can point at it."""

    file: str = ""
    line: int | None = None
    unknown_keys: tuple[str, ...] = ()  # keys other than a/b/reason, reported by validate()

    def plain(self) -> Link:
        return Link(self.a, self.b, self.reason, self.origin)


def _table_lines(text: str, name: str) -> list[int]:
    pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(name)}[ \t]*\]\]", re.MULTILINE)
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def read_curated_file(path: Path, label: str | None = None) -> tuple[list[CuratedRecord], list[CuratedLink]]:
    """Parse one curated TOML file. Raises DataFileError if it is not valid TOML."""
    label = label or path.name
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise DataFileError(label, int(match.group(1)) if match else None, str(error)) from None
    unknown = sorted(set(data) - {"film", "link"})
    if unknown:
        raise DataFileError(label, None, f"unknown top-level keys {unknown}; use [[film]] and [[link]]")
    films, links = data.get("film", []), data.get("link", [])
    if not isinstance(films, list) or not isinstance(links, list):
        raise DataFileError(label, None, "film and link must be arrays of tables ([[film]], [[link]])")
    # A line per table, or None for each when the count of [[film]]/[[link]] headers does not match.
    film_lines: Sequence[int | None] = _table_lines(text, "film")
    link_lines: Sequence[int | None] = _table_lines(text, "link")
    if len(film_lines) != len(films):
        film_lines = [None] * len(films)
    if len(link_lines) != len(links):
        link_lines = [None] * len(links)
    records = [CuratedRecord(label, line, MappingProxyType(body)) for body, line in zip(films, film_lines, strict=True)]
    parsed_links = [
        CuratedLink(body.get("a"), body.get("b"), body.get("reason"), "curated", label, line,
                    tuple(sorted(set(body) - LINK_KEYS)))
        for body, line in zip(links, link_lines, strict=True)
    ]
    return records, parsed_links


def load_curated(directory: Path) -> tuple[list[CuratedRecord], list[CuratedLink]]:
    """Every `*.toml` under the curated directory, in file-name order."""
    records: list[CuratedRecord] = []
    links: list[CuratedLink] = []
    for path in sorted(Path(directory).glob("*.toml")):
        file_records, file_links = read_curated_file(path, f"curated/{path.name}")
        records += file_records
        links += file_links
    return records, links


# --------------------------------------------------------------------------- merge


def title_key(title: str) -> str:
    """Accent-, case- and punctuation-blind form of a title, for matching."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", folded.replace("'", "").replace("\u2019", "")))


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def curated_availability(data: Mapping[str, object]) -> tuple[Availability, ...]:
    rows = []
    entries = data.get("availability")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        for region in _strings(entry.get("regions")):
            rows.append(Availability(str(entry.get("service")), region.upper(), str(entry.get("kind")),
                                     str(entry.get("checked")), _text(entry.get("source"))))
    return tuple(rows)


def curated_scores(data: Mapping[str, object]) -> tuple[Score, ...]:
    scores = []
    entries = data.get("scores")
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and _integer(entry.get("value")) is not None:
            scores.append(Score(str(entry.get("kind")), entry["value"], str(entry.get("source")),
                                _text(entry.get("as_of")), _integer(entry.get("count"))))
    return tuple(scores)


def apply_curation(film: Film, record: CuratedRecord) -> Film:
    """The film with the record's fields laid over it (curated wins, field by field)."""
    data = record.data
    changes: dict[str, Any] = {"id": record.id, "curated": True,
                               "popularity": film.popularity + (0.0 if film.curated else CURATED_BOOST)}
    for key in ("title", "pitch", "notes", "original_title", "series"):
        if _text(data.get(key)):
            changes[key] = data[key]
    for key in ("year", "runtime", "series_order"):
        if _integer(data.get(key)) is not None:
            changes[key] = data[key]
    for key in LIST_FIELDS:
        if _strings(data.get(key)):
            changes[key] = _strings(data[key])
    # A curator names the top-billed cast, in order, and the primary genres, country and language: what
    # the layer below knew besides is kept after them (cast) or as secondary facts.
    if "cast" in changes:
        changes["billed"] = len(changes["cast"])
        changes["cast"] = changes["cast"] + tuple(n for n in film.cast if n not in changes["cast"])
    for key, secondary in (("genres", "secondary_genres"), ("countries", "secondary_countries"),
                           ("languages", "secondary_languages")):
        if key in changes:
            known = (*getattr(film, key), *getattr(film, secondary))
            changes[secondary] = tuple(v for v in dict.fromkeys(known) if v not in changes[key])
    if record.imdb and not film.imdb_id:
        changes["imdb_id"] = record.imdb
    extra_scores = curated_scores(data)
    if extra_scores:
        replaced = {score.kind for score in extra_scores}
        changes["scores"] = tuple(s for s in film.scores if s.kind not in replaced) + extra_scores
    availability = curated_availability(data)
    if availability:
        changes["availability"] = availability
    return replace(film, **changes)


@dataclass
class Dataset:
    films: dict[str, Film]  # id -> Film
    links: list[Link]
    vocabulary: Vocabulary | None = None
    services: Services | None = None
    version: str = ""
    # Base-layer ids that a curated record renamed -> the id now in `films`.
    redirects: dict[str, str] = field(default_factory=dict)

    def get(self, film_id: str) -> Film | None:
        film_id = self.redirects.get(film_id, film_id)
        return self.films.get(film_id)

    def by_imdb(self, imdb_id: str) -> Film | None:
        if not hasattr(self, "_imdb_index"):
            self._imdb_index = {f.imdb_id: f for f in self.films.values() if f.imdb_id}
        return self._imdb_index.get(imdb_id)

    def curated(self) -> list[Film]:
        return [film for film in self.films.values() if film.curated]


def merge(base: list[Film], curated: list[CuratedRecord], links: Iterable[Link] = (), *,
          vocabulary: Vocabulary | None = None, services: Services | None = None,
          version: str = "", recent: Iterable[Film] = ()) -> Dataset:
    """Lay curated records over the base layer (joined on IMDb id) and the recent layer (joined on id).

    A record whose imdb is in the base becomes that film with curated fields on
    top and the curated id; a record with the id of a recent film is laid over it;
    any other record is a complete film of its own.
    Records without a valid id or title are skipped (validate() reports them),
    as are links whose ends are missing, self-links and repeated pairs.
    """
    films = {film.id: film for film in base}
    by_imdb = {film.imdb_id: film for film in base if film.imdb_id}
    later = {film.id: film for film in recent}
    films.update(later)
    redirects: dict[str, str] = {}
    seen: set[str] = set()
    for record in curated:
        film_id = record.id
        if not film_id or not ID_PATTERN.fullmatch(film_id) or film_id in seen:
            continue
        base_film = by_imdb.get(record.imdb) if record.imdb else later.get(film_id)
        if base_film is None:
            title = _text(record.data.get("title"))
            if not title:
                continue
            base_film = Film(id=film_id, title=title)
        elif base_film.id != film_id:
            films.pop(base_film.id, None)
            redirects[base_film.id] = film_id
        seen.add(film_id)
        films[film_id] = apply_curation(base_film, record)
    merged_links: list[Link] = []
    pairs: set[frozenset[str]] = set()
    for link in links:
        a, b = redirects.get(link.a, link.a), redirects.get(link.b, link.b)
        pair = frozenset((a, b))
        if a == b or a not in films or b not in films or pair in pairs or not _text(link.reason):
            continue
        pairs.add(pair)
        merged_links.append(Link(a, b, link.reason, link.origin))
    return Dataset(films, merged_links, vocabulary, services, version, redirects)


def load_dataset(paths: DataPaths | None = None) -> Dataset:
    """Everything shipped, merged. Does not validate: tests and `python -m` do that."""
    paths = paths or default_paths()
    base = load_base(paths.base)
    services = load_services(paths.services)
    records, links = load_curated(paths.curated)
    return merge(base, records, links, vocabulary=load_vocabulary(paths.vocabulary), services=services,
                 version=data_version(paths), recent=load_recent(paths.recent, services))


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    record: str | None  # film id or link "a -> b"
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.record}: {self.message}" if self.record else f"{where}: {self.message}"


def _in_range(value: object, bounds: tuple[int, int]) -> bool:
    number = _integer(value)
    return number is not None and bounds[0] <= number <= bounds[1]


# Keys of the layers' JSON lines (short, like the base file's) -> keys of a record.
_LAYER_KEYS = {"runtime": "runtime_minutes", "xgenres": "secondary_genres", "xcountries": "secondary_countries",
               "xlanguages": "secondary_languages", "cert": "certificate"}
_LAYER_ONLY = frozenset({"imdb", "rt", "rt_n", "mc", "original_of", "original_scope", "notability"})


def layer_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A base- or recent-layer line in the record shape, for the one record validator."""
    record: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "series" and isinstance(value, dict):
            record["series"] = value.get("name")
            if value.get("order") is not None:
                record["series_order"] = value.get("order")
        elif key not in _LAYER_ONLY:
            record[_LAYER_KEYS.get(key, key)] = value
    if raw.get("imdb") is not None:
        record["external_ids"] = {"imdb": raw["imdb"]}
    return record


def validate_layer(raw: list[dict[str, Any]], file: str, *, vocabulary: Vocabulary | None = None,
                   services: Services | None = None) -> list[Problem]:
    """Every record of a base or recent layer file through the record validator; ids and IMDb ids unique."""
    problems: list[Problem] = []
    seen_ids: set[str] = set()
    seen_imdb: set[str] = set()
    series: dict[str, tuple[str | None, int | None]] = {}
    for line, item in enumerate(raw, 1):
        film_id = item.get("id") if isinstance(item.get("id"), str) else None
        say = lambda message, n=line, w=film_id: problems.append(Problem(file, n, w, message))  # noqa: E731
        _, reasons = check_record(layer_record(item), vocabulary=vocabulary, services=services)
        for reason in reasons:
            say(reason)
        if film_id in seen_ids:
            say("duplicate id")
        if film_id:
            seen_ids.add(film_id)
        imdb = item.get("imdb")
        if imdb:
            if imdb in seen_imdb:
                say(f"duplicate imdb {imdb}")
            seen_imdb.add(imdb)
        original = item.get("original_of")
        if original is not None and services is not None and original not in services:
            say(f"original_of {original!r} is not a service in services.toml")
        entry = item.get("series")
        if film_id and isinstance(entry, dict):
            series[film_id] = (entry.get("name"), entry.get("order"))
        for score_key in ("rt", "mc"):
            if item.get(score_key) is not None and not _in_range(item[score_key], (0, 100)):
                say(f"{score_key} {item[score_key]!r} outside 0-100")
        reviews, notability = item.get("rt_n"), item.get("notability")
        if reviews is not None and not (is_int(reviews) and reviews >= 0):
            say(f"rt_n {reviews!r} must be a whole number of reviews >= 0")
        if notability is not None and not (is_number(notability) and 0 <= notability <= 1):
            say(f"notability {notability!r} must be a finite number 0-1")
    for film_id, message in series_problems(series):
        problems.append(Problem(file, None, film_id, message))
    return problems


def toml_record(data: Mapping[str, object]) -> dict[str, Any]:
    """A curated TOML record in the record shape (only the keys it has), for the one record validator."""
    record: dict[str, Any] = {k: v for k, v in data.items() if k not in ("runtime", "imdb", "availability")}
    if "runtime" in data:
        record["runtime_minutes"] = data["runtime"]
    if data.get("imdb") is not None:
        record["external_ids"] = {"imdb": data["imdb"]}
    entries = data.get("availability")
    if isinstance(entries, list):
        record["availability"] = [
            {"service": e.get("service"), "region": region, "kind": e.get("kind"), "checked": e.get("checked"),
             **({"source": e["source"]} if "source" in e else {})}
            for e in entries if isinstance(e, dict) for region in _strings(e.get("regions"))
        ]
    return record


def _validate_record(record: CuratedRecord, vocabulary: Vocabulary, services: Services,
                     in_base: bool) -> list[str]:
    """Problems inside one curated record, independent of the other records.

    The facts go through the one record validator; what is checked here is what only a curated record
    must have (tags with a mood and a pace, a pitch, at most five billed names) and the TOML shape."""
    data = record.data
    out: list[str] = []
    unknown = sorted(set(data) - FILM_KEYS)
    if unknown:
        out.append(f"unknown keys {unknown}")
    if not in_base:
        for key in ("title", "year"):
            if key not in data:
                out.append(f"{key} is required for a film that is not in the base or recent layer")
    cast = _strings(data.get("cast"))
    if len(cast) > MAX_CURATED_CAST:
        out.append(f"cast lists {len(cast)} names; give the top {MAX_CURATED_CAST} in billing order")
    tags = _strings(data.get("tags"))
    if "tags" not in data:
        out.append("tags are required")
    elif tags:
        if not TAG_COUNT[0] <= len(tags) <= TAG_COUNT[1]:
            out.append(f"{len(tags)} tags; give {TAG_COUNT[0]}-{TAG_COUNT[1]}")
        facets = {vocabulary.facet_of(tag) for tag in tags}
        for needed in ("mood", "pace"):
            if needed not in facets:
                out.append(f"needs at least one {needed} tag ({', '.join(vocabulary.tags(needed))})")
    if data.get("pitch") is None:
        out.append("pitch is required")
    out += _toml_availability(data.get("availability"), services)
    scores = data.get("scores")
    if scores is not None and not isinstance(scores, list):
        out.append("scores must be [[film.scores]] tables")
    as_record = toml_record(data)
    if as_record.get("title") is None and in_base:
        as_record["title"] = "(the base layer's title)"
    _, reasons = check_record(as_record, vocabulary=vocabulary, partial=True)
    return out + reasons


def _toml_availability(entries: object, services: Services) -> list[str]:
    """The TOML shape of availability: tables with a canonical service key and a list of regions."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["availability must be [[film.availability]] tables"]
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"availability #{n}"
        if not isinstance(entry, dict):
            out.append(f"{where} must be a table")
            continue
        unknown = sorted(set(entry) - AVAILABILITY_KEYS)
        if unknown:
            out.append(f"{where}: unknown keys {unknown}")
        service = entry.get("service")
        if service not in services:
            hint = services.resolve(service) if isinstance(service, str) else None
            out.append(f"{where}: unknown service {service!r}"
                       + (f" (did you mean {hint.key!r}?)" if hint else " (see services.toml)"))
        regions = _strings(entry.get("regions"))
        if not regions:
            out.append(f"{where}: regions must be a non-empty list of ISO 3166-1 alpha-2 codes")
        else:
            bad = [r for r in regions if r not in REGIONS]
            if bad:
                out.append(f"{where}: not ISO 3166-1 alpha-2 upper-case codes: {bad}")
            if len(set(regions)) != len(regions):
                out.append(f"{where}: repeated regions")
    return out


def validate(base: list[Film], curated: list[CuratedRecord], links: Iterable[Link],
             vocabulary: Vocabulary, services: Services, recent: Iterable[Film] = ()) -> list[Problem]:
    """Every problem in the curated layer (and the links) against the base and recent layers."""
    problems: list[Problem] = []
    base_by_imdb = {film.imdb_id: film for film in base if film.imdb_id}
    recent_by_id = {film.id: film for film in recent}
    base_by_title: dict[tuple[str, int | None], list[Film]] = {}
    for film in base:
        base_by_title.setdefault((title_key(film.title), film.year), []).append(film)

    # Final ids after the merge, to check uniqueness and link ends.
    renamed = {base_by_imdb[r.imdb].id: r.id for r in curated
               if r.imdb in base_by_imdb and r.id and r.id != base_by_imdb[r.imdb].id}
    final_ids = ({film.id for film in base} - set(renamed)) | set(recent_by_id)
    first_seen: dict[str, CuratedRecord] = {}
    imdb_seen: dict[str, CuratedRecord] = {}

    for record in curated:
        say = lambda message, r=record: problems.append(Problem(r.file, r.line, r.where, message))  # noqa: E731
        base_film = base_by_imdb.get(record.imdb) if record.imdb else recent_by_id.get(record.id or "")
        for message in _validate_record(record, vocabulary, services, base_film is not None):
            say(message)
        film_id = record.id
        if film_id:
            if film_id in first_seen:
                earlier = first_seen[film_id]
                say(f"id also used at {earlier.file}:{earlier.line}")
            else:
                first_seen[film_id] = record
                clash = film_id in final_ids and (base_film is None or base_film.id != film_id)
                if clash:
                    say(f"id {film_id!r} is already the id of a different base film; add the director's surname")
                final_ids.add(film_id)
        if record.imdb:
            if record.imdb in imdb_seen:
                earlier = imdb_seen[record.imdb]
                say(f"imdb {record.imdb} is also curated as {earlier.where} ({earlier.file}:{earlier.line})")
            imdb_seen.setdefault(record.imdb, record)
            if IMDB_PATTERN.fullmatch(record.imdb) and base_film is None:
                say(f"imdb {record.imdb} is not in the base layer; give imdb only for movies.db films")
            year = _integer(record.data.get("year"))
            if base_film and year and base_film.year and abs(year - base_film.year) > 1:
                say(f"year {year} but {record.imdb} is {base_film.title} ({base_film.year}): wrong imdb?")
        elif (title := _text(record.data.get("title"))) and (year := _integer(record.data.get("year"))):
            twins = base_by_title.get((title_key(title), year), [])
            if twins:
                say(f"the base layer has {twins[0].title} ({twins[0].year}) as {twins[0].imdb_id}; "
                    "add imdb so they merge")

    pairs: dict[frozenset[str], Link] = {}
    for link in links:
        file = getattr(link, "file", "links")
        line = getattr(link, "line", None)
        label = f"{link.a} -> {link.b}"
        say_link = lambda message, f=file, n=line, w=label: problems.append(Problem(f, n, w, message))  # noqa: E731
        extra = getattr(link, "unknown_keys", ())
        if extra:
            say_link(f"unknown keys {list(extra)}")
        ends_ok = True
        for end in (link.a, link.b):
            if not isinstance(end, str) or not end:
                say_link("a and b are required film ids")
                ends_ok = False
            elif end in renamed:
                say_link(f"{end!r} is the base id of a curated film; use {renamed[end]!r}")
                ends_ok = False
            elif end not in final_ids:
                say_link(f"no film with id {end!r}")
                ends_ok = False
        if ends_ok and link.a == link.b:
            say_link("a film cannot be linked to itself")
        reason = link.reason
        if not _text(reason) or "\n" in reason:
            say_link("reason must be one non-empty line")
        elif len(reason) > MAX_REASON:
            say_link(f"reason is {len(reason)} characters; at most {MAX_REASON}")
        if ends_ok:
            pair = frozenset((link.a, link.b))
            if pair in pairs:
                earlier_link = pairs[pair]
                say_link(f"same pair already linked at {getattr(earlier_link, 'file', '?')}:"
                         f"{getattr(earlier_link, 'line', '?')}")
            pairs.setdefault(pair, link)
    return problems


def check_files(paths: DataPaths | None = None) -> list[Problem]:
    """Validate the shipped files, reporting unparseable files instead of raising."""
    paths = paths or default_paths()
    problems: list[Problem] = []
    try:
        vocabulary = load_vocabulary(paths.vocabulary)
        services = load_services(paths.services)
    except (ValueError, KeyError, tomllib.TOMLDecodeError) as error:
        return [Problem("vocabulary.toml/services.toml", None, None, str(error))]
    base_records = read_layer(paths.base)
    recent_records = read_layer(paths.recent)
    problems += validate_layer(base_records, paths.base.name)
    problems += validate_layer(recent_records, paths.recent.name, vocabulary=vocabulary, services=services)
    base = [film_from_base(r) for r in base_records]
    recent = [film_from_recent(r, services) for r in recent_records]
    taken = {film.id for film in base}
    problems += [Problem(paths.recent.name, None, film.id, "id is also a base-layer film's id")
                 for film in recent if film.id in taken]
    records: list[CuratedRecord] = []
    links: list[CuratedLink] = []
    for path in sorted(paths.curated.glob("*.toml")):
        try:
            file_records, file_links = read_curated_file(path, f"curated/{path.name}")
        except DataFileError as error:
            problems.append(Problem(error.file, error.line, None, error.message))
            continue
        records += file_records
        links += file_links
    problems += validate(base, records, links, vocabulary, services, recent)
    return problems


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.domain.dataset [DATA_DIR]`: print problems and counts."""
    argv = sys.argv[1:] if argv is None else argv
    paths = DataPaths.under(Path(argv[0])) if argv else default_paths()
    problems = check_files(paths)
    for problem in problems:
        print(problem)
    if not problems:
        dataset = load_dataset(paths)
        print(f"ok: {len(dataset.films):,} films, {len(dataset.curated()):,} curated, "
              f"{len(dataset.links):,} links, version {dataset.version}")
    else:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
