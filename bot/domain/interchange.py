"""Catalogue files in and out: our own JSON/CSV export (which imports back without loss), a streaming
service's catalogue CSV, MovieLens and IMDb files an operator downloads.

Every parser reads bytes (gzip and zip are unpacked), checks every row, and returns the rows it could
read as *normalised rows* (plain dicts, what `bot.domain.edits.apply_import` applies and what the edit
log stores) together with one `RowProblem(line, reason)` per bad row. Parsers never look at the
catalogue: matching rows to films happens when they are applied.

Normalised rows:
- `{"mode": "replace", "film": record}`: a full film record (our own export) that replaces the film.
- `{"mode": "fill", "film": record, "add": bool}`: facts that fill what the film lacks (MovieLens, IMDb);
  with `add`, a film that is not in the catalogue is added.
- `{"mode": "availability", "film": match record, "availability": [...]}`: where a film streams.
- `{"mode": "link", "a", "b", "reason", "origin"}`: an "it's like..." pair.

A *record* is the export's shape of a film (see `film_to_record`). Pure: no SQL, no Discord.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from bot.domain.dataset import title_key
from bot.domain.models import AVAILABILITY_KINDS, Availability, Film, Link, Score
from bot.domain.records import (GENRES, IMDB_PATTERN, LIST_KEYS, REGIONS, RUNTIME_RANGE, YEAR_RANGE, check_link,
                                check_record, is_int, valid_date)

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
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- reading bytes


def unpack(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise ImportFormatError(f"the file looks gzipped but cannot be unpacked: {error}") from None
    return data


def decode(data: bytes) -> str:
    try:
        return unpack(data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(f"the file is not UTF-8 text (byte {error.start})") from None


def _csv_records(text: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells), so a quoted field spanning lines still reports where it starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFormatError(f"line {reader.line_num}: the CSV cannot be read: {error}") from None
        yield start, cells
        start = reader.line_num + 1


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
        parsed.rows.append(ParsedRow(line, {"mode": "replace", "film": record}))


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


def _json_array_items(text: str, key: str | None) -> Iterator[tuple[int, object]]:
    """(line, element) of the array under top-level `key` (or the top-level array), with line numbers."""
    decoder = json.JSONDecoder()
    if key is None:
        position = text.index("[")
    else:
        match = re.search(rf'(?<!\\)"{re.escape(key)}"\s*:\s*\[', text)
        if match is None:
            return
        position = match.end() - 1
    position += 1
    line = text.count("\n", 0, position) + 1
    counted = position
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return
        line += text.count("\n", counted, position)
        counted = position
        item, position = decoder.raw_decode(text, position)
        yield line, item


def parse_json(data: bytes, *, vocabulary: Any = None, services: Any = None) -> ParsedFile:
    """Our JSON export (or a bare list of film records)."""
    text = decode(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(f"line {error.lineno}: not valid JSON: {error.msg}") from None
    parsed = ParsedFile("json")
    if isinstance(document, list):
        _film_rows(parsed, _json_array_items(text, None), vocabulary, services)
        return parsed
    if not isinstance(document, dict) or not isinstance(document.get("films"), list):
        raise ImportFormatError('expected a Marquee export: an object with a "films" list')
    version = document.get("version", FORMAT_VERSION)
    if document.get("format", FORMAT_NAME) != FORMAT_NAME or not is_int(version) or version > FORMAT_VERSION:
        raise ImportFormatError(f"this is a {document.get('format')} v{document.get('version')} file; "
                                f"this Marquee reads {FORMAT_NAME} v{FORMAT_VERSION}")
    _film_rows(parsed, _json_array_items(text, "films"), vocabulary, services)
    if document.get("links") is not None:
        if not isinstance(document["links"], list):
            raise ImportFormatError('"links" must be a list')
        _link_rows(parsed, _json_array_items(text, "links"))
    return parsed


def _parse_list_cell(cell: str) -> list[str]:
    cell = cell.strip()
    if not cell:
        return []
    if cell.startswith("["):
        value = json.loads(cell)
        if not isinstance(value, list):
            raise ValueError("expected a list")
        return value
    return [item.strip() for item in cell.split(CSV_LIST_SEPARATOR) if item.strip()]


def parse_csv(data: bytes, *, vocabulary: Any = None, services: Any = None) -> ParsedFile:
    """Our CSV export (columns as `CSV_COLUMNS`; only id and title are required)."""
    records = _csv_records(decode(data))
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
        cell = {name: cells[n] for name, n in columns.items()}
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
                raise ValueError(f"{key} {text!r} is not a whole number") from None
    for key in LIST_KEYS:
        if key in cell:
            try:
                record[key] = _parse_list_cell(cell[key])
            except ValueError:
                raise ValueError(f"{key} is neither a|b|c nor a JSON list") from None
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
            raise ValueError(f"popularity {cell['popularity']!r} is not a number") from None
    row_links: list[object] = []
    for key in ("availability", "scores", "links"):
        text = cell.get(key, "").strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{key} is not valid JSON") from None
        if not isinstance(value, list):
            raise ValueError(f"{key} must be a JSON list")
        if key == "links":
            row_links = value
        else:
            record[key] = value
    return record, row_links


# --------------------------------------------------------------------------- streaming catalogue CSV


def parse_streaming(data: bytes, *, service: str, region: str, date: str, kind: str = "subscription",
                    source: str | None = None) -> ParsedFile:
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
    records = _csv_records(decode(data))
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


def _genres(names: Iterable[str]) -> list[str]:
    out = []
    for name in names:
        name = GENRE_ALIASES.get(name.strip(), name.strip())
        if name in GENRES and name not in out:
            out.append(name)
    return out


def _movielens_files(data: bytes) -> tuple[bytes, bytes | None]:
    if data[:4] != b"PK\x03\x04":
        return data, None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.rsplit("/", 1)[-1]: name for name in archive.namelist()}
            if "movies.csv" not in names:
                raise ImportFormatError("the zip has no movies.csv; is it a MovieLens download?")
            movies = archive.read(names["movies.csv"])
            links = archive.read(names["links.csv"]) if "links.csv" in names else None
    except zipfile.BadZipFile as error:
        raise ImportFormatError(f"the zip cannot be read: {error}") from None
    return movies, links


def parse_movielens(movies: bytes, links: bytes | None = None) -> ParsedFile:
    """MovieLens `movies.csv` (+ `links.csv` for IMDb ids), or the zip holding both. Adds films the
    catalogue lacks and fills gaps (imdb id, genres, year) in the films it has."""
    if links is None:
        movies, links = _movielens_files(movies)
    parsed = ParsedFile("movielens")
    imdb_by_movie: dict[str, str] = {}
    if links is not None:
        records = _csv_records(decode(links))
        columns = _header(records, ("movieid", "imdbid"), "MovieLens links.csv")
        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                parsed.bad(line, f"links.csv: {len(cells)} cells, expected {len(columns)}")
                continue
            movie_id, imdb = cells[columns["movieid"]].strip(), cells[columns["imdbid"]].strip()
            if not movie_id.isdigit() or not imdb.isdigit() or len(imdb) > 8:
                parsed.bad(line, f"links.csv: movieId {movie_id!r} / imdbId {imdb!r} must be numbers")
                continue
            imdb_by_movie[movie_id] = f"tt{int(imdb):07d}"
    records = _csv_records(decode(movies))
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
        if not movie_id.isdigit():
            reasons.append(f"movieId {movie_id!r} is not a number")
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
            record["genres"] = genres
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


def parse_imdb_basics(data: bytes, *, keep: Callable[[str, str, int | None], bool] | None = None) -> ParsedFile:
    """IMDb `title.basics.tsv(.gz)`: tab separated, `\\N` for missing, no quoting. Movies only, and only
    to fill gaps in films the catalogue has (IMDb lists every title ever made). `keep(imdb, title, year)`
    drops rows early, so the full file does not have to be held as rows."""
    parsed = ParsedFile("imdb", skipped_what="titles that are not movies (or not in the catalogue)")
    stream = io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)) if data[:2] == b"\x1f\x8b"
                              else io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        header = stream.readline().rstrip("\r\n").lower().split("\t")
        missing = [c for c in IMDB_COLUMNS if c not in header]
        if missing:
            raise ImportFormatError(f"not an IMDb title.basics file: the header lacks {', '.join(missing)}")
        col = {name: header.index(name) for name in IMDB_COLUMNS}
        line = 1
        for raw in stream:
            line += 1
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
                if not raw_number.isdigit():
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
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise ImportFormatError(f"the file cannot be read: {error}") from None
    return parsed


# --------------------------------------------------------------------------- entry point


def parse_file(data: bytes, format: str, *, vocabulary: Any = None, services: Any = None,
               service: str | None = None, region: str | None = None, date: str | None = None,
               kind: str = "subscription", source: str | None = None, extra: bytes | None = None,
               keep: Callable[[str, str, int | None], bool] | None = None) -> ParsedFile:
    """Parse an import file in `format` (one of IMPORT_FORMATS). Raises ImportFormatError when the file as a
    whole is unreadable; bad rows are in `.problems`."""
    if format == "json":
        return parse_json(data, vocabulary=vocabulary, services=services)
    if format == "csv":
        return parse_csv(data, vocabulary=vocabulary, services=services)
    if format == "streaming":
        return parse_streaming(data, service=service or "", region=region or "", date=date or "", kind=kind,
                               source=source)
    if format == "movielens":
        return parse_movielens(data, extra)
    if format == "imdb":
        return parse_imdb_basics(data, keep=keep)
    raise ImportFormatError(f"unknown format {format!r}; use one of {', '.join(IMPORT_FORMATS)}")
