"""End-to-end fixtures: a local Discord stand-in and the real `python -m bot` process talking to it.

Every test ends by asserting that the stand-in rejected nothing (no payload broke a Discord limit, no
interaction was answered late or twice) and that nothing the bot sent could ping @everyone or a role.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends import copy_database
from tests.standin import DiscordStandIn, serving_bot


@pytest.fixture
async def standin():
    async with DiscordStandIn(token="test-token") as server:
        yield server


@pytest.fixture
def bot_db(template_db: Path, tmp_path: Path) -> Path:
    # A copy of the session's prepared catalogue and its engine snapshot, so each bot starts in about a second.
    return copy_database(template_db, tmp_path / "bot.db")


@pytest.fixture
async def bot(standin: DiscordStandIn, bot_db: Path):
    async with serving_bot(standin, bot_db) as process:
        yield process
