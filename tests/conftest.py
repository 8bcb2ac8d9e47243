"""Shared fixtures: a real SQLite database holding the real shipped catalogue.

Building the catalogue from the shipped files takes seconds, so it is built once per test session into a
template file; each test gets its own copy (a real file, never shared between tests). Reading that
catalogue into memory and indexing it takes about a second more, so the in-memory engine is also loaded
once: each test's app reads and writes its own database copy, while the search and similarity engine it
consults is the session's. A test that changes the catalogue gets the engine reloaded after it, so the
next test starts from the shipped data again.
"""
from __future__ import annotations

import asyncio
import compileall
import fcntl
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import pytest

from bot.composition import FEATURES, serve_console
from bot.core.app import Marquee
from bot.core.catalogue import Catalogue
from bot.core.interface import Actor
from bot.core.settings import load_settings
from bot.storage.db import Database
from tests.backends import (  # noqa: F401 - fixtures: the same tests on SQLite and on PostgreSQL
    app_over, backend_app, copy_database, database_target, pg_database, pg_template, postgres, storage,
)

REPO = Path(__file__).resolve().parent.parent


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    # `-n auto`: two workers per core, not one. Much of the suite waits rather than computes (a bot process
    # starting, an IDENTIFY slot, a movie night's deadline, Discord's 3 s window), and another worker's test
    # runs meanwhile: on 2 cores the suite took 227 s with 2 workers and 160 s with 4 (6: no faster).
    return 2 * (os.cpu_count() or 1)


SLOW_TEST_SECONDS, E2E_TEST_SECONDS = 15, 3


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The `slow` tests (a scale scenario takes 20-30 s) go first, one at the head of each xdist worker's share:
    # worksteal hands each worker an equal run of this list and steals only from the ends of queues, so a slow
    # test left in the middle starts late and ends the run alone (128 s where the other workers were done by
    # 82 s). The other end-to-end tests (a bot process each, seconds) follow, a module at a time (a shared_bot
    # module starts one bot for all its tests) spread over the workers: left together in one worker's share,
    # the last of them were stolen at the end and kept one worker busy 13 s after the others. What is left to
    # steal at the end is then short. Every worker computes the same order, as xdist requires.
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers < 2:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        if not item.get_closest_marker("slow") and item.nodeid.startswith("tests/e2e/"):
            modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    heads: list[list[pytest.Item]] = [slow[n::workers] for n in range(workers)]
    # Rough seconds, to even out the heads: a slow test takes 10-30 s, another end-to-end test a few.
    load = [SLOW_TEST_SECONDS * len(head) for head in heads]
    for module in sorted(modules.values(), key=len, reverse=True):  # the biggest first, each to the least loaded
        lightest = load.index(min(load))
        heads[lightest] += module
        load[lightest] += E2E_TEST_SECONDS * len(module)
    placed = {id(item) for head in heads for item in head}
    rest = [item for item in items if id(item) not in placed]
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for n, head in enumerate(heads):
        share = remaining // (workers - n)  # what the scheduler sends worker n first (xdist's worksteal)
        remaining -= share
        taken = max(0, share - len(head))
        ordered += head + rest[:taken]
        del rest[:taken]
    items[:] = ordered + rest


def pytest_configure(config: pytest.Config) -> None:
    # Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), every bot and command-line process a test
    # starts would compile the project's 120-odd modules from source again: a quarter of a second of CPU per
    # process, over 150 processes. Python still reads bytecode it finds, so compile it once per session
    # (only what changed since the last one; compileall writes atomically, so xdist workers may race).
    for package in ("bot", "cogs"):
        compileall.compile_dir(REPO / package, quiet=1)
    # The same for the test modules: pytest rewrites their asserts (a second of CPU per xdist worker) and keeps
    # the result in __pycache__ only where bytecode may be written. Its cache files are replaced atomically.
    sys.dont_write_bytecode = False


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    # Built by the first xdist worker that asks, under a lock, and read by the others: building it (and its
    # engine snapshot) is four seconds of CPU that every worker would otherwise spend again. The folder is the
    # run's own (the parent of the workers' temporary folders), so pytest removes it with the run's.
    base = tmp_path_factory.getbasetemp()
    shared = (base if worker_id == "master" else base.parent) / "template"
    shared.mkdir(exist_ok=True)
    path, ready = shared / "marquee.db", shared / "built"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            async def build() -> None:
                app = await Marquee.open(path, FEATURES)
                await app.close()

            asyncio.run(build())
            ready.touch()
    return path


@dataclass
class SharedCatalogue:
    """The session's in-memory catalogue, and how to get it back after a test changed it."""

    template: Path
    catalogue: Catalogue | None = None

    async def get(self) -> Catalogue:
        if self.catalogue is None:
            db = await Database.open(self.template)
            try:
                self.catalogue = await Catalogue.load(db)
                await self.catalogue.close()
            finally:
                await db.close()
        return self.catalogue

    def forget(self) -> None:
        self.catalogue = None


@pytest.fixture(scope="session")
def shared_catalogue(template_db: Path) -> SharedCatalogue:
    return SharedCatalogue(template_db)


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    return copy_database(template_db, tmp_path / "marquee.db")


@pytest.fixture
async def app(db_path: Path, shared_catalogue: SharedCatalogue) -> AsyncIterator[Marquee]:
    # The test's own store, lock and database; the session's engine (catalog, title index, similarity).
    async with app_over(await Database.open(db_path), shared_catalogue) as marquee:
        yield marquee


@pytest.fixture
def alice() -> Actor:
    return Actor(user_id=111, name="alice", guild_id=900, channel_id=901)


@pytest.fixture
def bob() -> Actor:
    return Actor(user_id=222, name="bob", guild_id=900, channel_id=901)


@pytest.fixture
def curator() -> Actor:
    """One of the bot's owners: allowed to change the shared catalogue (server admin rights alone are not)."""
    return Actor(user_id=444, name="curator", guild_id=900, channel_id=901, can_manage_guild=True,
                 can_manage_events=True, is_owner=True)


@pytest.fixture
def admin() -> Actor:
    return Actor(user_id=333, name="admin", guild_id=900, channel_id=901, can_manage_guild=True, can_manage_events=True)


Console = Callable[..., Awaitable[list]]


@pytest.fixture
def console(db_path: Path, shared_catalogue: SharedCatalogue) -> Console:
    """Lines typed into a console session, and its answers. Each call is a new session on the test's database
    (nothing carried over in memory, as after a restart) over the session's catalogue engine; opening the
    engine from the file, as `marquee console` does, is what test_member_mode_acts_without_manager_permissions
    runs."""
    settings = load_settings({"DATABASE_PATH": str(db_path)})

    async def session(lines: list[str], *, as_json: bool = True, user: str = "console") -> list:
        out = io.StringIO()
        async with app_over(await Database.open(db_path), shared_catalogue) as app:
            await serve_console(settings, app, user=user, as_json=as_json, stdin=io.StringIO("\n".join(lines) + "\n"),
                                out=out)
        if as_json:
            return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
        return [out.getvalue()]

    return session
