"""Shared fixtures: a real SQLite database holding the real shipped catalogue.

Building the catalogue from the shipped files takes a couple of seconds, so it is built once per test
session into a template file; each test gets its own copy (a real file, never shared between tests).
"""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.interface import Actor

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "marquee.db"

    async def build() -> None:
        app = await Marquee.open(path, FEATURES)
        await app.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "marquee.db"
    shutil.copyfile(template_db, target)
    return target


@pytest.fixture
async def app(db_path: Path):
    marquee = await Marquee.open(db_path, FEATURES)
    try:
        yield marquee
    finally:
        await marquee.close()


@pytest.fixture
def alice() -> Actor:
    return Actor(user_id=111, name="alice", guild_id=900, channel_id=901)


@pytest.fixture
def bob() -> Actor:
    return Actor(user_id=222, name="bob", guild_id=900, channel_id=901)


@pytest.fixture
def admin() -> Actor:
    return Actor(user_id=333, name="admin", guild_id=900, channel_id=901, can_manage_guild=True, can_manage_events=True)
