"""Title search: typo tolerance, disambiguation and keeping the index in step with edits."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from discovery_fixtures import make_catalog  # noqa: E402

from bot.domain.models import Film  # noqa: E402
from bot.domain.search import TitleIndex, fold, tokenize  # noqa: E402


@pytest.fixture()
def catalog():
    return make_catalog()


@pytest.fixture()
def index(catalog):
    return TitleIndex(catalog)


def ids(films):
    return [f.id for f in films]


def test_fold_ignores_accents_case_and_punctuation():
    assert fold("Amélie!") == "amelie"
    assert fold("L.A. Confidential") == "la confidential"
    assert fold("Schindler’s List") == "schindlers list"
    assert tokenize("Rocky II") == ["rocky", "2"]
    assert tokenize("V for Vendetta")[0] == "v"  # a leading letter is not a sequel number


def test_abbreviated_words_find_both_kill_bills(index):
    assert ids(index.autocomplete("kil bil"))[:2] == ["kill-bill-volume-1-2003", "kill-bill-volume-2-2004"]


def test_title_words_alias_accents_and_glued_words(index):
    assert index.autocomplete("fury road")[0].id == "mad-max-fury-road-2015"
    assert index.autocomplete("AMELIE")[0].id == "amelie-2001"
    assert index.autocomplete("fabuleux destin")[0].id == "amelie-2001"  # original title as alias
    assert index.autocomplete("spiderman")[0].id == "spider-man-2002"
    assert index.autocomplete("raid redemption")[0].id == "the-raid-2011"


def test_typos_are_forgiven(index):
    assert index.autocomplete("jonh wick")[0].id == "john-wick-2014"  # swapped letters
    assert index.autocomplete("balerina")[0].title == "Ballerina"  # missing letter
    assert index.autocomplete("toy stroy 2")[0].id == "toy-story-2-1999"


def test_exact_title_ranks_above_longer_titles(index):
    assert index.autocomplete("toy story")[0].id == "toy-story-1995"
    assert index.autocomplete("kill bill vol 2")[0].id == "kill-bill-volume-2-2004"


def test_both_oldboys_are_offered(index):
    assert set(ids(index.autocomplete("oldboy"))[:2]) == {"oldboy-2003", "oldboy-2013"}


def test_empty_text_lists_popular_curated_films_first(index, catalog):
    films = index.autocomplete("", limit=5)
    assert len(films) == 5 and all(f.curated for f in films)


def test_nonsense_finds_nothing(index):
    assert index.autocomplete("qqqxzv") == []


def test_limit_is_respected(index):
    assert len(index.autocomplete("filler", limit=7)) == 7


def test_resolve_film_id_and_label(index, catalog):
    assert index.resolve("heat-1995").film.id == "heat-1995"
    label = catalog.get("ballerina-2025").label  # what autocomplete shows
    assert index.resolve(label).film.id == "ballerina-2025"
    assert index.resolve("Ballerina (2023)").film.id == "ballerina-2023"
    assert index.resolve("ballerina 2023").film.id == "ballerina-2023"


def test_ambiguous_title_gives_candidates_not_a_guess(index):
    result = index.resolve("Ballerina")
    assert result.is_ambiguous and not result.is_exact
    assert set(ids(result.candidates)) == {"ballerina-2023", "ballerina-2025"}
    oldboy = index.resolve("oldboy")
    assert set(ids(oldboy.candidates)) == {"oldboy-2003", "oldboy-2013"}


def test_fuzzy_tie_is_ambiguous(index):
    result = index.resolve("kil bil")
    assert result.is_ambiguous
    assert set(ids(result.candidates)) == {"kill-bill-volume-1-2003", "kill-bill-volume-2-2004"}


def test_clear_fuzzy_match_resolves(index):
    assert index.resolve("fury road").film.id == "mad-max-fury-road-2015"
    assert index.resolve("kill bill vol 1").film.id == "kill-bill-volume-1-2003"


def test_missing_title_offers_suggestions(index):
    result = index.resolve("toi stori")
    assert result.is_missing
    assert "toy-story-1995" in ids(result.suggestions)
    assert index.resolve("qqqxzv").is_missing


def test_short_prefix_never_resolves(index):
    assert not index.resolve("k").is_exact


def test_index_follows_catalog_edits(index, catalog):
    catalog.upsert(Film("ballerina-2026", "Ballerina Returns", 2026, 100, curated=True, popularity=5.0))
    assert index.autocomplete("ballerina ret")[0].id == "ballerina-2026"
    catalog.upsert(Film("ballerina-2026", "Swan Strike", 2026, 100))  # renamed
    assert "ballerina-2026" not in ids(index.autocomplete("ballerina returns"))
    assert index.autocomplete("swan strike")[0].id == "ballerina-2026"
    catalog.remove("oldboy-2013")
    assert index.resolve("oldboy").film.id == "oldboy-2003"
    assert "oldboy-2013" not in ids(index.autocomplete("oldboy"))


# A prefix with more completions than PREFIX_EXPANSION_CAP is answered from a kept,
# popularity-ordered list; these tests check that list against a brute-force scan.

def broad_catalog():
    from bot.domain.catalog import Catalog
    # Distinct popularities: no ties, so the expected order is unambiguous.
    films = [Film(f"q-{i}", f"Qua{i:04d} Night", 2000, 90, popularity=float(i * 37 % 700) / 7,
                  curated=(i % 50 == 0)) for i in range(700)]
    films.append(Film("plain", "Plain Story", 2001, 90, popularity=1.0))
    return Catalog(films)


def most_popular_with_q(catalog, count):
    priors = catalog.priors()
    found = [f.id for f in catalog if any(t.startswith("q") for t in tokenize(f.title))]
    return sorted(found, key=lambda fid: (-priors[fid], fid))[:count]


def test_one_letter_prefix_offers_the_most_popular_matches():
    catalog = broad_catalog()
    index = TitleIndex(catalog)
    assert set(ids(index.autocomplete("q", limit=10))) == set(most_popular_with_q(catalog, 10))


def test_broad_prefix_lists_follow_edits():
    catalog = broad_catalog()
    index = TitleIndex(catalog)
    catalog.upsert(Film("q-new", "Quasar Night", 2024, 90, popularity=99.5, curated=True))
    assert ids(index.autocomplete("q", limit=1)) == ["q-new"]
    # Removing nearly all of the kept list (2 x MAX_SCORED) forces a recompute from the postings.
    for fid in most_popular_with_q(catalog, 295):
        catalog.remove(fid)
    assert set(ids(index.autocomplete("q"))) == set(most_popular_with_q(catalog, 25))


def test_broad_prefix_lists_are_rebuilt_when_priors_are_rescaled():
    catalog = broad_catalog()
    # Curated but little known: below the kept list now, near the top once the scale grows.
    catalog.upsert(Film("q-quill", "Quill", 2020, 90, popularity=5.0, curated=True))
    index = TitleIndex(catalog)
    assert "q-quill" not in ids(index.autocomplete("q"))
    catalog.upsert(Film("q-top", "Quiet Top", 2024, 90, popularity=10_000.0))
    assert {"q-top", "q-quill"} <= set(ids(index.autocomplete("q", limit=5)))
    assert set(ids(index.autocomplete("q"))) == set(most_popular_with_q(catalog, 25))
    catalog.remove("q-top")
    assert "q-top" not in ids(index.autocomplete("q"))


def test_stopword_with_short_prefix_searches_the_prefix():
    catalog = broad_catalog()
    catalog.upsert(Film("a-quiet", "A Quiet Place", 2018, 90, popularity=0.0))  # unpopular, few films with "a"
    for i in range(700):  # now "a" alone is far too common to narrow anything
        catalog.upsert(Film(f"a-{i}", f"A Zed{i}", 2000, 90, popularity=5.0))
    catalog.upsert(Film("a-quest", "A Quest", 2018, 90, popularity=99.0))
    index = TitleIndex(catalog)
    assert ids(index.autocomplete("a q", limit=1)) == ["a-quest"]
    assert not any(fid.startswith("a-") and fid[2].isdigit() for fid in ids(index.autocomplete("a q")))


def test_stopword_naming_few_films_still_finds_them_under_a_short_prefix():
    catalog = broad_catalog()
    catalog.upsert(Film("a-quiet", "A Quiet Place", 2018, 90, popularity=0.0))  # far from the popular "q" films
    index = TitleIndex(catalog)
    assert ids(index.autocomplete("a q", limit=1)) == ["a-quiet"]
