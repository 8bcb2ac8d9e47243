"""TMDB on /where, /film and /popular, against the TMDB stand-in; the server chart; and without a key,
everything as before."""
from __future__ import annotations

import logging
import time
from dataclasses import replace

import pytest

from bot.core.app import Marquee
from bot.core.interface import Actor, Reply
from bot.core.live import LiveData, LiveOptions
from bot.core.rendering import render, render_text, to_json
from bot.domain.charts import Event, server_chart
from bot.domain.models import Availability
from bot.domain.providers import availability_change, service_for
from bot.sources.http import HttpSource
from bot.sources.tmdb import PROVIDER_SOURCE, TmdbClient
from tests import live_fixtures
from tests.standin.tmdb import TmdbStandIn

tmdb = live_fixtures.tmdb  # the fixture


async def answer(app: Marquee, actor: Actor, name: str, **options: object) -> Reply:
    reply = await app.dispatch_command(actor, name, dict(options))
    return await reply.later() if reply.later is not None else reply


def text_of(reply: Reply) -> str:
    return render_text(render(reply.result))


def switch_on(app: Marquee, tmdb: TmdbStandIn, key: str | None = None, timeout: float = 2.0) -> None:
    key = key or tmdb.key
    http = HttpSource("TMDB", user_agent="MarqueeBot/test aiohttp", timeout=timeout, retries=1, max_wait=2.0,
                      secrets=(key,))
    app.ctx.live = LiveData(app.ctx.db, app.ctx.catalogue, LiveOptions(TmdbClient(http, key, tmdb.api_base)))


async def test_without_a_key_where_answers_at_once_as_before(app: Marquee, alice: Actor) -> None:
    reply = await app.dispatch_command(alice, "where", {"title": "heat-1995", "region": "US"})
    assert reply.later is None
    text = text_of(reply)
    assert "We don't know" in text and "JustWatch" not in text


async def test_where_asks_tmdb_first_then_answers_with_the_credit(app: Marquee, alice: Actor, tmdb: TmdbStandIn) -> None:
    switch_on(app, tmdb)
    first = await app.dispatch_command(alice, "where", {"title": "heat-1995", "region": "US"})
    assert first.later is not None and first.result is None  # the front end acknowledges, then waits
    done = await first.later()
    text = text_of(done)
    assert "**Included with subscription:** Max" in text and "Apple TV (store)" in text
    assert "Streaming data: JustWatch via TMDB · checked today" in text
    assert "themoviedb.org/movie/949/watch?locale=US" in text
    rows = {(a.service, a.region, a.kind): a for a in app.catalogue.catalog.films["heat-1995"].availability}
    assert rows[("max", "US", "subscription")].source == PROVIDER_SOURCE
    assert ("netflix", "GB", "subscription") in rows and ("tubi", "GB", "free") in rows
    assert not any(a.service == "shudder" for a in rows.values())  # a channel inside Prime Video is not Shudder
    # Written through the catalogue's edit path, with its log row; a second ask within the age asks nobody.
    edits = await app.catalogue.store.edits()
    assert edits[-1].op == "stream" and edits[-1].user_id == 0
    asked = len(tmdb.requests)
    again = await app.dispatch_command(alice, "where", {"title": "heat-1995", "region": "GB"})
    assert again.later is None and len(tmdb.requests) == asked and "Netflix" in text_of(again)


async def test_an_admins_row_is_never_replaced_by_tmdb(app: Marquee, alice: Actor, curator: Actor,
                                                       tmdb: TmdbStandIn) -> None:
    await app.catalogue.apply_edit(curator, "stream", {"id": "heat-1995", "availability": [
        {"service": "max", "region": "US", "kind": "subscription", "checked": "2026-01", "source": None}]},
        "heat-1995")
    switch_on(app, tmdb)
    await answer(app, alice, "where", title="heat-1995", region="US")
    rows = {(a.service, a.region, a.kind): a for a in app.catalogue.catalog.films["heat-1995"].availability}
    assert rows[("max", "US", "subscription")].source is None and rows[("max", "US", "subscription")].checked == "2026-01"
    assert rows[("apple-tv", "US", "rent")].source == PROVIDER_SOURCE


async def test_an_invalid_key_answers_from_what_is_stored_and_stops_asking(
        app: Marquee, alice: Actor, tmdb: TmdbStandIn, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "e" * 32
    switch_on(app, tmdb, wrong)
    reply = await answer(app, alice, "where", title="ballerina-2023", region="US")
    text = text_of(reply)
    assert "Netflix" in text and "couldn't check again just now: TMDB refused our key" in text
    assert "TMDB refused the key in TMDB_API_KEY" in caplog.text and wrong not in caplog.text
    asked = len(tmdb.requests)
    again = await app.dispatch_command(alice, "where", {"title": "heat-1995", "region": "US"})
    assert again.later is None and len(tmdb.requests) == asked  # no more calls with a refused key


async def test_a_timeout_answers_from_what_is_stored_and_says_so(app: Marquee, alice: Actor,
                                                                 tmdb: TmdbStandIn) -> None:
    tmdb.delay("/movie/1000001", 1.0)
    switch_on(app, tmdb, timeout=0.3)
    text = text_of(await answer(app, alice, "where", title="ballerina-2023", region="US"))
    assert "Netflix" in text and "not checked yet; couldn't check again just now: TMDB did not answer in time" in text
    assert app.catalogue.catalog.films["ballerina-2023"].availability  # nothing lost, nothing half-written


async def test_film_card_shows_poster_and_a_dated_chart_entry(app: Marquee, alice: Actor, tmdb: TmdbStandIn) -> None:
    switch_on(app, tmdb)
    popular = await answer(app, alice, "popular", service="netflix", region="US")
    popular_text = text_of(popular)
    assert "Popular on Netflix in US" in popular_text and "8. Ballerina (2023)" in popular_text
    assert "JustWatch via TMDB" in popular_text and "not endorsed or certified by TMDB" in popular_text
    assert "\\*\\*Loud\\*\\* @\u200beveryone" in popular_text  # an outside title is shown literally, never a ping
    card = await answer(app, alice, "film", title="ballerina-2023")
    card_text = text_of(card)
    assert "[image: https://image.tmdb.org/t/p/w342/ballerina2023.jpg]" in card_text
    assert "Ranked #8 in popular on Netflix in US (" in card_text and "JustWatch via TMDB)" in card_text
    assert to_json(card.result)["chart"]["rank"] == 8 and to_json(card.result)["poster_url"].endswith(".jpg")


async def test_a_film_without_an_imdb_id_is_found_by_exact_title_and_year(app: Marquee, alice: Actor,
                                                                          tmdb: TmdbStandIn) -> None:
    switch_on(app, tmdb)
    text = text_of(await answer(app, alice, "where", title="sinners-2025", region="US"))
    assert "Max" in text and "JustWatch via TMDB" in text
    assert ("/search/movie", {"query": "Sinners", "primary_release_year": "2025"}, "api_key") in tmdb.requests


async def test_popular_ranks_what_members_did_here(app: Marquee, alice: Actor, bob: Actor) -> None:
    carol = Actor(user_id=333333, name="carol", guild_id=900, channel_id=901)
    for who in (alice, bob, carol):
        await app.dispatch_command(who, "watchlist add", {"film": "heat-1995"})
    await app.dispatch_command(alice, "seen", {"film": "oldboy-2003"})
    await app.dispatch_command(bob, "rate", {"film": "oldboy-2003", "stars": 5})
    await app.dispatch_command(bob, "watchlist add", {"film": "heat-1995"})  # already there: not counted twice
    elsewhere = replace(carol, guild_id=777)
    for _ in range(3):
        await app.dispatch_command(elsewhere, "rate", {"film": "kill-bill-volume-1-2003", "stars": 4})
    reply = await app.dispatch_command(alice, "popular", {"days": 7})
    assert reply.later is None
    rows = reply.result.rows
    assert [(r.film.id, r.score) for r in rows] == [("heat-1995", 3), ("oldboy-2003", 3)]
    assert rows[0].counts == {"watchlist": 3} and rows[1].counts == {"watched": 2, "rated": 1}
    text = text_of(reply)
    assert "1. **Heat** (1995) — 3 watchlist adds" in text and "2. **Oldboy**" in text
    # Forgetting someone takes their part of the chart with it.
    await app.dispatch_component(bob, f"mq:forget:{bob.user_id}", [])
    after = (await app.dispatch_command(alice, "popular", {})).result.rows
    assert [(r.film.id, r.score) for r in after] == [("heat-1995", 2), ("oldboy-2003", 1)]


async def test_popular_refuses_an_unknown_window(app: Marquee, alice: Actor) -> None:
    reply = await app.dispatch_command(alice, "popular", {"days": 9})
    assert reply.ephemeral and "7 or 30 days" in text_of(reply)


def test_server_chart_counts_each_member_once_per_kind_and_respects_the_window() -> None:
    events = [Event("a", 1, "watchlist", 100), Event("a", 1, "watchlist", 101), Event("a", 2, "nominated", 102),
              Event("b", 1, "rated", 103), Event("b", 2, "rated", 104), Event("c", 3, "watched", 10)]
    chart = server_chart(events, since=50)
    assert [(r.film_id, r.score, r.members) for r in chart] == [("b", 2, 2), ("a", 2, 2)]


def test_tmdb_rows_are_refreshed_and_removed_but_others_are_kept(app: Marquee) -> None:
    film = replace(app.catalogue.catalog.films["heat-1995"], availability=(
        Availability("netflix", "US", "subscription", "2026-01", PROVIDER_SOURCE),
        Availability("hulu", "US", "subscription", "2026-01", PROVIDER_SOURCE),
        Availability("max", "US", "subscription", "2025-05", "an admin"),
    ))
    change = availability_change(film, {"US": [("netflix", "subscription"), ("max", "subscription")]},
                                 source=PROVIDER_SOURCE, checked="2026-12")
    assert [e["service"] for e in change.stream] == ["netflix"] and change.kept_theirs == 1
    assert change.unstream == [("hulu", "US", "subscription")]
    services = app.catalogue.services
    assert service_for("Amazon Prime Video", services) == "prime-video"
    assert service_for("Peacock Premium", services) == "peacock"
    assert service_for("Shudder Amazon Channel", services) is None
    assert service_for("Some Unknown Service", services) is None


async def test_no_key_logs_nothing_and_tmdb_settings_are_checked(caplog: pytest.LogCaptureFixture) -> None:
    from bot.core.errors import ConfigError
    from bot.core.settings import load_settings

    caplog.set_level(logging.DEBUG)
    assert load_settings({}).tmdb_api_key is None
    secret = "not-a-key-but-secret-looking-value"
    with pytest.raises(ConfigError) as bad:
        load_settings({"TMDB_API_KEY": secret})
    assert secret not in str(bad.value) and "API Read Access Token" in str(bad.value)
    with pytest.raises(ConfigError, match="1 to 180"):
        load_settings({"TMDB_MAX_AGE_DAYS": "365"})
    key = "0123456789abcdef0123456789abcdef"
    assert key not in repr(load_settings({"TMDB_API_KEY": key}))


async def test_popular_in_the_console_ranks_what_three_console_users_did(console) -> None:
    await console(['/watchlist add film:"heat-1995"', '/seen film:"oldboy-2003"'], user="alice")
    await console(['/watchlist add film:"heat-1995"', '/rate film:"oldboy-2003" stars:4'], user="bob")
    await console(['/watchlist add film:"heat-1995"', '/watchlist add film:"ballerina-2023"'], user="carol")
    answer = (await console(["/popular days:30"], user="dave"))[-1]["result"]
    assert [(r["film"]["id"], r["score"], r["counts"]) for r in answer["rows"]] == [
        ("heat-1995", 3, {"watchlist": 3}), ("oldboy-2003", 3, {"watched": 2, "rated": 1}),
        ("ballerina-2023", 1, {"watchlist": 1})]


async def test_an_owners_unstream_of_a_tmdb_row_wins_over_the_next_checks(app: Marquee, alice: Actor, curator: Actor,
                                                                          tmdb: TmdbStandIn) -> None:
    switch_on(app, tmdb)
    now = [time.time()]
    app.ctx.live.clock = lambda: now[0]

    def rows() -> dict[tuple[str, str, str], Availability]:
        return {(a.service, a.region, a.kind): a for a in app.catalogue.catalog.films["heat-1995"].availability}

    async def check_later() -> None:
        now[0] += 8 * 86400  # older than TMDB_MAX_AGE_DAYS: /where asks TMDB again
        asked = len(tmdb.requests)
        await answer(app, alice, "where", title="heat-1995", region="US")
        assert len(tmdb.requests) > asked

    await answer(app, alice, "where", title="heat-1995", region="US")
    assert rows()[("max", "US", "subscription")].source == PROVIDER_SOURCE
    await app.dispatch_command(curator, "catalog unstream", {"film": "heat-1995", "service": "max", "region": "US"})
    assert ("max", "US", "subscription") not in rows()
    await check_later()  # TMDB still lists Max in the US: the owner's removal wins
    assert ("max", "US", "subscription") not in rows() and ("apple-tv", "US", "rent") in rows()
    # The owner adds it back: their row stays, and the removal is over.
    await app.dispatch_command(curator, "catalog stream", {"film": "heat-1995", "service": "max", "region": "US",
                                                           "checked": "2026-12"})
    await check_later()
    assert rows()[("max", "US", "subscription")].source is None
    assert await app.ctx.live.films.removed("heat-1995") == set()
    # Removed again, then TMDB stops listing it: the removal expires, and a later listing is a new offer.
    await app.dispatch_command(curator, "catalog unstream", {"film": "heat-1995", "service": "max", "region": "US"})
    assert await app.ctx.live.films.removed("heat-1995") == {("max", "US", "subscription")}
    heat = tmdb.films[949]
    tmdb.films[949] = replace(heat, providers={**heat.providers, "US": {**heat.providers["US"], "flatrate": []}})
    await check_later()
    assert await app.ctx.live.films.removed("heat-1995") == set() and ("max", "US", "subscription") not in rows()
    tmdb.films[949] = heat
    await check_later()
    assert rows()[("max", "US", "subscription")].source == PROVIDER_SOURCE


async def test_help_credits_tmdb_only_when_tmdb_is_switched_on(app: Marquee, alice: Actor, tmdb: TmdbStandIn) -> None:
    without = text_of(await app.dispatch_command(alice, "help", {}))
    assert "Marquee commands" in without and "TMDB" not in without
    switch_on(app, tmdb)
    with_key = text_of(await app.dispatch_command(alice, "help", {}))
    assert "Marquee commands" in with_key
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in with_key
    assert "JustWatch via TMDB" in with_key
    assert to_json((await app.dispatch_command(alice, "help", {})).result)["type"] == "help_result"
