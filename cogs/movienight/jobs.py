"""Movie-night work that happens outside a click: keeping the public ballot message current, and closing
nights at their deadline (caught up on start after downtime)."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Coroutine

from .keeper import NightKeeper
from .results import Announcement

log = logging.getLogger(__name__)

CHECK_DEADLINES_AT_LEAST_EVERY = 300.0  # seconds; guards against clock jumps and missed wake-ups
# Where the database cannot notify (SQLite), another process sharing the file (the console, a second bot)
# may open or move a night without waking this one: look again this often (two indexed queries).
POLL_DEADLINES_EVERY = 2.0
RETRY_AFTER_FAILURE = 30.0
DEADLINE_CHANNEL = "marquee_night_deadline"  # notified by the database when a night's deadline is set


class Tasks:
    """Side tasks (event updates) that must not hold up the answer, but are awaited before shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Movie-night background step failed", exc_info=task.exception())

    def pending(self) -> list[asyncio.Task[None]]:
        return list(self._tasks)


class BallotRefresher:
    """Brings each night's public ballot message up to date, one refresher per night: however many votes
    arrive at once, the view is rebuilt after the last of them, so the final state is always the one shown.
    Across processes the publisher paces the edits of one message (at most one a second, bot.discord.publisher)
    and a lease per night makes reading the tally and editing one step."""

    def __init__(self, keeper: NightKeeper) -> None:
        self.keeper = keeper
        self._dirty: set[int] = set()
        self._refreshers: dict[int, asyncio.Task[None]] = {}

    def refresh_later(self, night_id: int) -> None:
        """Bring the public ballot message up to date soon. Many calls in a burst cost one rebuild."""
        self._dirty.add(night_id)
        running = self._refreshers.get(night_id)
        if running is None or running.done():
            self._refreshers[night_id] = asyncio.create_task(self._refresher(night_id))

    async def _refresher(self, night_id: int) -> None:
        store, ctx = self.keeper.store, self.keeper.ctx
        try:
            # The flag is cleared before the view is read, so a vote committed during a rebuild
            # triggers one more: the last edit always shows the final state.
            while night_id in self._dirty:
                self._dirty.discard(night_id)
                # Read and edit as one step across processes: whichever edits last read the state after every
                # ballot acknowledged before it, so the message ends showing all of them.
                async with ctx.cluster.exclusive(f"ballot:{night_id}"):
                    night = await store.get(night_id)
                    if night is None or night.message_id is None:
                        continue
                    await ctx.publisher.edit(night.channel_id, night.message_id, await self.keeper.view(night))
                    await ctx.publisher.sent(night.message_id)
        except Exception:  # noqa: BLE001 - a failed refresh must not kill later ones
            log.exception("Refreshing the ballot of night %s failed", night_id)
        finally:
            if self._refreshers.get(night_id) is asyncio.current_task():
                del self._refreshers[night_id]

    def pending(self) -> list[asyncio.Task[None]]:
        return list(self._refreshers.values())

    async def redraw_open(self) -> None:
        """A refresh queued just before a restart died with the old process: redraw open ballots once."""
        for night_id in await self.keeper.store.open_ids():
            self.refresh_later(night_id)


class DeadlineCloser:
    """Closes nights at their deadline: sleeps until the next one; on start, catches up on missed ones."""

    def __init__(self, keeper: NightKeeper, close: Callable[..., Awaitable[Announcement | None]]) -> None:
        self.keeper = keeper
        self._close = close
        self._wake = asyncio.Event()
        self._listening = False

    def wake(self) -> None:
        """A night was opened or changed its deadline: look again now."""
        self._wake.set()

    async def run(self) -> None:
        if not self._listening:
            # Nights opened by other processes wake this one too (PostgreSQL; with SQLite there is one process).
            self._listening = await self.keeper.ctx.db.listen(DEADLINE_CHANNEL, lambda _night: self.wake())
        while True:
            self._wake.clear()
            try:
                await self.close_due()
                next_deadline = await self.keeper.store.next_deadline()
            except Exception:  # noqa: BLE001 - keep the loop alive; try again shortly
                log.exception("Closing due movie nights failed")
                next_deadline = int(time.time() + RETRY_AFTER_FAILURE)
            delay = CHECK_DEADLINES_AT_LEAST_EVERY if self._listening else POLL_DEADLINES_EVERY
            if next_deadline is not None:
                delay = min(delay, max(0.0, next_deadline - time.time()))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def close_due(self, now: float | None = None) -> list[int]:
        """Close every open night whose deadline has passed and announce it. Returns their ids."""
        closed = []
        for night in await self.keeper.store.due(int(time.time() if now is None else now)):
            announcement = await self._close(night, closed_by=None)
            if announcement is None:
                continue  # someone closed it by hand a moment ago
            closed.append(night.id)
            if night.channel_id is not None:
                await self.keeper.ctx.publisher.post(night.channel_id, announcement)
        return closed
