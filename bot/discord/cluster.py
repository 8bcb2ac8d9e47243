"""One process of a sharded bot: IDENTIFY paced across every process, and a heartbeat for `marquee status`.

Discord lets a bot start `max_concurrency` sessions per 5 seconds: shard `s` is in identify bucket
`s % max_concurrency`, and each bucket may IDENTIFY once per 5 seconds, whichever process runs the shard
(an IDENTIFY too soon is refused with INVALID_SESSION). discord.py asks `before_identify_hook` before every
IDENTIFY; Marquee answers by taking the bucket's slot in the shared database (`rate_slots`), so processes
started together, restarted, or re-identifying after a lost session queue up instead of colliding.
"""
from __future__ import annotations

import asyncio
import logging
import time

import discord

from ..core.cluster import Coordinator
from ..storage.coordination import ClusterMembers

log = logging.getLogger(__name__)

IDENTIFY_INTERVAL = 5.0 + 0.25  # Discord's 5 s per bucket, with a margin for the time a frame takes to arrive
REPORT_EVERY = 5.0  # seconds between heartbeats in `cluster_members`


class ShardCluster:
    def __init__(self, client: discord.AutoShardedClient, coordinator: Coordinator, members: ClusterMembers) -> None:
        self.client = client
        self.coordinator = coordinator
        self.members = members
        self.started_at = time.time()
        self._max_concurrency: int | None = None
        self._reporter: asyncio.Task[None] | None = None

    async def max_concurrency(self) -> int:
        if self._max_concurrency is None:
            try:
                limits = await self.client.fetch_session_start_limits()
                self._max_concurrency = max(1, int(limits.max_concurrency))
            except (discord.HTTPException, discord.GatewayNotFound) as error:
                log.warning("Could not read the session start limits (%s); assuming max_concurrency 1", error)
                return 1
        return self._max_concurrency

    async def before_identify(self, shard_id: int | None) -> None:
        bucket = (shard_id or 0) % await self.max_concurrency()
        started = time.monotonic()
        await self.coordinator.pace(f"identify:{bucket}", IDENTIFY_INTERVAL)
        waited = time.monotonic() - started
        if waited > 0.05:
            log.info("Shard %s waited %.1fs for its IDENTIFY slot (bucket %d)", shard_id, waited, bucket)

    def shard_ids(self) -> tuple[int, ...]:
        ids = self.client.shard_ids
        return tuple(ids) if ids is not None else tuple(range(self.client.shard_count or 1))

    async def report(self) -> None:
        latencies = {shard: latency for shard, latency in self.client.latencies if latency == latency}  # not NaN
        await self.members.report(self.coordinator.holder, shard_ids=self.shard_ids(),
                                  shard_count=self.client.shard_count or 1, latencies=latencies,
                                  guilds=len(self.client.guilds), started_at=self.started_at)

    def start(self) -> None:
        self._reporter = asyncio.create_task(self._report_loop(), name="cluster heartbeat")

    async def _report_loop(self) -> None:
        while True:
            try:
                await self.report()
            except Exception:  # noqa: BLE001 - status only; never stop the bot for it
                log.exception("Reporting this process in cluster_members failed")
            await asyncio.sleep(REPORT_EVERY)

    async def stop(self) -> None:
        if self._reporter is None:
            return
        self._reporter.cancel()
        try:
            await self._reporter
        except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
            pass
        try:
            await self.members.leave(self.coordinator.holder)
        except Exception:  # noqa: BLE001 - `marquee status` forgets it after a while anyway
            log.warning("Could not remove this process from cluster_members")
