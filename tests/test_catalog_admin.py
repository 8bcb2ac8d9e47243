"""Catalogue maintenance: /catalog edits persist, survive a reopen and a new shipped data version without
touching user data, refuse non-admins; export/import round trips; import checking, atomicity and the
streaming, MovieLens and IMDb readers; the `python -m bot catalog` command line.

Most tests run on a tiny shipped data set written into tmp (so a "new data version" is just another
folder); the command-line test uses the real shipped data.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.cluster import reload_catalogue
from bot.core.interface import Actor
from bot.core.rendering import render, render_text, to_json
from bot.core.results import Failure
from bot.domain import dataset
from bot.domain.edits import apply_edit
from bot.domain.interchange import (
    export_csv, export_json, film_from_record, film_to_record, movielens_title, parse_csv, parse_imdb_basics,
    parse_json, parse_movielens, parse_streaming, same_film,
)
from bot.domain.models import Film, Link
from bot.domain.records import YEAR_RANGE
from bot.storage.catalog import CatalogStore
from bot.storage.db import Database
from bot.storage.migrations import LATEST_VERSION
from cogs.catalog.results import CatalogImport
from cogs.catalog.service import CatalogService

REPO = Path(__file__).resolve().parent.parent
# One of the bot's owners: the catalogue is shared by every server, so only they change it.
CURATOR = Actor(user_id=333, name="curator", guild_id=900, channel_id=901, can_manage_guild=True, is_owner=True)
# An admin of one server the bot is in (anyone who adds a public bot to their own server is one).
SERVER_ADMIN = Actor(user_id=555, name="server-admin", guild_id=901, channel_id=902, can_manage_guild=True,
                     can_manage_events=True)
MEMBER = Actor(user_id=222, name="bob", guild_id=900, channel_id=901)

BASE = [
    {"id": "heat-1995", "title": "Heat", "year": 1995, "runtime": 170, "genres": ["Crime", "Drama"],
     "directors": ["Michael Mann"], "cast": ["Al Pacino", "Robert De Niro"], "languages": ["English"],
     "countries": ["United States"], "cert": "R", "imdb": "tt0113277", "rt": 87, "rt_n": 84, "mc": 76},
    {"id": "heat-1972", "title": "Heat", "year": 1972, "runtime": 100, "directors": ["Paul Morrissey"],
     "countries": ["United States"], "imdb": "tt0068687"},
    {"id": "oldboy-2003", "title": "Oldboy", "year": 2003, "runtime": 120, "genres": ["Thriller"],
     "directors": ["Park Chan-wook"], "countries": ["South Korea"], "imdb": "tt0364569", "rt": 82, "rt_n": 170},
    {"id": "the-matrix-1999", "title": "The Matrix", "year": 1999, "runtime": 136, "genres": ["Action", "Sci-Fi"],
     "directors": ["Lana Wachowski", "Lilly Wachowski"], "countries": ["United States"], "imdb": "tt0133093"},
    {"id": "toy-story-1995", "title": "Toy Story", "year": 1995, "runtime": 81, "genres": ["Animation"],
     "directors": ["John Lasseter"], "countries": ["United States"], "imdb": "tt0114709"},
    {"id": "ronin-1998", "title": "Ronin", "year": 1998, "runtime": 122, "directors": ["John Frankenheimer"],
     "countries": ["United States"], "imdb": "tt0122690"},
]
CURATED = """
[[film]]
id = "heat-1995"
imdb = "tt0113277"
tags = ["heist", "crime-underworld", "tense", "slow-burn"]
pitch = "A thief and the detective chasing him circle each other across Los Angeles."

[[film]]
id = "oldboy-2003"
imdb = "tt0364569"
tags = ["revenge", "mystery-puzzle", "bleak", "slow-burn"]
pitch = "Locked up for fifteen years without a reason, a man gets five days to find out why."

[[link]]
a = "heat-1995"
b = "oldboy-2003"
reason = "Two obsessive men and one long, bitter reckoning."
"""


def write_data(root: Path, base: list[dict], curated: str = CURATED) -> dataset.DataPaths:
    root.mkdir(parents=True, exist_ok=True)
    (root / "curated").mkdir(exist_ok=True)
    shipped = dataset.default_paths()
    shutil.copyfile(shipped.vocabulary, root / "vocabulary.toml")
    shutil.copyfile(shipped.services, root / "services.toml")
    with gzip.open(root / "base_films.jsonl.gz", "wt", encoding="utf-8") as handle:
        for record in base:
            handle.write(json.dumps(record) + "\n")
    (root / "curated" / "films.toml").write_text(curated, encoding="utf-8")
    return dataset.DataPaths.under(root)


@pytest.fixture
def data_v1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dataset.DataPaths:
    paths = write_data(tmp_path / "data-v1", BASE)
    monkeypatch.setattr(dataset, "default_paths", lambda: paths)
    return paths


@pytest.fixture
async def app(tmp_path: Path, data_v1):
    marquee = await Marquee.open(tmp_path / "t.db", FEATURES)
    try:
        yield marquee
    finally:
        await marquee.close()


async def run(app: Marquee, name: str, actor: Actor = CURATOR, **options):
    reply = await app.dispatch_command(actor, name, options)
    render(reply.result)  # every answer must render within Discord's limits
    return reply.result


async def user_rows(app: Marquee) -> list[tuple]:
    rows = []
    for table in ("watchlist", "ratings", "ballots", "nights"):
        rows += [(table, *tuple(r)) for r in await app.ctx.db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


# --------------------------------------------------------------------------- live edits and persistence


async def test_edits_persist_survive_reopen_and_new_data_version(tmp_path: Path, data_v1, monkeypatch) -> None:
    app = await Marquee.open(tmp_path / "t.db", FEATURES)
    try:
        assert (await run(app, "catalog tag", film="heat-1995", tag="epic, thrilling")).changed
        await run(app, "catalog untag", film="heat-1995", tag="tense")
        await run(app, "catalog stream", film="heat-1995", service="Prime Video", region="gb", kind="rent",
                  checked="2026-10")
        added = await run(app, "catalog add", title="Kill Boksoon", year=2023, directors="Byun Sung-hyun",
                          runtime=137, tags="assassins, tense", countries="South Korea", genres="Action")
        assert added.film.id == "kill-boksoon-2023"
        await run(app, "catalog edit", film="oldboy-2003", pitch="A new pitch, our words.", aliases="올드보이")
        await run(app, "catalog link", film="kill-boksoon-2023", other="heat-1995", reason="Professionals at work.")
        await run(app, "catalog unlink", film="heat-1995", other="oldboy-2003")
        await run(app, "catalog tag", film="ronin-1998", tag="heist")  # ronin is dropped by data v2
        # What search and similarity read changed at once.
        assert app.catalogue.catalog.get("heat-1995").tags[-2:] == ("epic", "thrilling")
        assert app.catalogue.find("Kill Boksoon").id == "kill-boksoon-2023"
        assert app.catalogue.find("올드보이").id == "oldboy-2003"
        assert app.catalogue.catalog.link_between("heat-1995", "oldboy-2003") is None
        # User data, to prove no catalogue reload touches it.
        await app.ctx.db.execute("INSERT INTO watchlist(user_id, film_id, added_at) VALUES (1, 'heat-1995', 5)")
        await app.ctx.db.execute("INSERT INTO watchlist(user_id, film_id, added_at) VALUES (1, 'ronin-1998', 6)")
        await app.ctx.db.execute("INSERT INTO ratings(user_id, film_id, stars, at) VALUES (1, 'kill-boksoon-2023', 4, 7)")
        await app.ctx.db.execute("INSERT INTO nights(id, guild_id, host_id, title, voting, created_at) "
                             "VALUES (1, 900, 1, 'Friday', 'approval', 8)")
        await app.ctx.db.execute("INSERT INTO ballots(night_id, user_id, choices, updated_at) "
                             "VALUES (1, 2, '[\"heat-1995\"]', 9)")
        before_users = await user_rows(app)
        expected = {fid: film_to_record(f) for fid, f in app.catalogue.catalog.films.items()}
        expected_links = sorted((link.a, link.b, link.reason) for link in app.catalogue.catalog.links)
    finally:
        await app.close()

    def snapshot(a: Marquee) -> tuple[dict, list]:
        return ({fid: film_to_record(f) for fid, f in a.catalogue.catalog.films.items()},
                sorted((link.a, link.b, link.reason) for link in a.catalogue.catalog.links))

    app = await Marquee.open(tmp_path / "t.db", FEATURES)  # same data version: read back from the database
    try:
        assert snapshot(app) == (expected, expected_links)
        assert (await app.catalogue.store.stats())["local_edits"] == 8
    finally:
        await app.close()

    # A new shipped data version: Heat's runtime corrected, Ronin gone, a new film.
    base_v2 = [dict(r, runtime=171) if r["id"] == "heat-1995" else r for r in BASE if r["id"] != "ronin-1998"]
    base_v2.append({"id": "memento-2000", "title": "Memento", "year": 2000, "directors": ["Christopher Nolan"],
                    "imdb": "tt0209144"})
    paths_v2 = write_data(tmp_path / "data-v2", base_v2)
    monkeypatch.setattr(dataset, "default_paths", lambda: paths_v2)
    app = await Marquee.open(tmp_path / "t.db", FEATURES)
    try:
        assert await app.ctx.db.get_meta("data_version") == dataset.data_version(paths_v2)
        films, links = snapshot(app)
        heat = app.catalogue.catalog.get("heat-1995")
        assert heat.runtime == 171  # the new shipped fact
        assert heat.tags == ("heist", "crime-underworld", "slow-burn", "epic", "thrilling")  # our edits on top
        assert [(a.service, a.region, a.kind, a.checked) for a in heat.availability] == [
            ("prime-video", "GB", "rent", "2026-10")]
        assert films["oldboy-2003"]["pitch"] == "A new pitch, our words."
        assert films["kill-boksoon-2023"] == expected["kill-boksoon-2023"]
        assert "ronin-1998" not in films and "memento-2000" in films
        assert links == expected_links
        assert await user_rows(app) == before_users  # watchlist (even for the dropped film), ratings, votes
    finally:
        await app.close()


CHANGES = {
    "catalog add": {"title": "X", "year": 2000},
    "catalog edit": {"film": "heat-1995", "pitch": "x"}, "catalog tag": {"film": "heat-1995", "tag": "epic"},
    "catalog untag": {"film": "heat-1995", "tag": "tense"},
    "catalog stream": {"film": "heat-1995", "service": "netflix", "region": "US"},
    "catalog unstream": {"film": "heat-1995", "service": "netflix"},
    "catalog link": {"film": "heat-1995", "other": "ronin-1998", "reason": "x"},
    "catalog unlink": {"film": "heat-1995", "other": "oldboy-2003"},
    "catalog export": {}, "catalog import": {"file": b"id,title\nheat-1995,Heat 2\n", "filename": "x.csv"},
}


@pytest.mark.parametrize("who", [MEMBER, SERVER_ADMIN], ids=["member", "admin of one server"])
async def test_only_the_bots_owners_change_the_shared_catalogue(app: Marquee, who: Actor) -> None:
    """Issue 11, item 4: Manage Server on one server does not let anyone rewrite what every server sees."""
    assert set(CHANGES) <= set(app.handlers.commands)
    for name, options in CHANGES.items():
        result = await run(app, name, who, **options)
        assert isinstance(result, Failure) and result.title == "Owners only", name
        assert "shared by every server" in result.message and "OWNER_IDS" in result.message
    assert (await app.catalogue.store.stats())["local_edits"] == 0
    assert app.catalogue.catalog.get("heat-1995").tags == ("heist", "crime-underworld", "tense", "slow-burn")
    # Seeing the statistics changes nothing: a server's managers may, other members may not.
    stats = await run(app, "catalog stats", who)
    assert isinstance(stats, Failure) is (who is MEMBER)


async def test_an_owner_who_is_no_server_admin_may_edit(app: Marquee) -> None:
    owner = Actor(user_id=777, name="owner", guild_id=901, channel_id=902, is_owner=True)
    tagged = await run(app, "catalog tag", owner, film="heat-1995", tag="epic")
    assert not isinstance(tagged, Failure) and "epic" in app.catalogue.catalog.get("heat-1995").tags
    assert (await app.catalogue.store.stats())["local_edits"] == 1


async def test_edit_validation_answers_clearly(app: Marquee) -> None:
    cases = [
        ("catalog tag", {"film": "heat-1995", "tag": "heists"}, "vocabulary"),
        ("catalog stream", {"film": "heat-1995", "service": "blorbo", "region": "US"}, "don't know the service"),
        ("catalog stream", {"film": "heat-1995", "service": "netflix", "region": "XX"}, "two-letter country code"),
        ("catalog stream", {"film": "heat-1995", "service": "netflix", "region": "US", "checked": "2026-13"}, "month"),
        ("catalog stream", {"film": "heat-1995", "service": "netflix", "region": "US", "kind": "lease"}, "Kind"),
        ("catalog add", {"title": "Too Old", "year": 1700}, f"1888-{YEAR_RANGE[1]}"),
        ("catalog add", {"title": "Too Long", "year": 2000, "runtime": 5000}, "1-600"),
        ("catalog add", {"title": "Heat", "year": 1995, "directors": "Michael Mann"}, "already in the catalogue"),
        ("catalog edit", {"film": "heat-1995", "imdb": "tt0068687"}, "another film"),
        ("catalog unstream", {"film": "heat-1995", "service": "netflix"}, "not listed"),
        ("catalog unlink", {"film": "heat-1995", "other": "ronin-1998"}, "not linked"),
        ("catalog link", {"film": "heat-1995", "other": "heat-1995", "reason": "x"}, "two different"),
    ]
    for name, options, expected in cases:
        result = await run(app, name, **options)
        assert isinstance(result, Failure), (name, options)
        assert expected in result.message, (name, result.message)
    assert (await app.catalogue.store.stats())["local_edits"] == 0
    # Same title and year, another director: a different film, so it may be added.
    other = await run(app, "catalog add", title="Heat", year=1995, directors="Somebody Else")
    assert other.film.id == "heat-1995-else"


async def test_uk_means_gb_for_every_command_that_takes_a_region(app: Marquee) -> None:
    # One region rule: what /prefs and /settings accept, /catalog stream accepts too.
    streamed = await run(app, "catalog stream", film="heat-1995", service="netflix", region="uk")
    assert "GB" in streamed.lines[0]
    prefs = await app.dispatch_command(CURATOR, "prefs", {"region": "uk"})
    assert prefs.result.region == "GB"


def test_replay_skips_what_no_longer_applies() -> None:
    films = {f["id"]: dataset.film_from_base(f) for f in BASE}
    with pytest.raises(KeyError):
        apply_edit(films, [], "tag", {"id": "gone-2001", "tags": ["epic"]})
    with pytest.raises(KeyError):
        apply_edit(films, [], "link", {"a": "heat-1995", "b": "gone-2001", "reason": "x"})
    with pytest.raises(ValueError):
        apply_edit(films, [], "add", {"film": film_to_record(films["heat-1995"])})
    new_films, _ = apply_edit(films, [], "tag", {"id": "heat-1995", "tags": ["epic"]})
    assert films["heat-1995"].tags == () and new_films["heat-1995"].tags == ("epic",)  # inputs untouched
    assert new_films["oldboy-2003"] is films["oldboy-2003"]


# --------------------------------------------------------------------------- export and import


async def decorate(app: Marquee) -> None:
    """Edits that exercise every exported field, including awkward text."""
    await run(app, "catalog stream", film="heat-1995", service="netflix", region="US", checked="2026-11",
              source='Netflix "top 10", week 3')
    await run(app, "catalog stream", film="heat-1995", service="max", region="DE", kind="subscription")
    await run(app, "catalog edit", film="the-matrix-1999", aliases="Matrix|Die Matrix, Matrix", notes="Line, with comma",
              pitch='He asks "what is real?" — and answers with kung fu.', certificate="R")
    await run(app, "catalog add", title="Ballerina", year=2023, directors="Lee Chung-hyun", runtime=93,
              tags="revenge,female-lead,thrilling,relentless", countries="South Korea", languages="Korean",
              aliases="발레리나", pitch="Neon revenge in ninety minutes.")
    await run(app, "catalog link", film="ballerina-2023", other="oldboy-2003", reason="Korean revenge, told hard.")


@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_export_import_round_trip(tmp_path: Path, data_v1, fmt: str) -> None:
    source = await Marquee.open(tmp_path / "a.db", FEATURES)
    try:
        await decorate(source)
        exported = await run(source, "catalog export", format=fmt)
        assert exported.films == 7 and exported.links == 2
        assert "catalog_export" == to_json(exported)["type"]
        message = render(exported)
        assert message.files and message.files[0].filename.endswith(f".{fmt}")
        films = {f.id: f for f in source.catalogue.catalog}
        links = {frozenset((link.a, link.b)): link for link in source.catalogue.catalog.links}
    finally:
        await source.close()

    target = await Marquee.open(tmp_path / "b.db", FEATURES)  # the same shipped data, none of the edits
    try:
        result = await run(target, "catalog import", file=exported.data, filename=exported.filename)
        assert isinstance(result, CatalogImport) and result.applied, result.summary
        assert result.counts.get("added") == 1 and result.counts.get("updated") == 2, result.counts
        assert result.counts.get("unchanged") == 5 and result.counts.get("linked") == 1, result.counts  # 4 films, 1 link

        def check(app: Marquee) -> None:
            got = {f.id: f for f in app.catalogue.catalog}
            assert got.keys() == films.keys()
            for fid, film in films.items():
                assert same_film(got[fid], film), fid
            assert {frozenset((link.a, link.b)): link for link in app.catalogue.catalog.links} == links

        check(target)
        again = await run(target, "catalog import", file=exported.data, filename=exported.filename)
        assert not again.applied and again.counts == {"unchanged": 9}  # 7 films + 2 links, nothing logged
        assert (await target.catalogue.store.stats())["local_edits"] == 1
    finally:
        await target.close()
    target = await Marquee.open(tmp_path / "b.db", FEATURES)
    try:
        check(target)
        re_export = await target.service(CatalogService).export(fmt)
        strip = (lambda b: b.split(b'"films"', 1)[1]) if fmt == "json" else (lambda b: b)
        assert strip(re_export.data) == strip(exported.data)
    finally:
        await target.close()


def test_pure_round_trip_of_awkward_values() -> None:
    films = [dataset.film_from_base(f) for f in BASE]
    odd = film_from_record({
        "id": "odd-2020", "title": 'Pipes | and "quotes", commas', "year": 2020, "directors": ["A|B", " spaced"],
        "cast": ["[bracket"], "aliases": ["línea nueva ‍"], "notes": "multi\nline", "popularity": 0.1 + 0.2,
        "curated": True, "tags": ["epic"], "availability": [
            {"service": "netflix", "region": "US", "kind": "free", "checked": "2026-01", "source": None}],
        "scores": [{"kind": "audience", "value": 0, "source": "x", "as_of": "2026-01-02", "count": 0}],
        "external_ids": {"imdb": "tt12345678"},
    })
    films.append(odd)
    links = [Link("heat-1995", "odd-2020", "Both, oddly, | piped.", "local")]
    for parsed in (parse_json(export_json(films, links)), parse_csv(export_csv(films, links))):
        assert parsed.problems == []
        back = {r.row["film"]["id"]: film_from_record(r.row["film"]) for r in parsed.rows if r.row["mode"] != "link"}
        assert all(same_film(back[f.id], f) for f in films)
        assert [r.row for r in parsed.rows if r.row["mode"] == "link"] == [
            {"mode": "link", "a": "heat-1995", "b": "odd-2020", "reason": "Both, oddly, | piped.", "origin": "local"}]


BAD_CSV = (
    "id,title,year,runtime_minutes,tags,availability\n"
    "heat-1995,Heat,1995,171,heist|epic,\n"                      # line 2: good
    "heat-1972,Heat,3000,100,,\n"                                # line 3: year out of range
    "the-matrix-1999,The Matrix,1999,136,not-a-tag,\n"           # line 4: unknown tag
    'toy-story-1995,"Toy Story",1995,81,,"[{""service"": ""netflix"", ""region"": ""UK"", '
    '""kind"": ""subscription"", ""checked"": ""2026-11""}]"\n'  # line 5: UK is not a region code
    "new-film-2024,\"A New\nFilm\",2024,90,,\n"                  # line 6: title spans lines 6-7
    "ronin-1998,Ronin,1998,122,heist,\n"                          # line 8: good
)


async def test_bad_rows_import_nothing_unless_skip_bad(app: Marquee) -> None:
    before = {f.id: f for f in app.catalogue.catalog}
    result = await run(app, "catalog import", file=BAD_CSV.encode(), filename="films.csv", format="csv")
    assert not result.applied
    assert [p.line for p in result.problems] == [3, 4, 5, 6]
    assert "3000" in str(result.problems[0]) and "not-a-tag" in str(result.problems[1])
    assert "UK" in str(result.problems[2]) and "one line" in str(result.problems[3])
    assert "line 3" in render_text(render(result)) and "skip_bad" in result.summary
    assert {f.id: f for f in app.catalogue.catalog} == before
    assert (await app.catalogue.store.stats())["local_edits"] == 0

    dry = await run(app, "catalog import", file=BAD_CSV.encode(), filename="films.csv", skip_bad=True, dry_run=True)
    assert not dry.applied and dry.counts["updated"] == 2 and app.catalogue.catalog.get("ronin-1998").tags == ()

    result = await run(app, "catalog import", file=BAD_CSV.encode(), filename="films.csv", skip_bad=True)
    assert result.applied and len(result.problems) == 4 and result.counts["updated"] == 2
    assert app.catalogue.catalog.get("heat-1995").runtime == 171
    # Heat is curated: a replace row changes its facts but keeps its tags (without replace_curated).
    assert app.catalogue.catalog.get("heat-1995").tags == ("heist", "crime-underworld", "tense", "slow-burn")
    assert result.curation_kept == 1 and result.kept == ["line 2: heat-1995: curated, tags, pitch"]
    assert app.catalogue.catalog.get("ronin-1998").tags == ("heist",)
    edits = await app.catalogue.store.edits()
    assert [e.op for e in edits] == ["import"] and len(edits[0].payload["rows"]) == 2


async def test_an_import_never_half_applies(app: Marquee, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.storage.catalog as storage

    async def broken_log(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "_log_edit", broken_log)
    good = BAD_CSV.splitlines()[0] + "\n" + BAD_CSV.splitlines()[1] + "\n" + "ronin-1998,Ronin,1998,122,heist,\n"
    with pytest.raises(RuntimeError):
        await app.service(CatalogService).import_bytes(good.encode(), format="csv", actor=CURATOR)
    # The films were written inside the transaction before the log row failed: all rolled back.
    rows = await app.ctx.db.fetchall("SELECT runtime FROM films WHERE id = 'heat-1995'")
    assert rows[0][0] == 170
    assert await app.ctx.db.scalar("SELECT COUNT(*) FROM film_tags WHERE film_id = 'ronin-1998'") == 0
    assert app.catalogue.catalog.get("heat-1995").runtime == 170  # memory untouched too


STREAMING = (
    "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,listed_in,description\n"
    's1,Movie,Heat,Michael Mann,"Al Pacino, Robert De Niro",United States," September 25, 2021",1995,R,170 min,'
    '"Action & Adventure, Dramas","A master thief\nand a detective,\n""obsessed""."\n'
    's2,TV Show,Heat Wave,,,,"April 1, 2020",2019,TV-MA,2 Seasons,Docuseries,"Hot."\n'
    "s3,Movie,The Matrix,\"Lana Wachowski, Lilly Wachowski\",,,\"November 1, 2021\",1999,R,136 min,Sci-Fi,Red pill.\n"
    "s4,Movie,Not In Our Catalogue,Nobody,,,,2021,PG,90 min,Dramas,Unknown.\n"
    "s5,Movie,Toy Story,John Lasseter,,,Sept 9th,1995,G,81 min,Kids,Toys.\n"
)


async def test_streaming_catalogue_csv(tmp_path: Path, app: Marquee) -> None:
    parsed = parse_streaming(STREAMING.encode(), service="netflix", region="gb", date="2021-12-01")
    assert [p.line for p in parsed.problems] == [8] and "date_added" in parsed.problems[0].reason
    assert parsed.skipped == 1 and [r.line for r in parsed.rows] == [2, 6, 7]  # s1 spans lines 2-4

    missing = await run(app, "catalog import", file=STREAMING.encode(), filename="netflix_titles.csv")
    assert isinstance(missing, Failure) and "service" in missing.message
    refused = await run(app, "catalog import", file=STREAMING.encode(), filename="netflix_titles.csv",
                        service="Netflix", region="GB", date="2021-12-01")
    assert not refused.applied and [p.line for p in refused.problems] == [8]
    result = await run(app, "catalog import", file=STREAMING.encode(), filename="netflix_titles.csv",
                       service="Netflix", region="GB", date="2021-12-01", skip_bad=True)
    assert result.applied and result.counts == {"updated": 2, "unmatched": 1}, result.counts
    assert result.unmatched == ["line 7: Not In Our Catalogue (2021)"] and result.skipped == 1
    heat = app.catalogue.catalog.get("heat-1995")  # Heat (1995), not Heat (1972): year and director decide
    assert [(a.service, a.region, a.kind, a.checked) for a in heat.availability] == [
        ("netflix", "GB", "subscription", "2021-12")]
    assert app.catalogue.catalog.get("heat-1972").availability == ()
    assert "prime-video" not in app.catalogue.catalog.services("GB") and "netflix" in app.catalogue.catalog.services("GB")
    await app.close()
    reopened = await Marquee.open(tmp_path / "t.db", FEATURES)
    try:
        assert reopened.catalogue.catalog.get("the-matrix-1999").streams_in("GB")[0].service == "netflix"
    finally:
        await reopened.close()


MOVIES = ("movieId,title,genres\r\n"
          "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\r\n"
          '2,"Matrix, The (1999)",Action|Sci-Fi|Thriller\r\n'
          '3,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Fantasy\r\n'
          "4,Babylon 5,(no genres listed)\r\n"
          "x5,Broken (2000),Drama\r\n")
LINKS = "movieId,imdbId,tmdbId\r\n1,0114709,862\r\n2,0133093,603\r\n3,0112682,902\r\n4,0105946,\r\n"


async def test_movielens(app: Marquee) -> None:
    assert movielens_title("Matrix, The (1999)") == ("The Matrix", 1999, [])
    assert movielens_title("City of Lost Children, The (Cité des enfants perdus, La) (1995)") == (
        "The City of Lost Children", 1995, ["La Cité des enfants perdus"])
    parsed = parse_movielens(MOVIES.encode(), LINKS.encode())
    assert [(p.line, "movieId" in p.reason) for p in parsed.problems] == [(6, True)]
    toy = parsed.rows[0].row["film"]
    assert toy == {"title": "Toy Story", "year": 1995, "genres": ["Adventure", "Animation", "Family"],
                   "secondary_genres": ["Comedy", "Fantasy"], "external_ids": {"imdb": "tt0114709"}}

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("ml-latest-small/movies.csv", MOVIES)
        archive.writestr("ml-latest-small/links.csv", LINKS)
    result = await run(app, "catalog import", file=bundle.getvalue(), filename="ml-latest-small.zip", skip_bad=True)
    assert result.format == "movielens" and result.applied, result.summary
    assert result.counts == {"unchanged": 2, "added": 2}, result.counts
    toy_story = app.catalogue.catalog.get("toy-story-1995")
    assert toy_story.genres == ("Animation",)  # a fact it had is kept; only gaps are filled
    matrix = app.catalogue.catalog.get("the-matrix-1999")
    assert matrix.genres == ("Action", "Sci-Fi") and matrix.runtime == 136
    city = app.catalogue.catalog.get("the-city-of-lost-children-1995")
    assert city.imdb_id == "tt0112682" and city.aliases == ("La Cité des enfants perdus",)
    assert app.catalogue.catalog.get("babylon-5").year is None


def imdb_file(*rows: str) -> bytes:
    header = "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres"
    return gzip.compress(("\n".join([header, *rows]) + "\n").encode())


async def test_imdb_title_basics(app: Marquee) -> None:
    data = imdb_file(
        "tt0068687\tmovie\tHeat\tHeat\t0\t1972\t\\N\t102\t\\N",                # fills nothing: has runtime
        "tt0122690\tmovie\tRonin\tRonin\t0\t1998\t\\N\t122\tAction,Crime,Thriller",  # fills genres
        'tt0364569\tmovie\t"Oldboy\tOldeuboi\t0\t2003\t\\N\t\\N\t\\N',              # a stray quote is just text
        "tt0903747\ttvSeries\tBreaking Bad\tBreaking Bad\t0\t2008\t2013\t49\tDrama",
        "tt9999999\tmovie\tNot Ours\tNot Ours\t0\t2020\t\\N\t90\tDrama",
        "tt0000001\tmovie\tBroken\tBroken\t0\t20x0\t\\N\t90\tDrama",
        "tt0000002\tmovie\tShort row",
    )
    parsed = parse_imdb_basics(data)
    assert [(p.line, p.reason.split()[0]) for p in parsed.problems] == [(7, "startyear"), (8, "3")]
    assert parsed.skipped == 1 and parsed.rows[2].row["film"]["title"] == '"Oldboy'
    refused = await run(app, "catalog import", file=data, filename="title.basics.tsv.gz")
    assert not refused.applied and len(refused.problems) == 2
    result = await run(app, "catalog import", file=data, filename="title.basics.tsv.gz", skip_bad=True)
    assert result.applied and result.counts == {"unchanged": 1, "updated": 2}, result.counts
    assert result.skipped == 2  # the series, and "Not Ours" (IMDb only fills films we have)
    assert app.catalogue.catalog.get("ronin-1998").genres == ("Action", "Crime", "Thriller")
    assert app.catalogue.catalog.get("oldboy-2003").aliases == ("Oldeuboi",)  # '"Oldboy' is the same title
    assert "not-ours-2020" not in app.catalogue.catalog


async def test_unreadable_files_say_why(app: Marquee) -> None:
    garbage = await run(app, "catalog import", file=b"\xff\xfe\x00junk", filename="x.json", format="json")
    assert garbage.error and not garbage.applied
    unknown = await run(app, "catalog import", file=b"hello world\n", filename="notes.txt")
    assert isinstance(unknown, Failure) and "format" in unknown.message
    wrong = await run(app, "catalog import", file=b"movieId,title,genres\n1,X (2000),Drama\n", format="csv")
    assert wrong.error and "header" in wrong.error


async def test_a_change_by_another_process_is_reloaded(app: Marquee) -> None:
    # What the cluster watcher does when another process (the command line, a second bot) changed the catalogue.
    films_before = len(app.catalogue.catalog)
    other = await Database.open(app.ctx.db.path)
    try:
        await CatalogStore(other).apply_changes(upserted=[Film(id="marquee-reload-test-2026", title="Marquee Reload Test",
                                                               year=2026, directors=("Ann Example",))])
    finally:
        await other.close()
    before = app.catalogue.catalog
    await reload_catalogue(app.catalogue)
    assert app.catalogue.catalog is not before and app.catalogue.similarity.catalog is app.catalogue.catalog
    assert app.catalogue.find("Marquee Reload Test").id == "marquee-reload-test-2026"
    assert [f.id for f in app.catalogue.titles.autocomplete("marquee reload")] == ["marquee-reload-test-2026"]
    assert len(app.catalogue.catalog) == films_before + 1  # and the rest is all there


@pytest.mark.slow
async def test_the_shipped_catalogue_round_trips(db_path: Path) -> None:
    """Every shipped film and link (17,000+, with curated tags, pitches, availability, scores) survives
    export -> import in both formats: the import finds nothing to change."""
    app = await Marquee.open(db_path, FEATURES)
    try:
        size = len(app.catalogue.catalog) + len(app.catalogue.catalog.links)
        for fmt in ("json", "csv"):
            exported = await app.service(CatalogService).export(fmt)
            result = await app.service(CatalogService).import_bytes(exported.data, format=fmt, dry_run=True)
            assert result.problems == [] and result.counts == {"unchanged": size}, (fmt, result.counts)
    finally:
        await app.close()


# --------------------------------------------------------------------------- command line


def cli(db: Path, *args: str, data: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_PATH": str(db), "LOG_LEVEL": "WARNING"}
    env.pop("DISCORD_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", "catalog", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_stats_export_import(tmp_path: Path, db_path: Path) -> None:
    stats = cli(db_path, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["films"] > 17_000 and counts["curated"] >= 400 and counts["links"] >= 300
    assert counts["with_availability"] > 0 and counts["services"] > 0 and counts["regions"] > 0

    streaming = tmp_path / "netflix.csv"
    streaming.write_text(STREAMING, encoding="utf-8")
    refused = cli(db_path, "import", str(streaming), "--service", "netflix", "--region", "US", "--date", "2021-12")
    assert refused.returncode == 1 and "line 8: date_added" in refused.stdout
    done = cli(db_path, "import", str(streaming), "--service", "netflix", "--region", "US", "--date", "2021-12",
               "--skip-bad", "--json")
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["applied"] and outcome["counts"]["updated"] >= 2
    rebuilt = cli(db_path, "rebuild")  # reload the shipped data and replay the import on it
    assert rebuilt.returncode == 0 and "1 local edit" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    out = tmp_path / "export.csv"
    exported = cli(db_path, "export", "--format", "csv", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    heat = next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("heat-1995,"))
    assert '""service"": ""netflix"", ""region"": ""US"", ""kind"": ""subscription"", ""checked"": ""2021-12""' in heat


async def test_an_installation_of_the_previous_release_keeps_everything_on_the_new_data(tmp_path: Path) -> None:
    # A database as the previous release left it: schema version 1 (before primary facts, writers, series),
    # a catalogue of that release's films, and users who touched every table. Opening it with this release
    # migrates the schema, rebuilds the catalogue from today's shipped data and replays the edit log.
    from bot.storage.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0][1] + "\nPRAGMA user_version = 1;")
    old.execute("INSERT INTO meta(key, value) VALUES ('data_version', 'the-previous-release')")
    old.execute("INSERT INTO films(id, title, year, genres, cast_members) VALUES "
                "('heat-1995', 'Heat', 1995, '[\"Thriller\",\"Mystery\",\"Drama\",\"Crime\"]', '[\"Danny Trejo\"]')")
    for sql, values in [
        ("INSERT INTO user_prefs(user_id, region, services) VALUES (?, ?, ?)", (7, "GB", '["netflix"]')),
        ("INSERT INTO watchlist(user_id, film_id, added_at) VALUES (?, ?, ?)", (7, "heat-1995", 1)),
        ("INSERT INTO watchlist(user_id, film_id, added_at) VALUES (?, ?, ?)", (7, "gone-from-the-data-1950", 2)),
        ("INSERT INTO seen(user_id, film_id, at) VALUES (?, ?, ?)", (7, "oldboy-2003", 3)),
        ("INSERT INTO ratings(user_id, film_id, stars, at) VALUES (?, ?, ?, ?)", (7, "heat-1995", 5, 4)),
        ("INSERT INTO nights(id, guild_id, channel_id, host_id, title, voting, created_at, status) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (1, 900, 901, 7, "Friday", "approval", 5, "open")),
        ("INSERT INTO nominees(night_id, film_id, position, nominated_by, at) VALUES (?, ?, ?, ?, ?)",
         (1, "heat-1995", 0, 7, 6)),
        ("INSERT INTO ballots(night_id, user_id, choices, updated_at) VALUES (?, ?, ?, ?)", (1, 8, '["heat-1995"]', 7)),
        ("INSERT INTO attendees(night_id, user_id, at) VALUES (?, ?, ?)", (1, 8, 8)),
        ("INSERT INTO catalog_edits(at, guild_id, user_id, op, payload) VALUES (?, ?, ?, ?, ?)",
         ("2026-11-30T00:00:00Z", 900, 7, "tag", json.dumps({"id": "heat-1995", "tags": ["epic"]}))),
    ]:
        old.execute(sql, values)
    old.commit()
    user_tables = ("user_prefs", "watchlist", "seen", "ratings", "nights", "nominees", "ballots", "attendees",
                   "catalog_edits")
    before = {t: old.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in user_tables}  # noqa: S608
    old.close()

    app = await Marquee.open(path, FEATURES)
    try:
        heat = app.catalogue.catalog.get("heat-1995")
        assert heat.genres == ("Crime", "Thriller", "Action") and heat.cast[:2] == ("Al Pacino", "Robert De Niro")
        assert "epic" in heat.tags  # the edit log was replayed over the new data
        assert await app.ctx.db.scalar("PRAGMA user_version") == LATEST_VERSION
        after = {t: [tuple(r) for r in await app.ctx.db.fetchall(f"SELECT * FROM {t} ORDER BY 1, 2")]  # noqa: S608
                 for t in user_tables}
        assert after == before  # every user row, even one about a film the data no longer has
    finally:
        await app.close()
