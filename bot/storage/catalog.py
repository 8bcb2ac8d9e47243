"""SQL for the film catalogue: bulk rebuild, loading into memory, per-film edits, the edit log, stats."""
from __future__ import annotations

import asyncio
import json
import secrets
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..domain.models import Availability, Film, Link, Score
from .backend import Backend, Connection

_FILM_COLUMNS = ("id", "title", "year", "runtime", "certificate", "imdb_id", "curated", "pitch", "notes",
                 "popularity", "genres", "directors", "cast_members", "languages", "countries", "aliases",
                 "original_title", "writers", "billed", "series", "series_order", "secondary_genres",
                 "secondary_countries", "secondary_languages", "method")
_LIST_COLUMNS = ("genres", "directors", "cast_members", "languages", "countries", "aliases", "writers",
                 "secondary_genres", "secondary_countries", "secondary_languages")


@dataclass(frozen=True, slots=True)
class CatalogEdit:
    id: int
    at: str
    guild_id: int | None
    user_id: int | None
    op: str
    payload: dict[str, Any]


class CatalogStore:
    def __init__(self, db: Backend):
        self.db = db

    async def film_count(self) -> int:
        return await self.db.scalar("SELECT COUNT(*) FROM films")

    async def revision(self) -> str:
        """A token that changes with every write to the catalogue (what a start-up snapshot is keyed by)."""
        return await self.db.get_meta("catalog_revision") or ""

    async def replace_all(self, films: Iterable[Film], links: Iterable[Link], *, data_version: str) -> None:
        """Swap the whole catalogue in one transaction. User tables are not touched."""
        async with self.db.transaction() as conn:
            for table in ("links", "scores", "availability", "film_tags", "films"):
                await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            await _insert_films(conn, films)
            await conn.executemany(
                "INSERT OR REPLACE INTO links(a, b, reason, origin) VALUES (?, ?, ?, ?)",
                [(link.a, link.b, link.reason, link.origin) for link in links],
            )
            await conn.execute(
                "INSERT INTO meta(key, value) VALUES ('data_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (data_version,),
            )
            await _new_revision(conn)

    async def load(self) -> tuple[list[Film], list[Link]]:
        """Read the whole catalogue into typed objects (at start-up, and when another process changed it)."""
        tag_rows = await self.db.fetchall("SELECT film_id, tag FROM film_tags ORDER BY film_id, position")
        score_rows = await self.db.fetchall("SELECT film_id, kind, value, count, source, as_of FROM scores")
        availability_rows = await self.db.fetchall("SELECT film_id, service, region, kind, checked, source "
                                                   "FROM availability ORDER BY film_id, region, service")
        # The list columns come back as one JSON array per film (one decode instead of ten): start-up reads
        # every film, and this is most of its cost.
        lists_sql = " || ',' || ".join(_LIST_COLUMNS)
        film_rows = await self.db.fetchall(f"SELECT {', '.join(_SCALAR_COLUMNS)}, '[' || {lists_sql} || ']' FROM films")
        link_rows = await self.db.fetchall("SELECT a, b, reason, origin FROM links ORDER BY a, b")
        # Making 20,000 films of the rows is most of a second of Python: in a thread, so that a bot reloading
        # the catalogue another process changed goes on answering meanwhile.
        return await asyncio.to_thread(_catalogue_from_rows, tag_rows, score_rows, availability_rows, film_rows,
                                       link_rows)

    async def upsert_film(self, film: Film, *, edit: tuple[int | None, int | None, str, dict] | None = None) -> None:
        """Write one film (replacing its tags, scores and availability) and log the edit that caused it."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM film_tags WHERE film_id = ?", (film.id,))
            await conn.execute("DELETE FROM scores WHERE film_id = ?", (film.id,))
            await conn.execute("DELETE FROM availability WHERE film_id = ?", (film.id,))
            await _insert_films(conn, [film], replace=True)
            if edit:
                await _log_edit(conn, *edit)
            await _new_revision(conn)

    async def apply_changes(self, *, upserted: Iterable[Film] = (), removed: Iterable[str] = (),
                            links_added: Iterable[Link] = (), links_removed: Iterable[tuple[str, str]] = (),
                            edit: tuple[int | None, int | None, str, dict] | None = None) -> None:
        """Write the films and links one catalogue edit (or a whole import) changed, and log the edit, in one
        transaction: it all happens or none of it does. The rows (and the logged payload: 50,000 films of
        an import are tens of megabytes of JSON) are built in a thread, not on the event loop."""
        upserted = list(upserted)
        rows = await asyncio.to_thread(_FilmRows.of, upserted)
        logged = None
        if edit:
            logged = (*edit[:3], await asyncio.to_thread(_payload_json, edit[3]))
        async with self.db.transaction() as conn:
            for a, b in links_removed:
                await conn.execute("DELETE FROM links WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)", (a, b, b, a))
            await conn.executemany("DELETE FROM films WHERE id = ?", [(film_id,) for film_id in removed])
            for table in ("film_tags", "scores", "availability"):
                await conn.executemany(f"DELETE FROM {table} WHERE film_id = ?",  # noqa: S608 - fixed names
                                       [(film.id,) for film in upserted])
            await rows.insert(conn, replace=True)
            await conn.executemany(
                "INSERT OR REPLACE INTO links(a, b, reason, origin) VALUES (?, ?, ?, ?)",
                [(link.a, link.b, link.reason, link.origin) for link in links_added],
            )
            if logged:
                await _log_edit(conn, *logged)
            await _new_revision(conn)

    async def save_link(self, link: Link, *, edit: tuple[int | None, int | None, str, dict]) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO links(a, b, reason, origin) VALUES (?, ?, ?, ?)",
                (link.a, link.b, link.reason, link.origin),
            )
            await _log_edit(conn, *edit)
            await _new_revision(conn)

    async def delete_link(self, a: str, b: str, *, edit: tuple[int | None, int | None, str, dict]) -> int:
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM links WHERE (a = ? AND b = ?) OR (a = ? AND b = ?)", (a, b, b, a)
            )
            await _log_edit(conn, *edit)
            await _new_revision(conn)
            return cursor.rowcount

    async def edits(self) -> list[CatalogEdit]:
        rows = await self.db.fetchall("SELECT id, at, guild_id, user_id, op, payload FROM catalog_edits ORDER BY id")
        return [CatalogEdit(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    async def stats(self) -> dict[str, Any]:
        """Counts of films and of each fact, overall, by decade and by how the facts were gathered."""
        queries = {
            "films": "SELECT COUNT(*) FROM films",
            "curated": "SELECT COUNT(*) FROM films WHERE curated = 1",
            "with_availability": "SELECT COUNT(DISTINCT film_id) FROM availability",
            "tags": "SELECT COUNT(DISTINCT tag) FROM film_tags",
            "tag_assignments": "SELECT COUNT(*) FROM film_tags",
            "links": "SELECT COUNT(*) FROM links",
            "services": "SELECT COUNT(DISTINCT service) FROM availability",
            "regions": "SELECT COUNT(DISTINCT region) FROM availability",
            "with_scores": "SELECT COUNT(DISTINCT film_id) FROM scores",
            "local_edits": "SELECT COUNT(*) FROM catalog_edits",
        }
        counts: dict[str, Any] = {name: int(await self.db.scalar(sql)) for name, sql in queries.items()}
        facts = ", ".join(f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END) AS {name}" for name, test in _FACT_TESTS.items())
        totals = await self.db.fetchone(f"SELECT {facts} FROM films")  # noqa: S608 - fixed expressions
        counts.update({f"with_{name}": int(totals[name] or 0) for name in _FACT_TESTS} if totals else {})
        counts["by_decade"] = {
            f"{row['decade']}s" if row["decade"] is not None else "undated":
                {"films": row["films"], **{name: int(row[name] or 0) for name in _FACT_TESTS}}
            for row in await self.db.fetchall(
                f"SELECT (year / 10) * 10 AS decade, COUNT(*) AS films, {facts} FROM films "  # noqa: S608
                "GROUP BY decade ORDER BY decade")
        }
        counts["by_method"] = {
            row["method"]: row["films"] for row in await self.db.fetchall(
                "SELECT CASE WHEN method IS NOT NULL THEN method WHEN imdb_id IS NOT NULL THEN 'wikidata' "
                "ELSE 'curated or added' END AS method, COUNT(*) AS films FROM films GROUP BY 1 ORDER BY 2 DESC")
        }
        return counts


# What "has this fact" means for coverage counts (SQL over one films row).
_FACT_TESTS = {
    "runtime": "runtime IS NOT NULL",
    "directors": "directors != '[]'",
    "cast": "cast_members != '[]'",
    "billing": "billed > 0",
    "writers": "writers != '[]'",
    "primary_genres": "genres != '[]'",
    "primary_country": "countries != '[]'",
    "original_language": "languages != '[]'",
    "series": "series IS NOT NULL",
    "pitch": "pitch IS NOT NULL",
    "tags": "EXISTS (SELECT 1 FROM film_tags t WHERE t.film_id = films.id)",
    "streaming": "EXISTS (SELECT 1 FROM availability a WHERE a.film_id = films.id)",
}


# The catalogue revisions this process wrote (newest last): another process's revision means the in-memory
# catalogue must be reloaded, one's own does not (bot.core.cluster.CatalogueWatcher).
WRITTEN_HERE: deque[str] = deque(maxlen=1024)


async def _new_revision(conn: Connection) -> None:
    # Random, not a counter: a database restored from a backup never matches a newer snapshot.
    revision = secrets.token_hex(8)
    await conn.execute("INSERT INTO meta(key, value) VALUES ('catalog_revision', ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (revision,))
    WRITTEN_HERE.append(revision)


async def _log_edit(conn: Connection, guild_id: int | None, user_id: int | None, op: str,
                    payload: dict | str) -> None:
    """Log an edit; `payload` as a dict, or already as JSON (see `_payload_json`)."""
    await conn.execute(
        "INSERT INTO catalog_edits(at, guild_id, user_id, op, payload) VALUES (?, ?, ?, ?, ?)",
        (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), guild_id, user_id, op,
         payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True)),
    )


def _payload_json(payload: dict[str, Any]) -> str:
    """The payload as `_log_edit` writes it. An import's rows are encoded one at a time: the JSON encoder
    holds the interpreter for as long as one call runs, and one call over 50,000 rows would stall the
    event loop for a good part of a second even from a thread."""
    rows = payload.get("rows")
    if not isinstance(rows, list):
        return json.dumps(payload, sort_keys=True)
    parts = [f'"rows": [{", ".join(map(_encode_sorted, rows))}]' if key == "rows"
             else f"{json.dumps(key)}: {_encode_sorted(payload[key])}" for key in sorted(payload)]
    return "{" + ", ".join(parts) + "}"


@dataclass(slots=True)
class _FilmRows:
    """The rows of films and of their tags, scores and availability, ready for executemany."""

    films: list[tuple[object, ...]]
    tags: list[tuple[str, str, int]]  # (film_id, tag, position)
    scores: list[tuple[str, str, int, int | None, str, str | None]]
    availability: list[tuple[str, str, str, str, str, str | None]]

    @classmethod
    def of(cls, films: Iterable[Film]) -> "_FilmRows":
        rows = cls([], [], [], [])
        for f in films:
            rows.films.append((
                f.id, f.title, f.year, f.runtime, f.certificate, f.imdb_id, int(f.curated), f.pitch, f.notes,
                f.popularity, _j(f.genres), _j(f.directors), _j(f.cast), _j(f.languages), _j(f.countries),
                _j(f.aliases), f.original_title, _j(f.writers), f.billed, f.series, f.series_order,
                _j(f.secondary_genres), _j(f.secondary_countries), _j(f.secondary_languages), f.method,
            ))
            rows.tags.extend((f.id, tag, n) for n, tag in enumerate(dict.fromkeys(f.tags)))
            rows.scores.extend((f.id, s.kind, s.value, s.count, s.source, s.as_of) for s in f.scores)
            rows.availability.extend((f.id, a.service, a.region, a.kind, a.checked, a.source)
                                     for a in f.availability)
        return rows

    async def insert(self, conn: Connection, *, replace: bool = False) -> None:
        # An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first, and the ON DELETE CASCADE of
        # links/film_tags would silently drop the film's links.
        upsert = (" ON CONFLICT(id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _FILM_COLUMNS[1:])
                  if replace else "")
        await conn.executemany(
            f"INSERT INTO films({', '.join(_FILM_COLUMNS)}) VALUES ({', '.join('?' * len(_FILM_COLUMNS))}){upsert}",
            self.films,
        )
        await conn.executemany("INSERT OR IGNORE INTO film_tags(film_id, tag, position) VALUES (?, ?, ?)",
                               self.tags)
        await conn.executemany(
            "INSERT OR REPLACE INTO scores(film_id, kind, value, count, source, as_of) VALUES (?, ?, ?, ?, ?, ?)",
            self.scores,
        )
        await conn.executemany(
            "INSERT OR REPLACE INTO availability(film_id, service, region, kind, checked, source) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            self.availability,
        )


async def _insert_films(conn: Connection, films: Iterable[Film], *, replace: bool = False) -> None:
    await _FilmRows.of(films).insert(conn, replace=replace)


def _j(values: Iterable[str]) -> str:
    return _encode_list(list(values)) if values else "[]"


# Made once: json.dumps with any option builds a new encoder on every call, a third of its cost.
_encode_list = json.JSONEncoder(ensure_ascii=False).encode
_encode_sorted = json.JSONEncoder(sort_keys=True).encode


_SCALAR_COLUMNS = ("id", "title", "year", "runtime", "certificate", "imdb_id", "curated", "pitch", "notes",
                   "popularity", "original_title", "billed", "series", "series_order", "method")


def _catalogue_from_rows(tag_rows: Sequence[Sequence[Any]], score_rows: Sequence[Sequence[Any]],
                         availability_rows: Sequence[Sequence[Any]], film_rows: Sequence[Sequence[Any]],
                         link_rows: Sequence[Sequence[Any]]) -> tuple[list[Film], list[Link]]:
    """`CatalogStore.load`'s rows as films (with their tags, scores and availability) and links."""
    tags: dict[str, list[str]] = {}
    for row in tag_rows:
        tags.setdefault(row[0], []).append(row[1])
    scores: dict[str, list[Score]] = {}
    for row in score_rows:
        scores.setdefault(row[0], []).append(Score(row[1], row[2], row[4], row[5], row[3]))
    availability: dict[str, list[Availability]] = {}
    for row in availability_rows:
        availability.setdefault(row[0], []).append(Availability(row[1], row[2], row[3], row[4], row[5]))
    films = [_film_from_row(row, tags.get(row[0], ()), scores.get(row[0], ()), availability.get(row[0], ()))
             for row in film_rows]
    return films, [Link(row[0], row[1], row[2], row[3]) for row in link_rows]


def _film_from_row(row: Sequence[Any], tags: Iterable[str], scores: Iterable[Score],
                   availability: Iterable[Availability]) -> Film:
    """A film from `load`'s row: the scalar columns in `_SCALAR_COLUMNS` order, then the list columns as
    one JSON array of arrays. Names are interned: 20,000 films name 67,000 people, genres and places
    320,000 times, and one string each saves about 15 MB."""
    (film_id, title, year, runtime, certificate, imdb_id, curated, pitch, notes, popularity, original_title,
     billed, series, series_order, method, packed) = row
    (genres, directors, cast, languages, countries, aliases, writers, secondary_genres, secondary_countries,
     secondary_languages) = (tuple(map(sys.intern, values)) for values in json.loads(packed))
    return Film(
        id=film_id, title=title, year=year, runtime=runtime, certificate=certificate, imdb_id=imdb_id,
        curated=bool(curated), pitch=pitch, notes=notes, popularity=popularity, genres=genres,
        directors=directors, cast=cast, languages=languages, countries=countries, aliases=aliases,
        tags=tuple(tags), scores=tuple(scores), availability=tuple(availability), original_title=original_title,
        writers=writers, billed=billed, series=series, series_order=series_order,
        secondary_genres=secondary_genres, secondary_countries=secondary_countries,
        secondary_languages=secondary_languages, method=method,
    )
