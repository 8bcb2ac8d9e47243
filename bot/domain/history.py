"""Bringing a film history from elsewhere: Letterboxd's export and IMDb's ratings and watchlist CSVs.

`parse_history(data, filename)` reads one upload: Letterboxd's export ZIP (only its `watched.csv`,
`ratings.csv` and `watchlist.csv` are read, streamed, never extracted), one of those three CSVs, or an IMDb
ratings or watchlist CSV. It returns `HistoryRow`s (what the person saw, rated, wants to watch) and one
`Problem` per malformed row, naming its file and line. A file that cannot be read at all, or passes a limit
(`MAX_UPLOAD_BYTES`, `MAX_UNPACKED_BYTES`, `MAX_ROWS`, `MAX_LINE_BYTES`), raises `HistoryFileError` /
`HistoryLimitError` with a message saying why.

Ratings become Marquee's whole stars (1-5), rounding up so nobody's rating drops: Letterboxd's half stars
(0.5-5) round up (3.5 -> 4, 0.5 -> 1); IMDb's 1-10 is halved and rounded up (7 -> 4, 10 -> 5, 1 -> 1).

`HistoryMatcher` finds the catalogue's film for a row: by IMDb id when the row has one (an IMDb file), else
by exact title, original title or alias (folded as the title index folds them) with the same year, or a
year one off when only one film of that name is that close. Anything else is unmatched, never a guess: no
year, several films of that name in that year, or a film whose IMDb id says it is another film.

Pure: no SQL, no Discord.
"""
from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO, Iterable, Iterator, Sequence

from bot.domain.catalog import Catalog
from bot.domain.interchange import formula_guarded
from bot.domain.models import Film
from bot.domain.search import TitleIndex

MAX_UPLOAD_BYTES = 2_000_000  # the attachment as uploaded (a Letterboxd ZIP of 5,000 films is ~200 kB)
MAX_UNPACKED_BYTES = 20_000_000  # the ZIP's known members, read in all
MAX_ROWS = 50_000  # rows in all the files of one upload
MAX_LINE_BYTES = 100_000  # one line of a CSV
MAX_PROBLEMS = 20  # malformed rows listed before the parser stops looking

LETTERBOXD_FILES = {"watched.csv": "seen", "ratings.csv": "rating", "watchlist.csv": "watchlist"}
# Letterboxd's export also holds these folders; a list called "watchlist" would be lists/watchlist.csv.
LETTERBOXD_SKIPPED_FOLDERS = {"lists", "likes", "deleted", "orphaned"}
# IMDb title types that are films; other rows (series, episodes, games) only match by IMDb id.
IMDB_FILM_TYPES = {"movie", "tv movie", "tvmovie", "video", ""}
_IMDB_ID = re.compile(r"^tt\d{7,10}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

KINDS = ("seen", "rating", "watchlist")


def _shown(text: str, limit: int = 40) -> str:
    """A value from the file, short enough to quote in an answer."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


class HistoryFileError(ValueError):
    """The upload as a whole cannot be read; the message says why (and where, when it can)."""


class HistoryLimitError(HistoryFileError):
    """The upload is bigger than an import may be; the message names the limit."""


@dataclass(frozen=True, slots=True)
class HistoryRow:
    source: str  # the file it came from: "ratings.csv", or the uploaded file's name
    line: int  # where the row starts in that file (the header is line 1)
    kind: str  # "seen", "rating" or "watchlist"
    title: str
    year: int | None = None
    imdb: str | None = None
    original_title: str | None = None
    stars: int | None = None  # Marquee's stars, for a rating
    given: str | None = None  # the rating as the file wrote it ("3.5", "7")
    title_type: str | None = None  # IMDb's "Title Type" ("Movie", "TV Series"...)
    rounded: bool = False  # the rating was rounded up to a whole star


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source} line {self.line}: {self.reason}"


@dataclass(slots=True)
class ParsedHistory:
    origin: str  # "Letterboxd" or "IMDb"
    files: list[str] = field(default_factory=list)
    rows: list[HistoryRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scale: str | None = None  # "letterboxd" or "imdb": how its ratings were mapped


def rating_note(scale: str | None, ratings: int, rounded: int) -> str | None:
    """How `ratings` ratings on `scale` became whole stars (`rounded` of them rounded up), for the answer."""
    if not ratings:
        return None
    if scale == "imdb":
        return (f"IMDb's 1-10 halved and rounded up to whole stars (7 → 4★, 10 → 5★): {ratings:,} rating(s), "
                f"{rounded:,} of them rounded up")
    others = "" if rounded == ratings else "; the others were whole stars already"
    return f"half stars rounded up (3.5 → 4★, 0.5 → 1★): {rounded:,} of {ratings:,} rating(s){others}"


def letterboxd_stars(text: str) -> tuple[int, bool]:
    """Letterboxd's 0.5-5 in half stars as whole stars (rounded up), and whether it was rounded."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"the rating {_shown(text)!r} is not a number of stars from 0.5 to 5") from None
    if not (math.isfinite(value) and 0.5 <= value <= 5 and (value * 2).is_integer()):
        raise ValueError(f"the rating {_shown(text)!r} is not a number of stars from 0.5 to 5 in half stars")
    stars = math.ceil(value)
    return stars, stars != value


def imdb_stars(text: str) -> tuple[int, bool]:
    """IMDb's 1-10 as whole stars: halved, rounded up (7 -> 4); and whether it was rounded."""
    if not (text.isascii() and text.isdecimal() and 1 <= int(text) <= 10):
        raise ValueError(f"the rating {_shown(text)!r} is not a whole number from 1 to 10")
    value = int(text)
    return math.ceil(value / 2), value % 2 == 1


# --------------------------------------------------------------------------- reading the upload


class _Budget:
    """Bytes and rows read so far, across every file of one upload."""

    def __init__(self, unpacked: int) -> None:
        self.unpacked, self.bytes, self.rows = unpacked, 0, 0

    def take_bytes(self, n: int, what: str) -> None:
        self.bytes += n
        if self.bytes > self.unpacked:
            raise HistoryLimitError(f"the files read unpack to more than {self.unpacked / 1e6:,.0f} MB (the limit; "
                                    f"stopped in {_shown(what)})")

    def take_row(self) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise HistoryLimitError(f"the upload has more than {MAX_ROWS:,} rows, the limit for one import")


def _text_lines(stream: IO[bytes], what: str, budget: _Budget) -> Iterator[str]:
    """The stream's lines decoded one at a time (so a bad byte is reported on its own line), line ends kept."""
    number = 0
    while True:
        try:
            raw = stream.readline(MAX_LINE_BYTES + 1)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
            raise HistoryFileError(f"{what} cannot be unpacked: {error}") from None
        if not raw:
            return
        number += 1
        budget.take_bytes(len(raw), what)
        if len(raw) > MAX_LINE_BYTES:
            raise HistoryLimitError(f"line {number} of {what} is longer than {MAX_LINE_BYTES:,} bytes, the limit "
                                    "for one line")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HistoryFileError(f"{what} is not UTF-8 text (line {number}); is it a CSV export?") from None


def _records(lines: Iterable[str], what: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells)."""
    reader = csv.reader(lines, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise HistoryFileError(f"{what} is not a readable CSV file at line {reader.line_num}: {error}") from None
        yield start, cells
        start = reader.line_num + 1


def _header(records: Iterator[tuple[int, list[str]]], what: str) -> tuple[dict[str, int], int]:
    """The header's columns (name folded -> position; the first of a repeated name) and how many there are."""
    for _line, cells in records:
        if any(c.strip() for c in cells):
            columns: dict[str, int] = {}
            for n, name in enumerate(cells):
                columns.setdefault(name.strip().casefold(), n)
            return columns, len(cells)
    raise HistoryFileError(f"{what} is empty")


def _required(columns: dict[str, int], names: Sequence[str], what: str, origin: str) -> None:
    missing = [n for n in names if n.casefold() not in columns]
    if missing:
        raise HistoryFileError(f"{what} lacks the column(s) {', '.join(missing)}; is it {origin}'s export, "
                               "unchanged?")


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal() and 1870 <= int(text) <= 2200):
        raise ValueError(f"the year {_shown(text)!r} is not a year")
    return int(text)


def _kind_of(filename: str, columns: dict[str, int]) -> tuple[str, str]:
    """(origin, kind) of one CSV from its columns (and, for Letterboxd's two look-alike lists, its name)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].casefold()
    if "const" in columns:
        if "position" in columns:
            return "IMDb", "watchlist"
        if "your rating" in columns:
            return "IMDb", "rating"
        raise HistoryFileError(f"{base or 'the file'} looks like an IMDb list but is neither the ratings export "
                               "(a \"Your Rating\" column) nor the watchlist export (a \"Position\" column)")
    if "letterboxd uri" in columns or ("name" in columns and "year" in columns):
        if base in LETTERBOXD_FILES:
            return "Letterboxd", LETTERBOXD_FILES[base]
        if "rating" in columns:
            return "Letterboxd", "rating"
        if "watchlist" in base:
            return "Letterboxd", "watchlist"
        if "watched" in base or "diary" in base:
            return "Letterboxd", "seen"
        raise HistoryFileError("a Letterboxd watched.csv and watchlist.csv look alike: upload the file with its "
                               "own name (watched.csv or watchlist.csv), or the whole export ZIP")
    shown = ", ".join(_shown(c) for c in list(columns)[:8]) or "nothing"
    raise HistoryFileError("this is not a Letterboxd or IMDb export: its first line has the columns "
                           f"{shown}, not Letterboxd's Name and Year or IMDb's Const")


def _parse_csv(stream: IO[bytes], source: str, parsed: ParsedHistory, budget: _Budget,
               expect: str | None = None) -> None:
    """Read one CSV into `parsed`. `expect` is the kind a ZIP member's name says it holds."""
    records = _records(_text_lines(stream, source, budget), source)
    columns, width = _header(records, source)
    origin, kind = _kind_of(source, columns)
    if expect is not None:
        kind = expect
    if parsed.origin and parsed.origin != origin:
        raise HistoryFileError(f"{source} is an {origin} file inside a {parsed.origin} export")
    parsed.origin = origin
    parsed.files.append(source)
    if origin == "Letterboxd":
        _required(columns, ("Name", "Year") + (("Rating",) if kind == "rating" else ()), source, origin)
    else:
        _required(columns, ("Const",) + (("Your Rating",) if kind == "rating" else ()), source, origin)
    parsed.scale = parsed.scale or ("imdb" if origin == "IMDb" else "letterboxd")
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        budget.take_row()
        if len(cells) != width:
            parsed.problems.append(Problem(source, line, f"{len(cells)} cells, expected {width} like the header"))
        else:
            try:
                row = _row(cells, columns, origin, kind, source, line)
            except ValueError as error:
                parsed.problems.append(Problem(source, line, str(error)))
            else:
                parsed.rows.append(row)
        if len(parsed.problems) >= MAX_PROBLEMS:
            return


def _row(cells: list[str], columns: dict[str, int], origin: str, kind: str, source: str, line: int) -> HistoryRow:
    def cell(name: str) -> str:
        n = columns.get(name.casefold())
        return cells[n].strip() if n is not None else ""

    stars, given, rounded = None, None, False
    if origin == "Letterboxd":
        title, year, imdb, original, title_type = cell("Name"), _year(cell("Year")), None, None, None
        if kind == "rating":
            given = cell("Rating")
            if given:
                stars, rounded = letterboxd_stars(given)
            else:
                kind = "seen"  # a diary entry without a rating: watched, not rated
    else:
        imdb = cell("Const")
        if not _IMDB_ID.match(imdb):
            raise ValueError(f"{_shown(imdb)!r} is not an IMDb id (tt followed by digits)")
        title, original, title_type = cell("Title"), cell("Original Title") or None, cell("Title Type") or None
        year = _year(cell("Year")) if "year" in columns else None
        if kind == "rating":
            given = cell("Your Rating")
            stars, rounded = imdb_stars(given)
    if not title and not imdb:
        raise ValueError("no title")
    return HistoryRow(source, line, kind, title, year, imdb, original, stars, given, title_type, rounded)


def _zip_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The known Letterboxd files in the archive, at its top level or in one folder (a re-zipped export);
    never a list that happens to be called "watchlist"."""
    found: dict[str, tuple[int, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        parts = info.filename.replace("\\", "/").split("/")
        name = parts[-1].casefold()
        if name not in LETTERBOXD_FILES or len(parts) > 2 or info.is_dir():
            continue
        if len(parts) == 2 and parts[0].casefold() in LETTERBOXD_SKIPPED_FOLDERS:
            continue
        if name not in found or len(parts) < found[name][0]:
            found[name] = (len(parts), info)
    return {name: info for name, (_depth, info) in found.items()}


def parse_history(data: bytes, filename: str = "", *, unpacked: int = MAX_UNPACKED_BYTES) -> ParsedHistory:
    """Read an upload (see the module docstring). Raises HistoryFileError for a file that cannot be read."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise HistoryLimitError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
    if not data.strip():
        raise HistoryFileError("the file is empty")
    parsed = ParsedHistory(origin="")
    budget = _Budget(unpacked)
    if data[:4] == b"PK\x03\x04" or filename.casefold().endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = _zip_members(archive)
                if not members:
                    raise HistoryFileError("the ZIP has no watched.csv, ratings.csv or watchlist.csv; is it "
                                           "Letterboxd's export (Settings → Data → Export your data)?")
                for name in sorted(members, key=list(LETTERBOXD_FILES).index):
                    try:
                        with archive.open(members[name]) as member:
                            _parse_csv(member, name, parsed, budget, expect=LETTERBOXD_FILES[name])
                    except (RuntimeError, NotImplementedError) as error:  # encrypted, unknown compression
                        raise HistoryFileError(f"{name} in the ZIP cannot be read: {error}") from None
                    if len(parsed.problems) >= MAX_PROBLEMS:
                        break
        except zipfile.BadZipFile as error:
            raise HistoryFileError(f"the ZIP cannot be read: {error}") from None
        if parsed.origin != "Letterboxd":
            raise HistoryFileError("only Letterboxd's export comes as a ZIP; upload IMDb's CSV as it is")
        return parsed
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "the file"
    _parse_csv(io.BytesIO(data), name, parsed, budget)
    return parsed


# --------------------------------------------------------------------------- matching


class HistoryMatcher:
    """Which catalogue film a row is about (see the module docstring). Built from the catalogue and its
    title index as they are when the import runs."""

    def __init__(self, catalog: Catalog, titles: TitleIndex) -> None:
        self.catalog = catalog
        self.titles = titles
        self.by_imdb: dict[str, Film] = {}
        for film in catalog:
            if film.imdb_id:
                self.by_imdb.setdefault(film.imdb_id, film)

    def match(self, row: HistoryRow) -> tuple[Film | None, str]:
        """The film, or None and why not."""
        if row.imdb:
            film = self.by_imdb.get(row.imdb)
            if film is not None:
                return film, ""
            if (row.title_type or "").casefold() not in IMDB_FILM_TYPES:
                return None, f"not in the catalogue ({row.title_type}, {row.imdb})"
        if not row.title:
            return None, "no title"
        if row.year is None:
            return None, "no year to tell which film it is"
        names = [row.title] + ([row.original_title] if row.original_title else [])
        candidates: dict[str, Film] = {}
        for name in names:
            for film in self.titles.named(name):
                # A film the catalogue knows by another IMDb id is another film of the same name.
                if row.imdb and film.imdb_id and film.imdb_id != row.imdb:
                    continue
                candidates[film.id] = film
        if not candidates:
            return None, "no film of that title in the catalogue"
        same = [f for f in candidates.values() if f.year == row.year]
        if len(same) == 1:
            return same[0], ""
        if same:
            return None, f"{len(same)} films of that title from {row.year}"
        near = [f for f in candidates.values() if f.year is not None and abs(f.year - row.year) == 1]
        if len(near) == 1:
            return near[0], ""
        if near:
            return None, f"{len(near)} films of that title a year off {row.year}"
        years = sorted({str(f.year) for f in candidates.values() if f.year})
        return None, f"only from {', '.join(years[:5])} in the catalogue" if years else "no year in the catalogue"


@dataclass(slots=True)
class HistoryPlan:
    """What to write: film ids by list (first mention first; a film rated twice keeps the last rating),
    and the rows that matched nothing, with why."""

    seen: dict[str, None] = field(default_factory=dict)
    ratings: dict[str, int] = field(default_factory=dict)
    watchlist: dict[str, None] = field(default_factory=dict)
    unmatched: list[tuple[HistoryRow, str]] = field(default_factory=list)
    matched: int = 0
    ratings_read: int = 0  # matched rating rows, and how many of them were rounded up
    rounded: int = 0

    def add(self, row: HistoryRow, film: Film) -> None:
        self.matched += 1
        if row.kind == "watchlist":
            self.watchlist[film.id] = None
            return
        self.seen[film.id] = None  # a rated film was seen, as /rate counts it
        if row.kind == "rating" and row.stars is not None:
            self.ratings_read += 1
            self.rounded += row.rounded
            self.ratings.pop(film.id, None)
            self.ratings[film.id] = row.stars

    def miss(self, row: HistoryRow, reason: str) -> None:
        self.unmatched.append((row, reason))


UNMATCHED_COLUMNS = ("file", "line", "list", "title", "year", "imdb_id", "your_rating", "why")


def _cell(value: object) -> str:
    """A cell of the unmatched file as the catalogue's CSV export writes one: a formula start guarded with
    an apostrophe (bot.domain.interchange.formula_guarded), and control characters made spaces."""
    return _CONTROL.sub(" ", formula_guarded("" if value is None else str(value)))


def unmatched_csv(unmatched: Sequence[tuple[HistoryRow, str]]) -> bytes:
    """The rows that matched no film, as a CSV to fix and import again or to keep."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(UNMATCHED_COLUMNS)
    for row, reason in unmatched:
        writer.writerow([_cell(v) for v in (row.source, row.line, row.kind, row.title, row.year, row.imdb,
                                            row.given, reason)])
    return buffer.getvalue().encode("utf-8")
