"""Imports an attacker or a careless admin can send (issue 11, items 1, 2, 3, 5, 6 and 10): big imports do
not freeze the bot, compressed bombs and deep nesting get a clear answer, non-finite numbers are refused and
cannot skew the ranking, CSV exports do not run as formulas, and a replace row keeps a curated film's
curation unless told otherwise.

Most tests run on the tiny shipped data set of test_catalog_admin (a real SQLite file, the real app); the
limits are lowered for the bombs that only need to pass one, so the tests stay fast.
"""
from __future__ import annotations

import asyncio
import csv
import dataclasses
import gzip
import io
import json
import math
import threading
import zipfile
from pathlib import Path

import pytest

import bot.core.catalogue as catalogue_module
from bot.core.catalogue import replay_edits
import cogs.catalog.service as catalog_service
from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.errors import UserError
from bot.core.memory import free_gradually
from bot.core.rendering import render, render_text
from bot.domain import dataset, interchange
from bot.domain.catalog import Catalog
from bot.domain.edits import apply_edit
from bot.domain.interchange import ImportFormatError, ImportLimitError, ImportLimits, export_csv, parse_csv
from bot.domain.models import Film, Link
from cogs.catalog.results import CatalogImport
from cogs.catalog.service import CatalogService
# The tiny shipped data set (data_v1) and an app over it, as the catalogue admin tests have them.
from tests.test_catalog_admin import CURATOR, BASE, run
from tests.test_catalog_admin import app as app  # noqa: F401 - a fixture
from tests.test_catalog_admin import data_v1 as data_v1  # noqa: F401 - a fixture

HEADER = "id,title,year,runtime_minutes,directors,popularity\n"


def new_films_csv(count: int, start: int = 0) -> bytes:
    rows = [f"new-film-{n}-2001,New Film {n},2001,90,Director {n},{1 + n % 7}.5\n" for n in range(start, start + count)]
    return (HEADER + "".join(rows)).encode()


def gzip_bomb(unpacked_mib: int, byte: bytes = b"\0") -> bytes:
    """gzip members, each a MiB of one byte, one after another: a valid gzip file a thousandth of its size."""
    return gzip.compress(byte * 2**20, 9) * unpacked_mib


def lower_limits(monkeypatch: pytest.MonkeyPatch, format: str, **limits: int) -> None:
    monkeypatch.setitem(interchange.IMPORT_LIMITS, format,
                        dataclasses.replace(interchange.IMPORT_LIMITS[format], **limits))


# --------------------------------------------------------------------------- 1. big imports


async def test_an_import_changes_the_catalogue_once_however_many_rows(app: Marquee) -> None:
    """Each upserted film used to re-rank the whole catalogue (version +1 and a re-sort per film)."""
    version = app.catalogue.catalog.version
    result = await run(app, "catalog import", file=new_films_csv(300), filename="new.csv", format="csv")
    assert result.applied and result.counts == {"added": 300}, result.summary
    assert app.catalogue.catalog.version == version + 1
    assert [f.id for f in app.catalogue.titles.autocomplete("new film 12", limit=3)][0] == "new-film-12-2001"


async def test_the_edit_lock_is_free_while_an_import_is_planned(app: Marquee,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The import used to hold the edit lock while it worked out its rows: every other edit waited. Now it
    plans without the lock, and plans again when another edit came in meanwhile."""
    planning, go_on = threading.Event(), threading.Event()
    plans = []
    real_apply_import = catalog_service.apply_import

    def slow_apply_import(*args, **kwargs):
        plans.append(1)
        if len(plans) == 1:
            planning.set()
            go_on.wait(10)
        return real_apply_import(*args, **kwargs)

    monkeypatch.setattr(catalog_service, "apply_import", slow_apply_import)
    importing = asyncio.create_task(run(app, "catalog import", file=new_films_csv(20), filename="new.csv",
                                        format="csv"))
    await asyncio.to_thread(planning.wait, 10)
    tagged = await asyncio.wait_for(run(app, "catalog tag", film="ronin-1998", tag="heist"), timeout=5)
    assert tagged.changed
    go_on.set()
    result = await importing
    assert result.applied and result.counts == {"added": 20}
    assert len(plans) == 2  # the catalogue changed while the first plan was made: planned again
    assert app.catalogue.catalog.get("ronin-1998").tags == ("heist",)
    assert app.catalogue.catalog.get("new-film-7-2001") is not None
    assert [e.op for e in await app.catalogue.store.edits()] == ["tag", "import"]


async def test_a_bulk_import_swaps_in_an_engine_equal_to_changing_in_place(
        tmp_path: Path, data_v1: dataset.DataPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above BULK_CHANGE films a new engine is built in a thread and swapped in; it must answer exactly as
    the running engine changed film by film would."""
    answers = []
    for bulk_change, name in ((10, "swapped.db"), (10**9, "in-place.db")):
        monkeypatch.setattr(catalogue_module, "BULK_CHANGE", bulk_change)
        app = await Marquee.open(tmp_path / name, FEATURES)
        try:
            before = app.catalogue.catalog
            await run(app, "catalog import", file=new_films_csv(40), filename="new.csv", format="csv")
            catalog, titles, similarity = app.catalogue.catalog, app.catalogue.titles, app.catalogue.similarity
            assert (catalog is not before) == (bulk_change == 10)
            answers.append((
                sorted(catalog.films), catalog.ranked_ids(), [f.id for f in titles.autocomplete("new film 1")],
                [f.id for f in titles.autocomplete("heat")], catalog.genres(), catalog.version,
                [s.film.id for s in similarity.similar("new-film-3-2001", 5)],
            ))
        finally:
            await app.close()
    assert answers[0] == answers[1]


async def test_a_replaced_engine_is_freed(tmp_path: Path, data_v1: dataset.DataPaths,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The title index listens to its catalogue and points back to it; start-up freezes both out of the
    garbage collector, so the swap must break that cycle for the old engine to be freed at all."""
    import gc
    import weakref

    monkeypatch.setattr(catalogue_module, "BULK_CHANGE", 10)
    app = await Marquee.open(tmp_path / "t.db", FEATURES)
    try:
        app.catalogue.similarity.prepare()  # its arrays too
        old = [weakref.ref(part) for part in (app.catalogue.catalog, app.catalogue.titles, app.catalogue.similarity,
                                              app.catalogue.similarity.arrays)]
        collecting = gc.isenabled()
        gc.disable()
        try:
            await run(app, "catalog import", file=new_films_csv(40), filename="new.csv", format="csv")
            assert [part() for part in old] == [None] * 4
        finally:
            if collecting:
                gc.enable()
    finally:
        await app.close()


def test_a_batch_of_changes_reaches_listeners_once() -> None:
    films = [Film(f"film-{n}", f"Film {n}", 2000, popularity=n / 10) for n in range(200)]
    catalog = Catalog(films[:100])
    heard = []

    class Listener:
        def films_changed(self, removed, added):
            heard.append((len(removed), len(added), catalog.version))

    catalog.add_listener(Listener())
    catalog.apply_changes(upserted=films[100:], removed=["film-0"])
    assert heard == [(1, 100, 1)] and len(catalog) == 199 and catalog.ranked_ids()[0] == "film-199"
    with pytest.raises(KeyError):  # a link to a film the batch removes: nothing of the batch is applied
        catalog.apply_changes(removed=["film-1"], links_added=[Link("film-1", "film-2", "alike")])
    assert "film-1" in catalog and catalog.version == 1


def test_freeing_gradually_takes_apart_only_what_nobody_else_holds() -> None:
    import weakref

    class Rows(list):  # a list that a weak reference can watch
        pass

    still_used = Rows([{"title": "In the catalogue"}])
    owned = Rows([{"row": n, "cells": [str(n)]} for n in range(1000)] + [still_used])
    gone = weakref.ref(owned)
    work = [{"rows": owned, "films": still_used}]
    del owned
    free_gradually(work)
    assert gone() is None and still_used == [{"title": "In the catalogue"}] and work == []


# --------------------------------------------------------------------------- 2. decompression bombs


async def test_a_gzip_bomb_is_refused_at_the_unpacked_limit(app: Marquee) -> None:
    """200 KB that unpack to 200 MiB, over the 192 MiB limit of a JSON import (it used to be unpacked whole:
    a 2 MB gzip took 4 GB of memory)."""
    bomb = gzip_bomb(200)
    assert len(bomb) < 300_000
    with pytest.raises(UserError) as refused:
        await app.service(CatalogService).import_bytes(bomb, filename="films.json.gz", format="json", actor=CURATOR)
    assert "192 MiB" in refused.value.message and "limit" in refused.value.message


async def test_limits_per_format_name_the_limit_hit(app: Marquee, monkeypatch: pytest.MonkeyPatch) -> None:
    service = app.service(CatalogService)
    lower_limits(monkeypatch, "csv", unpacked_bytes=2**20)
    lines = (HEADER + "".join(f"x-{n},{'y' * 200},2001,,,\n" for n in range(8000))).encode()  # 1.6 MB, short lines
    with pytest.raises(UserError, match="unpacks to more than 1 MiB"):
        await service.import_bytes(gzip.compress(lines), filename="films.csv.gz", format="csv", actor=CURATOR)
    lower_limits(monkeypatch, "csv", unpacked_bytes=2**30, rows=1000)
    with pytest.raises(UserError, match="more than 1,000 rows"):
        await service.import_bytes(new_films_csv(1001), filename="films.csv", format="csv", actor=CURATOR)
    assert (await service.import_bytes(new_films_csv(1000), filename="films.csv", format="csv",
                                       actor=CURATOR)).applied
    with pytest.raises(UserError, match="longer than 1,000,000 characters"):  # zeros: no line ever ends
        await service.import_bytes(gzip_bomb(64), filename="netflix.csv.gz", format="streaming", service="netflix",
                                   region="US", date="2021-12", actor=CURATOR)
    rows = "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n"
    lower_limits(monkeypatch, "imdb", rows=10_000)
    with pytest.raises(UserError, match="more than 10,000 rows"):
        await service.import_bytes(gzip.compress(rows.encode()) + gzip_bomb(1, b"\n"), filename="title.basics.tsv.gz",
                                   format="imdb", actor=CURATOR)
    assert (await app.catalogue.store.stats())["local_edits"] == 1  # only the import that fitted


async def test_a_zip_bomb_is_read_a_piece_at_a_time(app: Marquee, monkeypatch: pytest.MonkeyPatch) -> None:
    service = app.service(CatalogService)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ml/movies.csv", b"movieId,title,genres\n" + b"0" * 2**26)  # 64 MiB in one line
    assert len(bundle.getvalue()) < 100_000
    with pytest.raises(UserError, match="line 2 of movies.csv is longer than 1,000,000 characters"):
        await service.import_bytes(bundle.getvalue(), filename="ml.zip", actor=CURATOR)
    lower_limits(monkeypatch, "movielens", unpacked_bytes=2**20)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ml/movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n")
        archive.writestr("ml/links.csv", "movieId,imdbId,tmdbId\n" + "1,0114709,862\n" * 100_000)
    with pytest.raises(UserError, match="links.csv unpacks to more than 1 MiB"):
        await service.import_bytes(bundle.getvalue(), filename="ml.zip", actor=CURATOR)


async def test_an_attached_file_unpacks_to_no_more_than_the_attachment_cap(app: Marquee,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """An IMDb dump may unpack to gigabytes from the command line, not from a chat attachment."""
    monkeypatch.setattr(catalog_service, "ATTACHMENT_UNPACKED", 2**20)
    header = "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n"
    body = header + "tt0000001\tshort\tA\tA\t0\t1894\t\\N\t1\tDocumentary\n" * 40_000  # 2 MB
    refused = await run(app, "catalog import", file=gzip.compress(body.encode()), filename="title.basics.tsv.gz")
    assert "unpacks to more than 1 MiB" in refused.message
    allowed = await app.service(CatalogService).import_bytes(gzip.compress(body.encode()), format="imdb")
    assert allowed.skipped == 40_000


# --------------------------------------------------------------------------- 3. non-finite numbers


def test_non_finite_popularity_is_refused_in_every_format() -> None:
    for text in ('Infinity', '-Infinity', 'NaN', '1e400', '1' * 400):
        parsed = interchange.parse_json(f'[{{"id": "x-2020", "title": "X", "popularity": {text}}}]'.encode())
        assert not parsed.rows and "popularity" in parsed.problems[0].reason, text
    for text in ("inf", "-inf", "nan", "1e400", "infinity"):
        parsed = parse_csv(f"id,title,popularity\nx-2020,X,{text}\n".encode())
        assert not parsed.rows and "popularity" in parsed.problems[0].reason, text


def test_the_edit_log_cannot_bring_back_an_infinite_popularity() -> None:
    """Rows logged by an older version are replayed over each new data version: they are checked again."""
    heat = dataset.film_from_base(BASE[0])
    record = interchange.film_to_record(heat)
    for bad in (math.inf, math.nan, 10**400):
        films, _ = apply_edit({heat.id: heat}, [], "import",
                              {"rows": [{"mode": "replace", "film": {**record, "popularity": bad}}]})
        assert films[heat.id] is heat, bad
    films, _ = apply_edit({heat.id: heat}, [], "import", {"rows": [{"mode": "availability", "film": record,
        "availability": [{"service": "netflix", "region": "US", "kind": "subscription", "checked": "2026-13"}]}]})
    assert films[heat.id] is heat


def test_the_ranking_survives_outliers_and_non_finite_popularity() -> None:
    """A film with popularity inf (from a database written before the validator refused it) or 1e300 used
    to flatten every other film's prior to 0 (or NaN)."""
    films = [Film(f"film-{n}", f"Film {n}", 2000, popularity=float(n % 5), curated=n % 7 == 0) for n in range(2000)]
    plain = Catalog(films)
    for odd in (math.inf, math.nan, -math.inf, 1e300):
        catalog = Catalog([*films, Film("odd-1", "Odd", 2000, popularity=odd)])
        priors = catalog.priors()
        assert all(math.isfinite(p) and 0 <= p <= 1.35 for p in priors.values()), odd
        assert {fid: priors[fid] for fid in plain.priors()} == plain.priors(), odd
        assert [fid for fid in catalog.ranked_ids() if fid != "odd-1"] == plain.ranked_ids(), odd
        assert priors["odd-1"] == (1.0 if odd == 1e300 else 0.0), odd


def test_layer_data_with_non_finite_numbers_is_reported_and_ranked_as_unknown() -> None:
    record = {**BASE[0], "rt_n": math.inf, "notability": math.nan}
    problems = dataset.validate_layer([record], "recent_films.jsonl.gz")
    assert {p.message.split()[0] for p in problems} >= {"rt_n", "notability"}
    film = dataset.film_from_recent(record)
    assert math.isfinite(film.popularity)


# --------------------------------------------------------------------------- 5. formulas in the CSV export


AWKWARD_TITLES = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "-2+3", "@SUM(A1:A2)", "'Round Midnight",
                  "''Quoted twice", "'=Already guarded", "'", "Plain title", "= spaced"]


def test_the_csv_export_neutralises_formulas_and_imports_back_exactly() -> None:
    films = [Film(f"awkward-{n}", title, 2001, directors=("-Dash Director", "Ann Other"), pitch="=1+1 is two",
                  aliases=("@alias",)) for n, title in enumerate(AWKWARD_TITLES)]
    data = export_csv(films, ())
    for row in csv.reader(io.StringIO(data.decode())):
        for cell in row:
            assert not cell.startswith(interchange.FORMULA_STARTS), cell
    parsed = parse_csv(data)
    assert not parsed.problems
    by_id = {r.row["film"]["id"]: r.row["film"] for r in parsed.rows}
    for film in films:
        assert by_id[film.id]["title"] == film.title
        assert by_id[film.id]["directors"] == list(film.directors)
        assert by_id[film.id]["pitch"] == film.pitch and by_id[film.id]["aliases"] == list(film.aliases)
    # A hand-written apostrophe before anything but a formula character is the value itself.
    hand_written = parse_csv(b"id,title\nround-midnight-1986,'Round Midnight\n")
    assert hand_written.rows[0].row["film"]["title"] == "'Round Midnight"


# --------------------------------------------------------------------------- 6. deep nesting, long numbers


async def test_deep_nesting_and_huge_numbers_get_a_clear_answer(app: Marquee) -> None:
    """~150 KB of brackets used to end in a RecursionError (and 5,000 digits in a ValueError): tracebacks."""
    deep = "[" * 150_000 + "]" * 150_000
    cases = {
        "films.json": f'{{"films": [{{"id": "x-2020", "title": "X", "tags": {deep}}}]}}',
        "bare.json": deep,
        "digits.json": f'{{"films": [{{"id": "x-2020", "title": "X", "year": {"1" * 5000}}}]}}',
    }
    for name, text in cases.items():
        result = await run(app, "catalog import", file=text.encode(), filename=name, format="json")
        assert isinstance(result, CatalogImport) and result.error and not result.applied, name
        assert "nest too deeply" in result.error or "too many digits" in result.error, result.error
        assert "Nothing imported" in render_text(render(result))
    nested_cell = "[" * 60_000 + "]" * 60_000  # under the CSV reader's 128 KiB field limit
    for column in ("directors", "availability"):
        result = await run(app, "catalog import", file=f"id,title,{column}\nx-2020,X,{nested_cell}\n".encode(),
                           filename="films.csv", format="csv")
        assert [p.line for p in result.problems] == [2] and "nested too deeply" in result.problems[0].reason
    shallow_but_odd = json.dumps([{"id": "x-2020", "title": "X", "tags": [[[[[[[[["deep"]]]]]]]]]}])
    result = await run(app, "catalog import", file=shallow_but_odd.encode(), filename="odd.json", format="json")
    assert "nested more than 8 levels" in result.problems[0].reason


def test_depth_counts_the_deepest_branch_and_stops_past_the_limit() -> None:
    depth, limit = interchange.depth, interchange.MAX_JSON_DEPTH
    assert [depth(v) for v in (3, "x", None, [], {}, [[]], {"a": [1, {"b": []}]})] == [0, 0, 0, 1, 1, 2, 4]
    # One deep branch among wide shallow ones decides, whichever side of the record it is on.
    wide = {"cast": ["a"] * 50, "availability": [{"service": "x"}] * 5}
    assert depth([wide, [[[[0]]]]]) == depth([[[[[0]]]], wide]) == 5
    nested: object = 0
    for _ in range(limit + 5):
        nested = [nested]
    assert depth(nested) == limit + 1  # what it takes to say "too deep", without walking the rest
    assert depth({"tags": nested}) == limit + 1


def test_unreadable_bytes_say_what_is_wrong() -> None:
    for data, words in ((b"\x1f\x8b" + b"not gzip" * 4, "cannot be unpacked"),
                        (b"id,title\nx-2020,\xff\xfe\n", "not UTF-8"),
                        (b'{"films": [{"id": "x-2020", "title": "X"},\n {"id": ]}', "line 2: not valid JSON"),
                        (b'{"films": []} and more', "extra data")):
        with pytest.raises(ImportFormatError, match=words):
            interchange.parse_file(data, "json" if data.startswith(b"{") else "csv")
    assert not issubclass(ImportLimits, Exception) and issubclass(ImportLimitError, ImportFormatError)


# --------------------------------------------------------------------------- 10. replacing curated films


async def test_a_replace_row_keeps_curation_unless_told_and_says_what_it_removes(app: Marquee,
                                                                                data_v1: dataset.DataPaths) -> None:
    """heat-1995 is curated (tags, pitch). A JSON replace row without them used to drop all three, and the
    answer only said "1 updated"."""
    heat = app.catalogue.catalog.get("heat-1995")
    assert heat.curated and heat.tags and heat.pitch
    record = {key: value for key, value in interchange.film_to_record(heat).items()
              if key not in ("curated", "tags", "pitch")}
    record.update(runtime_minutes=171, cast=["Al Pacino"])
    upload = json.dumps({"format": "marquee-catalog", "version": 1, "films": [record]}).encode()

    dry = await run(app, "catalog import", file=upload, filename="heat.json", dry_run=True)
    assert dry.counts == {"updated": 1} and dry.curation_kept == 1 and dry.kept == [
        "line 1: heat-1995: curated, tags, pitch"]
    assert dry.removed == ["line 1: heat-1995: cast (Robert De Niro)"] and "would lose" in dry.summary

    kept = await run(app, "catalog import", file=upload, filename="heat.json")
    after = app.catalogue.catalog.get("heat-1995")
    assert kept.applied and after.runtime == 171 and (after.curated, after.tags, after.pitch) == (
        heat.curated, heat.tags, heat.pitch)
    shown = render_text(render(kept))
    assert "Curation kept" in shown and "replace_curated" in shown and "Removed by replace rows" in shown

    replaced = await run(app, "catalog import", file=upload, filename="heat.json", replace_curated=True)
    after = app.catalogue.catalog.get("heat-1995")
    assert replaced.applied and not after.curated and after.tags == () and after.pitch is None
    assert replaced.removed == [f"line 1: heat-1995: curated, tags ({', '.join(heat.tags[:3])}, +1), pitch"]
    assert "Removed by replace rows (1 films)" in render_text(render(replaced))

    # The edit log keeps the flag: replayed over the shipped data (a new data version), it does the same.
    shipped = dataset.load_dataset(data_v1)
    films, _ = replay_edits(dict(shipped.films), list(shipped.links), await app.catalogue.store.edits())
    assert not films["heat-1995"].curated and films["heat-1995"].runtime == 171
