"""The one record validator: every film fact that enters the catalogue — the shipped data files, imports,
admin edits, refreshes from outside services — is checked here, by the same rules, in the same words.

A *record* is the interchange shape of a film (`bot.domain.interchange.film_to_record`). The shipped
data has its own file shapes (curated TOML, the base and recent layers' JSON lines); `bot.domain.dataset`
turns each into a record and asks `check_record`. Pure: no SQL, no Discord.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import unicodedata
from typing import Any, Mapping, TypeGuard

from bot.domain.models import AVAILABILITY_KINDS, SCORE_KINDS

GENRES = (
    "Drama", "Comedy", "Romance", "Action", "Crime", "Thriller", "Horror", "Documentary", "Sci-Fi",
    "Fantasy", "Adventure", "Musical", "Biography", "Mystery", "War", "Family", "Animation",
    "Western", "Sport", "History", "Music",
)
# Films exist from 1888 (Roundhay Garden Scene); next year's are announced, not further.
YEAR_RANGE = (1888, dt.date.today().year + 1)
# The longest features run about ten hours; anything above is a mistake (or seconds typed as minutes).
RUNTIME_RANGE = (1, 600)
PRIMARY_GENRES_MAX = 3
MAX_PITCH = 200
MAX_REASON = 150
MAX_TITLE = 200  # titles, original titles and aliases
MAX_NAME = 100  # a person, a country, a language, a series
MAX_NOTES = 300
MAX_SOURCE = 120
MAX_NAMES = 150  # names in one list (a whole cast fits: the longest in the base layer has 114)
MAX_SERIES_ORDER = 200
# Popularity is a ranking prior on a log scale (the base layer's is log10 of the review count, under 7);
# far beyond that is a mistake, not a very popular film.
MAX_POPULARITY = 100.0

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
IMDB_PATTERN = re.compile(r"tt\d{7,8}")
MONTH = re.compile(r"(\d{4})-(\d{2})")
DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

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

# Fields of a record, by kind.
LIST_KEYS = ("directors", "writers", "cast", "countries", "languages", "genres", "tags", "aliases",
             "secondary_genres", "secondary_countries", "secondary_languages")
TEXT_LIMITS = {"title": MAX_TITLE, "original_title": MAX_TITLE, "certificate": 20, "pitch": MAX_PITCH,
               "notes": MAX_NOTES, "series": MAX_NAME, "method": 40}
LIST_ITEM_LIMITS = {"aliases": MAX_TITLE, "tags": 40}
MULTILINE = frozenset({"notes"})
RECORD_KEYS = frozenset({
    "id", "title", "original_title", "year", "runtime_minutes", "directors", "writers", "cast", "billed",
    "countries", "languages", "genres", "secondary_genres", "secondary_countries", "secondary_languages",
    "certificate", "tags", "pitch", "aliases", "notes", "series", "series_order", "curated", "popularity",
    "method", "availability", "scores", "external_ids",
})
AVAILABILITY_KEYS = frozenset({"service", "region", "kind", "checked", "source"})
SCORE_KEYS = frozenset({"kind", "value", "source", "as_of", "count"})

# Zero-width joiners shape Indic and Arabic scripts; every other format character (bidi overrides,
# invisible separators) and every control character is refused in text.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """A finite real number that fits a float (NaN, ±infinity and 400-digit integers are refused
    everywhere numbers enter)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def valid_month(text: object) -> bool:
    match = MONTH.fullmatch(text) if isinstance(text, str) else None
    return match is not None and 1 <= int(match.group(2)) <= 12


def valid_date(text: object) -> bool:
    """YYYY-MM or a real YYYY-MM-DD (2023-02-31 is not)."""
    if valid_month(text):
        return True
    try:
        return bool(isinstance(text, str) and DAY.fullmatch(text) and dt.date.fromisoformat(text))
    except ValueError:
        return False


def text_problem(value: object, what: str, limit: int, *, lines: bool = False) -> str | None:
    """Why `value` is not acceptable text of at most `limit` characters, or None. Text is one line unless
    `lines` allows line breaks (\n only: never \r, U+2028 or other separators)."""
    if not isinstance(value, str) or not value.strip():
        return f"{what} must be non-empty text"
    if len(value) > limit:
        return f"{what} is {len(value):,} characters; at most {limit}"
    # What is refused below is never printable, and nearly all text is: one C call settles it.
    if (value.replace("\n", "") if lines else value).isprintable():
        return None
    for char in value:
        if char == "\n" and lines:
            continue
        if char in "\n\r\u2028\u2029\x85":
            return f"{what} must be one line" if not lines else f"{what} may break lines only with \\n"
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or (category == "Cf" and char not in _ALLOWED_FORMAT):
            return f"{what} contains a control or invisible character (U+{ord(char):04X})"
    return None


def check_availability(entry: object, services: Any = None) -> tuple[dict[str, Any] | None, list[str]]:
    """One availability entry, its service resolved to the canonical key, or the reasons it is wrong."""
    if not isinstance(entry, dict):
        return None, ["availability entries must be objects"]
    out: list[str] = []
    unknown = sorted(set(entry) - AVAILABILITY_KEYS)
    if unknown:
        out.append(f"availability has unknown keys {unknown}")
    service = entry.get("service")
    if not isinstance(service, str) or not service.strip():
        out.append("availability needs a service")
    elif services is not None:
        found = services.resolve(service)
        if found is None:
            out.append(f"unknown service {service!r}")
        else:
            service = found.key
    region = entry.get("region")
    if not isinstance(region, str) or region.upper() not in REGIONS:
        out.append(f"region {region!r} is not an ISO 3166-1 alpha-2 code (e.g. US, GB)")
    if entry.get("kind") not in AVAILABILITY_KINDS:
        out.append(f"kind {entry.get('kind')!r} must be one of {', '.join(AVAILABILITY_KINDS)}")
    if not valid_month(entry.get("checked")):
        out.append(f"checked {entry.get('checked')!r} must be YYYY-MM")
    source = entry.get("source")
    if source is not None and (problem := text_problem(source, "availability source", MAX_SOURCE)):
        out.append(problem)
    if out or not isinstance(region, str):  # a region that is not text is already in `out`
        return None, out
    return {"service": service, "region": region.upper(), "kind": entry["kind"], "checked": entry["checked"],
            "source": source}, []


def check_score(entry: object) -> list[str]:
    if not isinstance(entry, dict):
        return ["scores entries must be objects"]
    out = []
    unknown = sorted(set(entry) - SCORE_KEYS)
    if unknown:
        out.append(f"score has unknown keys {unknown}")
    if entry.get("kind") not in SCORE_KINDS:
        out.append(f"score kind {entry.get('kind')!r} must be one of {', '.join(SCORE_KINDS)}")
    if not (is_int(entry.get("value")) and 0 <= entry["value"] <= 100):
        out.append(f"score value {entry.get('value')!r} must be a whole number 0-100")
    if (problem := text_problem(entry.get("source"), "score source", MAX_SOURCE)) is not None:
        out.append("score source is required" if entry.get("source") is None else problem)
    if entry.get("as_of") is not None and not valid_date(entry["as_of"]):
        out.append(f"score as_of {entry.get('as_of')!r} must be YYYY-MM or YYYY-MM-DD")
    if entry.get("count") is not None and not (is_int(entry["count"]) and entry["count"] >= 0):
        out.append("score count must be a whole number >= 0")
    return out


def _list_problems(key: str, value: object) -> list[str]:
    if not isinstance(value, list):
        return [f"{key} must be a list of names"]
    out: list[str] = []
    if len(value) > MAX_NAMES:
        out.append(f"{key} lists {len(value)} entries; at most {MAX_NAMES}")
    limit = LIST_ITEM_LIMITS.get(key, MAX_NAME)
    for item in value:
        if (problem := text_problem(item, f"an entry of {key}", limit)) is not None:
            out.append(problem)
            break
    if not out and len({v.casefold() for v in value}) != len(value):
        out.append(f"{key} repeats an entry")
    return out


def check_record(record: object, *, vocabulary: Any = None, services: Any = None,
                 partial: bool = False) -> tuple[dict[str, Any] | None, list[str]]:
    """Check one film record; return it normalised (service keys, region case), or the reasons it is wrong.

    `partial` records (fill/match rows) may leave out anything but the title.
    """
    if not isinstance(record, dict):
        return None, ["a film must be an object"]
    out: list[str] = []
    rec = dict(record)
    unknown = sorted(set(rec) - RECORD_KEYS)
    if unknown:
        out.append(f"unknown keys {unknown}")
    film_id = rec.get("id")
    if film_id is not None and (not isinstance(film_id, str) or not ID_PATTERN.fullmatch(film_id)):
        out.append(f"id {film_id!r} must be lower-case letters/digits joined by single hyphens")
    if not partial and not film_id:
        out.append("id is required")
    if rec.get("title") is None:
        out.append("title is required")
    for key, limit in TEXT_LIMITS.items():
        value = rec.get(key)
        if value is not None and (problem := text_problem(value, key, limit, lines=key in MULTILINE)) is not None:
            out.append(problem)
    year = rec.get("year")
    if year is not None and not (is_int(year) and YEAR_RANGE[0] <= year <= YEAR_RANGE[1]):
        out.append(f"year {short_repr(year)} must be a whole number {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    runtime = rec.get("runtime_minutes")
    if runtime is not None and not (is_int(runtime) and RUNTIME_RANGE[0] <= runtime <= RUNTIME_RANGE[1]):
        out.append(f"runtime {short_repr(runtime)} must be whole minutes {RUNTIME_RANGE[0]}-{RUNTIME_RANGE[1]}")
    for key in LIST_KEYS:
        if rec.get(key) is not None:
            out += _list_problems(key, rec[key])
    for key in ("genres", "secondary_genres"):
        genres = rec.get(key)
        if isinstance(genres, list):
            odd = [g for g in genres if g not in GENRES]
            if odd:
                out.append(f"{key} {odd} not among {', '.join(GENRES)}")
    if isinstance(rec.get("genres"), list) and len(rec["genres"]) > PRIMARY_GENRES_MAX:
        out.append(f"{len(rec['genres'])} primary genres; at most {PRIMARY_GENRES_MAX} (put the rest in "
                   "secondary_genres)")
    if vocabulary is not None and isinstance(rec.get("tags"), list):
        unknown_tags = [t for t in rec["tags"] if isinstance(t, str) and t not in vocabulary]
        if unknown_tags:
            out.append(f"tags not in the vocabulary: {', '.join(map(str, unknown_tags))}")
    billed = rec.get("billed")
    if billed is not None and not (is_int(billed) and 0 <= billed <= len(rec.get("cast") or [])):
        out.append("billed must count names of the cast")
    order = rec.get("series_order")
    if order is not None:
        if not (is_int(order) and 0 <= order <= MAX_SERIES_ORDER):
            out.append(f"series_order {short_repr(order)} must be a whole number 0-{MAX_SERIES_ORDER}")
        elif rec.get("series") is None:
            out.append("series_order needs a series")
    if "curated" in rec and not isinstance(rec["curated"], bool):
        out.append("curated must be true or false")
    popularity = rec.get("popularity")
    if popularity is not None and not (is_number(popularity) and 0 <= popularity <= MAX_POPULARITY):
        out.append(f"popularity {short_repr(popularity)} must be a finite number 0-{MAX_POPULARITY:g}")
    ids = rec.get("external_ids")
    if ids is not None:
        if not isinstance(ids, dict) or set(ids) - {"imdb"}:
            out.append("external_ids may only hold imdb")
        elif ids.get("imdb") is not None and not (isinstance(ids["imdb"], str)
                                                  and IMDB_PATTERN.fullmatch(ids["imdb"])):
            out.append(f"imdb {short_repr(ids.get('imdb'))} is not tt + 7-8 digits")
    availability = rec.get("availability")
    if availability is not None:
        if not isinstance(availability, list):
            out.append("availability must be a list")
        else:
            fixed = []
            for entry in availability:
                checked, reasons = check_availability(entry, services)
                out += reasons
                fixed.append(checked)
            keys = [(a["service"], a["region"], a["kind"]) for a in fixed if a]
            if len(set(keys)) != len(keys):
                out.append("availability repeats a service/region/kind")
            rec["availability"] = fixed
    scores = rec.get("scores")
    if scores is not None:
        if not isinstance(scores, list):
            out.append("scores must be a list")
        else:
            for entry in scores:
                out += check_score(entry)
            kinds = [s.get("kind") for s in scores if isinstance(s, dict)]
            if len(set(kinds)) != len(kinds):
                out.append("scores repeat a kind")
    return (None, out) if out else (rec, [])


def check_link(a: object, b: object, reason: object) -> list[str]:
    out = []
    for end in (a, b):
        if not isinstance(end, str) or not ID_PATTERN.fullmatch(end):
            out.append(f"link end {short_repr(end)} is not a film id")
    if a == b:
        out.append("a film cannot be linked to itself")
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
        out.append("a link needs a one-line reason")
    elif (problem := text_problem(reason, "link reason", MAX_REASON)) is not None:
        out.append(problem)
    return out


def series_problems(films: Mapping[str, tuple[str | None, int | None]]) -> list[tuple[str, str]]:
    """(film id, problem) for each film whose position in its series another film already holds."""
    seen: dict[tuple[str, int], str] = {}
    out = []
    for film_id, (series, order) in films.items():
        if series is None or order is None:
            continue
        key = (series.casefold(), order)
        if key in seen:
            out.append((film_id, f"series {series!r} #{order} is also {seen[key]}"))
        else:
            seen[key] = film_id
    return out


def short_repr(value: object) -> str:
    """A value quoted in a message, cut short: a 5,000-digit number must not become a 5,000-digit answer,
    nor a list nested 100,000 deep a RecursionError."""
    if isinstance(value, int) and value.bit_length() > 120:  # repr() refuses past 4,300 digits
        return f"a number of {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    text = _SHORT.repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 3, 38, 38, 38
