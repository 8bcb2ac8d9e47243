"""SQL for live data: what members did with films here (the server chart), TMDB's id and poster of each
film and when its streaming was last checked, the streaming rows an owner removed (TMDB must not bring them
back), outside chart entries, and a refresh's resume point."""
from __future__ import annotations

import json
import time
from typing import Any, AsyncContextManager, Iterable, Protocol

from ..domain.charts import ACTIVITY_KINDS, ChartEntry, Event

# Events older than this are deleted as new ones are written: the longest chart window is 30 days.
KEEP_EVENTS = 45 * 24 * 3600


class _Db(Protocol):
    def transaction(self) -> AsyncContextManager[Any]: ...
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]: ...
    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any: ...
    async def execute(self, sql: str, params: Iterable[Any] = ()) -> None: ...
    async def get_meta(self, key: str) -> str | None: ...
    async def set_meta(self, key: str, value: str) -> None: ...


class ActivityStore:
    def __init__(self, db: _Db) -> None:
        self.db = db

    async def record(self, guild_id: int | None, user_id: int, film_ids: Iterable[str] | str, kind: str, *,
                     at: int | None = None) -> None:
        """Note that a member did `kind` with films in a server (nothing is kept outside servers)."""
        if guild_id is None or kind not in ACTIVITY_KINDS:
            return
        ids = [film_ids] if isinstance(film_ids, str) else list(dict.fromkeys(film_ids))
        if not ids:
            return
        now = int(time.time()) if at is None else at
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM activity_events WHERE at < ?", (now - KEEP_EVENTS,))
            await conn.executemany(
                "INSERT INTO activity_events(guild_id, user_id, film_id, kind, at) VALUES (?, ?, ?, ?, ?)",
                [(guild_id, user_id, film_id, kind, now) for film_id in ids])

    async def events(self, guild_id: int, since: int) -> list[Event]:
        rows = await self.db.fetchall(
            "SELECT film_id, user_id, kind, at FROM activity_events WHERE guild_id = ? AND at >= ? ORDER BY id",
            (guild_id, since))
        return [Event(r[0], r[1], r[2], r[3]) for r in rows]


class TmdbStore:
    """TMDB's id for each film we looked up (NULL: TMDB has none), its poster, when its watch providers were
    last fetched, and the rows an owner removed. Kept beside the catalogue, so a rebuild does not forget them."""

    def __init__(self, db: _Db) -> None:
        self.db = db

    async def get(self, film_id: str) -> tuple[int | None, str | None, int, int | None] | None:
        """(tmdb_id, poster_path, looked_up_at, providers_at) or None if never looked up."""
        row = await self.db.fetchone(
            "SELECT tmdb_id, poster_path, looked_up_at, providers_at FROM tmdb_films WHERE film_id = ?", (film_id,))
        return None if row is None else (row[0], row[1], row[2], row[3])

    async def save(self, film_id: str, tmdb_id: int | None, poster_path: str | None, *,
                   providers_at: int | None = None, at: int | None = None) -> None:
        now = int(time.time()) if at is None else at
        await self.db.execute(
            "INSERT INTO tmdb_films(film_id, tmdb_id, poster_path, looked_up_at, providers_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(film_id) DO UPDATE SET tmdb_id = excluded.tmdb_id, poster_path = excluded.poster_path, "
            "looked_up_at = excluded.looked_up_at, providers_at = COALESCE(excluded.providers_at, "
            "tmdb_films.providers_at)",
            (film_id, tmdb_id, poster_path, now, providers_at))

    async def remove(self, film_id: str, keys: Iterable[tuple[str, str, str]], *, at: int | None = None) -> None:
        """Note (service, region, kind) rows an owner removed from a film, so TMDB does not bring them back."""
        now = int(time.time()) if at is None else at
        rows = [(film_id, service, region, kind, now) for service, region, kind in dict.fromkeys(keys)]
        if not rows:
            return
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO tmdb_removed(film_id, service, region, kind, removed_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(film_id, service, region, kind) DO UPDATE SET removed_at = excluded.removed_at", rows)

    async def removed(self, film_id: str) -> set[tuple[str, str, str]]:
        rows = await self.db.fetchall("SELECT service, region, kind FROM tmdb_removed WHERE film_id = ?", (film_id,))
        return {(r[0], r[1], r[2]) for r in rows}

    async def forget_removed(self, film_id: str, keys: Iterable[tuple[str, str, str]]) -> None:
        rows = [(film_id, service, region, kind) for service, region, kind in dict.fromkeys(keys)]
        if not rows:
            return
        async with self.db.transaction() as conn:
            await conn.executemany(
                "DELETE FROM tmdb_removed WHERE film_id = ? AND service = ? AND region = ? AND kind = ?", rows)

    async def film_for(self, tmdb_id: int) -> str | None:
        row = await self.db.fetchone("SELECT film_id FROM tmdb_films WHERE tmdb_id = ? ORDER BY film_id LIMIT 1",
                                     (tmdb_id,))
        return None if row is None else row[0]


class ChartStore:
    """The latest list of each outside chart, entry by entry, with the date it describes."""

    def __init__(self, db: _Db) -> None:
        self.db = db

    async def replace(self, chart: str, region: str | None, source: str, as_of: str,
                      entries: Iterable[tuple[int, str | None, str, int | None]]) -> None:
        """Swap a chart's entries: (rank, film id or None when not in the catalogue, title, year)."""
        now = int(time.time())
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM chart_entries WHERE chart = ? AND region = ?", (chart, region or ""))
            await conn.executemany(
                "INSERT INTO chart_entries(chart, region, rank, film_id, title, year, as_of, source, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(chart, region or "", rank, film_id, title, year, as_of, source, now)
                 for rank, film_id, title, year in entries])

    async def entries(self, chart: str, region: str | None) -> tuple[list[tuple[int, str | None, str, int | None]],
                                                                    str | None, int | None]:
        """(entries, as_of, fetched_at) of one chart, best rank first."""
        rows = await self.db.fetchall(
            "SELECT rank, film_id, title, year, as_of, fetched_at FROM chart_entries WHERE chart = ? AND region = ? "
            "ORDER BY rank", (chart, region or ""))
        if not rows:
            return [], None, None
        return [(r[0], r[1], r[2], r[3]) for r in rows], rows[0][4], rows[0][5]

    async def for_film(self, film_id: str) -> list[ChartEntry]:
        rows = await self.db.fetchall(
            "SELECT chart, rank, as_of, source, region FROM chart_entries WHERE film_id = ?", (film_id,))
        return [ChartEntry(r[0], r[1], r[2], r[3], r[4] or None) for r in rows]


class RefreshState:
    """Where an interrupted `marquee data refresh` resumes (a JSON object in `meta`)."""

    KEY = "wikidata_refresh"

    def __init__(self, db: _Db) -> None:
        self.db = db

    async def load(self) -> dict[str, Any] | None:
        raw = await self.db.get_meta(self.KEY)
        try:
            state = json.loads(raw) if raw else None
        except ValueError:
            return None
        return state if isinstance(state, dict) else None

    async def save(self, state: dict[str, Any] | None) -> None:
        await self.db.set_meta(self.KEY, json.dumps(state, sort_keys=True) if state is not None else "null")
