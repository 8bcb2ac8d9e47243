"""The engine's answers as users get them: /similar pages, /watch on saved services, lists in score order,
reasons worth reading. Through the app, on the shipped catalogue (the cases a review found wrong)."""
from __future__ import annotations

from bot.core.app import Marquee
from bot.core.interface import Actor
from bot.core.rendering import render, render_text
from bot.core.results import Failure
from bot.domain.similarity import MAX_SIMILAR, PAGE_SIZE


def ids(answer) -> list[str]:
    return [item.film.id for item in answer.items]


async def test_similar_pages_continue_the_same_list(app: Marquee, alice: Actor, bob: Actor) -> None:
    first = (await app.dispatch_command(alice, "similar", {"film": "the-matrix-1999", "count": 5})).result
    assert len(first.items) == 5 and first.token
    whole = app.catalogue.similarity.similar("the-matrix-1999", MAX_SIMILAR)
    seen = ids(first)
    reply = None
    while first.token:
        reply = await app.dispatch_component(alice, f"mq:simmore:{first.token}", [])
        assert reply.update  # the owner's message turns the page
        first = reply.result
        assert first.start == len(seen) and len(first.items) <= PAGE_SIZE
        seen += ids(first)
    assert len(seen) == MAX_SIMILAR  # up to 50, then no further button
    assert seen == [s.film.id for s in whole]  # same order...
    assert [r.text for r in first.items[-1].reasons] == [r.text for r in whole[-1].reasons]  # ...same reasons
    scores = [s.score for s in whole]
    assert scores == sorted(scores, reverse=True)
    text = render_text(render(first))
    assert f"{MAX_SIMILAR}. " in text


async def test_someone_elses_more_button_is_refused(app: Marquee, alice: Actor, bob: Actor) -> None:
    first = (await app.dispatch_command(alice, "similar", {"film": "heat-1995"})).result
    refused = await app.dispatch_component(bob, f"mq:simmore:{first.token}", [])
    assert isinstance(refused.result, Failure) and refused.result.title == "Not your list" and refused.ephemeral
    again = await app.dispatch_component(alice, f"mq:simmore:{first.token}", [])
    assert again.result.start == 5  # Bob's press did not move Alice's page
    watch = (await app.dispatch_command(alice, "watch", {"count": 2})).result
    not_yours = await app.dispatch_component(bob, f"mq:more:{watch.token}", [])
    assert isinstance(not_yours.result, Failure) and not_yours.result.title == "Not your picks"
    mine = await app.dispatch_component(alice, f"mq:more:{watch.token}", [])
    assert mine.result.batch == 1  # Bob's press did not advance Alice's batches


async def test_watch_uses_saved_services_and_says_so(app: Marquee, alice: Actor) -> None:
    await app.dispatch_command(alice, "prefs", {"services": "netflix"})
    answer = (await app.dispatch_command(alice, "watch", {"count": 3})).result
    assert answer.picks
    for pick in answer.picks:
        assert any(a.service == "netflix" and a.region == answer.region for a in pick.film.availability)
    assert answer.services_note == "on your services: Netflix — use service: to change"
    assert "on your services: Netflix" in render_text(render(answer))
    # service: any looks past them; a named service wins.
    everywhere = (await app.dispatch_command(alice, "watch", {"count": 3, "service": "any"})).result
    assert everywhere.services_note is None and everywhere.matched > answer.matched
    named = (await app.dispatch_command(alice, "watch", {"count": 3, "service": "disney plus"})).result
    assert named.services_note is None
    assert all(any(a.service == "disney-plus" for a in p.film.availability) for p in named.picks)


async def test_watch_falls_back_to_the_servers_services(app: Marquee, admin: Actor, bob: Actor) -> None:
    await app.dispatch_command(admin, "settings", {"services": "prime video"})
    answer = (await app.dispatch_command(bob, "watch", {"count": 2})).result
    assert answer.services_note and answer.services_note.startswith("on the server's services: Prime Video")
    assert all(any(a.service == "prime-video" for a in p.film.availability) for p in answer.picks)


async def test_genre_and_mood_are_strict(app: Marquee, alice: Actor) -> None:
    horror = (await app.dispatch_command(alice, "watch", {"genre": "Horror", "count": 5})).result
    assert horror.picks and all("Horror" in p.film.genres for p in horror.picks)  # primary genres only
    funny = (await app.dispatch_command(alice, "watch", {"mood": "funny", "count": 5})).result
    assert funny.picks and all("funny" in p.film.tags for p in funny.picks)


async def test_too_few_fit_is_said_not_padded(app: Marquee, alice: Actor) -> None:
    catalog = app.catalogue.catalog
    # A filter set that only a couple of films pass: pick the rarest genre in one decade.
    answer = (await app.dispatch_command(alice, "watch", {"genre": "Western", "era": "2020s", "count": 5,
                                                          "max_minutes": 100})).result
    if not answer.picks:  # nothing at all: that has its own answer
        return
    assert len(answer.picks) == answer.matched < 5
    assert f"Only {answer.matched} film" in render_text(render(answer))
    assert all(catalog.films[p.film.id].runtime <= 100 for p in answer.picks)


async def test_watch_like_is_in_score_order(app: Marquee, alice: Actor) -> None:
    answer = (await app.dispatch_command(alice, "watch", {"like": "the-matrix-1999", "count": 5})).result
    likes = [int(next(r for r in p.reasons if r.kind == "like").text.split("%")[0]) for p in answer.picks]
    assert len(likes) == 5 and likes == sorted(likes, reverse=True)


async def test_direct_sequels_are_very_alike(app: Marquee) -> None:
    engine = app.catalogue.similarity
    verdict = engine.compare("top-gun-maverick-2022", "top-gun-1986")
    assert verdict.headline == "Very alike", verdict.score
    assert verdict.shared[0].kind == "series"


async def test_no_trivial_reasons_in_lists(app: Marquee) -> None:
    """Language or country is never the only reason a film is listed; a cast reason says who leads."""
    engine = app.catalogue.similarity
    for film in ("anora-2024", "sinners-2025", "spirited-away-2001", "the-matrix-1999", "parasite-2019"):
        for item in engine.similar(film, 10):
            kinds = {r.kind for r in item.reasons}
            assert kinds - {"country", "language", "era", "runtime"}, (film, item.film.id, item.reasons)
    parasite = {i.film.id: i for i in engine.similar("parasite-2019", 20)}
    assert engine.score("parasite-2019", "memories-of-murder-2003") > engine.score("parasite-2019", "shiri-1999")
    memories = parasite.get("memories-of-murder-2003")
    assert memories is not None
    assert any(r.text == "Same director: Bong Joon-ho" for r in memories.reasons)
