"""Fixtures for running storage (and whole-app) tests on both backends: SQLite files and a real PostgreSQL.

- `postgres`: the session's PostgreSQL server (tests/pg.py), one for all xdist workers.
- `database_target`: parametrized "sqlite" / "postgresql": a new empty database (a file path or a URL).
- `storage`: that database opened (migrated), closed after the test.
- `pg_template`: a PostgreSQL database holding the session's shipped catalogue, copied from the SQLite
  template by `marquee db migrate-to`'s own code; `pg_database` copies it for one test.
- `backend_app`: parametrized: the app over a copy of the catalogue database on SQLite or on PostgreSQL.
"""
from __future__ import annotations

import asyncio
import copy
import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import pytest

from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.context import Context
from bot.storage import snapshot
from bot.storage.backend import Backend
from bot.storage.connect import open_database
from bot.storage.catalog import CatalogStore
from bot.storage.db import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.transfer import copy_sqlite_to_postgres
from tests.pg import PostgresForTests, database_name

BACKENDS = ("sqlite", "postgresql")


def copy_database(template: Path, target: Path) -> Path:
    """A test's own copy of the prepared database, with its engine snapshot: an app or bot opened on the
    copy reads the snapshot (same catalogue revision and secret) instead of rebuilding the engine and
    writing a new 25 MB snapshot, which is two to three seconds of CPU per start."""
    shutil.copyfile(template, target)
    engine, copy_engine = snapshot.path_for(template), snapshot.path_for(target)
    if engine is not None and copy_engine is not None and engine.is_file():
        share_snapshot(engine, copy_engine)
    return target


def share_snapshot(template_engine: Path, engine: Path) -> None:
    """The template's engine snapshot at `engine`, as a hard link where the file system allows: about 160 tests
    would otherwise copy 24 MB each. Safe because nothing writes a snapshot in place: `snapshot.write`
    writes a temporary file and renames it over the old name, which leaves the template's file as it was."""
    try:
        os.link(template_engine, engine)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(template_engine, engine)


@pytest.fixture(scope="session")
def postgres(testrun_uid: str, worker_id: str) -> PostgresForTests:
    # One folder per test run, shared by its xdist workers (testrun_uid is the same in all of them). Not under
    # pytest's temporary folder: that is private to root, and the server runs as another user.
    return PostgresForTests(Path(tempfile.gettempdir()) / f"marquee-pg-{testrun_uid[:12]}", worker_id)


@pytest.fixture(params=BACKENDS)
async def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str | Path]:
    if request.param == "sqlite":
        yield tmp_path / "storage.db"
        return
    server: PostgresForTests = request.getfixturevalue("postgres")
    url = await server.create()
    try:
        yield url
    finally:
        await server.drop(url)


@pytest.fixture
async def storage(database_target: str | Path) -> AsyncIterator[Backend]:
    db = await open_database(database_target)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture(scope="session")
def pg_template(postgres: PostgresForTests, template_db: Path) -> str:
    """The name of a PostgreSQL database holding what the SQLite template holds (the shipped catalogue)."""
    name = postgres.new_name("template")

    async def build() -> None:
        url = await postgres.create(name=name)
        source, target = await Database.open(template_db), await PostgresDatabase.connect(url)
        try:
            await copy_sqlite_to_postgres(source, target)
        finally:
            await source.close()
            await target.close()

    asyncio.run(build())
    return name


@pytest.fixture
async def pg_database(postgres: PostgresForTests, pg_template: str, template_db: Path) -> AsyncIterator[str]:
    """The URL of this test's own PostgreSQL copy of the catalogue database, with the template's engine
    snapshot where a bot on it looks for one (same catalogue revision and secret, so it is read instead of
    the engine being built, as for the SQLite copies); both are removed afterwards."""
    url = await postgres.create(template=pg_template)
    engine = snapshot.path_for(PostgresDatabase.cache_path(url))
    assert engine is not None
    template_engine = snapshot.path_for(template_db)
    if template_engine is not None and template_engine.is_file():
        share_snapshot(template_engine, engine)
    try:
        yield url
    finally:
        engine.unlink(missing_ok=True)
        await postgres.drop(url)


@asynccontextmanager
async def app_over(db: Backend, shared_catalogue) -> AsyncIterator[Marquee]:
    """The app over `db` (the test's own database) with the session's engine (catalog, title index,
    similarity); the engine is reloaded for the next test if this one changed the catalogue."""
    shared = await shared_catalogue.get()
    catalogue = copy.copy(shared)
    catalogue.store = CatalogStore(db)
    catalogue.edit_lock = asyncio.Lock()
    version = shared.catalog.version
    marquee = Marquee(Context(db, catalogue), FEATURES)
    try:
        yield marquee
    finally:
        await marquee.close()
        if shared.catalog.version != version:
            shared_catalogue.forget()


@pytest.fixture(params=BACKENDS)
async def backend_app(request: pytest.FixtureRequest, db_path: Path, shared_catalogue) -> AsyncIterator[Marquee]:
    """Like `app`, on SQLite and on PostgreSQL."""
    target: str | Path = db_path if request.param == "sqlite" else request.getfixturevalue("pg_database")
    async with app_over(await open_database(target), shared_catalogue) as marquee:
        yield marquee


__all__ = ["BACKENDS", "app_over", "backend_app", "database_name", "database_target", "pg_database", "pg_template", "postgres",
           "storage"]
