"""Catalogue files in and out: our own JSON/CSV export (which imports back without loss), a streaming
service's catalogue CSV, MovieLens and IMDb files an operator downloads.

Every parser reads bytes (gzip and zip are unpacked as they are read, a piece at a time, within the
`IMPORT_LIMITS` of the format: unpacked bytes and rows, and MAX_LINE characters a line; a file over a
limit raises ImportLimitError naming it), checks every row, and returns the rows it could read as
*normalised rows* (plain dicts, what `bot.domain.edits.apply_import` applies and what the edit
log stores) together with one `RowProblem(line, reason)` per bad row. Parsers never look at the
catalogue: matching rows to films happens when they are applied.

Normalised rows:
- `{"mode": "replace", "film": record}`: a full film record (our own export) that replaces the film, except
  a curated film's curation, which only `"replace_curated": true` on the row replaces (see
  `bot.domain.edits.apply_import`).
- `{"mode": "fill", "film": record, "add": bool}`: facts that fill what the film lacks (MovieLens, IMDb);
  with `add`, a film that is not in the catalogue is added.
- `{"mode": "availability", "film": match record, "availability": [...]}`: where a film streams.
- `{"mode": "link", "a", "b", "reason", "origin"}`: an "it's like..." pair.

A *record* is the export's shape of a film (see `film_to_record`). Pure: no SQL, no Discord.

Formulas in the CSV export: a spreadsheet evaluates a cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return (a title such as `=HYPERLINK(...)` would run). The export writes such a cell with one
apostrophe in front (`'=HYPERLINK(...)`), which spreadsheets show as text, and, so that the rule can be
undone without guessing, also puts one in front of a cell that starts with an apostrophe followed by one
of those characters or by another apostrophe. The import removes one apostrophe before exactly those
characters (`'=x` -> `=x`, `''x` -> `'x`), so importing our own export gives back every value as it
was; an apostrophe before anything else (`'Round Midnight`) is kept. Only our own CSV format is read this
way: the other formats are not ours, and are read as they are.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from typing import IO, Any, Callable, Iterable, Iterator

from bot.domain.dataset import title_key
from bot.domain.models import AVAILABILITY_KINDS, Availability, Film, Link, Score
from bot.domain.records import (GENRES, IMDB_PATTERN, LIST_KEYS, PRIMARY_GENRES_MAX, REGIONS, RUNTIME_RANGE,
                                YEAR_RANGE, check_link,
                                check_record, is_int, short_repr, valid_date)

FORMAT_NAME = "marquee-catalog"
FORMAT_VERSION = 1
IMPORT_FORMATS = ("json", "csv", "streaming", "movielens", "imdb")
EXPORT_FORMATS = ("json", "csv")

CSV_COLUMNS = (
    "id", "title", "year", "runtime_minutes", "directors", "cast", "countries", "languages", "genres",
    "certificate", "imdb", "tags", "pitch", "aliases", "notes", "curated", "popularity", "availability",
    "scores", "links",
    # Added with the primary/secondary facts; an older export without them still imports.
    "original_title", "writers", "billed", "series", "series_order", "secondary_genres", "secondary_countries",
    "secondary_languages", "method",
)
INT_COLUMNS = ("year", "runtime_minutes", "billed", "series_order")
TEXT_COLUMNS = ("certificate", "pitch", "notes", "original_title", "series", "method")
# A cell starting with one of these is a formula to a spreadsheet (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Simple lists are "a|b|c" in a CSV cell; a cell that starts with "[" is a JSON array (used when an item
# itself contains "|", so every value survives the round trip).
CSV_LIST_SEPARATOR = "|"
STREAMING_COLUMNS = ("show_id", "type", "title", "director", "cast", "country", "date_added", "release_year",
                     "rating", "duration", "listed_in", "description")
# MovieLens and IMDb genre names that differ from ours; names not here and not in GENRES are dropped.
GENRE_ALIASES = {"Children": "Family", "Science Fiction": "Sci-Fi"}
# MovieLens writes "Matrix, The (1999)"; these trailing articles go back to the front.
TRAILING_ARTICLES = ("The", "A", "An", "La", "Le", "Les", "L'", "Il", "El", "Los", "Las", "Der", "Die", "Das",
                     "Det", "Den", "Lo", "I", "O", "Os", "As", "Un", "Une", "Una", "Ein", "Eine")


class ImportFormatError(ValueError):
    """The file as a whole cannot be read (not the format it claims, missing columns, bad encoding)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(slots=True)
class ParsedRow:
    line: int
    row: dict[str, Any]
    # The row's film record has passed `check_record` whole, with the vocabulary and services: applying it
    # need not check it again (see `edits.apply_import`'s `prechecked`).
    checked: bool = False


@dataclass(slots=True)
class ParsedFile:
    format: str
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    skipped: int = 0  # rows that are fine but not for us (TV shows, non-movie IMDb titles)
    skipped_what: str = ""

    def bad(self, line: int, reason: str) -> None:
        self.problems.append(RowProblem(line, reason))


# --------------------------------------------------------------------------- records


def film_to_record(film: Film) -> dict[str, Any]:
    """Every field of a film, in the export's shape (availability and scores in a stable order)."""
    return {
        "id": film.id,
        "title": film.title,
        "year": film.year,
        "runtime_minutes": film.runtime,
        "directors": list(film.directors),
        "cast": list(film.cast),
        "countries": list(film.countries),
        "languages": list(film.languages),
        "genres": list(film.genres),
        "certificate": film.certificate,
        "tags": list(film.tags),
        "pitch": film.pitch,
        "aliases": list(film.aliases),
        "notes": film.notes,
        "curated": film.curated,
        "popularity": film.popularity,
        "original_title": film.original_title,
        "writers": list(film.writers),
        "billed": film.billed,
        "series": film.series,
        "series_order": film.series_order,
        "secondary_genres": list(film.secondary_genres),
        "secondary_countries": list(film.secondary_countries),
        "secondary_languages": list(film.secondary_languages),
        "method": film.method,
        "availability": [
            {"service": a.service, "region": a.region, "kind": a.kind, "checked": a.checked, "source": a.source}
            for a in sorted_availability(film.availability)
        ],
        "scores": [
            {"kind": s.kind, "value": s.value, "source": s.source, "as_of": s.as_of, "count": s.count}
            for s in sorted(film.scores, key=lambda s: s.kind)
        ],
        "external_ids": {"imdb": film.imdb_id} if film.imdb_id else {},
    }


def sorted_availability(rows: Iterable[Availability]) -> tuple[Availability, ...]:
    return tuple(sorted(rows, key=lambda a: (a.region, a.service, a.kind)))


def canonical(film: Film) -> Film:
    """The film with availability and scores in a fixed order, so equal films compare equal."""
    return replace(film, availability=sorted_availability(film.availability),
                   scores=tuple(sorted(film.scores, key=lambda s: s.kind)))


def same_film(a: Film, b: Film) -> bool:
    return canonical(a) == canonical(b)


def imdb_of(record: dict[str, Any]) -> str | None:
    ids = record.get("external_ids")
    return ids.get("imdb") if isinstance(ids, dict) else None


def availability_from(entries: Iterable[dict[str, Any]]) -> tuple[Availability, ...]:
    return tuple(Availability(e["service"], e["region"], e["kind"], e["checked"], e.get("source"))
                 for e in entries)


def film_from_record(record: dict[str, Any], *, film_id: str | None = None) -> Film:
    """A Film from a checked, complete record (see `check_record`)."""
    return Film(
        id=film_id or record["id"],
        title=record["title"],
        year=record.get("year"),
        runtime=record.get("runtime_minutes"),
        genres=tuple(record.get("genres") or ()),
        directors=tuple(record.get("directors") or ()),
        cast=tuple(record.get("cast") or ()),
        languages=tuple(record.get("languages") or ()),
        countries=tuple(record.get("countries") or ()),
        certificate=record.get("certificate"),
        imdb_id=imdb_of(record),
        curated=bool(record.get("curated", False)),
        tags=tuple(record.get("tags") or ()),
        pitch=record.get("pitch"),
        aliases=tuple(record.get("aliases") or ()),
        scores=tuple(Score(s["kind"], s["value"], s["source"], s.get("as_of"), s.get("count"))
                     for s in record.get("scores") or ()),
        availability=availability_from(record.get("availability") or ()),
        notes=record.get("notes"),
        popularity=float(record.get("popularity") or 0.0),
        original_title=record.get("original_title"),
        writers=tuple(record.get("writers") or ()),
        billed=int(record.get("billed") or 0),
        series=record.get("series"),
        series_order=record.get("series_order"),
        secondary_genres=tuple(record.get("secondary_genres") or ()),
        secondary_countries=tuple(record.get("secondary_countries") or ()),
        secondary_languages=tuple(record.get("secondary_languages") or ()),
        method=record.get("method"),
    )


def slugify(title: str, year: int | None) -> str:
    """`Kill Bill: Vol. 1`, 2003 -> `kill-bill-vol-1-2003` (the base layer's id style)."""
    words = title_key(title).split() or ["film"]
    return "-".join(words + ([str(year)] if year else []))


# --------------------------------------------------------------------------- export


def export_json(films: Iterable[Film], links: Iterable[Link], *, data_version: str | None = None,
                exported_at: str | None = None) -> bytes:
    """One film per line inside a JSON document, so a diff shows one line per changed film and an
    import can say which line a bad film is on."""
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "data_version": data_version,
            "exported_at": exported_at}
    parts = ["{\n"]
    for key, value in head.items():
        parts.append(f"{json.dumps(key)}: {json.dumps(value)},\n")
    film_lines = [json.dumps(film_to_record(f), ensure_ascii=False)
                  for f in sorted(films, key=lambda f: f.id)]
    parts.append('"films": [\n' + ",\n".join(film_lines) + "\n],\n")
    link_lines = [json.dumps({"a": link.a, "b": link.b, "reason": link.reason, "origin": link.origin},
                             ensure_ascii=False)
                  for link in sorted(links, key=lambda link: (link.a, link.b))]
    parts.append('"links": [\n' + ",\n".join(link_lines) + "\n]\n}\n")
    return "".join(parts).encode("utf-8")


def _list_cell(values: Iterable[str]) -> str:
    values = list(values)
    if any(CSV_LIST_SEPARATOR in v or v.startswith("[") or v != v.strip() for v in values):
        return json.dumps(values, ensure_ascii=False)
    return CSV_LIST_SEPARATOR.join(values)


def export_csv(films: Iterable[Film], links: Iterable[Link]) -> bytes:
    """One row per film; lists are `a|b`, availability/scores/links JSON (a link sits on its `a` film)."""
    links_by_a: dict[str, list[dict[str, str]]] = {}
    for link in sorted(links, key=lambda link: (link.a, link.b)):
        links_by_a.setdefault(link.a, []).append({"b": link.b, "reason": link.reason, "origin": link.origin})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for film in sorted(films, key=lambda f: f.id):
        record = film_to_record(film)
        row = []
        for column in CSV_COLUMNS:
            if column in LIST_KEYS:
                row.append(_list_cell(record[column]))
            elif column == "imdb":
                row.append(film.imdb_id or "")
            elif column == "curated":
                row.append("true" if film.curated else "false")
            elif column == "popularity":
                row.append(repr(film.popularity))
            elif column in ("availability", "scores"):
                row.append(json.dumps(record[column], ensure_ascii=False) if record[column] else "")
            elif column == "links":
                mine = links_by_a.get(film.id)
                row.append(json.dumps(mine, ensure_ascii=False) if mine else "")
            else:
                value = record[column]
                row.append("" if value is None else str(value))
        writer.writerow([formula_guarded(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def formula_guarded(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: one that it would evaluate (starting with = + - @, a
    tab or a carriage return) gets a leading apostrophe, and so does one that already starts with an
    apostrophe the import would take for such a guard. See the module docstring."""
    if cell.startswith(FORMULA_STARTS) or formula_unguarded(cell) != cell:
        return "'" + cell
    return cell


def formula_unguarded(cell: str) -> str:
    """An exported cell as it was before `formula_guarded`: one apostrophe less before a formula start or
    another apostrophe. Any other cell, including an apostrophe before a letter ('Round Midnight, typed
    in a spreadsheet), is kept as it is."""
    if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS + ("'",):
        return cell[1:]
    return cell


# --------------------------------------------------------------------------- reading bytes


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much one import file may hold once unpacked: bytes, and rows (a CSV record, a JSON array item,
    an IMDb line). A 2 MB gzip can unpack to 2 GiB, so the limits apply while the file is read, which
    happens a piece at a time: a file over a limit is refused as soon as it passes it."""

    unpacked_bytes: int
    rows: int


MIB = 2**20
# Our own export of a 200,000-film catalogue is about 150 MiB; the real MovieLens movies.csv is 4 MiB with
# 87,000 rows; IMDb's title.basics is about 1 GiB with 11 million rows (streamed, only known films kept).
IMPORT_LIMITS = {
    "json": ImportLimits(192 * MIB, 250_000),
    "csv": ImportLimits(192 * MIB, 250_000),
    "streaming": ImportLimits(64 * MIB, 250_000),
    "movielens": ImportLimits(64 * MIB, 1_000_000),  # each of movies.csv and links.csv
    "imdb": ImportLimits(3 * 1024 * MIB, 30_000_000),
}
MAX_LINE = 1_000_000  # characters in one line of any import file
# A film record nests three levels (record, availability list, entry); a file deeper than this is not ours.
MAX_JSON_DEPTH = 8


class ImportLimitError(ImportFormatError):
    """The file is bigger than an import may be; the message names the limit that was hit."""


class _Bounded(io.RawIOBase):
    """The bytes of `source`, refusing to go past `limit` of them."""

    def __init__(self, source: IO[bytes], limit: int, what: str):
        self.source, self.limit, self.what, self.count = source, limit, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self.source.read(len(buffer))
        except (OSError, EOFError, zlib.error) as error:
            raise ImportFormatError(f"{self.what} cannot be unpacked: {error}") from None
        self.count += len(data)
        if self.count > self.limit:
            raise ImportLimitError(f"{self.what} unpacks to more than {self.limit / MIB:,.0f} MiB, the limit for "
                                   "this kind of import")
        buffer[:len(data)] = data
        return len(data)


def _unpacked(data: bytes | IO[bytes], limits: ImportLimits, what: str = "the file") -> io.BufferedReader:
    """The file's bytes as a stream, gunzipped if it is gzip, never more than the limit allows."""
    source: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes) else data
    if isinstance(data, bytes) and data[:2] == b"\x1f\x8b":
        source = gzip.GzipFile(fileobj=source)  # type: ignore[assignment]
    return io.BufferedReader(_Bounded(source, limits.unpacked_bytes, what))


def _text(data: bytes | IO[bytes], limits: ImportLimits, what: str = "the file") -> io.TextIOWrapper:
    return io.TextIOWrapper(_unpacked(data, limits, what), encoding="utf-8-sig", newline="")


def _lines(stream: io.TextIOWrapper, what: str = "the file") -> Iterator[str]:
    """The stream's lines (line ends kept, as the csv module wants them), none longer than MAX_LINE."""
    number = 0
    while True:
        try:
            line = stream.readline(MAX_LINE + 1)
        except UnicodeDecodeError:  # text is decoded a block at a time: the bad byte is in this line or after
            raise ImportFormatError(f"{what} is not UTF-8 text (from line {number + 1} on)") from None
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise ImportLimitError(f"line {number} of {what} is longer than {MAX_LINE:,} characters, the limit "
                                   "for one line")
        yield line


def read_text(data: bytes | IO[bytes], limits: ImportLimits, what: str = "the file") -> str:
    """The whole file as text (for JSON, which is read as one document), within the limits."""
    try:
        return _text(data, limits, what).read()
    except UnicodeDecodeError:
        raise ImportFormatError(f"{what} is not UTF-8 text") from None


def _csv_records(lines: Iterable[str], limits: ImportLimits, *, delimiter: str = ",",
                 what: str = "the file") -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells), so a quoted field spanning lines still reports where it starts.
    Refuses a file with more records than the limit."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFormatError(f"line {reader.line_num}: the CSV cannot be read: {error}") from None
        count += 1
        if count > limits.rows + 1:  # the header is not a row
            raise ImportLimitError(f"{what} has more than {limits.rows:,} rows, the limit for this kind of import")
        yield start, cells
        start = reader.line_num + 1


def _csv_file(data: bytes | IO[bytes], limits: ImportLimits, what: str = "the file") -> Iterator[tuple[int, list[str]]]:
    return _csv_records(_lines(_text(data, limits, what), what), limits, what=what)


def load_json(text: str, what: str) -> Any:
    """A small piece of JSON (a CSV cell): ValueError with a plain reason when it is not JSON, or nested
    deeper than any of ours (Python's decoder would otherwise give up with a RecursionError)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply") from None
    except ValueError:  # JSONDecodeError, or a number with thousands of digits
        raise ValueError(f"{what} is not valid JSON") from None
    if depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def depth(value: object) -> int:
    """How deeply lists and objects nest in a decoded JSON value (a scalar is 0), without recursion; past
    MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, which is all a caller needs to know.

    One level at a time, with comprehensions: twice as fast as walking a stack of (item, level) pairs, and
    an import reads this for each of 20,000 records."""
    frontier = [value]
    level = 0
    while level <= MAX_JSON_DEPTH:
        nested = [item for item in frontier if isinstance(item, (dict, list))]
        if not nested:
            return level
        level += 1
        frontier = [child for item in nested for child in (item.values() if isinstance(item, dict) else item)]
    return level


def _header(records: Iterator[tuple[int, list[str]]], required: Iterable[str], what: str) -> dict[str, int]:
    try:
        _, header = next(records)
    except StopIteration:
        raise ImportFormatError(f"the file is empty; expected a {what} header") from None
    columns = {name.strip().lower(): n for n, name in enumerate(header)}
    missing = [name for name in required if name not in columns]
    if missing:
        raise ImportFormatError(f"not a {what} file: the header lacks {', '.join(missing)}")
    return columns


def guess_format(filename: str, data: bytes) -> str | None:
    """The import format a file is most likely in, from its name and first line."""
    name = filename.lower()
    if name.endswith(".zip"):
        return "movielens"
    if "title.basics" in name:
        return "imdb"
    try:
        # Only the start is needed: a full IMDb file is hundreds of megabytes once unpacked.
        raw = gzip.GzipFile(fileobj=io.BytesIO(data)).read(4096) if data[:2] == b"\x1f\x8b" else data[:4096]
    except (OSError, EOFError):
        return None
    head = raw.decode("utf-8-sig", "replace")
    first = head.splitlines()[0].strip().lower() if head.strip() else ""
    if head.lstrip().startswith(("{", "[")):
        return "json"
    if first.startswith("tconst\t"):
        return "imdb"
    if first.startswith("movieid,title"):
        return "movielens"
    if first.startswith("show_id,"):
        return "streaming"
    if first.startswith("id,title"):
        return "csv"
    return None


# --------------------------------------------------------------------------- our own formats


def _film_rows(parsed: ParsedFile, items: Iterable[tuple[int, object]], vocabulary: Any, services: Any) -> None:
    seen: dict[str, int] = {}
    for line, item in items:
        record, reasons = check_record(item, vocabulary=vocabulary, services=services)
        film_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(film_id, str) and film_id in seen:
            reasons.append(f"id {film_id} is also on line {seen[film_id]}")
        if reasons or record is None:  # check_record gives either a record or reasons
            parsed.bad(line, "; ".join(reasons))
            continue
        seen[record["id"]] = line
        parsed.rows.append(ParsedRow(line, {"mode": "replace", "film": record}, checked=True))


def _link_rows(parsed: ParsedFile, items: Iterable[tuple[int, object]]) -> None:
    pairs: dict[frozenset, int] = {}
    for line, item in items:
        if not isinstance(item, dict):
            parsed.bad(line, "a link must be an object with a, b and reason")
            continue
        a, b, reason, origin = item.get("a"), item.get("b"), item.get("reason"), item.get("origin", "local")
        reasons = check_link(a, b, reason)
        if set(item) - {"a", "b", "reason", "origin"}:
            reasons.append(f"link has unknown keys {sorted(set(item) - {'a', 'b', 'reason', 'origin'})}")
        if origin not in ("curated", "local"):
            reasons.append("link origin must be curated or local")
        pair = frozenset((a, b)) if not reasons else None
        if pair is not None and pair in pairs:
            reasons.append(f"the same pair is also on line {pairs[pair]}")
        if reasons or pair is None:  # pair is None only when there were reasons already
            parsed.bad(line, "; ".join(reasons))
            continue
        pairs[pair] = line
        parsed.rows.append(ParsedRow(line, {"mode": "link", "a": a, "b": b, "reason": reason, "origin": origin}))


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonReader:
    """Reads our JSON export one film (or link) at a time, with the line each starts on: the document is
    never decoded whole, so no film is held twice, and a bad film can be named by its line."""

    def __init__(self, text: str, limits: ImportLimits):
        self.text, self.limits = text, limits
        self.decoder = json.JSONDecoder()
        self.position = 0
        self.line, self.counted = 1, 0
        self.items = 0

    def line_at(self, position: int) -> int:
        self.line += self.text.count("\n", self.counted, position)
        self.counted = position
        return self.line

    def fail(self, position: int, reason: str) -> ImportFormatError:
        return ImportFormatError(f"line {self.line_at(max(position, self.counted))}: not valid JSON: {reason}")

    def skip_space(self) -> str:
        """The next character that is not white space ("" at the end)."""
        match = _JSON_SPACE.match(self.text, self.position)
        self.position = match.end() if match else self.position
        return self.text[self.position:self.position + 1]

    def expect(self, char: str) -> None:
        if self.skip_space() != char:
            raise self.fail(self.position, f"expected {char!r}")
        self.position += 1

    def value(self) -> Any:
        """The JSON value at the current position (after white space has been skipped)."""
        start = self.position
        try:
            value, self.position = self.decoder.raw_decode(self.text, self.position)
        except json.JSONDecodeError as error:
            raise ImportFormatError(f"line {error.lineno}: not valid JSON: {error.msg}") from None
        except RecursionError:
            raise ImportFormatError(f"line {self.line_at(start)}: lists or objects nest too deeply "
                                    f"(at most {MAX_JSON_DEPTH} levels)") from None
        except ValueError:  # a number with thousands of digits
            raise self.fail(start, "a number has too many digits") from None
        return value

    def array(self) -> Iterator[tuple[int, object]]:
        """(line, item) for each item of the array starting here."""
        self.expect("[")
        if self.skip_space() == "]":
            self.position += 1
            return
        while True:
            self.skip_space()
            line = self.line_at(self.position)
            self.items += 1
            if self.items > self.limits.rows:
                raise ImportLimitError(f"the file has more than {self.limits.rows:,} films and links, the limit "
                                       "for this kind of import")
            yield line, self.value()
            if not self.another("]", "an item"):
                return

    def another(self, closer: str, after: str) -> bool:
        """Past what follows an item: True for ",", False for `closer`; anything else is an error."""
        following = self.skip_space()
        self.position += 1
        if following == closer:
            return False
        if following != ",":
            raise self.fail(self.position - 1, f"expected ',' or {closer!r} after {after}")
        return True

    def document(self) -> tuple[dict[str, Any], dict[str, list[tuple[int, object]]]]:
        """(the top-level object's plain values, its arrays of films and links as (line, item)). A bare
        list of film records comes back as the "films" array."""
        first = self.skip_space()
        if first == "[":
            return {}, {"films": list(self.array())}
        if first != "{":
            raise ImportFormatError('expected a Marquee export: an object with a "films" list')
        self.position += 1
        fields: dict[str, Any] = {}
        arrays: dict[str, list[tuple[int, object]]] = {}
        if self.skip_space() == "}":
            self.position += 1
        else:
            while True:
                self.skip_space()
                key_at = self.position
                key = self.value()
                if not isinstance(key, str):
                    raise self.fail(key_at, "expected a quoted key")
                self.expect(":")
                if self.skip_space() == "[" and key in ("films", "links"):
                    arrays[key] = list(self.array())
                else:
                    fields[key] = self.value()
                if not self.another("}", "a value"):
                    break
        if self.skip_space():
            raise self.fail(self.position, "extra data after the document")
        return fields, arrays


def parse_json(data: bytes, *, vocabulary: Any = None, services: Any = None,
               limits: ImportLimits | None = None) -> ParsedFile:
    """Our JSON export (or a bare list of film records)."""
    limits = limits or IMPORT_LIMITS["json"]
    fields, arrays = _JsonReader(read_text(data, limits), limits).document()
    parsed = ParsedFile("json")
    if "films" not in arrays:
        if "films" in fields:
            raise ImportFormatError('"films" must be a list')
        raise ImportFormatError('expected a Marquee export: an object with a "films" list')
    version = fields.get("version", FORMAT_VERSION)
    if fields.get("format", FORMAT_NAME) != FORMAT_NAME or not is_int(version) or version > FORMAT_VERSION:
        found = f"{short_repr(fields.get('format'))} v{short_repr(fields.get('version'))}"
        raise ImportFormatError(f"this is a {found} file; this Marquee reads {FORMAT_NAME} v{FORMAT_VERSION}")
    _film_rows(parsed, _shallow(parsed, arrays["films"]), vocabulary, services)
    if "links" in fields and fields["links"] is not None:
        raise ImportFormatError('"links" must be a list')
    _link_rows(parsed, _shallow(parsed, arrays.get("links", [])))
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _shallow(parsed: ParsedFile, items: Iterable[tuple[int, object]]) -> Iterator[tuple[int, object]]:
    """The items that nest no deeper than any of ours; the others become bad rows."""
    for line, item in items:
        if depth(item) > MAX_JSON_DEPTH:
            parsed.bad(line, f"nested more than {MAX_JSON_DEPTH} levels deep")
        else:
            yield line, item


def _parse_list_cell(cell: str, key: str) -> list[str]:
    cell = cell.strip()
    if not cell:
        return []
    if cell.startswith("["):
        try:
            value = load_json(cell, key)
        except ValueError as error:
            raise ValueError(f"{error} (a list cell is a|b|c or a JSON list of names)") from None
        if not isinstance(value, list):
            raise ValueError(f"{key} is neither a|b|c nor a JSON list")
        return value
    return [item.strip() for item in cell.split(CSV_LIST_SEPARATOR) if item.strip()]


def parse_csv(data: bytes, *, vocabulary: Any = None, services: Any = None,
              limits: ImportLimits | None = None) -> ParsedFile:
    """Our CSV export (columns as `CSV_COLUMNS`; only id and title are required)."""
    records = _csv_file(data, limits or IMPORT_LIMITS["csv"])
    columns = _header(records, ("id", "title"), "Marquee catalogue CSV")
    unknown = sorted(set(columns) - set(CSV_COLUMNS))
    if unknown:
        raise ImportFormatError(f"unknown columns {', '.join(unknown)}; expected {', '.join(CSV_COLUMNS)}")
    parsed = ParsedFile("csv")
    films: list[tuple[int, object]] = []
    links: list[tuple[int, object]] = []
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            parsed.bad(line, f"{len(cells)} cells, expected {len(columns)}")
            continue
        cell = {name: formula_unguarded(cells[n]) for name, n in columns.items()}
        try:
            record, row_links = _record_from_cells(cell)
        except ValueError as error:
            parsed.bad(line, str(error))
            continue
        films.append((line, record))
        links += [(line, {"a": record.get("id"), **link} if isinstance(link, dict) else link) for link in row_links]
    _film_rows(parsed, films, vocabulary, services)
    _link_rows(parsed, links)
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _record_from_cells(cell: dict[str, str]) -> tuple[dict[str, Any], list[object]]:
    record: dict[str, Any] = {"id": cell["id"].strip() or None, "title": cell["title"]}
    for key in INT_COLUMNS:
        text = cell.get(key, "").strip()
        if text:
            try:
                record[key] = int(text)
            except ValueError:
                raise ValueError(f"{key} {short_repr(text)} is not a whole number") from None
    for key in LIST_KEYS:
        if key in cell:
            record[key] = _parse_list_cell(cell[key], key)
    for key in TEXT_COLUMNS:
        if cell.get(key, "").strip():
            record[key] = cell[key]
    if cell.get("imdb", "").strip():
        record["external_ids"] = {"imdb": cell["imdb"].strip()}
    curated = cell.get("curated", "").strip().lower()
    if curated:
        if curated not in ("true", "false", "yes", "no", "1", "0"):
            raise ValueError(f"curated {curated!r} must be true or false")
        record["curated"] = curated in ("true", "yes", "1")
    if cell.get("popularity", "").strip():
        try:
            record["popularity"] = float(cell["popularity"])
        except ValueError:
            raise ValueError(f"popularity {short_repr(cell['popularity'])} is not a number") from None
    row_links: list[object] = []
    for key in ("availability", "scores", "links"):
        text = cell.get(key, "").strip()
        if not text:
            continue
        value = load_json(text, key)
        if not isinstance(value, list):
            raise ValueError(f"{key} must be a JSON list")
        if key == "links":
            row_links = value
        else:
            record[key] = value
    return record, row_links


# --------------------------------------------------------------------------- streaming catalogue CSV


def parse_streaming(data: bytes, *, service: str, region: str, date: str, kind: str = "subscription",
                    source: str | None = None, limits: ImportLimits | None = None) -> ParsedFile:
    """A community streaming-catalogue CSV (`show_id,type,title,director,...`): one service, one region,
    one snapshot `date` (YYYY-MM or YYYY-MM-DD). Movies become availability rows; TV shows are skipped."""
    if not service:
        raise ImportFormatError("say which service this file lists (e.g. service:netflix)")
    if not isinstance(region, str) or region.upper() not in REGIONS:
        raise ImportFormatError(f"say which region this file lists, as an ISO code like US or GB (got {region!r})")
    if not valid_date(date):
        raise ImportFormatError(f"say which date the file describes, as YYYY-MM or YYYY-MM-DD (got {date!r})")
    if kind not in AVAILABILITY_KINDS:
        raise ImportFormatError(f"kind must be one of {', '.join(AVAILABILITY_KINDS)}")
    checked = date[:7]
    records = _csv_file(data, limits or IMPORT_LIMITS["streaming"])
    columns = _header(records, ("type", "title", "director", "release_year", "duration", "date_added"),
                      "streaming catalogue CSV (show_id,type,title,director,...)")
    parsed = ParsedFile("streaming", skipped_what="TV shows")
    seen: dict[tuple[str, int], int] = {}
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            parsed.bad(line, f"{len(cells)} cells, expected {len(columns)}")
            continue
        cell = {name: cells[n].strip() for name, n in columns.items()}
        reasons = []
        kind_of_title = cell["type"]
        if kind_of_title == "TV Show":
            parsed.skipped += 1
            continue
        if kind_of_title != "Movie":
            reasons.append(f"type {kind_of_title!r} must be Movie or TV Show")
        title = cell["title"]
        if not title:
            reasons.append("title is empty")
        year = None
        try:
            year = int(cell["release_year"])
            if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
                reasons.append(f"release_year {year} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
        except ValueError:
            reasons.append(f"release_year {cell['release_year']!r} is not a year")
        runtime = None
        duration = cell["duration"]
        if duration:
            match = re.fullmatch(r"(\d+)\s*min", duration)
            if match and RUNTIME_RANGE[0] <= int(match.group(1)) <= RUNTIME_RANGE[1]:
                runtime = int(match.group(1))
            else:
                reasons.append(f"duration {duration!r} is not like '93 min'")
        added = cell["date_added"]
        if added:
            try:
                dt.datetime.strptime(" ".join(added.split()), "%B %d, %Y")
            except ValueError:
                reasons.append(f"date_added {added!r} is not like 'September 25, 2021'")
        # year is None only when release_year was not a year, which is already one of the reasons
        if not reasons and year is not None and (title.casefold(), year) in seen:
            reasons.append(f"{title} ({year}) is also on line {seen[(title.casefold(), year)]}")
        if reasons or year is None:
            parsed.bad(line, "; ".join(reasons))
            continue
        seen[(title.casefold(), year)] = line
        directors = [d.strip() for d in cell["director"].split(",") if d.strip()]
        match_record: dict[str, Any] = {"title": title, "year": year, "directors": directors}
        if runtime:
            match_record["runtime_minutes"] = runtime
        parsed.rows.append(ParsedRow(line, {
            "mode": "availability", "film": match_record,
            "availability": [{"service": service, "region": region.upper(), "kind": kind, "checked": checked,
                              "source": source}],
        }))
    return parsed


# --------------------------------------------------------------------------- MovieLens


def movielens_title(raw: str) -> tuple[str, int | None, list[str]]:
    """`City of Lost Children, The (Cité des enfants perdus, La) (1995)` ->
    (`The City of Lost Children`, 1995, [`La Cité des enfants perdus`])."""
    text = raw.strip()
    year = None
    match = re.search(r"\s*\((\d{4})(?:[–-]\d{0,4})?\)\s*$", text)
    if match:
        year = int(match.group(1))
        text = text[: match.start()].strip()
    aliases = []
    match = re.search(r"\s*\(([^()]+)\)\s*$", text)
    if match and match.start() > 0:
        aliases.append(_front_article(match.group(1).strip()))
        text = text[: match.start()].strip()
    return _front_article(text), year, [a for a in aliases if a]


def _front_article(text: str) -> str:
    for article in TRAILING_ARTICLES:
        suffix = f", {article}"
        if text.endswith(suffix):
            head = text[: -len(suffix)]
            return f"{article}{head}" if article.endswith("'") else f"{article} {head}"
    return text


def _digits(text: str) -> bool:
    """Whole-number text as int() reads it: ASCII digits only (str.isdigit also accepts "²")."""
    return text.isascii() and text.isdigit()


def _genres(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        name = GENRE_ALIASES.get(name.strip(), name.strip())
        if name in GENRES and name not in out:
            out.append(name)
    return out


def parse_movielens(movies: bytes, links: bytes | None = None, *, limits: ImportLimits | None = None) -> ParsedFile:
    """MovieLens `movies.csv` (+ `links.csv` for IMDb ids), or the zip holding both. Adds films the
    catalogue lacks and fills gaps (imdb id, genres, year) in the films it has."""
    limits = limits or IMPORT_LIMITS["movielens"]
    if links is not None or movies[:4] != b"PK\x03\x04":
        return _parse_movielens(movies, links, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(movies)) as archive:
            names = {name.rsplit("/", 1)[-1]: name for name in archive.namelist()}
            if "movies.csv" not in names:
                raise ImportFormatError("the zip has no movies.csv; is it a MovieLens download?")
            # Read from the zip as they are parsed: the members are never unpacked whole.
            with archive.open(names["movies.csv"]) as movies_file:
                if "links.csv" not in names:
                    return _parse_movielens(movies_file, None, limits)
                with archive.open(names["links.csv"]) as links_file:
                    return _parse_movielens(movies_file, links_file, limits)
    except zipfile.BadZipFile as error:
        raise ImportFormatError(f"the zip cannot be read: {error}") from None


def _parse_movielens(movies: bytes | IO[bytes], links: bytes | IO[bytes] | None, limits: ImportLimits) -> ParsedFile:
    parsed = ParsedFile("movielens")
    imdb_by_movie: dict[str, str] = {}
    if links is not None:
        records = _csv_file(links, limits, "links.csv")
        columns = _header(records, ("movieid", "imdbid"), "MovieLens links.csv")
        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                parsed.bad(line, f"links.csv: {len(cells)} cells, expected {len(columns)}")
                continue
            movie_id, imdb = cells[columns["movieid"]].strip(), cells[columns["imdbid"]].strip()
            if not _digits(movie_id) or not _digits(imdb) or len(imdb) > 8:
                parsed.bad(line, f"links.csv: movieId {short_repr(movie_id)} / imdbId {short_repr(imdb)} must be "
                                 "numbers")
                continue
            imdb_by_movie[movie_id] = f"tt{int(imdb):07d}"
    records = _csv_file(movies, limits, "movies.csv")
    columns = _header(records, ("movieid", "title", "genres"), "MovieLens movies.csv")
    seen: dict[str, int] = {}
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            parsed.bad(line, f"{len(cells)} cells, expected {len(columns)}")
            continue
        movie_id = cells[columns["movieid"]].strip()
        title, year, aliases = movielens_title(cells[columns["title"]])
        reasons = []
        if not _digits(movie_id):
            reasons.append(f"movieId {short_repr(movie_id)} is not a number")
        elif movie_id in seen:
            reasons.append(f"movieId {movie_id} is also on line {seen[movie_id]}")
        if not title:
            reasons.append("title is empty")
        if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            reasons.append(f"year {year} outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
        if reasons:
            parsed.bad(line, "; ".join(reasons))
            continue
        seen[movie_id] = line
        record: dict[str, Any] = {"title": title, "year": year}
        genres = _genres(cells[columns["genres"]].split("|"))
        if genres:
            # MovieLens lists up to ten genres, unranked: the first few are taken as the primary ones.
            record["genres"] = genres[:PRIMARY_GENRES_MAX]
        if genres[PRIMARY_GENRES_MAX:]:
            record["secondary_genres"] = genres[PRIMARY_GENRES_MAX:]
        aliases = [a for a in aliases if a != title]
        if aliases:
            record["aliases"] = aliases
        if movie_id in imdb_by_movie:
            record["external_ids"] = {"imdb": imdb_by_movie[movie_id]}
        parsed.rows.append(ParsedRow(line, {"mode": "fill", "film": record, "add": True}))
    return parsed


# --------------------------------------------------------------------------- IMDb


IMDB_COLUMNS = ("tconst", "titletype", "primarytitle", "originaltitle", "isadult", "startyear", "endyear",
                "runtimeminutes", "genres")


def parse_imdb_basics(data: bytes, *, keep: Callable[[str, str, int | None], bool] | None = None,
                      limits: ImportLimits | None = None) -> ParsedFile:
    """IMDb `title.basics.tsv(.gz)`: tab separated, `\\N` for missing, no quoting. Movies only, and only
    to fill gaps in films the catalogue has (IMDb lists every title ever made). `keep(imdb, title, year)`
    drops rows early, so the full file does not have to be held as rows."""
    parsed = ParsedFile("imdb", skipped_what="titles that are not movies (or not in the catalogue)")
    limits = limits or IMPORT_LIMITS["imdb"]
    lines = _lines(_text(data, limits))
    header = next(lines, "").rstrip("\r\n").lower().split("\t")
    missing = [c for c in IMDB_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(f"not an IMDb title.basics file: the header lacks {', '.join(missing)}")
    col = {name: header.index(name) for name in IMDB_COLUMNS}
    line = 1
    for raw in lines:
        line += 1
        if line > limits.rows + 1:
            raise ImportLimitError(f"the file has more than {limits.rows:,} rows, the limit for an IMDb import")
        text = raw.rstrip("\r\n")
        if not text:
            continue
        cells = text.split("\t")
        if len(cells) != len(header):
            parsed.bad(line, f"{len(cells)} fields, expected {len(header)}")
            continue
        value = lambda name, cells=cells: None if cells[col[name]] == "\\N" else cells[col[name]]  # noqa: E731
        if value("titletype") != "movie":
            parsed.skipped += 1
            continue
        reasons = []
        imdb, title, original = value("tconst") or "", value("primarytitle") or "", value("originaltitle")
        if not IMDB_PATTERN.fullmatch(imdb):
            reasons.append(f"tconst {imdb!r} is not tt + 7-8 digits")
        if not title.strip():
            reasons.append("primaryTitle is empty")
        year = runtime = None
        for name in ("startyear", "runtimeminutes"):
            raw_number = value(name)
            if raw_number is None:
                continue
            if not (raw_number.isascii() and raw_number.isdecimal()) or len(raw_number) > 9:
                reasons.append(f"{name} {raw_number!r} is not a number")
                continue
            number = int(raw_number)
            low, high = YEAR_RANGE if name == "startyear" else RUNTIME_RANGE
            if not low <= number <= high:
                reasons.append(f"{name} {number} outside {low}-{high}")
            elif name == "startyear":
                year = number
            else:
                runtime = number
        if value("isadult") not in ("0", "1", None):
            reasons.append(f"isAdult {value('isadult')!r} must be 0 or 1")
        if reasons:
            parsed.bad(line, "; ".join(reasons))
            continue
        if keep is not None and not keep(imdb, title, year):
            parsed.skipped += 1
            continue
        record: dict[str, Any] = {"title": title, "year": year, "external_ids": {"imdb": imdb}}
        if runtime:
            record["runtime_minutes"] = runtime
        genres = _genres((value("genres") or "").split(","))
        if genres:
            record["genres"] = genres
        if original and original != title:
            record["aliases"] = [original]
        parsed.rows.append(ParsedRow(line, {"mode": "fill", "film": record, "add": False}))
    return parsed


# --------------------------------------------------------------------------- entry point


def parse_file(data: bytes, format: str, *, vocabulary: Any = None, services: Any = None,
               service: str | None = None, region: str | None = None, date: str | None = None,
               kind: str = "subscription", source: str | None = None, extra: bytes | None = None,
               keep: Callable[[str, str, int | None], bool] | None = None,
               max_unpacked: int | None = None) -> ParsedFile:
    """Parse an import file in `format` (one of IMPORT_FORMATS). Raises ImportFormatError when the file as a
    whole is unreadable (ImportLimitError when it is over a limit); bad rows are in `.problems`.
    `max_unpacked` lowers the format's limit of unpacked bytes (for a file attached in a chat)."""
    if format not in IMPORT_FORMATS:
        raise ImportFormatError(f"unknown format {format!r}; use one of {', '.join(IMPORT_FORMATS)}")
    limits = IMPORT_LIMITS[format]
    if max_unpacked is not None and max_unpacked < limits.unpacked_bytes:
        limits = replace(limits, unpacked_bytes=max_unpacked)
    if format == "json":
        return parse_json(data, vocabulary=vocabulary, services=services, limits=limits)
    if format == "csv":
        return parse_csv(data, vocabulary=vocabulary, services=services, limits=limits)
    if format == "streaming":
        return parse_streaming(data, service=service or "", region=region or "", date=date or "", kind=kind,
                               source=source, limits=limits)
    if format == "movielens":
        return parse_movielens(data, extra, limits=limits)
    return parse_imdb_basics(data, keep=keep, limits=limits)
