"""SQL for movie nights: the nights, their nominees, ballots and who said "I'm in".

Every write that a user is told about happens in one transaction before the answer is sent. Ballots are
keyed by (night, voter), so a double submit or two clicks at the same instant leave exactly one ballot.
Writes re-check that the night is still open inside their transaction: a vote that loses the race against
the close is refused, never silently dropped after the count.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from .backend import Backend, Connection, Row

MAX_NOMINEES = 20
OPEN, CLOSED, CANCELLED = "open", "closed", "cancelled"
# The host or nominator a night shows after that person used /forgetme: the night itself stays for the
# others who took part in it, without the name. (No Discord id is 0.)
FORMER_MEMBER = 0

_NIGHT_COLUMNS = ("id, guild_id, channel_id, message_id, host_id, title, showtime, closes_at, voting, status, "
                  "event_id, created_at, closed_at, winner_film_id, outcome")


@dataclass(frozen=True, slots=True)
class Night:
    id: int
    guild_id: int | None
    channel_id: int | None
    message_id: int | None
    host_id: int
    title: str
    showtime: int | None  # unix seconds
    closes_at: int | None  # unix seconds; None: the host closes it
    voting: str  # "approval" or "ranked"
    status: str  # OPEN, CLOSED or CANCELLED
    event_id: int | None
    created_at: int
    closed_at: int | None
    winner_film_id: str | None
    outcome: dict[str, Any] | None  # what the count said, as stored at close

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


@dataclass(frozen=True, slots=True)
class Nominee:
    film_id: str
    position: int  # 0-based nomination order
    nominated_by: int
    at: int


@dataclass(frozen=True, slots=True)
class Ballot:
    user_id: int
    choices: tuple[str, ...]  # film ids; for ranked votes favourite first
    updated_at: int


@dataclass(frozen=True, slots=True)
class Nomination:
    """What happened to a nomination: "added", "duplicate" (nominee says by whom), "full" or "closed"."""

    status: str
    nominee: Nominee | None = None


@dataclass(frozen=True, slots=True)
class BallotWrite:
    """What happened to a ballot: "new", "changed", "unchanged" (a double submit) or "closed"."""

    status: str
    ballot: Ballot | None = None


@dataclass(frozen=True, slots=True)
class Turnout:
    voters: int
    attendees: int


def _night(row: Row) -> Night:
    return Night(
        id=row[0], guild_id=row[1], channel_id=row[2], message_id=row[3], host_id=row[4], title=row[5],
        showtime=row[6], closes_at=row[7], voting=row[8], status=row[9], event_id=row[10], created_at=row[11],
        closed_at=row[12], winner_film_id=row[13], outcome=json.loads(row[14]) if row[14] else None,
    )


class NightStore:
    def __init__(self, db: Backend):
        self.db = db

    # Nights ----------------------------------------------------------------------------------------
    async def create(self, *, guild_id: int | None, channel_id: int | None, host_id: int, title: str,
                     showtime: int | None, closes_at: int | None, voting: str) -> Night | None:
        """A new open night, or None when the channel already has an open one (checked in the same
        transaction, so two simultaneous starts cannot both succeed)."""
        now = int(time.time())
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT 1 FROM nights WHERE channel_id = ? AND status = 'open'",
                                    (channel_id,)) as cursor:
                if await cursor.fetchone() is not None:
                    return None
            cursor = await conn.execute(
                "INSERT INTO nights(guild_id, channel_id, host_id, title, showtime, closes_at, voting, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, channel_id, host_id, title, showtime, closes_at, voting, now),
            )
            night_id = cursor.lastrowid
        assert night_id is not None  # an INSERT sets the new row's id
        night = await self.get(night_id)
        assert night is not None
        return night

    async def get(self, night_id: int) -> Night | None:
        row = await self.db.fetchone(f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE id = ?", (night_id,))  # noqa: S608
        return None if row is None else _night(row)

    async def open_in_channel(self, channel_id: int | None) -> Night | None:
        row = await self.db.fetchone(
            f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE channel_id = ? AND status = 'open' "  # noqa: S608
            "ORDER BY id DESC LIMIT 1", (channel_id,))
        return None if row is None else _night(row)

    async def set_message(self, night_id: int, channel_id: int | None, message_id: int) -> None:
        await self.db.execute("UPDATE nights SET channel_id = ?, message_id = ? WHERE id = ?",
                              (channel_id, message_id, night_id))

    async def set_event(self, night_id: int, event_id: int | None) -> None:
        await self.db.execute("UPDATE nights SET event_id = ? WHERE id = ?", (event_id, night_id))

    async def due(self, now: int) -> list[Night]:
        """Open nights whose voting deadline has passed (also those missed while the bot was down)."""
        rows = await self.db.fetchall(
            f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE status = 'open' AND closes_at IS NOT NULL "  # noqa: S608
            "AND closes_at <= ? ORDER BY closes_at, id", (now,))
        return [_night(r) for r in rows]

    async def open_ids(self) -> list[int]:
        return [r[0] for r in await self.db.fetchall("SELECT id FROM nights WHERE status = 'open' ORDER BY id")]

    async def next_deadline(self) -> int | None:
        return await self.db.scalar("SELECT MIN(closes_at) FROM nights WHERE status = 'open' AND closes_at IS NOT NULL")

    async def history(self, guild_id: int | None, limit: int) -> list[Night]:
        rows = await self.db.fetchall(
            f"SELECT {_NIGHT_COLUMNS} FROM nights WHERE guild_id IS ? AND status != 'open' "  # noqa: S608
            "ORDER BY COALESCE(showtime, closed_at) DESC, id DESC LIMIT ?", (guild_id, limit))
        return [_night(r) for r in rows]

    async def turnout(self, night_ids: list[int]) -> dict[int, Turnout]:
        if not night_ids:
            return {}
        marks = ",".join("?" * len(night_ids))
        voters: dict[int, int] = {night_id: count for night_id, count in await self.db.fetchall(
            f"SELECT night_id, COUNT(*) FROM ballots WHERE night_id IN ({marks}) GROUP BY night_id", night_ids)}  # noqa: S608
        attendees: dict[int, int] = {night_id: count for night_id, count in await self.db.fetchall(
            f"SELECT night_id, COUNT(*) FROM attendees WHERE night_id IN ({marks}) GROUP BY night_id", night_ids)}  # noqa: S608
        return {n: Turnout(voters.get(n, 0), attendees.get(n, 0)) for n in night_ids}

    async def finish(self, night_id: int, decide: Callable[[list[Nominee], list[Ballot]], tuple[str | None, dict]],
                     ) -> tuple[Night, list[Nominee], list[Ballot]] | None:
        """Close an open night and store its outcome, all in one transaction.

        `decide(nominees, ballots)` runs inside the transaction (it must be quick and pure), so no ballot can
        slip in between counting and closing. Returns None when the night was not open (someone else, or the
        deadline, closed it first)."""
        now = int(time.time())
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE nights SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", (now, night_id))
            if cursor.rowcount != 1:
                return None
            nominees = await _nominees(conn, night_id)
            ballots = await _ballots(conn, night_id)
            winner, outcome = decide(nominees, ballots)
            await conn.execute("UPDATE nights SET winner_film_id = ?, outcome = ? WHERE id = ?",
                               (winner, json.dumps(outcome, ensure_ascii=False), night_id))
        night = await self.get(night_id)
        assert night is not None
        return night, nominees, ballots

    async def cancel(self, night_id: int) -> Night | None:
        """Cancel an open night; None when it was not open any more."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE nights SET status = 'cancelled', closed_at = ? WHERE id = ? AND status = 'open'",
                (int(time.time()), night_id))
            if cursor.rowcount != 1:
                return None
        return await self.get(night_id)

    # Nominees --------------------------------------------------------------------------------------
    async def nominees(self, night_id: int) -> list[Nominee]:
        rows = await self.db.fetchall(_NOMINEES_SQL, (night_id,))
        return [Nominee(*row) for row in rows]

    async def nominate(self, night_id: int, film_id: str, user_id: int, *, limit: int = MAX_NOMINEES) -> Nomination:
        now = int(time.time())
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT status FROM nights WHERE id = ?", (night_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None or row[0] != OPEN:
                return Nomination("closed")
            async with conn.execute(
                "SELECT film_id, position, nominated_by, at FROM nominees WHERE night_id = ? AND film_id = ?",
                (night_id, film_id),
            ) as cursor:
                existing = await cursor.fetchone()
            if existing is not None:
                return Nomination("duplicate", Nominee(*existing))
            async with conn.execute("SELECT COUNT(*), COALESCE(MAX(position) + 1, 0) FROM nominees WHERE night_id = ?",
                                    (night_id,)) as cursor:
                totals = await cursor.fetchone()
            assert totals is not None  # COUNT(*) without GROUP BY always gives one row
            count, position = totals
            if count >= limit:
                return Nomination("full")
            await conn.execute(
                "INSERT INTO nominees(night_id, film_id, position, nominated_by, at) VALUES (?, ?, ?, ?, ?)",
                (night_id, film_id, position, user_id, now))
        return Nomination("added", Nominee(film_id, position, user_id, now))

    # Ballots ---------------------------------------------------------------------------------------
    async def cast(self, night_id: int, user_id: int, choices: list[str]) -> BallotWrite:
        """Write (or replace) one voter's ballot. Choices that are not nominees are dropped here, inside
        the transaction, against the nominees as they are at that instant."""
        now = int(time.time())
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT status FROM nights WHERE id = ?", (night_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None or row[0] != OPEN:
                return BallotWrite("closed")
            nominated = {n.film_id for n in await _nominees(conn, night_id)}
            kept = tuple(dict.fromkeys(c for c in choices if c in nominated))
            async with conn.execute("SELECT choices FROM ballots WHERE night_id = ? AND user_id = ?",
                                    (night_id, user_id)) as cursor:
                previous = await cursor.fetchone()
            if previous is not None and tuple(json.loads(previous[0])) == kept:
                return BallotWrite("unchanged", Ballot(user_id, kept, now))
            await conn.execute(
                "INSERT INTO ballots(night_id, user_id, choices, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(night_id, user_id) DO UPDATE SET choices = excluded.choices, "
                "updated_at = excluded.updated_at",
                (night_id, user_id, json.dumps(list(kept)), now))
        return BallotWrite("changed" if previous is not None else "new", Ballot(user_id, kept, now))

    async def ballots(self, night_id: int) -> list[Ballot]:
        return [Ballot(r[0], tuple(json.loads(r[1])), r[2]) for r in await self.db.fetchall(_BALLOTS_SQL, (night_id,))]

    async def ballot_of(self, night_id: int, user_id: int) -> Ballot | None:
        row = await self.db.fetchone("SELECT user_id, choices, updated_at FROM ballots "
                                     "WHERE night_id = ? AND user_id = ?",
                                     (night_id, user_id))
        return None if row is None else Ballot(row[0], tuple(json.loads(row[1])), row[2])

    async def voters(self, night_id: int) -> list[int]:
        return [r[0] for r in await self.db.fetchall("SELECT user_id FROM ballots WHERE night_id = ? ORDER BY user_id",
                                                    (night_id,))]

    # Attendees -------------------------------------------------------------------------------------
    async def join(self, night_id: int, user_id: int) -> bool | None:
        """True when newly in, False when already in, None when the night is not open any more."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT status FROM nights WHERE id = ?", (night_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None or row[0] != OPEN:
                return None
            cursor = await conn.execute("INSERT OR IGNORE INTO attendees(night_id, user_id, at) VALUES (?, ?, ?)",
                                        (night_id, user_id, int(time.time())))
            return cursor.rowcount == 1

    async def leave(self, night_id: int, user_id: int) -> bool:
        async with self.db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM attendees WHERE night_id = ? AND user_id = ?", (night_id, user_id))
            return cursor.rowcount == 1

    async def attendees(self, night_id: int) -> list[int]:
        return [r[0] for r in await self.db.fetchall("SELECT user_id FROM attendees WHERE night_id = ? "
                                                    "ORDER BY at, user_id",
                                                    (night_id,))]


_NOMINEES_SQL = "SELECT film_id, position, nominated_by, at FROM nominees WHERE night_id = ? ORDER BY position"
_BALLOTS_SQL = "SELECT user_id, choices, updated_at FROM ballots WHERE night_id = ? ORDER BY user_id"


async def _nominees(conn: Connection, night_id: int) -> list[Nominee]:
    async with conn.execute(_NOMINEES_SQL, (night_id,)) as cursor:
        return [Nominee(*row) for row in await cursor.fetchall()]


async def _ballots(conn: Connection, night_id: int) -> list[Ballot]:
    async with conn.execute(_BALLOTS_SQL, (night_id,)) as cursor:
        return [Ballot(r[0], tuple(json.loads(r[1])), r[2]) for r in await cursor.fetchall()]
