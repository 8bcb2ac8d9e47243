"""What users read: the wording of answers that a review of the bot found wrong, checked through the app."""
from __future__ import annotations

from bot.core.app import Marquee
from bot.core.interface import Actor
from bot.core.rendering import render, render_text
from bot.core.results import Failure
from bot.domain.reasons import plural
from cogs.catalog.results import CatalogImport


async def test_eras_are_read_however_people_write_them(app: Marquee, alice: Actor) -> None:
    for era in ("90", "90s", "1990s", "'90s", "1990", "1994"):
        reply = await app.dispatch_command(alice, "watch", {"era": era, "count": 2})
        assert not isinstance(reply.result, Failure), era
        assert reply.result.filters["era"] == "1990s", era
        assert all(1990 <= p.film.year <= 1999 for p in reply.result.picks), era
    bad = (await app.dispatch_command(alice, "watch", {"era": "1850s"})).result
    decades = app.catalogue.catalog.decades()
    assert isinstance(bad, Failure) and bad.title == "Unknown era"
    assert f"the {decades[0]}s to the {decades[-1]}s" in bad.message  # the range that is accepted


async def test_reasons_name_services_not_their_keys(app: Marquee, alice: Actor) -> None:
    reply = await app.dispatch_command(alice, "watch", {"service": "disney plus", "count": 3})
    texts = [r.text for p in reply.result.picks for r in p.reasons if r.kind == "service"]
    assert texts and all(t.startswith("On Disney+") for t in texts), texts


async def test_one_answer_for_an_unknown_service_wherever_it_is_typed(app: Marquee, alice: Actor,
                                                                      curator: Actor) -> None:
    answers = [
        (await app.dispatch_command(alice, "watch", {"service": "blorbo"})).result,
        (await app.dispatch_command(alice, "similar", {"film": "heat-1995", "service": "blorbo"})).result,
        (await app.dispatch_command(alice, "prefs", {"services": "netflix, blorbo"})).result,
        (await app.dispatch_command(curator, "catalog stream", {"film": "heat-1995", "service": "blorbo",
                                                              "region": "US"})).result,
    ]
    assert all(isinstance(a, Failure) and a.title == "Unknown service" for a in answers)
    assert len({a.message for a in answers}) == 1 and "Known services: Netflix" in answers[0].message


async def test_a_member_whose_name_is_unknown_is_not_they_s(app: Marquee, alice: Actor, bob: Actor) -> None:
    await app.dispatch_command(bob, "watchlist add", {"film": "heat-1995"})
    view = (await app.dispatch_command(alice, "watchlist show", {"member": bob.user_id})).result
    text = render_text(render(view))
    assert "They's" not in text and "This member's watchlist" in text


async def test_running_out_of_batches_is_said_plainly(app: Marquee, alice: Actor) -> None:
    # When "Another batch" runs out no filter emptied the list; the answer once read
    # "the **the filters** filter emptied the list".
    reply = await app.dispatch_command(alice, "watch", {"genre": "Western", "era": "2010s", "count": 5})
    assert reply.result.picks
    token = reply.result.token
    for _ in range(50):
        reply = await app.dispatch_component(alice, f"mq:more:{token}", [])
        if not reply.result.picks:
            break
    assert not reply.result.picks and reply.result.emptied_by is None
    text = render_text(render(reply.result))
    assert "the filters" not in text and "there is no further batch" in text


def test_counts_carry_thousands_separators() -> None:
    # "17681 films" once stood next to "17,681": every count that reaches a user is written one way.
    assert plural(17681, "film") == "17,681 films" and plural(1, "film") == "1 film"
    summary = CatalogImport("csv", applied=True, counts={"added": 12345, "unchanged": 2}).summary
    assert summary == "Imported: 12,345 added, 2 unchanged."
