"""The Wikidata refresh: fact rows -> records, the merge plan (fill, add, never overwrite), and whole runs
against the Wikidata stand-in (dry run, resume after an interruption, a cut-off answer split and retried)."""
from __future__ import annotations

import argparse
import datetime as dt
import io
from dataclasses import replace

import pytest

from bot.core.app import Marquee
from bot.core.refresh import RefreshOptions, WikidataRefresh
from bot.core.settings import load_settings
from bot.datacli import print_report
from bot.domain.edits import admin_fields, apply_import
from bot.domain.models import Film, Score
from bot.domain.refresh import MC_SOURCE, RT_SOURCE, plan, record_from_rows
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
    # Curated Heat keeps its 170 minutes; only its Wikidata score (84% as of the base snapshot) is newer.
    assert filled["heat-1995"] == ["updated: scores (Rotten Tomatoes 2026-11-01)"] and planned.unchanged == 0
    assert [p.film_id for p in planned.updated] == ["heat-1995"]
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
    assert report.stopped is None and len(report.added) == 2 and len(report.filled) == 3
    assert [p.film_id for p in report.updated] == ["heat-1995"]
    assert len(report.invalid) == 3 and report.skipped_rows >= 8
    film = app.catalogue.find("Roofman")
    assert film.directors == ("Derek Cianfrance",) and film.method == "wikidata-refresh"
    assert app.catalogue.catalog.films["bugonia-2025"].runtime == 118
    heat = app.catalogue.catalog.films["heat-1995"]
    assert heat.runtime == 170 and heat.score("critics") == Score("critics", 88, RT_SOURCE, "2026-11-01", 150)
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


# --------------------------------------------------------------------------- updating films we have
# Small in-memory catalogues: a base-layer film (alphabetical cast, a score as of the base snapshot), and the
# record Wikidata gives for it.

def base_film(**changes: object) -> Film:
    film = Film(id="dune-two-2024", title="Dune: Part Two", year=2024, runtime=166, imdb_id="tt15239678",
                directors=("Denis Villeneuve",),
                cast=("Austin Butler", "Florence Pugh", "Javier Bardem", "Rebecca Ferguson", "Timothée Chalamet",
                      "Zendaya"),
                scores=(Score("critics", 92, RT_SOURCE, "2026-10-18", 400), Score("metacritic", 79, MC_SOURCE,
                                                                                  "2026-10-18")),
                series="Dune", series_order=None)
    return replace(film, **changes)  # type: ignore[arg-type]


def wikidata_record(**changes: object) -> dict:
    record = {"title": "Dune: Part Two", "year": 2024, "external_ids": {"imdb": "tt15239678"},
              "directors": ["Denis Villeneuve"],
              "cast": ["Timothée Chalamet", "Zendaya", "Rebecca Ferguson", "Josh Brolin", "Austin Butler"],
              "billed": 3, "original_title": "Dune: Deuxième partie", "series": "Dune (film series)",
              "series_order": 2, "method": "wikidata-refresh",
              "scores": [{"kind": "critics", "value": 93, "source": RT_SOURCE, "as_of": "2026-11-01", "count": 450},
                         {"kind": "metacritic", "value": 80, "source": MC_SOURCE, "as_of": "2026-09-01"}]}
    record.update(changes)
    return record


def refreshed(films: dict[str, Film], record: dict, **options: object) -> tuple[dict[str, Film], object]:
    """Plan the refresh of these films and apply its rows as the catalogue does (and as a replay does)."""
    planned = plan(films, [("Q1", record)], **options)  # type: ignore[arg-type]
    new_films, _, _ = apply_import(films, [], planned.rows)
    return new_films, planned


def test_a_newer_score_replaces_the_older_and_an_older_one_does_not() -> None:
    films, planned = refreshed({"dune-two-2024": base_film()}, wikidata_record())
    film = films["dune-two-2024"]
    assert film.score("critics") == Score("critics", 93, RT_SOURCE, "2026-11-01", 450)  # 2026-11-01 > 10-18
    assert film.score("metacritic") == Score("metacritic", 79, MC_SOURCE, "2026-10-18")  # 2026-09-01 is older
    assert "scores (Rotten Tomatoes 2026-11-01)" in planned.updated[0].updated  # type: ignore[attr-defined]
    assert not any("Metacritic" in u for u in planned.updated[0].updated)  # type: ignore[attr-defined]
    # The same figure with a newer date only (a statement without a point in time is dated the run's day)
    # changes nothing, so a refresh the next day does not rewrite every score.
    same = wikidata_record(scores=[{"kind": "critics", "value": 92, "source": RT_SOURCE, "as_of": "2026-12-05",
                                    "count": 400}])
    _, planned = refreshed({"dune-two-2024": base_film()}, same)
    assert "scores" not in planned.rows[0].get("update", {})  # type: ignore[attr-defined]


def test_original_title_series_and_billing_replace_the_base_layers() -> None:
    films, planned = refreshed({"dune-two-2024": base_film()}, wikidata_record())
    film = films["dune-two-2024"]
    assert film.original_title == "Dune: Deuxième partie"  # absent: set (a fill)
    assert (film.series, film.series_order) == ("Dune (film series)", 2)  # the base layer's: replaced
    # Wikidata's billing first, then the names we had, then Wikidata's others; the first 3 are checked billing.
    assert film.cast == ("Timothée Chalamet", "Zendaya", "Rebecca Ferguson", "Austin Butler", "Florence Pugh",
                         "Javier Bardem", "Josh Brolin")
    assert film.billed == 3 and film.runtime == 166
    entry = planned.filled[0]  # type: ignore[attr-defined]
    assert "original_title" in entry.facts and entry.updated == [
        "scores (Rotten Tomatoes 2026-11-01)", "series", "cast (billing order)"]
    assert entry.facts[-1] == "updated: scores (Rotten Tomatoes 2026-11-01); series; cast (billing order)"
    assert all(row["source"] == "Wikidata" for row in planned.rows)  # type: ignore[attr-defined]


def test_a_cast_in_billing_order_or_a_short_billing_is_left_alone() -> None:
    ordered = base_film(cast=("Timothée Chalamet", "Zendaya"), billed=2)
    films, _ = refreshed({"dune-two-2024": ordered}, wikidata_record())
    assert films["dune-two-2024"].cast == ("Timothée Chalamet", "Zendaya")
    films, _ = refreshed({"dune-two-2024": base_film()}, wikidata_record(billed=2))  # ordinals for 2 names
    assert films["dune-two-2024"].cast == base_film().cast and films["dune-two-2024"].billed == 0


def test_curated_fields_and_admin_edits_are_never_overwritten() -> None:
    curated = base_film(curated=True, original_title="Dune 2", scores=(
        Score("critics", 90, "Rotten Tomatoes", "2024-03-01", 300),  # a curator's figure
        Score("metacritic", 79, MC_SOURCE, "2026-08-01")))  # the base layer's, on a curated film
    films, _ = refreshed({"dune-two-2024": curated}, wikidata_record())
    film = films["dune-two-2024"]
    assert film.original_title == "Dune 2" and (film.series, film.series_order) == ("Dune", None)
    assert film.cast == curated.cast and film.score("critics") == curated.score("critics")
    assert film.score("metacritic") == Score("metacritic", 80, MC_SOURCE, "2026-09-01")  # Wikidata's: newer
    # An admin's /catalog edit of the cast and series, and an admin's import that gave scores.
    edits = [(444, "edit", {"id": "dune-two-2024", "changes": {"cast": ["Zendaya"], "series_order": 2}}),
             (444, "import", {"format": "csv", "rows": [{"mode": "fill", "film": {
                 "id": "dune-two-2024", "title": "Dune: Part Two", "scores": [{"kind": "critics", "value": 1}]}}]}),
             (0, "import", {"format": "wikidata", "rows": [{"mode": "fill", "film": {
                 "id": "dune-two-2024", "title": "Dune: Part Two", "original_title": "x"}}]})]
    protected = admin_fields(edits)
    assert protected == {"dune-two-2024": {"cast", "series", "scores"}}
    films, _ = refreshed({"dune-two-2024": base_film()}, wikidata_record(), protected=protected)
    film = films["dune-two-2024"]
    assert film.cast == base_film().cast and film.series == "Dune" and film.scores == base_film().scores
    assert film.original_title == "Dune: Deuxième partie"  # no admin touched it
    added = admin_fields([(444, "add", {"film": {"id": "dune-two-2024", "title": "Dune: Part Two"}})])
    films, planned = refreshed({"dune-two-2024": base_film()}, wikidata_record(), protected=added)
    assert films["dune-two-2024"] == base_film() and planned.unchanged == 1  # type: ignore[attr-defined]


def test_a_second_identical_refresh_changes_nothing_and_a_replay_sets_only_what_is_unchanged() -> None:
    films, first = refreshed({"dune-two-2024": base_film()}, wikidata_record())
    again = plan(films, [("Q1", wikidata_record())])
    assert again.rows == [] and again.unchanged == 1
    # Replayed twice (a data version loaded again), the rows change nothing more.
    twice, _, _ = apply_import(films, [], first.rows)  # type: ignore[attr-defined]
    assert twice["dune-two-2024"] == films["dune-two-2024"]
    # Replayed over a data version whose cast and series changed meanwhile, those updates are not applied.
    newer = base_film(cast=("Zendaya", "Timothée Chalamet"), series="Dune (saga)")
    replayed, _, _ = apply_import({"dune-two-2024": newer}, [], first.rows)  # type: ignore[attr-defined]
    assert replayed["dune-two-2024"].cast == newer.cast and replayed["dune-two-2024"].series == "Dune (saga)"
    assert replayed["dune-two-2024"].score("critics").value == 93  # type: ignore[union-attr]


async def test_a_refresh_keeps_an_admins_edit_and_prints_its_updates(app: Marquee, curator, wdqs: WikidataStandIn) -> None:
    # Heat (curated) has the base layer's 84% as of 2026-10-18; Wikidata's stand-in says 88% as of 2026-11-01.
    refresh, _ = refresher(app, wdqs)
    report = await refresh.run(RefreshOptions(SINCE, UNTIL, dry_run=True))
    out = io.StringIO()
    print_report(report, RefreshOptions(SINCE, UNTIL, dry_run=True), out)
    assert "  ~ Heat (1995): updated: scores (Rotten Tomatoes 2026-11-01)" in out.getvalue()
    assert f"({len(report.updated)} of them would be updated: newer scores" in out.getvalue()
    assert app.catalogue.catalog.films["heat-1995"].score("critics").value == 84  # type: ignore[union-attr]
    # An owner's import that gave Heat a note and its scores makes the scores the owner's: the refresh leaves
    # them alone.
    await app.catalogue.apply_edit(curator, "import", {"format": "json", "rows": [{"mode": "fill", "film": {
        "id": "heat-1995", "title": "Heat", "notes": "Seen at the Prince Charles",
        "scores": [{"kind": "critics", "value": 84, "source": "RT"}]}}]}, None)
    assert (await app.catalogue.store.edits())[-1].user_id == curator.user_id
    refresh, _ = refresher(app, wdqs)
    report = await refresh.run(RefreshOptions(SINCE, UNTIL))
    assert report.updated == [] and app.catalogue.catalog.films["heat-1995"].score("critics").value == 84  # type: ignore[union-attr]
