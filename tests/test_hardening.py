"""Attacks and careless admins (issue 11): each case answered clearly, nothing stored that should not be."""
from __future__ import annotations

import pytest

from bot.core.app import Marquee
from bot.core.interface import Actor
from bot.core.results import Failure

BAD_TEXT = {
    "a NUL": "Nul\x00Film",
    "a carriage return": "Line\rBreak",
    "a line separator": "Line\u2028Separator",
    "a right-to-left override": "Evil\u202eFilm",
    "10,000 characters": "x" * 10_000,
}


@pytest.mark.parametrize("what", list(BAD_TEXT))
async def test_admin_text_with_control_characters_or_absurd_length_is_refused(app: Marquee, curator: Actor,
                                                                             what: str) -> None:
    before = len(app.catalogue.catalog)
    text = BAD_TEXT[what]
    added = (await app.dispatch_command(curator, "catalog add", {"title": text, "year": 2020,
                                                                 "directors": "Some One"})).result
    assert isinstance(added, Failure), what
    assert "title" in added.message.lower()
    assert len(app.catalogue.catalog) == before
    pitched = (await app.dispatch_command(curator, "catalog edit", {"film": "heat-1995", "pitch": text})).result
    assert isinstance(pitched, Failure), what
    assert app.catalogue.catalog.films["heat-1995"].pitch != text
    linked = (await app.dispatch_command(curator, "catalog link", {"film": "heat-1995", "other": "thief-1981",
                                                                   "reason": text})).result
    link = app.catalogue.catalog.link_between("heat-1995", "thief-1981")
    # Refused, or (a line break typed into a one-line option) stored as a plain space: never stored as typed.
    assert isinstance(linked, Failure) or (link is not None and link.reason.isprintable()), what
    assert link is None or link.reason != text
