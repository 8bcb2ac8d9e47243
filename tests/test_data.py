"""The shipped film data: it validates, it holds what the product promises, and the
loader/validator/builder behave on small hand-made inputs."""
from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.domain import dataset as data

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shipped() -> data.Dataset:
    return data.load_dataset()


# --------------------------------------------------------------------------- the real data


def test_shipped_data_has_no_problems():
    problems = data.check_files()
    assert problems == [], "\n".join(map(str, problems[:40]))


def test_counts(shipped: data.Dataset):
    base_count = len(data.load_base(data.default_paths().base))
    assert 17_400 <= base_count <= 17_472
    assert len(shipped.films) >= 17_000
    assert len(shipped.curated()) >= 400
    assert len(shipped.links) >= 300


def test_default_paths_point_inside_the_package():
    paths = data.default_paths()
    assert paths.root == REPO / "bot" / "data"
    for path in paths.files():
        assert path.is_file(), path
    assert {p.name for p in paths.files()} >= {"base_films.jsonl.gz", "vocabulary.toml", "services.toml",
                                               "action.toml", "links-action.toml"}


SEED_FILMS = {
    "ballerina-2023": ("Ballerina", 2023),
    "ballerina-2025": ("Ballerina", 2025),
    "john-wick-2014": ("John Wick", 2014),
    "kill-bill-volume-1-2003": ("Kill Bill: Volume 1", 2003),
    "kill-bill-volume-2-2004": ("Kill Bill: Volume 2", 2004),
    "mad-max-fury-road-2015": ("Mad Max: Fury Road", 2015),
}


@pytest.mark.parametrize("film_id", sorted(SEED_FILMS))
def test_every_seed_article_film_is_curated(shipped: data.Dataset, film_id: str):
    film = shipped.films[film_id]
    assert (film.title, film.year) == SEED_FILMS[film_id]
    assert film.curated and film.pitch and film.tags


def test_the_two_ballerinas_are_different_films(shipped: data.Dataset):
    korean, wick = shipped.films["ballerina-2023"], shipped.films["ballerina-2025"]
    assert korean.directors == ("Lee Chung-hyun",)
    assert wick.directors == ("Len Wiseman",)
    assert "Jeon Jong-seo" in korean.cast and "Ana de Armas" in wick.cast
    assert korean.notes and wick.notes and korean.notes != wick.notes
    assert {a.service for a in korean.availability} == {"netflix"}
    assert korean.score("critics").value == 100 and korean.score("audience").value == 87
    assert korean.score("critics").source == "Rotten Tomatoes"


def test_the_two_oldboys_are_different_films(shipped: data.Dataset):
    korean, remake = shipped.films["oldboy-2003"], shipped.films["oldboy-2013"]
    assert korean.directors == ("Park Chan-wook",) and remake.directors == ("Spike Lee",)
    assert korean.imdb_id != remake.imdb_id


def test_curated_base_film_keeps_base_facts_and_scores(shipped: data.Dataset):
    kill_bill = shipped.films["kill-bill-volume-1-2003"]
    assert kill_bill.imdb_id == "tt0266697" and kill_bill.runtime == 110
    critics = kill_bill.score("critics")
    assert critics.source == data.RT_SOURCE and critics.as_of == data.BASE_SNAPSHOT and critics.count
    assert "revenge" in kill_bill.tags and "Kill Bill" in kill_bill.aliases
    assert kill_bill.popularity > data.CURATED_BOOST


# --------------------------------------------------------------------------- small inputs

TAGS = ["revenge", "thrilling", "fast", "female-lead"]


def base_line(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def make_data_dir(tmp_path: Path, curated: dict[str, str], base: list[str] | None = None) -> data.DataPaths:
    """A data directory with the real vocabulary/services, a tiny base layer and the given curated files."""
    root = tmp_path / "data"
    (root / "curated").mkdir(parents=True)
    real = data.default_paths()
    shutil.copy(real.vocabulary, root / "vocabulary.toml")
    shutil.copy(real.services, root / "services.toml")
    if base is None:
        base = [
            base_line(id="kill-bill-volume-1-2003", title="Kill Bill: Volume 1", year=2003, runtime=110,
                      directors=["Quentin Tarantino"], imdb="tt0266697", rt=85, rt_n=238, mc=69),
            base_line(id="oldboy-2003", title="Oldboy", year=2003, directors=["Park Chan-wook"],
                      imdb="tt0364569", rt=82, rt_n=160),
        ]
    with gzip.open(root / "base_films.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(base) + "\n")
    for name, text in curated.items():
        (root / "curated" / name).write_text(text, encoding="utf-8")
    return data.DataPaths.under(root)


def film_toml(film_id: str, *extra: str, tags=TAGS, pitch="A short pitch.") -> str:
    lines = ["[[film]]", f'id = "{film_id}"']
    lines += extra
    if tags is not None:
        lines.append("tags = [" + ", ".join(f'"{t}"' for t in tags) + "]")
    if pitch is not None:
        lines.append(f'pitch = "{pitch}"')
    return "\n".join(lines) + "\n\n"


NEW_FILM = ('title = "New Film"', "year = 2020")


def problems_for(tmp_path: Path, text: str, name: str = "t.toml") -> list[str]:
    return [str(p) for p in data.check_files(make_data_dir(tmp_path, {name: text}))]


def test_clean_small_data_has_no_problems(tmp_path: Path):
    text = film_toml("kb", 'imdb = "tt0266697"') + film_toml("new-film-2020", *NEW_FILM)
    text += '[[link]]\na = "kb"\nb = "new-film-2020"\nreason = "Both are about revenge."\n'
    assert problems_for(tmp_path, text) == []


@pytest.mark.parametrize("fields, expected", [
    (('id = "Bad_Id"',), "must be lower-case letters/digits"),
    (('imdb = "tt9999999"',), "not in the base layer"),
    (('imdb = "0266697"',), "is not tt + 7-8 digits"),
    (("year = 1700",), "year 1700 must be a whole number 1888-"),
    (('year = "2020"',), "must be a whole number"),
    (("runtime = 0",), "runtime 0 must be whole minutes 1-600"),
    (('genres = ["Kung Fu"]',), "genres ['Kung Fu'] not among"),
    (('cast = ["A", "B", "C", "D", "E", "F"]',), "cast lists 6 names"),
    (('directorz = ["X"]',), "unknown keys ['directorz']"),
])
def test_validator_rejects_bad_fields(tmp_path: Path, fields, expected):
    film_id = next((f.split('"')[1] for f in fields if f.startswith("id =")), "bad-film-2020")
    extra = [f for f in fields if not f.startswith("id =")]
    defaults = [f for f in NEW_FILM if not any(e.split(" =")[0] == f.split(" =")[0] for e in extra)]
    text = film_toml(film_id, *defaults, *extra)
    problems = problems_for(tmp_path, text)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("tags, expected", [
    (["revenge", "thrilling", "fast", "kung-fu"], "tags not in the vocabulary: kung-fu"),
    (["revenge", "fast", "female-lead", "gunplay"], "needs at least one mood tag"),
    (["revenge", "thrilling", "female-lead", "gunplay"], "needs at least one pace tag"),
    (["revenge", "thrilling", "fast"], "3 tags; give 4-10"),
    (["revenge", "revenge", "thrilling", "fast"], "tags repeats an entry"),
])
def test_validator_checks_tags(tmp_path: Path, tags, expected):
    problems = problems_for(tmp_path, film_toml("f-2020", *NEW_FILM, tags=tags))
    assert any(expected in p for p in problems), problems


def test_validator_requires_tags_pitch_and_base_fields(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("f-2020", tags=None, pitch=None))
    for expected in ("tags are required", "pitch is required", "title is required", "year is required"):
        assert any(expected in p for p in problems), (expected, problems)


def test_validator_checks_pitch_length(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("f-2020", *NEW_FILM, pitch="x" * 201))
    assert any("pitch is 201 characters; at most 200" in p for p in problems)


def test_validator_reports_duplicates_with_locations(tmp_path: Path):
    text = film_toml("same-id-2020", *NEW_FILM) + film_toml("same-id-2020", 'title = "Other"', "year = 2021")
    text += film_toml("kb-one", 'imdb = "tt0266697"') + film_toml("kb-two", 'imdb = "tt0266697"')
    problems = problems_for(tmp_path, text)
    assert any(p.startswith("curated/t.toml:8: same-id-2020: id also used at curated/t.toml:1") for p in problems), problems
    assert any("kb-two: imdb tt0266697 is also curated as kb-one" in p for p in problems), problems


def test_validator_catches_a_base_film_curated_without_imdb(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("oldboy", 'title = "OldBoy"', "year = 2003"))
    assert any("the base layer has Oldboy (2003) as tt0364569" in p for p in problems), problems


def test_validator_catches_an_id_that_belongs_to_another_base_film(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("oldboy-2003", 'title = "Something"', "year = 2003"))
    assert any("already the id of a different base film" in p for p in problems), problems


def test_validator_catches_a_wrong_imdb_by_its_year(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("kb", 'imdb = "tt0266697"', "year = 2010"))
    assert any("wrong imdb?" in p for p in problems), problems


AVAILABILITY = ('[[film.availability]]\nservice = "{service}"\nregions = {regions}\nkind = "{kind}"\n'
                'checked = "{checked}"\n')


@pytest.mark.parametrize("service, regions, kind, checked, expected", [
    ("netflix", '["UK"]', "subscription", "2026-11", "not ISO 3166-1 alpha-2 upper-case codes: ['UK']"),
    ("netflix", '["us"]', "subscription", "2026-11", "not ISO 3166-1 alpha-2 upper-case codes: ['us']"),
    ("netflix", "[]", "subscription", "2026-11", "regions must be a non-empty list"),
    ("hbo", '["US"]', "subscription", "2026-11", "unknown service 'hbo' (did you mean 'max'?)"),
    ("netflix", '["US"]', "stream", "2026-11", "kind 'stream' must be one of"),
    ("netflix", '["US"]', "subscription", "2026-13", "checked '2026-13' must be YYYY-MM"),
    ("netflix", '["US"]', "subscription", "Nov 2026", "checked 'Nov 2026' must be YYYY-MM"),
])
def test_validator_checks_availability(tmp_path: Path, service, regions, kind, checked, expected):
    text = film_toml("f-2020", *NEW_FILM) + AVAILABILITY.format(service=service, regions=regions, kind=kind,
                                                              checked=checked)
    problems = problems_for(tmp_path, text)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("score, expected", [
    ('kind = "critics"\nvalue = 101\nsource = "RT"\nas_of = "2023-10"', "score value 101 must be a whole number 0-100"),
    ('kind = "likes"\nvalue = 50\nsource = "RT"\nas_of = "2023-10"', "kind 'likes' must be one of"),
    ('kind = "critics"\nvalue = 50\nas_of = "2023-10"', "source is required"),
    ('kind = "critics"\nvalue = 50\nsource = "RT"\nas_of = "10/2023"', "as_of '10/2023' must be YYYY-MM"),
])
def test_validator_checks_scores(tmp_path: Path, score, expected):
    text = film_toml("f-2020", *NEW_FILM) + "[[film.scores]]\n" + score + "\n"
    problems = problems_for(tmp_path, text)
    assert any(expected in p for p in problems), problems


def test_validator_checks_links(tmp_path: Path):
    films = film_toml("a-2020", 'title = "A"', "year = 2020") + film_toml("b-2020", 'title = "B"', "year = 2020")
    films += film_toml("kb", 'imdb = "tt0266697"')

    def link(a, b, reason="Alike."):
        return f'[[link]]\na = "{a}"\nb = "{b}"\nreason = "{reason}"\n\n'

    links = (link("a-2020", "b-2020") + link("b-2020", "a-2020") + link("a-2020", "a-2020")
             + link("a-2020", "nowhere-1999") + link("a-2020", "kill-bill-volume-1-2003")
             + link("b-2020", "oldboy-2003", "x" * 151) + link("b-2020", "kb", ""))
    problems = [str(p) for p in data.check_files(make_data_dir(tmp_path, {"f.toml": films, "links-f.toml": links}))]
    for expected in ("same pair already linked at curated/links-f.toml:1",
                     "a film cannot be linked to itself",
                     "no film with id 'nowhere-1999'",
                     "'kill-bill-volume-1-2003' is the base id of a curated film; use 'kb'",
                     "reason is 151 characters; at most 150",
                     "reason must be one non-empty line"):
        assert any(expected in p for p in problems), (expected, problems)
    assert all(p.startswith("curated/links-f.toml:") for p in problems), problems


def test_unparseable_file_is_reported_with_its_line(tmp_path: Path):
    problems = problems_for(tmp_path, film_toml("ok-2020", *NEW_FILM) + "[[film]]\nid = unquoted\n", "broken.toml")
    assert len(problems) == 1 and problems[0].startswith("curated/broken.toml:9:"), problems


# --------------------------------------------------------------------------- merge


def test_merge_lays_curation_over_the_base(tmp_path: Path):
    text = film_toml("kb-vol-1", 'imdb = "tt0266697"', 'aliases = ["Kill Bill"]')
    text += ('[[film.availability]]\nservice = "netflix"\nregions = ["US", "GB"]\nkind = "subscription"\n'
             'checked = "2026-11"\n[[film.scores]]\nkind = "critics"\nvalue = 90\nsource = "RT"\nas_of = "2026-01"\n\n')
    text += film_toml("brand-new-2024", 'title = "Brand New"', "year = 2024", 'directors = ["Someone"]')
    text += '[[link]]\na = "kill-bill-volume-1-2003"\nb = "brand-new-2024"\nreason = "Old id still works."\n'
    paths = make_data_dir(tmp_path, {"t.toml": text})
    dataset = data.load_dataset(paths)

    assert "kill-bill-volume-1-2003" not in dataset.films
    assert dataset.redirects == {"kill-bill-volume-1-2003": "kb-vol-1"}
    kill_bill = dataset.get("kill-bill-volume-1-2003")
    assert kill_bill is dataset.films["kb-vol-1"]
    assert (kill_bill.title, kill_bill.runtime, kill_bill.curated) == ("Kill Bill: Volume 1", 110, True)
    assert kill_bill.score("critics").value == 90 and kill_bill.score("critics").source == "RT"
    assert kill_bill.score("metacritic").value == 69  # base score of another kind survives
    assert [(a.service, a.region) for a in kill_bill.availability] == [("netflix", "US"), ("netflix", "GB")]
    assert kill_bill.popularity == pytest.approx(data.popularity_from_reviews(238) + data.CURATED_BOOST)

    new = dataset.films["brand-new-2024"]
    assert (new.title, new.year, new.directors, new.imdb_id, new.scores) == ("Brand New", 2024, ("Someone",), None, ())
    assert [(link.a, link.b) for link in dataset.links] == [("kb-vol-1", "brand-new-2024")]
    assert dataset.by_imdb("tt0364569").id == "oldboy-2003"
    assert len(dataset.films) == 3


def test_version_changes_with_any_data_file(tmp_path: Path):
    paths = make_data_dir(tmp_path, {"t.toml": film_toml("f-2020", *NEW_FILM)})
    before = data.data_version(paths)
    assert data.data_version(paths) == before
    (paths.curated / "t.toml").write_text(film_toml("f-2020", *NEW_FILM, pitch="Another pitch."))
    changed = data.data_version(paths)
    assert changed != before
    (paths.curated / "extra.toml").write_text("")
    assert data.data_version(paths) != changed


def test_base_scores_and_popularity(tmp_path: Path):
    base = data.load_base(make_data_dir(tmp_path, {}).base)
    kill_bill = next(f for f in base if f.imdb_id == "tt0266697")
    assert kill_bill.score("critics").count == 238 and kill_bill.score("metacritic").source == data.MC_SOURCE
    oldboy = next(f for f in base if f.imdb_id == "tt0364569")
    assert oldboy.score("metacritic") is None
    assert kill_bill.popularity > oldboy.popularity > 0


# --------------------------------------------------------------------------- vocabulary and services


def test_vocabulary_facets_and_moods():
    vocabulary = data.load_vocabulary(data.default_paths().vocabulary)
    assert vocabulary.facet_of("revenge") == "theme" and vocabulary.facet_of("relentless") == "pace"
    assert vocabulary.facet_of("nope") is None and "nope" not in vocabulary
    assert "thrilling" in vocabulary.moods() and "revenge" not in vocabulary.moods()
    assert vocabulary.weight("revenge") > vocabulary.weight("graphic-violence")
    assert vocabulary.meaning("revenge")
    assert len(vocabulary.tags()) == len(set(vocabulary.tags())) == len(vocabulary)


def test_vocabulary_rejects_a_tag_in_two_facets(tmp_path: Path):
    path = tmp_path / "v.toml"
    path.write_text('[facets.a.tags]\nx = "one"\n[facets.b.tags]\nx = "two"\n')
    with pytest.raises(ValueError, match="'x' is in facets 'a' and 'b'"):
        data.load_vocabulary(path)


@pytest.mark.parametrize("typed, key", [
    ("Netflix", "netflix"), ("HBO", "max"), ("hbo max", "max"), ("Disney+", "disney-plus"),
    ("disney plus", "disney-plus"), ("Amazon", "prime-video"), ("Prime Video", "prime-video"),
    ("Apple TV+", "apple-tv-plus"), ("Apple TV", "apple-tv"), ("criterion", "criterion-channel"),
])
def test_services_resolve_what_users_type(typed: str, key: str):
    services = data.load_services(data.default_paths().services)
    assert services.resolve(typed).key == key


def test_services_have_display_names():
    services = data.load_services(data.default_paths().services)
    assert services["netflix"].name == "Netflix" and services["apple-tv-plus"].name == "Apple TV+"
    assert services.resolve("nothing like it") is None


# --------------------------------------------------------------------------- the builder


def load_builder():
    spec = importlib.util.spec_from_file_location("build_base_data", REPO / "scripts" / "build_base_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_source_db(path: Path) -> None:
    """A movies.db in miniature, with the real one's quirks."""
    db = sqlite3.connect(path)
    db.execute('CREATE TABLE omdb (ID INTEGER, imdbID TEXT, Title TEXT, Year INTEGER, Rating TEXT, Runtime REAL, '
               'Genre TEXT, Director TEXT, "Cast" TEXT, Metacritic INTEGER, Language TEXT, Country TEXT, Awards TEXT, '
               'Writer TEXT)')
    db.execute("CREATE TABLE tomatoes (ID INTEGER, Meter INTEGER, Reviews INTEGER, Consensus TEXT)")
    rows = [
        (1, "tt0000001", "Léon: The Professional", 1994, "R", 110.0, "Action, Crime, Drama, Thriller", "Luc Besson",
         "Gary Oldman, Jean Reno, Natalie Portman, Robert Downey, Jr.", 64, "English, Italian", "France, United States",
         "Won awards", "Luc Besson", 65),
        (2, "tt0000002", "Hero", 2002, None, 99.4, "Action", "Zhang Yimou", "Jet Li, Maggie Cheung",
         None, "Standard Chinese", "People's Republic of China", None, "", 210),
        (3, "tt0000003", "Hero", 2002, "", None, "", "Someone Else", "", None, "", "United States", None, None, 3),
        (4, "tt0000004", "Apocalypse Now", 1979, "R", 183.0, "War", "Francis Ford Coppola", "Jean Reno",
         94, "English", "United States", None, "John Milius, Francis Ford Coppola", 148),
        (5, "tt0000004", "Apocalypse Now Redux", 2001, None, 202.0, "War", "Francis Ford Coppola", "",
         None, "English", "United States", None, None, 85),
    ]
    for row in rows:
        db.execute("INSERT INTO omdb VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row[:14])
        db.execute("INSERT INTO tomatoes VALUES (?,?,?,?)", (row[0], 90, row[14], "Prose we never ship."))
    db.commit()
    db.close()


def test_builder_is_reproducible_and_handles_the_source_quirks(tmp_path: Path):
    builder = load_builder()
    source = tmp_path / "movies.db"
    make_source_db(source)
    first = builder.build(source)
    assert builder.build(source) == first  # same input, same bytes
    lines = gzip.decompress(first).decode("utf-8").splitlines()
    films = {film["id"]: film for film in map(json.loads, lines)}
    assert list(films) == sorted(films)

    assert set(films) == {"leon-the-professional-1994", "hero-2002", "hero-2002-else", "apocalypse-now-1979"}
    leon = films["leon-the-professional-1994"]
    assert leon["cast"][0] == "Jean Reno"  # in two catalogue films: most prominent first
    assert "Robert Downey Jr." in leon["cast"]
    # Four genres and two countries/languages without a repair: none is known to be primary.
    assert "genres" not in leon and leon["xgenres"] == ["Action", "Crime", "Drama", "Thriller"]
    assert "countries" not in leon and leon["xcountries"] == ["France", "United States"]
    assert films["apocalypse-now-1979"]["writers"] == ["John Milius", "Francis Ford Coppola"]
    assert (leon["runtime"], leon["cert"], leon["mc"], leon["rt"], leon["rt_n"]) == (110, "R", 64, 90, 65)
    hero = films["hero-2002"]  # the more reviewed Hero keeps the plain slug
    assert (hero["directors"], hero["runtime"]) == (["Zhang Yimou"], 99)
    assert hero["countries"] == ["China"] and hero["languages"] == ["Mandarin"]
    other = films["hero-2002-else"]
    assert "genres" not in other and "cast" not in other and "cert" not in other and "runtime" not in other
    assert films["apocalypse-now-1979"]["runtime"] == 183  # the richer of the two rows sharing an imdbID
    assert b"Prose" not in gzip.decompress(first) and b"awards" not in gzip.decompress(first)


def test_builder_lays_the_agreed_repair_over_the_source(tmp_path: Path):
    builder = load_builder()
    source = tmp_path / "movies.db"
    make_source_db(source)
    repair = tmp_path / "repair.jsonl"
    repair.write_text(json.dumps({"imdb": "tt0000001", "billed": ["Jean Reno", "Gary Oldman", "Nobody Listed"],
                                  "genres": ["Crime", "Drama"], "country": "France", "language": "English"}) + "\n")
    films = {f["id"]: f for f in map(json.loads, gzip.decompress(builder.build(source, repair)).splitlines())}
    leon = films["leon-the-professional-1994"]
    # Billing first (only names the source has), then the rest of the cast, none lost.
    assert leon["cast"][:2] == ["Jean Reno", "Gary Oldman"] and leon["billed"] == 2 and len(leon["cast"]) == 4
    assert leon["genres"] == ["Crime", "Drama"] and leon["xgenres"] == ["Action", "Thriller"]
    assert leon["countries"] == ["France"] and leon["xcountries"] == ["United States"]
    assert leon["languages"] == ["English"] and leon["xlanguages"] == ["Italian"]
    assert leon["method"] == "double-entry" and "method" not in films["hero-2002"]


def test_shipped_base_layer_has_no_duplicate_imdb_and_keeps_the_whole_cast():
    with gzip.open(data.default_paths().base, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    imdb_ids = [r["imdb"] for r in records]
    assert len(imdb_ids) == len(set(imdb_ids))
    assert max(len(r.get("cast", ())) for r in records) > 50  # the whole cast, not a top 8
    assert all(r.get("billed", 0) <= min(5, len(r.get("cast", ()))) for r in records)
    assert all(len(r.get("genres", ())) <= 3 for r in records)
    assert all(isinstance(r.get("runtime", 1), int) for r in records)
    assert not any(r.get(key) in ("", []) for r in records for key in r)


# --------------------------------------------------------------------------- the recent layer


def recent_line(**fields) -> str:
    record = {"id": "new-film-2021", "title": "New Film", "year": 2021, "directors": ["Someone"],
              "tags": ["revenge", "thrilling", "fast", "female-lead"], "pitch": "Our words.", "method": "double-entry"}
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not None})


def recent_problems(tmp_path: Path, *lines: str) -> list[str]:
    paths = make_data_dir(tmp_path, {})
    with gzip.open(paths.recent, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return [str(p) for p in data.check_files(paths)]


@pytest.mark.parametrize("fields, expected", [
    ({"runtime": 601}, "runtime 601 must be whole minutes 1-600"),
    ({"runtime": 0}, "runtime 0 must be whole minutes 1-600"),
    ({"year": data.YEAR_RANGE[1] + 1}, f"must be a whole number 1888-{data.YEAR_RANGE[1]}"),
    ({"year": 1887}, "year 1887 must be a whole number"),
    ({"tags": ["revenge", "kung-fu"]}, "tags not in the vocabulary: kung-fu"),
    ({"genres": ["Action", "Crime", "Drama", "War"]}, "4 primary genres; at most 3"),
    ({"title": "A\u202eRTL"}, "title contains a control or invisible character (U+202E)"),
    ({"title": "x" * 201}, "title is 201 characters; at most 200"),
    ({"original_of": "blockbuster-video"}, "original_of 'blockbuster-video' is not a service"),
])
def test_the_recent_layer_goes_through_the_record_validator(tmp_path: Path, fields, expected):
    problems = recent_problems(tmp_path, recent_line(**fields))
    assert any(p.startswith("recent_films.jsonl.gz:1: new-film-2021: ") and expected in p for p in problems), problems


def test_the_recent_layer_names_repeated_ids_and_series_positions(tmp_path: Path):
    problems = recent_problems(
        tmp_path,
        recent_line(id="saga-2020", title="Saga", series={"name": "Saga", "order": 2}),
        recent_line(id="saga-2021", title="Saga Again", series={"name": "Saga", "order": 2}),
        recent_line(id="saga-2021", title="Saga Twice"),
        recent_line(id="oldboy-2003", title="Oldboy Again", year=2003),
    )
    assert any("recent_films.jsonl.gz:3: saga-2021: duplicate id" in p for p in problems), problems
    assert any("saga-2021: series 'Saga' #2 is also saga-2020" in p for p in problems), problems
    assert any("oldboy-2003: id is also a base-layer film's id" in p for p in problems), problems


def test_a_streaming_original_streams_where_its_service_does(tmp_path: Path):
    services = data.load_services(data.default_paths().services)
    worldwide = data.film_from_recent(json.loads(recent_line(original_of="netflix", original_scope="worldwide",
                                                             countries=["South Korea"])), services)
    assert {a.service for a in worldwide.availability} == {"netflix"}
    assert {a.region for a in worldwide.availability} == set(services["netflix"].regions)
    assert all("not a live check" in (a.source or "") for a in worldwide.availability)
    home = data.film_from_recent(json.loads(recent_line(original_of="hulu", original_scope="home",
                                                        countries=["United States"])), services)
    assert [a.region for a in home.availability] == ["US"]
    # A home-market original from elsewhere: where it premiered is not known, so nothing is claimed.
    abroad = data.film_from_recent(json.loads(recent_line(original_of="netflix", original_scope="home",
                                                          countries=["India"])), services)
    assert abroad.availability == ()


def test_curation_of_a_recent_film_lays_over_it_by_id(tmp_path: Path):
    paths = make_data_dir(tmp_path, {"f.toml": film_toml("new-film-2021", tags=["heist", "tense", "steady", "duo"],
                                                         pitch="A curator's line.")})
    with gzip.open(paths.recent, "wt", encoding="utf-8") as out:
        out.write(recent_line(cast=["A", "B", "C"], billed=3, genres=["Action"], xgenres=["Drama"]) + "\n")
    assert [str(p) for p in data.check_files(paths)] == []
    film = data.load_dataset(paths).films["new-film-2021"]
    assert film.tags == ("heist", "tense", "steady", "duo") and film.pitch == "A curator's line."
    assert film.cast == ("A", "B", "C") and film.billed == 3 and film.secondary_genres == ("Drama",)
