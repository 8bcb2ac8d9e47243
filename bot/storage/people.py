"""SQL for what Marquee keeps about people and servers: preferences, lists, ratings, server settings."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .backend import Backend
from .nights import FORMER_MEMBER


@dataclass(frozen=True, slots=True)
class UserPrefs:
    user_id: int
    region: str | None = None
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    region: str | None = None
    services: tuple[str, ...] = ()
    night_channel_id: int | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    film_id: str
    added_at: int


@dataclass(slots=True)
class Forgotten:
    """What `/forgetme` did, so the answer can say it: rows deleted, and rows kept for other people with the
    person's id taken out (`anonymised`), by kind of record."""

    counts: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + sum(self.anonymised.values())


@dataclass(slots=True)
class HistoryWritten:
    """What `PeopleStore.import_history` wrote, and what was already there."""

    seen_added: int = 0
    seen_already: int = 0
    ratings_added: int = 0
    ratings_replaced: int = 0
    ratings_already: int = 0  # the same stars were stored
    watchlist_added: int = 0
    watchlist_already: int = 0

    @property
    def changed(self) -> int:
        return self.seen_added + self.ratings_added + self.ratings_replaced + self.watchlist_added

    @property
    def already(self) -> int:
        return self.seen_already + self.ratings_already + self.watchlist_already


# Every column that holds a person's Discord id, and what /forgetme does with it (tests/test_forgetme.py
# fails when a table gains such a column that is not listed here).
DELETED_WITH_THE_PERSON = {
    "preferences": ("user_prefs", "user_id"),
    "watchlist": ("watchlist", "user_id"),
    "seen": ("seen", "user_id"),
    "ratings": ("ratings", "user_id"),
    "ballots": ("ballots", "user_id"),
    "rsvps": ("attendees", "user_id"),
    "saved_controls": ("ui_state", "user_id"),
    "activity": ("activity_events", "user_id"),  # what the server chart counts
}
# Rows other people rely on: a night others nominated or voted in, a nominee others voted for, a catalogue
# edit every server's catalogue is rebuilt from. They stay, without the id.
ANONYMISED = {
    "hosted_nights": ("nights", "host_id", FORMER_MEMBER),
    "nominations": ("nominees", "nominated_by", FORMER_MEMBER),
    "catalogue_edits": ("catalog_edits", "user_id", None),
}


class PeopleStore:
    def __init__(self, db: Backend):
        self.db = db

    # Preferences -----------------------------------------------------------------------------------
    async def prefs(self, user_id: int) -> UserPrefs:
        row = await self.db.fetchone("SELECT region, services FROM user_prefs WHERE user_id = ?", (user_id,))
        if row is None:
            return UserPrefs(user_id)
        return UserPrefs(user_id, row[0], tuple(json.loads(row[1])))

    async def save_prefs(self, prefs: UserPrefs) -> None:
        await self.db.execute(
            "INSERT INTO user_prefs(user_id, region, services) VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE "
            "SET region = excluded.region, services = excluded.services",
            (prefs.user_id, prefs.region, json.dumps(list(prefs.services))),
        )

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self.db.fetchone(
            "SELECT region, services, night_channel_id, timezone FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return GuildSettings(guild_id)
        return GuildSettings(guild_id, row[0], tuple(json.loads(row[1])), row[2], row[3])

    async def save_guild_settings(self, s: GuildSettings) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings(guild_id, region, services, night_channel_id, timezone) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(guild_id) DO UPDATE SET region = excluded.region, services = excluded.services, "
            "night_channel_id = excluded.night_channel_id, timezone = excluded.timezone",
            (s.guild_id, s.region, json.dumps(list(s.services)), s.night_channel_id, s.timezone),
        )

    # Lists -----------------------------------------------------------------------------------------
    async def watchlist(self, user_id: int) -> list[WatchlistEntry]:
        rows = await self.db.fetchall(
            "SELECT film_id, added_at FROM watchlist WHERE user_id = ? ORDER BY added_at, film_id", (user_id,)
        )
        return [WatchlistEntry(r[0], r[1]) for r in rows]

    async def add_to_watchlist(self, user_id: int, film_id: str) -> bool:
        """True when newly added, False when it was already there."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO watchlist(user_id, film_id, added_at) VALUES (?, ?, ?)",
                (user_id, film_id, int(time.time())),
            )
            return cursor.rowcount == 1

    async def remove_from_watchlist(self, user_id: int, film_id: str) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM watchlist WHERE user_id = ? AND film_id = ?", (user_id, film_id))
            return cursor.rowcount == 1

    async def seen_ids(self, user_id: int) -> set[str]:
        return {r[0] for r in await self.db.fetchall("SELECT film_id FROM seen WHERE user_id = ?", (user_id,))}

    async def seen_by_any(self, user_ids: list[int]) -> dict[str, set[int]]:
        """film id -> who among `user_ids` has seen it (for group suggestions)."""
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        result: dict[str, set[int]] = {}
        for film_id, user_id in await self.db.fetchall(
            f"SELECT film_id, user_id FROM seen WHERE user_id IN ({marks})", user_ids  # noqa: S608 - placeholders only
        ):
            result.setdefault(film_id, set()).add(user_id)
        return result

    async def mark_seen(self, user_ids: list[int] | int, film_id: str) -> int:
        ids = [user_ids] if isinstance(user_ids, int) else user_ids
        now = int(time.time())
        added = 0
        async with self.db.transaction() as conn:
            for user_id in dict.fromkeys(ids):  # a night's attendees: a handful, each counted
                cursor = await conn.execute("INSERT OR IGNORE INTO seen(user_id, film_id, at) VALUES (?, ?, ?)",
                                            (user_id, film_id, now))
                added += cursor.rowcount
        return added

    async def unmark_seen(self, user_id: int, film_id: str) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM seen WHERE user_id = ? AND film_id = ?", (user_id, film_id))
            return cursor.rowcount == 1

    async def rate(self, user_id: int, film_id: str, stars: int) -> int | None:
        """Store a rating; return the previous one, if any."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT stars FROM ratings WHERE user_id = ? AND film_id = ?", (user_id, film_id)
            ) as cursor:
                previous = await cursor.fetchone()
            await conn.execute(
                "INSERT INTO ratings(user_id, film_id, stars, at) VALUES (?, ?, ?, ?) ON CONFLICT(user_id, film_id) "
                "DO UPDATE SET stars = excluded.stars, at = excluded.at",
                (user_id, film_id, stars, int(time.time())),
            )
            return previous[0] if previous else None

    async def ratings(self, user_ids: list[int]) -> dict[tuple[int, str], int]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self.db.fetchall(
            f"SELECT user_id, film_id, stars FROM ratings WHERE user_id IN ({marks})", user_ids  # noqa: S608
        )
        return {(r[0], r[1]): r[2] for r in rows}

    async def watchlists(self, user_ids: list[int]) -> dict[str, set[int]]:
        """film id -> who among `user_ids` has it on their watchlist."""
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        result: dict[str, set[int]] = {}
        for film_id, user_id in await self.db.fetchall(
            f"SELECT film_id, user_id FROM watchlist WHERE user_id IN ({marks})", user_ids  # noqa: S608
        ):
            result.setdefault(film_id, set()).add(user_id)
        return result

    async def prefs_of(self, user_ids: list[int]) -> list[UserPrefs]:
        return [await self.prefs(u) for u in user_ids]

    async def import_history(self, user_id: int, *, seen: Iterable[str] = (), ratings: Mapping[str, int] | None = None,
                             watchlist: Iterable[str] = ()) -> HistoryWritten:
        """Add films to someone's seen list and watchlist and set their ratings (1-5 stars), all in one
        transaction; a rating replaces the stored one. What is already there is counted, not written again,
        so importing the same history twice writes nothing the second time."""
        ratings = dict(ratings or {})
        if any(not 1 <= stars <= 5 for stars in ratings.values()):
            raise ValueError("ratings are 1 to 5 stars")
        written = HistoryWritten()
        now = int(time.time())
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT film_id FROM seen WHERE user_id = ?", (user_id,)) as cursor:
                had_seen = {r[0] for r in await cursor.fetchall()}
            async with conn.execute("SELECT film_id FROM watchlist WHERE user_id = ?", (user_id,)) as cursor:
                had_watchlist = {r[0] for r in await cursor.fetchall()}
            async with conn.execute("SELECT film_id, stars FROM ratings WHERE user_id = ?", (user_id,)) as cursor:
                had_ratings = {r[0]: r[1] for r in await cursor.fetchall()}
            new_seen = [f for f in dict.fromkeys(seen) if f not in had_seen]
            new_watchlist = [f for f in dict.fromkeys(watchlist) if f not in had_watchlist]
            new_ratings = [(f, s) for f, s in ratings.items() if had_ratings.get(f) != s]
            written.seen_added, written.watchlist_added = len(new_seen), len(new_watchlist)
            written.seen_already = len(dict.fromkeys(seen)) - len(new_seen)
            written.watchlist_already = len(dict.fromkeys(watchlist)) - len(new_watchlist)
            written.ratings_replaced = sum(1 for f, _s in new_ratings if f in had_ratings)
            written.ratings_added = len(new_ratings) - written.ratings_replaced
            written.ratings_already = len(ratings) - len(new_ratings)
            await conn.executemany("INSERT OR IGNORE INTO seen(user_id, film_id, at) VALUES (?, ?, ?)",
                                   [(user_id, f, now) for f in new_seen])
            await conn.executemany("INSERT OR IGNORE INTO watchlist(user_id, film_id, added_at) VALUES (?, ?, ?)",
                                   [(user_id, f, now) for f in new_watchlist])
            await conn.executemany(
                "INSERT INTO ratings(user_id, film_id, stars, at) VALUES (?, ?, ?, ?) ON CONFLICT(user_id, film_id) "
                "DO UPDATE SET stars = excluded.stars, at = excluded.at",
                [(user_id, f, s, now) for f, s in new_ratings])
        return written

    async def forget(self, user_id: int) -> Forgotten:
        """Delete everything stored about one person, or take their id out of what others still need, in one
        transaction, and count both."""
        forgotten = Forgotten()
        async with self.db.transaction() as conn:
            for label, (table, column) in DELETED_WITH_THE_PERSON.items():
                cursor = await conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,))  # noqa: S608
                if cursor.rowcount:
                    forgotten.counts[label] = cursor.rowcount
            # A night nobody else nominated in, voted in or joined is theirs alone: it goes, with its nominees
            # (ON DELETE CASCADE). Their own ballots and RSVPs are already gone.
            cursor = await conn.execute(
                "DELETE FROM nights WHERE host_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM nominees WHERE night_id = nights.id AND nominated_by != ?)"
                " AND NOT EXISTS (SELECT 1 FROM ballots WHERE night_id = nights.id)"
                " AND NOT EXISTS (SELECT 1 FROM attendees WHERE night_id = nights.id)", (user_id, user_id))
            if cursor.rowcount:
                forgotten.counts["hosted_nights"] = cursor.rowcount
            for label, (table, column, replacement) in ANONYMISED.items():
                cursor = await conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?",  # noqa: S608
                                            (replacement, user_id))
                if cursor.rowcount:
                    forgotten.anonymised[label] = cursor.rowcount
        return forgotten


class UiStateStore:
    """Small JSON states addressed by a random token that a custom_id can carry."""

    MAX_AGE = 7 * 24 * 3600

    def __init__(self, db: Backend):
        self.db = db

    async def put(self, user_id: int, kind: str, payload: dict) -> str:
        import secrets

        token = secrets.token_urlsafe(6)
        now = int(time.time())
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM ui_state WHERE created_at < ?", (now - self.MAX_AGE,))
            await conn.execute(
                "INSERT INTO ui_state(token, user_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                (token, user_id, kind, json.dumps(payload), now),
            )
        return token

    async def get(self, token: str, kind: str) -> tuple[int, dict] | None:
        row = await self.db.fetchone("SELECT user_id, payload FROM ui_state WHERE token = ? AND kind = ?",
                                     (token, kind))
        return None if row is None else (row[0], json.loads(row[1]))

    async def replace(self, token: str, payload: dict) -> None:
        await self.db.execute("UPDATE ui_state SET payload = ? WHERE token = ?", (json.dumps(payload), token))
