"""What processes sharing one database agree on through it: leases, shared rate limits, who is serving.

- **Leases** (`leases` table): work that must happen once (closing nights at their deadline, redrawing
  ballots after a restart) runs only in the process holding its lease. A lease is held for `ttl` seconds and
  renewed well before that; a process that dies stops renewing, so another takes the lease over within
  `ttl` seconds. Taking and renewing is one conditional upsert, atomic on both backends.
- **Rate slots** (`rate_slots` table): "at most one X per interval for key K, whichever process asks".
  `claim` moves K's next free time forward only if it has passed, so two processes never both get the same
  slot: ballot message edits (one per second per message) and gateway IDENTIFYs (one per five seconds per
  identify bucket) use it.
- **Cluster members** (`cluster_members` table): each serving process says every few seconds which shards it
  runs, their latency and how many servers it sees; `marquee status` reads it.

Times are wall-clock seconds (`time.time()`): processes on several machines need synchronised clocks
(NTP), as they do for Discord anyway.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Callable

from .backend import Backend

Clock = Callable[[], float]


def process_id() -> str:
    """A name for this process, unique across machines and restarts: host, pid and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    holder: str
    expires_at: float
    acquired_at: float


class Leases:
    def __init__(self, db: Backend, holder: str, *, clock: Clock = time.time) -> None:
        self.db = db
        self.holder = holder
        self.clock = clock

    async def acquire(self, name: str, ttl: float) -> bool:
        """Take the lease, or renew it if this process holds it. False: another live process holds it."""
        now = self.clock()
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO leases(name, holder, expires_at, acquired_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
                "acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at "
                "ELSE excluded.acquired_at END "
                "WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
                (name, self.holder, now + ttl, now, now))
            return bool(cursor.rowcount)

    async def release(self, name: str) -> None:
        """Give the lease up now (a clean shutdown), so another process need not wait for it to expire."""
        await self.db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, self.holder))

    async def all(self) -> list[Lease]:
        rows = await self.db.fetchall("SELECT name, holder, expires_at, acquired_at FROM leases ORDER BY name")
        return [Lease(r[0], r[1], float(r[2]), float(r[3])) for r in rows]


class RateSlots:
    def __init__(self, db: Backend, *, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    async def claim(self, key: str, interval: float) -> float:
        """Take the next slot of `key`: 0 when it is taken now (the next one opens `interval` seconds from
        now), else how many seconds until the current one ends (nothing was taken: ask again then)."""
        now = self.clock()
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO rate_slots(key, not_before) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                "SET not_before = excluded.not_before WHERE rate_slots.not_before <= ?",
                (key, now + interval, now))
            if cursor.rowcount:
                return 0.0
            async with conn.execute("SELECT not_before FROM rate_slots WHERE key = ?", (key,)) as rows:
                row = await rows.fetchone()
        return max(0.0, float(row[0]) - now) if row is not None else 0.0


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    host: str
    pid: int
    shard_ids: tuple[int, ...]
    shard_count: int
    latencies: dict[int, float]  # shard id -> gateway heartbeat latency in seconds
    guilds: int
    started_at: float
    seen_at: float


class ClusterMembers:
    def __init__(self, db: Backend, *, clock: Clock = time.time) -> None:
        self.db = db
        self.clock = clock

    async def report(self, member_id: str, *, shard_ids: tuple[int, ...], shard_count: int,
                     latencies: dict[int, float], guilds: int, started_at: float) -> None:
        host, _, rest = member_id.partition(":")
        pid = int(rest.partition(":")[0] or 0)
        await self.db.execute(
            "INSERT INTO cluster_members(id, host, pid, shard_ids, shard_count, latencies, guilds, started_at, "
            "seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "shard_ids = excluded.shard_ids, shard_count = excluded.shard_count, latencies = excluded.latencies, "
            "guilds = excluded.guilds, seen_at = excluded.seen_at",
            (member_id, host, pid, json.dumps(list(shard_ids)), shard_count,
             json.dumps({str(k): v for k, v in latencies.items()}), guilds, started_at, self.clock()))

    async def leave(self, member_id: str) -> None:
        await self.db.execute("DELETE FROM cluster_members WHERE id = ?", (member_id,))

    async def all(self, *, forget_after: float = 3600.0) -> list[Member]:
        """Every process seen in the last `forget_after` seconds (older rows are deleted)."""
        await self.db.execute("DELETE FROM cluster_members WHERE seen_at < ?", (self.clock() - forget_after,))
        rows = await self.db.fetchall(
            "SELECT id, host, pid, shard_ids, shard_count, latencies, guilds, started_at, seen_at "
            "FROM cluster_members ORDER BY shard_ids, id")
        return [Member(r[0], r[1], int(r[2]), tuple(json.loads(r[3])), int(r[4]),
                       {int(k): float(v) for k, v in json.loads(r[5]).items()}, int(r[6]), float(r[7]), float(r[8]))
                for r in rows]
