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
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.catalogue import Catalogue
from bot.core.interface import Actor
from bot.storage.db import Database
from tests.backends import (  # noqa: F401 - fixtures: the same tests on SQLite and on PostgreSQL
    app_over, backend_app, database_target, pg_database, pg_template, postgres, storage,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "marquee.db"

    async def build() -> None:
        app = await Marquee.open(path, FEATURES)
        await app.close()

    asyncio.run(build())
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
    target = tmp_path / "marquee.db"
    shutil.copyfile(template_db, target)
    # The engine snapshot too: a bot started on this copy reads it instead of rebuilding (same revision).
    engine = template_db.with_name(template_db.name + ".engine")
    if engine.is_file():
        shutil.copyfile(engine, target.with_name(target.name + ".engine"))
    return target


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
