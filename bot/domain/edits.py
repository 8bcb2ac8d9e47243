"""Server-side catalogue edits: one pure function, `apply_edit`, used twice.

A live `/catalog` command applies its edit to the running catalogue, and on start-up every logged edit is
replayed over a new shipped data version (`bot.services.catalog.replay_edits`), so an edit never has to
be written twice and a new data version never loses a server's changes. An edit whose film is gone raises
KeyError, one that no longer makes sense raises ValueError; the replay logs and skips those.

Payloads (JSON-able, as stored in `catalog_edits.payload`):
- add      `{"film": record}` (a complete record, see `bot.domain.interchange.film_to_record`)
- edit     `{"id", "changes": {field: value or None}}`, fields in EDITABLE
- tag / untag          `{"id", "tags": [...]}`
- stream   `{"id", "availability": [{service, region, kind, checked, source}]}`
- unstream `{"id", "service", "region": str|None, "kind": str|None}` (None = any)
- link     `{"a", "b", "reason"}`;  unlink `{"a", "b"}`
- import   `{"format", "rows": [normalised rows]}` (see `bot.domain.interchange`)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Container, Iterable, Mapping

from bot.domain.catalog import key_of
from bot.domain.dataset import title_key
from bot.domain.interchange import availability_from, film_from_record, film_to_record, imdb_of, same_film, slugify
from bot.domain.models import Availability, Film, Link, Score
from bot.domain.records import check_availability, check_link, check_record

OPS = ("add", "edit", "tag", "untag", "stream", "unstream", "link", "unlink", "import")
EDITABLE = ("title", "year", "runtime_minutes", "directors", "cast", "countries", "languages", "genres",
            "certificate", "pitch", "aliases", "notes", "imdb", "original_title", "writers", "series",
            "series_order", "secondary_genres", "secondary_countries", "secondary_languages")
LOCAL = "local"


def apply_edit(films: Mapping[str, Film], links: Iterable[Link], op: str,
               payload: dict[str, Any]) -> tuple[dict[str, Film], list[Link]]:
    """The catalogue after one edit. The inputs are not changed; unchanged films stay the same objects."""
    films, links = dict(films), list(links)
    if op == "import":
        films, links, _ = apply_import(films, links, payload.get("rows", []))
        return films, links
    handler = _HANDLERS.get(op)
    if handler is None:
        raise ValueError(f"unknown catalogue edit {op!r}")
    return handler(films, links, payload)


def _film(films: dict[str, Film], film_id: object) -> Film:
    film = films.get(film_id) if isinstance(film_id, str) else None
    if film is None:
        raise KeyError(f"no film with id {film_id!r}")
    return film


def _add(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    record, reasons = check_record(payload.get("film"))
    if reasons or record is None:  # check_record gives either a record or reasons
        raise ValueError("; ".join(reasons))
    if record["id"] in films:
        raise ValueError(f"id {record['id']} is already taken by {films[record['id']].label}")
    twin = FilmIndex(films).match(record)[0]
    directors = {key_of(d) for d in record.get("directors") or ()}
    if twin is not None and not (imdb_of(record) and imdb_of(record) == films[twin].imdb_id):
        theirs = {key_of(d) for d in films[twin].directors}
        if directors and theirs and not directors & theirs:
            twin = None  # same title and year, other director: a different film
    if twin is not None:
        raise ValueError(f"already in the catalogue as {films[twin].label} ({twin})")
    films[record["id"]] = film_from_record(record)
    return films, links


def _edit(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    film = _film(films, payload.get("id"))
    changes = payload.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ValueError("nothing to change")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValueError(f"these fields cannot be edited: {', '.join(unknown)}")
    record = film_to_record(film)
    for key, value in changes.items():
        if key == "imdb":
            record["external_ids"] = {"imdb": value} if value else {}
            if value and any(f.imdb_id == value and f.id != film.id for f in films.values()):
                raise ValueError(f"{value} is already the IMDb id of another film")
        elif key == "title" and not value:
            raise ValueError("a film needs a title")
        else:
            record[key] = value if value not in ((), "") else None
            if key == "cast":
                record["billed"] = len(value or ())  # an admin types the top-billed cast in billing order
    checked, reasons = check_record(record)
    if reasons or checked is None:  # check_record gives either a record or reasons
        raise ValueError("; ".join(reasons))
    new = film_from_record(checked)
    if not same_film(new, film):
        films[film.id] = new
    return films, links


def _tag(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    film = _film(films, payload.get("id"))
    tags = _names(payload.get("tags"), "tags")
    added = tuple(t for t in dict.fromkeys(tags) if t not in film.tags)
    if added:
        films[film.id] = replace(film, tags=film.tags + added)
    return films, links


def _untag(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    film = _film(films, payload.get("id"))
    tags = set(_names(payload.get("tags"), "tags"))
    if tags & set(film.tags):
        films[film.id] = replace(film, tags=tuple(t for t in film.tags if t not in tags))
    return films, links


def _stream(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    film = _film(films, payload.get("id"))
    entries = payload.get("availability")
    if not isinstance(entries, list) or not entries:
        raise ValueError("no availability given")
    fresh = []
    for entry in entries:
        checked, reasons = check_availability(entry)
        if reasons or checked is None:  # check_availability gives either an entry or reasons
            raise ValueError("; ".join(reasons))
        fresh.append(checked)
    new = set_availability(film, fresh)
    if not same_film(new, film):
        films[film.id] = new
    return films, links


def set_availability(film: Film, entries: list[dict[str, Any]]) -> Film:
    """The film with these availability rows, each replacing any row of the same service/region/kind."""
    keys = {(e["service"], e["region"], e["kind"]) for e in entries}
    kept = tuple(a for a in film.availability if (a.service, a.region, a.kind) not in keys)
    return replace(film, availability=kept + availability_from(entries))


def _unstream(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    film = _film(films, payload.get("id"))
    service, region, kind = payload.get("service"), payload.get("region"), payload.get("kind")
    if not isinstance(service, str) or not service:
        raise ValueError("no service given")
    kept = tuple(a for a in film.availability if not matches_availability(a, service, region, kind))
    if len(kept) != len(film.availability):
        films[film.id] = replace(film, availability=kept)
    return films, links


def matches_availability(row: Any, service: str, region: str | None, kind: str | None) -> bool:
    return row.service == service and region in (None, row.region) and kind in (None, row.kind)


def _link(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    a, b, reason = payload.get("a"), payload.get("b"), payload.get("reason")
    _film(films, a)
    _film(films, b)
    reasons = check_link(a, b, reason)
    # No reasons means a, b and reason are all text; the isinstance checks only tell the type checker so.
    if reasons or not isinstance(a, str) or not isinstance(b, str) or not isinstance(reason, str):
        raise ValueError("; ".join(reasons))
    return films, put_link(links, Link(a, b, reason.strip(), payload.get("origin", LOCAL)))


def put_link(links: list[Link], link: Link) -> list[Link]:
    pair = {link.a, link.b}
    return [other for other in links if {other.a, other.b} != pair] + [link]


def _unlink(films: dict[str, Film], links: list[Link], payload: dict) -> tuple[dict, list]:
    pair = {payload.get("a"), payload.get("b")}
    return films, [link for link in links if {link.a, link.b} != pair]


def _names(value: object, what: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{what} must be a non-empty list of names")
    return value


_HANDLERS = {"add": _add, "edit": _edit, "tag": _tag, "untag": _untag, "stream": _stream,
             "unstream": _unstream, "link": _link, "unlink": _unlink}


# --------------------------------------------------------------------------- import


class FilmIndex:
    """Find the catalogue film an import row means: by id, then IMDb id, then title (or alias) + year,
    narrowed by director. Kept current as an import adds films."""

    def __init__(self, films: Mapping[str, Film]):
        self.films = films
        self.by_imdb: dict[str, str] = {}
        self.by_title: dict[tuple[str, int | None], list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        for film in films.values():
            self.add(film)

    def add(self, film: Film) -> None:
        if film.imdb_id:
            self.by_imdb.setdefault(film.imdb_id, film.id)
        for name in dict.fromkeys(title_key(t) for t in (film.title, *film.aliases)):
            if name:
                self.by_title.setdefault((name, film.year), []).append(film.id)
                self.by_name.setdefault(name, []).append(film.id)

    def match(self, record: dict[str, Any], *, use_id: bool = True) -> tuple[str | None, str]:
        """(film id, "") or (None, "unmatched" | "ambiguous")."""
        film_id = record.get("id")
        if use_id and isinstance(film_id, str) and film_id in self.films:
            return film_id, ""
        imdb = imdb_of(record)
        if imdb and imdb in self.by_imdb:
            return self.by_imdb[imdb], ""
        name = title_key(record.get("title") or "")
        if not name:
            return None, "unmatched"
        year = record.get("year")
        directors = {key_of(d) for d in record.get("directors") or ()}

        def usable(fid: str) -> bool:
            # A film already known by another IMDb id is a different film with the same title.
            other = self.films[fid].imdb_id
            return not (imdb and other and other != imdb)

        def by_director(ids: list[str]) -> list[str]:
            return [fid for fid in ids if directors & {key_of(d) for d in self.films[fid].directors}]

        if year is None:
            candidates = [fid for fid in dict.fromkeys(self.by_name.get(name, [])) if usable(fid)]
        else:
            candidates = [fid for fid in dict.fromkeys(self.by_title.get((name, year), [])) if usable(fid)]
        if len(candidates) > 1 and directors:
            candidates = by_director(candidates) or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, "ambiguous"
        if year is not None and directors:
            # Release years differ by one between sources often enough; the director must agree then.
            near = [fid for y in (year - 1, year + 1) for fid in self.by_title.get((name, y), []) if usable(fid)]
            near = by_director(list(dict.fromkeys(near)))
            if len(near) == 1:
                return near[0], ""
        return None, "unmatched"


@dataclass(slots=True)
class RowOutcome:
    status: str  # added | updated | unchanged | unmatched | ambiguous | linked | link-missing-film | invalid
    film_id: str | None = None
    row: dict[str, Any] | None = None  # the row with ids resolved: what the edit log stores if it changed
    detail: str = ""
    removed: tuple[str, ...] = ()  # what a replace row took from the film ("pitch", "tags (heist)")
    kept: tuple[str, ...] = ()  # curation a replace row would have changed but kept (no replace_curated)

    @property
    def changed(self) -> bool:
        return self.status in ("added", "updated", "linked")


@dataclass(slots=True)
class ImportSummary:
    outcomes: list[RowOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def changed_rows(self) -> list[dict[str, Any]]:
        return [o.row for o in self.outcomes if o.changed and o.row is not None]


def unique_id(films: Mapping[str, Film], wanted: str) -> str:
    if wanted not in films:
        return wanted
    n = 2
    while f"{wanted}-{n}" in films:
        n += 1
    return f"{wanted}-{n}"


def apply_import(films: Mapping[str, Film], links: Iterable[Link], rows: Iterable[dict[str, Any]], *,
                 prechecked: Container[int] = ()) -> tuple[dict[str, Film], list[Link], list[RowOutcome]]:
    """Apply normalised import rows in order; say for each what happened. Unmatched rows change nothing.

    Every record goes through the record validator here too, not only when its file was read: the edit log
    replays these rows over each new data version, and a row logged by an older version must not bring
    back what the validator now refuses (an infinite popularity). The exception is `prechecked`: the
    positions of rows whose whole record the file's reader has just checked, more strictly (with the
    vocabulary); checking them again would give the same answer, and is a fifth of the time of an import
    of the whole catalogue.

    A "replace" row replaces the whole film, except a curated film's curation (CURATION: its flag, tags,
    pitch and notes), which only a row with `"replace_curated": true` replaces. Each outcome says what the
    row removed from the film and which curation it kept."""
    films = dict(films)
    by_pair = {frozenset((link.a, link.b)): link for link in links}
    index = FilmIndex(films)
    file_ids: dict[str, str] = {}  # id in the file -> id in the catalogue
    outcomes: list[RowOutcome] = []
    for position, row in enumerate(rows):
        mode = row.get("mode") if isinstance(row, dict) else None
        if mode == "link":
            outcome = _import_link(films, by_pair, row, file_ids)
            outcomes.append(outcome)
            if outcome.status == "linked" and outcome.row is not None:  # a linked outcome has its row
                pair = frozenset((outcome.row["a"], outcome.row["b"]))
                by_pair.pop(pair, None)  # a replaced link moves to the end, as put_link does
                by_pair[pair] = Link(outcome.row["a"], outcome.row["b"], row["reason"], row.get("origin", LOCAL))
            continue
        record = row.get("film") if mode in ("replace", "fill", "availability") else None
        if not isinstance(record, dict):
            outcomes.append(RowOutcome("invalid", detail=f"unknown import row {mode!r}"))
            continue
        checked, reasons = (record, []) if position in prechecked else check_record(record, partial=mode != "replace")
        if reasons or checked is None:  # check_record gives either a record or reasons
            outcomes.append(RowOutcome("invalid", detail="; ".join(reasons)))
            continue
        record = checked
        film_id, why = index.match(record)
        old = films.get(film_id) if film_id else None
        if old is None:
            can_add = mode == "replace" or (mode == "fill" and row.get("add"))
            if not can_add:
                outcomes.append(RowOutcome(why or "unmatched", detail=_describe(record)))
                continue
            new_id = unique_id(films, record.get("id") or slugify(record["title"], record.get("year")))
            new = film_from_record(record, film_id=new_id)
            films[new_id] = new
            index.add(new)
            if isinstance(record.get("id"), str):
                file_ids[record["id"]] = new_id
            outcomes.append(RowOutcome("added", new_id, {**row, "film": {**record, "id": new_id}}))
            continue
        if isinstance(record.get("id"), str):
            file_ids[record["id"]] = old.id
        kept: tuple[str, ...] = ()
        if mode == "replace":
            new = film_from_record(record, film_id=old.id)
            if old.curated and row.get("replace_curated") is not True:
                new, kept = keep_curation(old, new)
        elif mode == "fill":
            new = fill_gaps(old, record)
            if isinstance(row.get("update"), dict):  # a Wikidata refresh's updates (see apply_updates)
                new = apply_updates(new, record, row["update"])
        else:
            entries = [check_availability(entry) for entry in row.get("availability") or []]
            problems = [reason for _, entry_reasons in entries for reason in entry_reasons]
            if problems:
                outcomes.append(RowOutcome("invalid", old.id, detail="; ".join(problems)))
                continue
            new = set_availability(old, [entry for entry, _ in entries if entry is not None])
        if same_film(new, old):
            outcomes.append(RowOutcome("unchanged", old.id, kept=kept))
            continue
        films[old.id] = new
        index.add(new)
        outcomes.append(RowOutcome("updated", old.id, {**row, "film": {**record, "id": old.id}},
                                   removed=tuple(removed_facts(old, new)), kept=kept))
    return films, list(by_pair.values()), outcomes


def _import_link(films: dict[str, Film], by_pair: Mapping[frozenset, Link], row: dict,
                 file_ids: dict[str, str]) -> RowOutcome:
    a, b = row.get("a"), row.get("b")
    if isinstance(a, str):  # only text can be an id in the file (file_ids has text keys)
        a = file_ids.get(a, a)
    if isinstance(b, str):
        b = file_ids.get(b, b)
    if a not in films or b not in films:
        missing = a if a not in films else b
        return RowOutcome("link-missing-film", detail=f"no film {missing}")
    if a == b or check_link(a, b, row.get("reason")):
        return RowOutcome("invalid", detail=f"link {a} -> {b}")
    existing = by_pair.get(frozenset((a, b)))
    if existing is not None and existing.reason == row["reason"] and existing.origin == row.get("origin", LOCAL):
        return RowOutcome("unchanged", a)
    return RowOutcome("linked", a, {**row, "a": a, "b": b})


# What makes a film curated, beyond its facts: a "replace" row keeps these unless told otherwise.
CURATION = ("curated", "tags", "pitch", "notes")


def keep_curation(old: Film, new: Film) -> tuple[Film, tuple[str, ...]]:
    """`new` with `old`'s curation wherever the two differ, and the names of those fields."""
    differing = tuple(name for name in CURATION if getattr(new, name) != getattr(old, name))
    if not differing:
        return new, ()
    return replace(new, **{name: getattr(old, name) for name in differing}), differing


def removed_facts(old: Film, new: Film) -> list[str]:
    """What `new` no longer has of `old`, in words: "curated", "pitch", "tags (heist, tense)"..."""
    out = []
    for name in Film.__dataclass_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if name == "id" or not before or before == after:
            continue
        if isinstance(before, tuple):
            lost = [item for item in before if item not in after]
            if lost:
                out.append(f"{name} ({_few(lost)})")
        elif after in (None, "", False, 0):
            out.append(name)
    return out


def _few(items: list[Any], shown: int = 3) -> str:
    words = [_item_words(item) for item in items[:shown]]
    return ", ".join(words) + (f", +{len(items) - shown}" if len(items) > shown else "")


def _item_words(item: object) -> str:
    if isinstance(item, Availability):
        return f"{item.service} in {item.region}"
    if isinstance(item, Score):
        return item.kind
    return str(item)


def fill_gaps(film: Film, record: dict[str, Any]) -> Film:
    """The film with what it lacks taken from the record (never overwriting a fact it has)."""
    incoming = film_from_record({**record, "id": film.id})
    changes: dict[str, Any] = {}
    for name in ("year", "runtime", "certificate", "imdb_id", "pitch", "notes", "genres", "directors", "cast",
                 "languages", "countries"):
        if not getattr(film, name) and getattr(incoming, name):
            changes[name] = getattr(incoming, name)
    names = {title_key(t) for t in (film.title, *film.aliases)}
    extra = tuple(a for a in incoming.aliases if title_key(a) not in names)
    if extra:
        changes["aliases"] = film.aliases + extra
    return replace(film, **changes) if changes else film


# --------------------------------------------------------------------------- a refresh's updates

# What a Wikidata refresh may change on a film we have, beyond filling gaps (bot.domain.refresh.plan), and
# the record fields an admin edit of each touches: an admin's value of one of these is never replaced.
REFRESHED = ("scores", "original_title", "series", "cast")
_ADMIN_FIELDS = {"scores": "scores", "original_title": "original_title", "series": "series",
                 "series_order": "series", "cast": "cast", "billed": "cast"}
ALL = "*"  # every field of the film: an admin added or replaced it whole


def score_dict(score: Score | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"kind": score.kind, "value": score.value, "source": score.source, "as_of": score.as_of,
            "count": score.count}


def apply_updates(film: Film, record: dict[str, Any], update: Mapping[str, Any]) -> Film:
    """The film with the refresh's updates from a checked record, each set only where the film still has
    the value the update was planned against ("compare and set"). An update logged by one data version and
    replayed over the next therefore never replaces what that version, or an admin edit logged before it,
    says differently; replaying it twice changes nothing more.

    `update`: {"scores": {kind: the stored score as `score_dict`, or None}, "original_title": str | None,
    "series": [name, order], "cast": [[names...], billed]}; each key optional, malformed entries ignored."""
    incoming = film_from_record({**record, "id": film.id})
    changes: dict[str, Any] = {}
    scores = update.get("scores")
    if isinstance(scores, dict):
        kept = {s.kind: s for s in film.scores}
        for kind, was in scores.items():
            fresh = incoming.score(kind) if isinstance(kind, str) else None
            if fresh is not None and score_dict(kept.get(kind)) == was:
                kept[kind] = fresh
        if tuple(kept.values()) != film.scores:
            changes["scores"] = tuple(kept.values())
    if "original_title" in update and incoming.original_title and film.original_title == update["original_title"]:
        changes["original_title"] = incoming.original_title
    series = update.get("series")
    if (isinstance(series, list) and len(series) == 2 and incoming.series
            and [film.series, film.series_order] == series):
        order = incoming.series_order
        if order is None and film.series and title_key(film.series) == title_key(incoming.series):
            order = film.series_order  # Wikidata names the series without a position: keep ours
        changes["series"], changes["series_order"] = incoming.series, order
    cast = update.get("cast")
    if (isinstance(cast, list) and len(cast) == 2 and incoming.billed
            and [list(film.cast), film.billed] == cast):
        billed = incoming.cast[:incoming.billed]
        # Wikidata's billing first, then the names we had (their prominence order), then Wikidata's others.
        names: dict[str, str] = {}
        for name in (*billed, *film.cast, *incoming.cast[incoming.billed:]):
            names.setdefault(name.casefold(), name)
        changes["cast"], changes["billed"] = tuple(names.values()), len(billed)
    return replace(film, **changes) if changes else film


def admin_fields(edits: Iterable[tuple[int | None, str, Any]]) -> dict[str, set[str]]:
    """Film id -> the REFRESHED fields an admin's edit set (ALL when an admin added or replaced the film), from
    the edit log's (user id, op, payload). The log is per field for `/catalog edit` (its `changes`) and per
    record for an import (the fields its row gave); the Wikidata refresh's own imports (user 0, format
    "wikidata") are not admin edits, and stream/tag/link edits touch none of these fields."""
    out: dict[str, set[str]] = {}

    def note(film_id: object, fields: Iterable[str]) -> None:
        if isinstance(film_id, str):
            out.setdefault(film_id, set()).update(fields)

    def record_fields(record: Mapping[str, Any]) -> set[str]:
        return {_ADMIN_FIELDS[k] for k in record if k in _ADMIN_FIELDS and record[k] not in (None, [], "")}

    for user_id, op, payload in edits:
        if not isinstance(payload, Mapping):
            continue
        if op == "add" and isinstance(payload.get("film"), Mapping):
            note(payload["film"].get("id"), {ALL})
        elif op == "edit" and isinstance(payload.get("changes"), Mapping):
            note(payload.get("id"), {_ADMIN_FIELDS[k] for k in payload["changes"] if k in _ADMIN_FIELDS})
        elif op == "import" and not (user_id == 0 and payload.get("format") == "wikidata"):
            for row in payload.get("rows") or ():
                record = row.get("film") if isinstance(row, Mapping) else None
                if not isinstance(record, Mapping):
                    continue
                if row.get("mode") == "replace" or (row.get("mode") == "fill" and row.get("add")):
                    note(record.get("id"), {ALL})
                elif row.get("mode") == "fill":
                    note(record.get("id"), record_fields(record))
    return out


def _describe(record: dict[str, Any]) -> str:
    year = f" ({record['year']})" if record.get("year") else ""
    return f"{record.get('title')}{year}"


# --------------------------------------------------------------------------- what changed


@dataclass(slots=True)
class CatalogDiff:
    upserted: list[Film] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    links_added: list[Link] = field(default_factory=list)
    links_removed: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.upserted or self.removed or self.links_added or self.links_removed)


def diff(old_films: Mapping[str, Film], old_links: Iterable[Link],
         new_films: Mapping[str, Film], new_links: Iterable[Link]) -> CatalogDiff:
    """What to write after `apply_edit`: films that are new objects, films gone, links added or gone."""
    result = CatalogDiff()
    for film_id, film in new_films.items():
        if old_films.get(film_id) is not film:
            result.upserted.append(film)
    result.removed = [film_id for film_id in old_films if film_id not in new_films]
    before = {frozenset((old.a, old.b)): old for old in old_links}
    after = {frozenset((new.a, new.b)): new for new in new_links}
    for pair, link in after.items():
        if before.get(pair) != link:
            result.links_added.append(link)
    for pair, link in before.items():
        if pair not in after or after[pair] != link:
            result.links_removed.append((link.a, link.b))
    return result
