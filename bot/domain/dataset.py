"""Load, merge and validate Marquee's shipped film data.

Three layers, all files inside the package (`bot/data/`):
- the base layer `base_films.jsonl.gz`: ~17,470 CC0 Wikidata films (facts only),
  built by `scripts/build_base_data.py`;
- curated TOML files `curated/*.toml`: `[[film]]` tables that add tags, pitches,
  aliases, availability and newer films, and `[[link]]` tables ("it's like...");
- `vocabulary.toml` (the controlled tags) and `services.toml` (streaming services).

Curated films are merged onto base films by IMDb id; the curated id and fields
win. The format is described in `bot/data/README.md`.

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

from bot.domain.models import AVAILABILITY_KINDS, SCORE_KINDS, Availability, Film, Link, Score

BASE_SNAPSHOT = "2026-10-18"  # Wikidata snapshot date of the base layer
RT_SOURCE = "Rotten Tomatoes via Wikidata"
MC_SOURCE = "Metacritic via Wikidata"
# Popularity is log10(1 + critic review count) (0 to ~2.6); curation says
# "people ask about this film", which is worth about a 10x review count.
CURATED_BOOST = 1.0

GENRES = (
    "Drama", "Comedy", "Romance", "Action", "Crime", "Thriller", "Horror", "Documentary", "Sci-Fi",
    "Fantasy", "Adventure", "Musical", "Biography", "Mystery", "War", "Family", "Animation",
    "Western", "Sport", "History", "Music",
)
YEAR_RANGE = (1888, 2030)
RUNTIME_RANGE = (1, 1000)
TAG_COUNT = (4, 10)
MAX_CURATED_CAST = 5
MAX_PITCH = 200
MAX_REASON = 150

FILM_KEYS = frozenset({
    "id", "imdb", "title", "year", "runtime", "directors", "cast", "genres", "countries",
    "languages", "tags", "pitch", "aliases", "notes", "availability", "scores",
})
AVAILABILITY_KEYS = frozenset({"service", "regions", "kind", "checked", "source"})
SCORE_KEYS = frozenset({"kind", "value", "source", "as_of", "count"})
LINK_KEYS = frozenset({"a", "b", "reason"})
LIST_FIELDS = ("directors", "cast", "genres", "countries", "languages", "tags", "aliases")

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
IMDB_PATTERN = re.compile(r"tt\d{7,8}")
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
DAY_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# ISO 3166-1 alpha-2 (as in tzdata's iso3166.tab); UK is the common mistake for GB.
REGIONS = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())
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

    @classmethod
    def under(cls, root: Path) -> DataPaths:
        root = Path(root)
        return cls(root, root / "base_films.jsonl.gz", root / "vocabulary.toml",
                   root / "services.toml", root / "curated")

    def files(self) -> list[Path]:
        """Every shipped data file, in a fixed order (the input of `version`)."""
        return [self.base, self.vocabulary, self.services, *sorted(self.curated.glob("*.toml"))]


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
        Service(key, body["name"], body.get("kind", "subscription"), tuple(body.get("aliases", ())))
        for key, body in data.items()
    )


# --------------------------------------------------------------------------- base layer


def popularity_from_reviews(count: int | None) -> float:
    return math.log10(1 + count) if count and count > 0 else 0.0


def film_from_base(record: dict) -> Film:
    scores = []
    if record.get("rt") is not None:
        scores.append(Score("critics", record["rt"], RT_SOURCE, BASE_SNAPSHOT, record.get("rt_n")))
    if record.get("mc") is not None:
        scores.append(Score("metacritic", record["mc"], MC_SOURCE, BASE_SNAPSHOT))
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
    )


def load_base(path: Path) -> list[Film]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [film_from_base(json.loads(line)) for line in handle if line.strip()]


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
                               "popularity": film.popularity + CURATED_BOOST}
    for key in ("title", "pitch", "notes"):
        if _text(data.get(key)):
            changes[key] = data[key]
    for key in ("year", "runtime"):
        if _integer(data.get(key)) is not None:
            changes[key] = data[key]
    for key in LIST_FIELDS:
        if _strings(data.get(key)):
            changes[key] = _strings(data[key])
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
          version: str = "") -> Dataset:
    """Lay curated records over the base layer (joined on IMDb id).

    A record whose imdb is in the base becomes that film with curated fields on
    top and the curated id; any other record is a complete film of its own.
    Records without a valid id or title are skipped (validate() reports them),
    as are links whose ends are missing, self-links and repeated pairs.
    """
    films = {film.id: film for film in base}
    by_imdb = {film.imdb_id: film for film in base if film.imdb_id}
    redirects: dict[str, str] = {}
    seen: set[str] = set()
    for record in curated:
        film_id = record.id
        if not film_id or not ID_PATTERN.fullmatch(film_id) or film_id in seen:
            continue
        base_film = by_imdb.get(record.imdb) if record.imdb else None
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
    records, links = load_curated(paths.curated)
    return merge(base, records, links, vocabulary=load_vocabulary(paths.vocabulary),
                 services=load_services(paths.services), version=data_version(paths))


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


def _valid_month(text: object) -> bool:
    match = MONTH_PATTERN.fullmatch(text) if isinstance(text, str) else None
    return match is not None and 1 <= int(match.group(2)) <= 12


def _valid_date(text: object) -> bool:
    if _valid_month(text):
        return True
    match = DAY_PATTERN.fullmatch(text) if isinstance(text, str) else None
    return match is not None and 1 <= int(match.group(2)) <= 12 and 1 <= int(match.group(3)) <= 31


def _in_range(value: object, bounds: tuple[int, int]) -> bool:
    number = _integer(value)
    return number is not None and bounds[0] <= number <= bounds[1]


def validate_base(base: list[Film], file: str = "base_films.jsonl.gz") -> list[Problem]:
    problems = []
    seen_ids: set[str] = set()
    seen_imdb: set[str] = set()
    for film in base:
        say = lambda message, f=film: problems.append(Problem(file, None, f.id, message))  # noqa: E731
        if not ID_PATTERN.fullmatch(film.id):
            say("id is not a lower-case slug")
        if film.id in seen_ids:
            say("duplicate id")
        seen_ids.add(film.id)
        if film.imdb_id:
            if film.imdb_id in seen_imdb:
                say(f"duplicate imdb {film.imdb_id}")
            seen_imdb.add(film.imdb_id)
        if film.year is not None and not _in_range(film.year, YEAR_RANGE):
            say(f"year {film.year} outside {YEAR_RANGE}")
        if film.runtime is not None and not _in_range(film.runtime, RUNTIME_RANGE):
            say(f"runtime {film.runtime} outside {RUNTIME_RANGE}")
        for score in film.scores:
            if not 0 <= score.value <= 100:
                say(f"{score.kind} score {score.value} outside 0-100")
    return problems


def _validate_record(record: CuratedRecord, vocabulary: Vocabulary, services: Services,
                     in_base: bool) -> list[str]:
    """Problems inside one record, independent of the other records."""
    data = record.data
    out: list[str] = []
    unknown = sorted(set(data) - FILM_KEYS)
    if unknown:
        out.append(f"unknown keys {unknown}")
    film_id = data.get("id")
    if not isinstance(film_id, str) or not film_id:
        out.append("id is required")
    elif not ID_PATTERN.fullmatch(film_id):
        out.append(f"id {film_id!r} must be lower-case letters/digits joined by single hyphens")
    imdb = data.get("imdb")
    if imdb is not None and not (isinstance(imdb, str) and IMDB_PATTERN.fullmatch(imdb)):
        out.append(f"imdb {imdb!r} is not tt + 7-8 digits")
    if not in_base:
        for key in ("title", "year"):
            if key not in data:
                out.append(f"{key} is required for a film that is not in the base layer")
    if "title" in data and not _text(data["title"]):
        out.append("title must be a non-empty string")
    if "year" in data and not _in_range(data["year"], YEAR_RANGE):
        out.append(f"year {data['year']!r} must be an integer in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    if "runtime" in data and not _in_range(data["runtime"], RUNTIME_RANGE):
        out.append(f"runtime {data['runtime']!r} must be integer minutes in "
                   f"{RUNTIME_RANGE[0]}-{RUNTIME_RANGE[1]}")
    for key in LIST_FIELDS:
        if key in data:
            items = _strings(data[key])
            if not items or any(not item.strip() for item in items):
                out.append(f"{key} must be a non-empty list of non-empty strings")
            elif len(set(items)) != len(items):
                out.append(f"{key} has repeated entries")
    cast = _strings(data.get("cast"))
    if len(cast) > MAX_CURATED_CAST:
        out.append(f"cast lists {len(cast)} names; give the top {MAX_CURATED_CAST} in billing order")
    for genre in _strings(data.get("genres")):
        if genre not in GENRES:
            out.append(f"genre {genre!r} is not one of the base layer's genres")
    tags = _strings(data.get("tags"))
    if "tags" not in data:
        out.append("tags are required")
    elif tags:
        unknown_tags = [tag for tag in tags if tag not in vocabulary]
        if unknown_tags:
            out.append(f"tags not in vocabulary.toml: {unknown_tags}")
        if not TAG_COUNT[0] <= len(tags) <= TAG_COUNT[1]:
            out.append(f"{len(tags)} tags; give {TAG_COUNT[0]}-{TAG_COUNT[1]}")
        facets = {vocabulary.facet_of(tag) for tag in tags}
        for needed in ("mood", "pace"):
            if needed not in facets:
                out.append(f"needs at least one {needed} tag ({', '.join(vocabulary.tags(needed))})")
    pitch = data.get("pitch")
    pitch_text = _text(pitch)
    if pitch is None:
        out.append("pitch is required")
    elif pitch_text is None or "\n" in pitch_text:
        out.append("pitch must be one non-empty line")
    elif len(pitch_text) > MAX_PITCH:
        out.append(f"pitch is {len(pitch_text)} characters; at most {MAX_PITCH}")
    if "notes" in data and not _text(data["notes"]):
        out.append("notes must be a non-empty string")
    out += _validate_availability(data.get("availability"), services)
    out += _validate_scores(data.get("scores"))
    return out


def _validate_availability(entries: object, services: Services) -> list[str]:
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
        if entry.get("kind") not in AVAILABILITY_KINDS:
            out.append(f"{where}: kind {entry.get('kind')!r} must be one of {AVAILABILITY_KINDS}")
        if not _valid_month(entry.get("checked")):
            out.append(f"{where}: checked {entry.get('checked')!r} must be YYYY-MM")
        if "source" in entry and not _text(entry["source"]):
            out.append(f"{where}: source must be a non-empty string")
    return out


def _validate_scores(entries: object) -> list[str]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["scores must be [[film.scores]] tables"]
    out = []
    kinds = []
    for n, entry in enumerate(entries, 1):
        where = f"scores #{n}"
        if not isinstance(entry, dict):
            out.append(f"{where} must be a table")
            continue
        unknown = sorted(set(entry) - SCORE_KEYS)
        if unknown:
            out.append(f"{where}: unknown keys {unknown}")
        if entry.get("kind") not in SCORE_KINDS:
            out.append(f"{where}: kind {entry.get('kind')!r} must be one of {SCORE_KINDS}")
        kinds.append(entry.get("kind"))
        if not _in_range(entry.get("value"), (0, 100)):
            out.append(f"{where}: value {entry.get('value')!r} must be an integer 0-100")
        if not _text(entry.get("source")):
            out.append(f"{where}: source is required")
        if not _valid_date(entry.get("as_of")):
            out.append(f"{where}: as_of {entry.get('as_of')!r} must be YYYY-MM or YYYY-MM-DD")
        if "count" in entry and not _in_range(entry["count"], (0, 10**7)):
            out.append(f"{where}: count must be a non-negative integer")
    if len(set(kinds)) != len(kinds):
        out.append("scores repeat a kind")
    return out


def validate(base: list[Film], curated: list[CuratedRecord], links: Iterable[Link],
             vocabulary: Vocabulary, services: Services) -> list[Problem]:
    """Every problem in the curated layer (and the links) against the base layer."""
    problems: list[Problem] = []
    base_by_imdb = {film.imdb_id: film for film in base if film.imdb_id}
    base_by_title: dict[tuple[str, int | None], list[Film]] = {}
    for film in base:
        base_by_title.setdefault((title_key(film.title), film.year), []).append(film)

    # Final ids after the merge, to check uniqueness and link ends.
    renamed = {base_by_imdb[r.imdb].id: r.id for r in curated
               if r.imdb in base_by_imdb and r.id and r.id != base_by_imdb[r.imdb].id}
    final_ids = {film.id for film in base} - set(renamed)
    first_seen: dict[str, CuratedRecord] = {}
    imdb_seen: dict[str, CuratedRecord] = {}

    for record in curated:
        say = lambda message, r=record: problems.append(Problem(r.file, r.line, r.where, message))  # noqa: E731
        base_film = base_by_imdb.get(record.imdb) if record.imdb else None
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
    base = load_base(paths.base)
    problems += validate_base(base)
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
    problems += validate(base, records, links, vocabulary, services)
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
