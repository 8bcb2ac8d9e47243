"""The Wikidata refresh: fact rows -> records, the merge plan (fill, add, never overwrite), and whole runs
against the Wikidata stand-in (dry run, resume after an interruption, a cut-off answer split and retried)."""
from __future__ import annotations

import argparse
import datetime as dt
import io

import pytest

from bot.core.app import Marquee
from bot.core.refresh import RefreshOptions, WikidataRefresh
from bot.core.settings import load_settings
from bot.datacli import print_report
from bot.domain.refresh import plan, record_from_rows
from bot.sources.http import HttpSource
from bot.sources.wikidata import WikidataClient
from bot.storage.live import RefreshState
from tests import live_fixtures
from tests.live_fixtures import Sleeps
from tests.standin.wikidata import FILMS, WikidataStandIn, facts_rows

SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2026, 1, 1)

wdqs = live_fixtures.wdqs  # the fixture


def rows_of(qid: str) -> list[dict[str, str]]:
    """A stand-in film's rows as the client flattens them."""
    film = next(f for f in FILMS if f["qid"] == qid)
    flat = []
    for row in facts_rows(film):
        if row["film"]["type"] != "uri":
            continue
        out = {"prop": row["prop"]["value"]}
        for key in ("value", "itemLabel", "ord", "when", "count"):
            if key in row:
                out[key] = row[key]["value"]
        for key in ("item", "unit", "by"):
            if key in row:
                out[key] = row[key]["value"].rsplit("/", 1)[1]
        flat.append(out)
    return flat


def test_a_films_rows_become_a_checked_record() -> None:
    roofman = record_from_rows("Q116000001", rows_of("Q116000001"), as_of="2026-12-01").record
    assert roofman is not None
    assert roofman["title"] == "Roofman" and roofman["year"] == 2025 and roofman["runtime_minutes"] == 126
    assert roofman["cast"][:2] == ["Channing Tatum", "Kirsten Dunst"] and roofman["billed"] == 2
    assert roofman["countries"] == ["United States"] and roofman["genres"] == ["Crime", "Comedy"]
    sinners = record_from_rows("Q116000004", rows_of("Q116000004"), as_of="2026-12-01").record
    assert sinners is not None and sinners["runtime_minutes"] == 137  # 8,220 seconds
    heat = record_from_rows("Q116000008", rows_of("Q116000008"), as_of="2026-12-01").record
    assert heat is not None and sorted((s["kind"], s["value"], s["as_of"]) for s in heat["scores"]) == [
        ("critics", 88, "2026-11-01"), ("metacritic", 76, "2026-12-01")]
    assert record_from_rows("Q116000005", rows_of("Q116000005"), as_of="2026-12-01").problems == [
        "2 IMDb ids (need exactly one)"]


def test_the_plan_fills_gaps_adds_new_films_and_never_overwrites(app: Marquee) -> None:
    films = app.catalogue.catalog.films
    records = [(q, record_from_rows(q, rows_of(q), as_of="2026-12-01").record)
               for q in ("Q116000001", "Q116000003", "Q116000004", "Q116000007", "Q116000008")]
    planned = plan(films, [(q, r) for q, r in records if r is not None], vocabulary=app.catalogue.vocabulary,
                   services=app.catalogue.services)
    assert [p.title for p in planned.added] == ["Roofman"]
    filled = {p.film_id: p.facts for p in planned.filled}
    assert "runtime_minutes" in filled["bugonia-2025"] and filled["sinners-2025"] == ["imdb"]
    assert "heat-1995" not in filled and planned.unchanged == 1  # curated Heat keeps its 170 minutes
    assert len(planned.invalid) == 1 and "U+202E" in planned.invalid[0][1]
    assert all(row["mode"] == "fill" and row["source"] == "Wikidata" for row in planned.rows)


def refresher(app: Marquee, wdqs: WikidataStandIn, **http: object) -> tuple[WikidataRefresh, HttpSource]:
    http.setdefault("sleep", Sleeps())
    source = HttpSource("Wikidata", user_agent="MarqueeBot/test (test@example.org) aiohttp", **http)  # type: ignore[arg-type]
    return WikidataRefresh(app.catalogue, RefreshState(app.ctx.db), WikidataClient(source, wdqs.url)), source


async def test_a_dry_run_changes_nothing(app: Marquee, wdqs: WikidataStandIn) -> None:
    refresh, _ = refresher(app, wdqs)
    before = len(app.catalogue.catalog.films)
    report = await refresh.run(RefreshOptions(SINCE, UNTIL, dry_run=True, updates=False))
    assert [p.title for p in report.added] == ["Roofman", "Song Sung Blue"]
    assert len(app.catalogue.catalog.films) == before and await app.catalogue.store.edits() == []
    out = io.StringIO()
    print_report(report, RefreshOptions(SINCE, UNTIL, dry_run=True), out)
    assert "Would add 2 films" in out.getvalue() and "nothing changed" in out.getvalue()


async def test_a_refresh_adds_and_fills_and_logs_one_edit_per_month(app: Marquee, alice, wdqs: WikidataStandIn) -> None:
    refresh, _ = refresher(app, wdqs)
    report = await refresh.run(RefreshOptions(SINCE, UNTIL, updates=True))
    assert report.stopped is None and len(report.added) == 2 and len(report.filled) == 2
    assert len(report.invalid) == 3 and report.skipped_rows >= 8
    film = app.catalogue.find("Roofman")
    assert film.directors == ("Derek Cianfrance",) and film.method == "wikidata-refresh"
    assert app.catalogue.catalog.films["bugonia-2025"].runtime == 118
    assert app.catalogue.catalog.films["heat-1995"].runtime == 170
    edits = await app.catalogue.store.edits()
    assert {e.op for e in edits} == {"import"} and all(e.payload["format"] == "wikidata" for e in edits)
    card = (await app.dispatch_command(alice, "film", {"title": "Roofman"})).result
    assert card.film.id == film.id
    assert wdqs.bans == [] and wdqs.malformed == []


async def test_an_interrupted_refresh_resumes_where_it_stopped(app: Marquee, wdqs: WikidataStandIn) -> None:
    refresh, _ = refresher(app, wdqs, budget=5)
    first = await refresh.run(RefreshOptions(SINCE, UNTIL, updates=False))
    assert first.stopped is not None and "budget" in first.stopped
    refresh, _ = refresher(app, wdqs)
    second = await refresh.run(RefreshOptions(SINCE, UNTIL, updates=False))
    assert second.stopped is None and second.done_before >= 1
    assert {p.title for p in first.added + second.added} == {"Roofman", "Song Sung Blue"}
    assert await RefreshState(app.ctx.db).load() is None  # finished: nothing left to resume


async def test_a_cut_off_answer_is_split_and_asked_again(app: Marquee, wdqs: WikidataStandIn) -> None:
    wdqs.time_out_next(1)
    refresh, _ = refresher(app, wdqs)
    report = await refresh.run(RefreshOptions(dt.date(2025, 9, 1), dt.date(2025, 10, 1), updates=False))
    assert report.stopped is None and {p.title for p in report.added} == {"Roofman", "Song Sung Blue"}
    facts = [q for q in wdqs.queries if "VALUES ?film" in q]
    assert [q.count("wd:Q1160") for q in facts] == [2, 1, 1]  # the cut-off pair, then each film alone


async def test_the_command_needs_a_contact_for_wikidatas_user_agent(db_path) -> None:
    from bot.composition import open_app
    from bot.core.errors import ConfigError
    from bot.datacli import run_data

    settings = load_settings({"DATABASE_PATH": str(db_path)})
    args = argparse.Namespace(since=None, until=None, dry_run=True, no_updates=True, budget=10, restart=False)
    with pytest.raises(ConfigError, match="WIKIDATA_CONTACT"):
        await run_data(settings, args, lambda: open_app(settings))
