"""The context menus (issue 13, part 2): the films a message names, and what a member would like."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.app import Marquee
from bot.core.interface import Actor
from bot.core.message import Section, Text
from bot.core.rendering import render, render_text
from bot.core.results import Failure
from bot.domain.spotting import spot_titles
from cogs.menus.results import FilmsInMessage, SpottedFilm, TheirPicks
from cogs.menus.service import FILMS_IN_MESSAGE, WHAT_WOULD_THEY_LIKE

# A review in our own words with the seed article's shape and traps (a title-case headline naming the John
# Wick spin-off, a sentence opening "Revenge stories", "Rotten Tomatoes", "Movie Night", the director named),
# so the tests never depend on files outside the repository.
REVIEW = Path(__file__).resolve().parent / "fixtures" / "review.txt"
# The seed article itself, beside the repository on the machines where it is.
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"


@pytest.fixture
def article() -> str:
    return REVIEW.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", [REVIEW, ARTICLE], ids=["our review", "the seed article"])
async def test_a_review_names_its_films_and_the_right_ballerina(app: Marquee, source: Path) -> None:
    if not source.is_file():
        pytest.skip(f"{source} is not on this machine")
    spots = spot_titles(source.read_text(encoding="utf-8"), app.catalogue.titles.named)
    ids = [s.film.id for s in spots]
    assert {"ballerina-2023", "kill-bill-volume-1-2003", "mad-max-fury-road-2015", "john-wick-2014"} <= set(ids)
    # The headline's "John Wick Ballerina" is the spin-off's own name; the review's Ballerina is Lee Chung-hyun's
    # (the text names its director), never the spin-off.
    korean = next(s for s in spots if s.film.id == "ballerina-2023")
    assert korean.written == "Ballerina" and {f.id for f in korean.others} == {"ballerina-2025", "ballerina-2016"}
    # Capitalised ordinary words and people's names are not films: a sentence's first word, "Brandon Lee",
    # "Movie Nation", "Movie Night", "Rotten Tomatoes".
    assert ids == ["ballerina-2025", "ballerina-2023", "john-wick-2014", "kill-bill-volume-1-2003",
                   "mad-max-fury-road-2015"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Have you seen Heat? It's like Thief but longer.", ["heat-1995", "thief-1981"]),
    ("heat is great, it was fine", []),  # no capitals: not a title
    ("Revenge movies are all the rage", []),  # a sentence's first word
    ("we watched Up with the kids", []),  # two-letter words are too often just words
    ("A NOIR LIKE HEAT", []),  # shouting is not a title
    ("Netflix's Ballerina is great", ["ballerina-2023"]),  # a possessive before it is fine
])
def test_what_counts_as_a_title_in_prose(app: Marquee, text: str, expected: list[str]) -> None:
    assert [s.film.id for s in spot_titles(text, app.catalogue.titles.named)] == expected


async def test_films_in_a_message_get_compact_cards_and_is_it_like_buttons(app: Marquee, alice: Actor,
                                                                          bob: Actor, article: str) -> None:
    reply = await app.dispatch_command(alice, FILMS_IN_MESSAGE, {"text": article})
    result = reply.result
    assert isinstance(result, FilmsInMessage) and not reply.ephemeral
    assert len(result.films) == 5 and len(result.pairs) == 10
    message = render(result)
    (card,) = message.layout or []
    sections = [b for b in card.blocks if isinstance(b, Section)]
    assert len(sections) == 5 and "Lee Chung-hyun" in sections[1].texts[0]
    labels = [b.label for row in card.blocks if isinstance(row, list) for b in row]
    assert "Ballerina (2025) ↔ Ballerina (2023)" in labels  # namesakes told apart
    pair = next(b for row in card.blocks if isinstance(row, list) for b in row
                if b.label == "Ballerina (2023) ↔ John Wick")
    verdict = await app.dispatch_component(bob, pair.custom_id, [])  # anyone may press it
    assert verdict.ephemeral and type(verdict.result).__name__ == "IsLikeAnswer"
    assert {verdict.result.verdict.a.id, verdict.result.verdict.b.id} == {"ballerina-2023", "john-wick-2014"}
    card_button = sections[0].accessory
    shown = await app.dispatch_component(bob, card_button.custom_id, [])
    assert shown.ephemeral and shown.result.film.id == "ballerina-2025"
    forged = await app.dispatch_component(bob, pair.custom_id.rsplit(":", 1)[0] + ":9", [])
    assert isinstance(forged.result, Failure)
    none = await app.dispatch_command(alice, FILMS_IN_MESSAGE, {"text": "see you at eight, bring snacks"})
    assert isinstance(none.result, Failure) and none.result.title == "No films found"


async def test_what_would_they_like_shows_nothing_private(app: Marquee, alice: Actor, bob: Actor) -> None:
    people = app.ctx.people
    await people.add_to_watchlist(bob.user_id, "heat-1995")
    await people.rate(bob.user_id, "thief-1981", 5)
    await people.mark_seen(bob.user_id, "collateral-2004")
    reply = await app.dispatch_command(alice, WHAT_WOULD_THEY_LIKE, {"member": bob.user_id, "member_name": "Bob"})
    picks = reply.result
    assert isinstance(picks, TheirPicks) and reply.ephemeral and not picks.is_self
    ids = [p.film.id for p in picks.picks]
    assert "heat-1995" in ids and "collateral-2004" not in ids  # seen films are not offered
    text = render_text(render(picks))
    assert "On Bob's watchlist" in text
    assert "★" not in text and "Thief" not in text  # a rating (and what was rated) stays Bob's
    empty = await app.dispatch_command(alice, WHAT_WOULD_THEY_LIKE, {"member": 999, "member_name": "Carol"})
    assert isinstance(empty.result, Failure) and empty.result.title == "Nothing to go on"
    assert "Carol's watchlist is empty" in empty.result.message
    robot = await app.dispatch_command(alice, WHAT_WOULD_THEY_LIKE, {"member": 5, "member_name": "Helper",
                                                                     "member_is_bot": True})
    assert isinstance(robot.result, Failure) and robot.result.title == "That's a bot"
    mine = await app.dispatch_command(bob, WHAT_WOULD_THEY_LIKE, {"member": bob.user_id, "member_name": "Bob"})
    assert "On your watchlist" in render_text(render(mine.result))


def test_a_compact_card_keeps_its_text_first(app: Marquee) -> None:
    film = app.catalogue.catalog.films["heat-1995"]
    message = render(FilmsInMessage([SpottedFilm(film, "Heat")], [], "tok"))
    (card,) = message.layout or []
    assert isinstance(card.blocks[0], Text) and "1 film named" in card.blocks[0].content
