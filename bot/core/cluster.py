"""Working as one of several processes over one database (and, alone, exactly as before).

- `Coordinator.singleton(name, work)`: run `work` only while this process holds the lease `name`; it is
  renewed every `LEASE_TTL / 3` seconds, a process that dies loses it within `LEASE_TTL` seconds and another
  one starts the work. With one process it simply runs.
- `Coordinator.exclusive(name)`: a short critical section across processes (read the ballot, edit the
  message): waits for the lease, releases it at the end.
- `CatalogueWatcher`: keeps this process's in-memory catalogue in step with edits made by other processes.
  PostgreSQL pushes every new catalogue revision (LISTEN/NOTIFY, a trigger on `meta`); SQLite is polled.
  A revision this process wrote itself changes nothing; any other reloads the engine (in a thread) and swaps
  it in, a burst of edits costing one reload.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Coroutine

from ..storage.backend import Backend
from ..storage.catalog import WRITTEN_HERE
from ..storage.coordination import Leases, RateSlots, process_id
from .catalogue import Catalogue

log = logging.getLogger(__name__)

LEASE_TTL = 6.0  # seconds: a dead holder's lease is free again this long after its last renewal
EXCLUSIVE_TTL = 3.0  # seconds: a dead process's critical section is free again this long after it died
EXCLUSIVE_POLL = 0.1
REVISION_CHANNEL = "marquee_catalog_revision"
POLL_EVERY = 2.0  # SQLite: seconds between looks at the catalogue revision
RELOAD_DEBOUNCE = 0.5  # seconds to let a burst of edits (an import) finish before reloading once


class Coordinator:
    def __init__(self, db: Backend, holder: str | None = None) -> None:
        self.holder = holder or process_id()
        self.leases = Leases(db, self.holder)
        self.slots = RateSlots(db)

    async def singleton(self, name: str, work: Callable[[], Coroutine[Any, Any, None]], *,
                        ttl: float = LEASE_TTL) -> None:
        """Run `work` while holding lease `name` (restarted if the lease is lost and taken back)."""
        task: asyncio.Task[None] | None = None
        try:
            while True:
                try:
                    held = await self.leases.acquire(name, ttl)
                except Exception:  # noqa: BLE001 - the database is away: act as if the lease were lost
                    log.exception("Renewing the lease %s failed", name)
                    held = False
                if held and (task is None or task.done()):
                    if task is not None and not task.cancelled() and task.exception() is not None:
                        log.error("Work under lease %s failed; restarting it", name, exc_info=task.exception())
                    log.info("Holding the lease %s (%s)", name, self.holder)
                    task = asyncio.create_task(work(), name=f"lease {name}")
                elif not held and task is not None and not task.done():
                    log.warning("Lost the lease %s; stopping its work", name)
                    task.cancel()
                await asyncio.sleep(ttl / 3)
        finally:
            if task is not None:
                task.cancel()
            try:
                await asyncio.shield(self.leases.release(name))
            except Exception:  # noqa: BLE001 - it expires anyway
                log.warning("Could not release the lease %s; it expires by itself", name)

    @asynccontextmanager
    async def exclusive(self, name: str, *, ttl: float = EXCLUSIVE_TTL) -> AsyncIterator[None]:
        """Hold lease `name` for the body (renewed while it runs, so a slow body keeps it and a dead process
        frees it within `ttl` seconds)."""
        while not await self.leases.acquire(name, ttl):
            await asyncio.sleep(EXCLUSIVE_POLL)

        async def renew() -> None:
            while True:
                await asyncio.sleep(ttl / 3)
                await self.leases.acquire(name, ttl)

        renewing = asyncio.create_task(renew(), name=f"renew {name}")
        try:
            yield
        finally:
            renewing.cancel()
            await asyncio.shield(self.leases.release(name))

    async def pace(self, key: str, interval: float) -> None:
        """Wait for the next slot of `key`: at most one per `interval` seconds across every process."""
        while (wait := await self.slots.claim(key, interval)) > 0:
            await asyncio.sleep(wait)


async def reload_catalogue(catalogue: Catalogue) -> None:
    """Read the catalogue from the database again and swap the new engine in (built in a thread)."""
    films, links = await catalogue.store.load()

    def build() -> Catalogue:
        fresh = Catalogue(catalogue.store, films, links, catalogue.vocabulary, catalogue.services)
        fresh.similarity.prepare()
        return fresh

    # As at start-up (Catalogue.load): a few million long-lived objects are made, and collecting while they
    # are made finds nothing and stalls every thread, the event loop's included, for many seconds.
    collecting = gc.isenabled()
    gc.disable()
    try:
        fresh = await asyncio.to_thread(build)
    finally:
        if collecting:
            gc.enable()
    engine = fresh.catalog, fresh.titles, fresh.similarity
    del fresh
    async with catalogue.edit_lock:
        await catalogue.put_in_place(engine)


class CatalogueWatcher:
    def __init__(self, catalogue: Catalogue, db: Backend, *, current: str | None = None,
                 reload: Callable[[Catalogue], Awaitable[None]] = reload_catalogue,
                 own: Callable[[str], bool] = WRITTEN_HERE.__contains__) -> None:
        self.db = db
        self.catalogue = catalogue
        self._reload = reload
        self._own = own
        self.current = current  # the revision the in-memory catalogue reflects
        self.reloads = 0
        self.reloaded = asyncio.Event()  # set after every reload (tests wait on it)
        self._seen = asyncio.Event()

    def _notified(self, revision: str) -> None:
        # An empty payload: the LISTEN connection came back and notifications may have been missed.
        if revision and (revision == self.current or self._own(revision)):
            self.current = revision
            return
        self._seen.set()

    async def run(self) -> None:
        if self.current is None:
            self.current = await self._revision()
        pushed = await self.db.listen(REVISION_CHANNEL, self._notified)
        while True:
            if pushed:
                await self._seen.wait()
            else:
                try:
                    await asyncio.wait_for(self._seen.wait(), POLL_EVERY)
                except asyncio.TimeoutError:
                    pass
            await asyncio.sleep(RELOAD_DEBOUNCE)
            self._seen.clear()
            try:
                revision = await self._revision()
                if revision != self.current and not self._own(revision):
                    log.info("The catalogue was changed by another process (revision %s); reloading it", revision)
                    started = time.perf_counter()
                    await self._reload(self.catalogue)
                    log.info("Catalogue reloaded (%.1fs)", time.perf_counter() - started)
                    self.reloads += 1
                    self.reloaded.set()
                self.current = revision
            except Exception:  # noqa: BLE001 - try again at the next change
                log.exception("Reloading the catalogue after another process's edit failed")

    async def _revision(self) -> str:
        return await self.db.get_meta("catalog_revision") or ""
