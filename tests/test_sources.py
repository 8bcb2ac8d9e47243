"""The outside-service clients against their local stand-ins: real HTTP, the services' own status codes.

Waits go through a recording `sleep`, so a Retry-After is checked by what the client was told to wait,
never by a clock."""
from __future__ import annotations

import logging

import pytest

from bot.sources.http import HttpSource, SourceError, retry_after_seconds
from bot.sources.tmdb import TmdbClient
from bot.sources.wikidata import WikidataClient, facts_query
from tests import live_fixtures
from tests.live_fixtures import Sleeps
from tests.standin.tmdb import TmdbStandIn
from tests.standin.wikidata import WikidataStandIn

tmdb = live_fixtures.tmdb  # the fixture
wdqs = live_fixtures.wdqs  # the fixture


def http(name: str = "TMDB", secret: str = "", **kwargs) -> HttpSource:
    kwargs.setdefault("sleep", Sleeps())
    return HttpSource(name, user_agent="MarqueeBot/0.1.0 (test@example.org) aiohttp", secrets=(secret,), **kwargs)


async def test_retry_after_is_what_the_client_waits_then_it_succeeds(tmdb: TmdbStandIn) -> None:
    tmdb.rate_limit(2, retry_after=3)
    source = http(secret=tmdb.key, max_wait=10)
    client = TmdbClient(source, tmdb.key, tmdb.api_base)
    try:
        movie = await client.find_by_imdb("tt0113277")
    finally:
        await client.close()
    assert movie is not None and movie.id == 949 and movie.poster_path == "/heatPoster949.jpg"
    assert source.sleep == [3.0, 3.0] and source.stats.retries == 2 and source.stats.requests == 3


async def test_a_429_storm_longer_than_the_retries_is_a_rate_limit_error(tmdb: TmdbStandIn) -> None:
    tmdb.rate_limit(10, retry_after=1)
    client = TmdbClient(http(retries=2), tmdb.key, tmdb.api_base)
    with pytest.raises(SourceError) as caught:
        await client.trending()
    await client.close()
    assert caught.value.kind == "rate_limited" and len(tmdb.requests) == 3
    # A Retry-After longer than the caller may wait is not waited for at all.
    tmdb.rate_limit(1, retry_after=600)
    sleeps = Sleeps()
    client = TmdbClient(http(max_wait=5, sleep=sleeps), tmdb.key, tmdb.api_base)
    with pytest.raises(SourceError, match="wait 600s"):
        await client.trending()
    await client.close()
    assert sleeps == []


async def test_an_invalid_key_is_a_clear_auth_error_that_never_shows_the_key(
        tmdb: TmdbStandIn, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "f" * 32
    caplog.set_level(logging.DEBUG)
    client = TmdbClient(http(secret=wrong), wrong, tmdb.api_base)
    with pytest.raises(SourceError) as caught:
        await client.watch_providers(949)
    await client.close()
    assert caught.value.kind == "auth" and caught.value.status == 401
    assert "Invalid API key" in str(caught.value) and "TMDB_API_KEY" in str(caught.value)
    assert wrong not in str(caught.value) and wrong not in caplog.text
    assert len(tmdb.requests) == 1  # a 401 is not retried


async def test_a_read_token_goes_in_the_header_not_the_url(tmdb: TmdbStandIn) -> None:
    client = TmdbClient(http(secret=tmdb.token), tmdb.token, tmdb.api_base)
    providers = await client.watch_providers(949)
    await client.close()
    assert tmdb.requests[0][2] == "bearer" and "api_key" not in tmdb.requests[0][1]
    assert {(o.provider_name, o.kind) for o in providers.regions["GB"]} == {("Netflix", "subscription"),
                                                                           ("Tubi TV", "free")}


async def test_malformed_items_are_skipped_and_counted(tmdb: TmdbStandIn) -> None:
    client = TmdbClient(http(), tmdb.key, tmdb.api_base)
    providers = await client.watch_providers(949)
    trending = await client.trending()
    missing = await client.find_by_imdb("tt0000001")
    with pytest.raises(SourceError) as gone:
        await client.watch_providers(999999)
    await client.close()
    # A buy offer with a text id and a numeric name, and a region key that is not a country code.
    assert providers.skipped == 2 and "XX1" not in providers.regions
    assert trending.skipped == 1 and [m.id for m in trending.movies] == [1233413, 949, 2000001]
    assert missing is None  # TMDB answers an unknown IMDb id with empty lists
    assert gone.value.kind == "not_found" and "could not be found" in str(gone.value)


async def test_timeouts_and_oversized_answers_are_errors_not_hangs(tmdb: TmdbStandIn) -> None:
    tmdb.delay("/movie/949", 1.0)
    client = TmdbClient(http(timeout=0.2, retries=1), tmdb.key, tmdb.api_base)
    with pytest.raises(SourceError) as slow:
        await client.watch_providers(949)
    await client.close()
    assert slow.value.kind == "timeout" and len(tmdb.requests) == 2
    client = TmdbClient(http(max_bytes=200), tmdb.key, tmdb.api_base)
    with pytest.raises(SourceError) as big:
        await client.images()
    await client.close()
    assert big.value.kind == "too_large"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


async def test_wikidata_refuses_a_generic_user_agent(wdqs: WikidataStandIn) -> None:
    source = HttpSource("Wikidata", user_agent="python-requests/2.31", sleep=Sleeps())
    client = WikidataClient(source, wdqs.url)
    with pytest.raises(SourceError) as caught:
        await client.facts(["Q116000001"])
    await client.close()
    assert caught.value.kind == "auth" and "user-agent" in str(caught.value).lower()


async def test_wikidata_malformed_query_and_cut_off_answer(wdqs: WikidataStandIn) -> None:
    client = WikidataClient(http("Wikidata"), wdqs.url)
    with pytest.raises(SourceError) as bad:
        await client.select("SELECT ?film ?missing WHERE { ?film wdt:P31 wd:Q11424 . }", "a bad query")
    assert bad.value.kind == "rejected" and "MalformedQueryException" in str(bad.value)
    with pytest.raises(SourceError) as unbalanced:
        await client.select(facts_query(["Q1"]).replace("}", "", 1), "unbalanced")
    assert unbalanced.value.kind == "rejected"
    wdqs.time_out_next(1)
    with pytest.raises(SourceError) as cut:
        await client.facts(["Q116000001", "Q116000002"])
    assert cut.value.kind == "bad_response"
    facts = await client.facts(["Q116000001"])
    await client.close()
    assert facts.skipped == 1  # the stand-in's row with a literal where the film's URI belongs
    cast = [(r["itemLabel"], r.get("ord")) for r in facts.by_film["Q116000001"] if r["prop"] == "cast"]
    assert ("Channing Tatum", "1") in cast and ("Peter Dinklage", None) in cast
    assert wdqs.malformed and wdqs.bans == []
