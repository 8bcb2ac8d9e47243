"""'Is X like Y': scores, reasons that are true, curated links and pick lines."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from discovery_fixtures import FILMS, make_catalog  # noqa: E402

from bot.domain.catalog import key_of  # noqa: E402
from bot.domain.models import Film, Link  # noqa: E402
from bot.domain.similarity import SimilarityEngine, headline_for  # noqa: E402


@pytest.fixture()
def catalog():
    return make_catalog()


@pytest.fixture()
def engine(catalog):
    return SimilarityEngine(catalog)


def keys(values):
    return {key_of(v) for v in values}


def assert_shared_reason_true(reason, a: Film, b: Film, catalog):
    """A shared reason must hold for both films."""
    data = reason.data
    if reason.kind == "link":
        assert catalog.link_between(a.id, b.id) is not None
        assert {data["a"], data["b"]} == {a.id, b.id}
    elif reason.kind == "tag":
        assert data["tags"] and set(data["tags"]) <= set(a.tags) & set(b.tags)
    elif reason.kind in ("director", "cast", "genre", "country", "language"):
        attribute = {"director": "directors", "cast": "cast", "genre": "genres",
                     "country": "countries", "language": "languages"}[reason.kind]
        values = data[attribute]
        assert values and keys(values) <= keys(getattr(a, attribute)) & keys(getattr(b, attribute))
    elif reason.kind == "era":
        assert data["years"] == [a.year, b.year]
    elif reason.kind == "runtime":
        assert data["runtimes"] == [a.runtime, b.runtime]
    else:
        raise AssertionError(f"unexpected shared reason kind {reason.kind}")


def assert_difference_true(reason, a: Film, b: Film):
    """A difference's `a` side is true of a only, its `b` side of b only."""
    data = reason.data
    if reason.kind in ("mood", "tag"):
        assert set(data["a"]) <= set(a.tags) - set(b.tags)
        assert set(data["b"]) <= set(b.tags) - set(a.tags)
    elif reason.kind in ("language", "country", "genre"):
        attribute = {"language": "languages", "country": "countries", "genre": "genres"}[reason.kind]
        assert keys(data["a"]) <= keys(getattr(a, attribute)) - keys(getattr(b, attribute))
        assert keys(data["b"]) <= keys(getattr(b, attribute)) - keys(getattr(a, attribute))
    elif reason.kind == "runtime":
        assert (data["a"], data["b"]) == (a.runtime, b.runtime) and a.runtime != b.runtime
    elif reason.kind == "era":
        assert (data["a"], data["b"]) == (a.year, b.year)
    else:
        raise AssertionError(f"unexpected difference kind {reason.kind}")


def test_ballerina_is_more_like_kill_bill_than_toy_story(engine):
    kill_bill = engine.score("ballerina-2023", "kill-bill-volume-1-2003")
    toy_story = engine.score("ballerina-2023", "toy-story-1995")
    assert kill_bill > toy_story + 40
    assert engine.compare("ballerina-2023", "toy-story-1995").headline == "Not really alike"


def test_same_holds_without_the_curated_link():
    engine = SimilarityEngine(make_catalog(links=[]))
    assert engine.score("ballerina-2023", "kill-bill-volume-1-2003") > engine.score("ballerina-2023", "toy-story-1995") + 20


def test_scores_are_symmetric_and_bounded(engine, catalog):
    for a in FILMS[:8]:
        for b in FILMS[:8]:
            if a.id != b.id:
                score = engine.score(a.id, b.id)
                assert 0 <= score <= 100
                assert score == engine.score(b.id, a.id)


def test_curated_link_outranks_a_shared_common_genre(engine):
    # quiet-days shares only "Drama" (and an era) with long-summer, and nothing but a link with paper-river.
    similar = engine.similar("quiet-days-1990", count=3)
    assert similar[0].film.id == "paper-river-1970"
    assert similar[0].reasons[0].kind == "link"
    assert engine.score("quiet-days-1990", "paper-river-1970") > engine.score("quiet-days-1990", "long-summer-1991")


def test_shared_rare_director_beats_shared_common_genre(catalog, engine):
    catalog.upsert(Film("quiet-nights-1999", "Quiet Nights", 1999, 110, ("Comedy",), ("Ann Example",),
                        ("Zed Person",), ("English",), ("United States",)))
    assert engine.score("quiet-days-1990", "quiet-nights-1999") > engine.score("quiet-days-1990", "long-summer-1991")


def test_similar_is_one_list_sorted_by_score(engine):
    # The article's comparisons are curated links: they raise the score, they do not jump the queue.
    similar = engine.similar("ballerina-2023", count=5)
    found = [s.film.id for s in similar]
    assert {"kill-bill-volume-1-2003", "john-wick-2014"} <= set(found)
    assert "toy-story-1995" not in found
    assert [s.score for s in similar] == sorted((s.score for s in similar), reverse=True)
    for s in similar:
        assert s.score == engine.score("ballerina-2023", s.film.id)


def test_similar_honours_allowed_and_exclude(engine, catalog):
    short = {f.id for f in catalog.films.values() if (f.runtime or 999) <= 105}
    similar = engine.similar("ballerina-2023", count=4, allowed=short, exclude={"john-wick-2014"})
    assert similar and all(s.film.runtime <= 105 for s in similar)
    assert "john-wick-2014" not in [s.film.id for s in similar]
    assert "ballerina-2023" not in [s.film.id for s in similar]


def test_base_only_films_get_answers(engine):
    similar = engine.similar("heat-1995", count=3)
    assert len(similar) == 3
    assert engine.compare("heat-1995", "the-raid-2011").shared


def test_every_reason_is_true(engine, catalog):
    for a in FILMS:
        for s in engine.similar(a.id, count=5):
            for reason in s.reasons:
                assert_shared_reason_true(reason, a, s.film, catalog)
        for b in FILMS[:6]:
            if a.id == b.id:
                continue
            verdict = engine.compare(a.id, b.id)
            for reason in verdict.shared:
                assert_shared_reason_true(reason, a, b, catalog)
            for reason in verdict.differences:
                assert_difference_true(reason, a, b)


def test_compare_explains_the_article_choice(engine):
    verdict = engine.compare("ballerina-2023", "john-wick-2014")
    assert verdict.headline in ("Very alike", "Close cousins")
    assert verdict.pick_line == ("Pick Ballerina if you want bodies flying; "
                                 "pick John Wick if you want lore and world-building.")
    tag_difference = next(r for r in verdict.differences if r.kind == "tag")
    assert "lore-heavy" in tag_difference.data["b"]
    assert "style-over-substance" in tag_difference.data["a"]


def test_pick_line_mentions_the_shorter_runtime(engine):
    verdict = engine.compare("ballerina-2023", "kill-bill-volume-2-2004")
    assert "in 92 minutes" in verdict.pick_line
    assert any(r.kind == "runtime" and r.text == "92 vs 137 min" for r in verdict.differences)


def test_same_title_films_are_told_apart(engine):
    verdict = engine.compare("oldboy-2003", "oldboy-2013")
    assert "Oldboy (2003)" in verdict.pick_line and "Oldboy (2013)" in verdict.pick_line


def test_headline_bands():
    assert headline_for(95) == "Very alike"
    assert headline_for(55) == "Close cousins"
    assert headline_for(35) == "Some family resemblance"
    assert headline_for(5) == "Not really alike"


def test_links_and_edits_take_effect(catalog, engine):
    before = engine.score("heat-1995", "amelie-2001")
    catalog.add_link(Link("heat-1995", "amelie-2001", "Test link."))
    # A curator's "it's like" is evidence by itself: at least "Close cousins".
    assert engine.score("heat-1995", "amelie-2001") >= 50 > before
    assert engine.similar("heat-1995", count=1)[0].film.id == "amelie-2001"
    catalog.remove_link("amelie-2001", "heat-1995")
    assert engine.score("heat-1995", "amelie-2001") == before
    catalog.remove("amelie-2001")
    with pytest.raises(KeyError):
        engine.score("heat-1995", "amelie-2001")


def test_deterministic(engine):
    first = [(s.film.id, s.score) for s in engine.similar("john-wick-2014", count=6)]
    again = SimilarityEngine(make_catalog())
    assert first == [(s.film.id, s.score) for s in again.similar("john-wick-2014", count=6)]
