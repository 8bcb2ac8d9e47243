"""One stand-in and one bot process per test module here: these modules' tests never restart the bot, and each
changes only what no other test of its module looks at (its own users' rows, its own channel's movie night,
catalogue films the others do not read); starting a bot costs about 1.2 s of CPU, most of a short test.

Each module runs its tests on the module's event loop, where the stand-in and the bot's connection live:
`pytestmark = pytest.mark.asyncio(loop_scope="module")`. Tests here must not depend on one another: each uses
its own users, or leaves what it found as it found it. Each still ends with the stand-in having refused nothing
and seen no unsafe mention since it began; when the module ends, the bot must stop cleanly (`serving_bot`).
"""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.backends import copy_database
from tests.standin import BotProcess, DiscordStandIn, serving_bot


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def standin() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn(token="test-token") as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(standin: DiscordStandIn, template_db: Path,
              tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    async with serving_bot(standin, copy_database(template_db, tmp_path_factory.mktemp("bot") / "bot.db")) as process:
        yield process


@pytest.fixture(autouse=True)
def refused_nothing(standin: DiscordStandIn) -> Iterator[None]:
    rejected, mentions = len(standin.rejections), len(standin.unsafe_mentions())
    yield
    assert standin.rejections[rejected:] == [], [str(r) for r in standin.rejections[rejected:]]
    assert standin.unsafe_mentions()[mentions:] == []
