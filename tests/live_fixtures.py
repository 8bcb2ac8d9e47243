"""Fixtures for the live-data tests: the TMDB and Wikidata stand-ins, and a `sleep` that only records."""
from __future__ import annotations

import pytest

from tests.standin.tmdb import TmdbStandIn
from tests.standin.wikidata import WikidataStandIn


class Sleeps(list):
    """An HttpSource `sleep` that records how long it was asked to wait (a Retry-After is checked by what
    the client was told, never by a clock)."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def tmdb():
    server = await TmdbStandIn().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def wdqs():
    server = await WikidataStandIn().start()
    try:
        yield server
    finally:
        await server.stop()
