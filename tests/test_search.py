"""Title search: typo tolerance, disambiguation and keeping the index in step with edits."""
from __future__ import annotations

import dataclasses
import re
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


def test_resembling_text_gets_suggestions_never_candidates(index):
    result = index.resolve("kil bil")  # no film is called that: no "which one?", no answer
    assert result.is_missing and not result.is_ambiguous and not result.is_exact
    assert ids(result.suggestions)[:2] == ["kill-bill-volume-1-2003", "kill-bill-volume-2-2004"]


def test_only_an_exact_name_resolves(index, catalog):
    assert index.resolve("kill bill vol 1").film.id == "kill-bill-volume-1-2003"  # an alias
    fury = index.resolve("fury road")  # resembles "Mad Max: Fury Road", which has no such alias here
    assert fury.film is None and ids(fury.suggestions)[0] == "mad-max-fury-road-2015"
    mad_max = catalog.get("mad-max-fury-road-2015")
    catalog.upsert(dataclasses.replace(mad_max, aliases=("Fury Road",)))
    assert index.resolve("fury road").film.id == "mad-max-fury-road-2015"


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


# What people type and what must happen (issue 9: resolution never swaps films) ------------------------
#
# Only a film's exact name (title, original title or alias, folded for case, accents, punctuation, spaces
# and roman numerals) answers; several films of that name give a "which one?" prompt, most popular first;
# text that only resembles names gives suggestions ranked like autocomplete; nothing alike: not found.
# "hand" is the small test catalogue plus films named like one another; "lookalikes" has only the films a
# title resembles (the film typed is missing); "shipped" is the real catalogue.

NAMESAKES = [
    Film("joker-2019", "Joker", 2019, 122, directors=("Todd Phillips",), popularity=3.4),
    Film("joker-2012", "Joker", 2012, 105, directors=("Shirish Kunder",), popularity=0.9),
    Film("the-gray-man-2022", "The Gray Man", 2022, 122, directors=("Anthony Russo", "Joe Russo"), popularity=2.8),
    Film("the-man-in-the-gray-flannel-suit-1956", "The Man in the Gray Flannel Suit", 1956, 153, directors=("Nunnally Johnson",), popularity=1.2),
    Film("creed-2015", "Creed", 2015, 133, directors=("Ryan Coogler",), popularity=3.1),
    Film("creed-ii-2018", "Creed II", 2018, 130, directors=("Steven Caple Jr.",), popularity=3.2),
    Film("the-disappearance-of-alice-creed-2009", "The Disappearance of Alice Creed", 2009, 100, directors=("J Blakeson",), popularity=2.0),
    # More popular than John Wick (3.3), so popularity alone would put it first.
    Film("wicked-2024", "Wicked", 2024, 160, directors=("Jon M. Chu",), aliases=("Wicked: Part One",), popularity=3.5),
    Film("fury-2014", "Fury", 2014, 134, directors=("David Ayer",), popularity=2.4),  # shorter than "Mad Max: Fury Road"
    Film("another-round-2020", "Another Round", 2020, 117, directors=("Thomas Vinterberg",), original_title="Druk", popularity=2.9),
]
LOOKALIKES = {"joker-2012", "the-man-in-the-gray-flannel-suit-1956", "the-disappearance-of-alice-creed-2009", "wicked-2024",
              "fury-2014"}


def answer(film_id):
    return ("film", [film_id])


def prompt(*film_ids):
    return ("choose", list(film_ids))


def suggest(*film_ids):
    return ("suggest", list(film_ids))


NOT_FOUND = ("missing", [])

CASES = [
    # Exact names answer, whatever the case, accents, punctuation, spacing or numbering.
    ("hand", "The Gray Man", answer("the-gray-man-2022")),
    ("hand", "Creed", answer("creed-2015")),
    ("hand", "creed ii", answer("creed-ii-2018")),
    ("hand", "Creed 2", answer("creed-ii-2018")),
    ("hand", "John Wick", answer("john-wick-2014")),
    ("hand", "wicked", answer("wicked-2024")),
    ("hand", "Druk", answer("another-round-2020")),  # the original title
    ("hand", "ANOTHER ROUND!", answer("another-round-2020")),
    ("hand", "amelie", answer("amelie-2001")),
    ("hand", "Le Fabuleux Destin d'Amélie Poulain", answer("amelie-2001")),
    ("hand", "spiderman", answer("spider-man-2002")),
    ("hand", "heat-1995", answer("heat-1995")),  # a film id, as autocomplete sends it
    # A year or director narrows films of the same name.
    ("hand", "joker 2019", answer("joker-2019")),
    ("hand", "Joker (2012)", answer("joker-2012")),
    ("hand", "Joker (2012) · Shirish Kunder", answer("joker-2012")),
    ("hand", "Oldboy (2013) · Spike Lee", answer("oldboy-2013")),
    # Several films of exactly that name: which one?
    ("hand", "Joker", prompt("joker-2019", "joker-2012")),
    ("hand", "Oldboy", prompt("oldboy-2003", "oldboy-2013")),
    ("hand", "Ballerina", prompt("ballerina-2025", "ballerina-2023")),
    # Only resembling: suggestions, the film meant first, never an answer.
    ("lookalikes", "The Gray Man", suggest("the-man-in-the-gray-flannel-suit-1956")),
    ("lookalikes", "Creed", suggest("the-disappearance-of-alice-creed-2009")),
    ("lookalikes", "creed 2", suggest("the-disappearance-of-alice-creed-2009")),
    ("lookalikes", "Joker 2019", suggest("joker-2012")),  # the 2012 Joker is not the 2019 one
    ("hand", "Joker 2005", suggest("joker-2019", "joker-2012")),
    ("hand", "gray man", suggest("the-gray-man-2022", "the-man-in-the-gray-flannel-suit-1956")),
    ("hand", "jon wick", suggest("john-wick-2014")),
    ("lookalikes", "jon wick", suggest("john-wick-2014")),
    ("hand", "jonh wick", suggest("john-wick-2014")),
    ("hand", "johnathan wick", suggest("john-wick-2014")),  # "wick" is a word of John Wick, only the start of Wicked
    ("hand", "fury raod", suggest("mad-max-fury-road-2015")),
    ("hand", "kil bil", suggest("kill-bill-volume-1-2003", "kill-bill-volume-2-2004")),
    ("hand", "balerina", suggest("ballerina-2025", "ballerina-2023")),
    ("hand", "toy stroy 2", suggest("toy-story-2-1999", "toy-story-1995")),
    ("hand", "qqqxzv", NOT_FOUND),
    # The shipped catalogue.
    ("shipped", "Heat", prompt("heat-1995")),  # the most popular Heat first, then the others
    ("shipped", "heat 1995", answer("heat-1995")),
    ("shipped", "Heat (2001)", suggest("heat-1995")),  # no Heat of 2001: suggestions, the Heats first
    ("shipped", "Oldboy", prompt("oldboy-2003", "oldboy-2013")),
    ("shipped", "kill bill vol 2", answer("kill-bill-volume-2-2004")),
    ("shipped", "kil bil", suggest("kill-bill-volume-1-2003", "kill-bill-volume-2-2004")),
    ("shipped", "the godfather", answer("the-godfather-1972")),
    ("shipped", "the godfather part 2", answer("the-godfather-part-ii-1974")),
    ("shipped", "godfathr", suggest("the-godfather-1972")),
    ("shipped", "hte godfather", suggest("the-godfather-1972")),
    ("shipped", "jon wick", suggest("john-wick-2014")),
    ("shipped", "fury road", answer("mad-max-fury-road-2015")),  # its alias
    ("shipped", "fury raod", suggest("mad-max-fury-road-2015")),
    ("shipped", "qqqxzv", NOT_FOUND),
]


@pytest.fixture()
async def shipped_index(shared_catalogue):
    return (await shared_catalogue.get()).titles


@pytest.fixture()
def indexes(shipped_index):
    return {
        "hand": TitleIndex(make_catalog(NAMESAKES)),
        "lookalikes": TitleIndex(make_catalog([f for f in NAMESAKES if f.id in LOOKALIKES])),
        "shipped": shipped_index,
    }


@pytest.mark.parametrize(("catalogue", "typed", "expected"), CASES, ids=[f"{c}:{t}" for c, t, _ in CASES])
def test_what_people_type(indexes, catalogue, typed, expected):
    index = indexes[catalogue]
    kind, films = expected
    result = index.resolve(typed)
    got = {"film": ids([result.film] if result.film else []), "choose": ids(result.candidates),
           "suggest": ids(result.suggestions)}
    if kind == "missing":
        assert got == {"film": [], "choose": [], "suggest": []}
        return
    assert [k for k, v in got.items() if v] == [kind], got  # one kind of answer, never an answer and a list
    assert got[kind][:len(films)] == films, got
    if kind == "choose" and catalogue != "shipped":
        assert got[kind] == films  # every film of that name, and only those
    if kind == "suggest" and not re.search(r"\(|\b(18|19|20)\d\d$", typed):  # no year to narrow by
        assert got[kind][0] == index.autocomplete(typed)[0].id  # the same ranking as autocomplete


def test_autocomplete_puts_the_film_meant_first(indexes):
    for name in ("hand", "shipped"):
        index = indexes[name]
        jon = ids(index.autocomplete("jon wick"))
        assert jon[0] == "john-wick-2014"
        assert "wicked-2024" not in jon or jon.index("wicked-2024") > jon.index("john-wick-2014")
        assert ids(index.autocomplete("fury raod"))[0] == "mad-max-fury-road-2015"
        assert set(ids(index.autocomplete("kil bil"))[:2]) == {"kill-bill-volume-1-2003", "kill-bill-volume-2-2004"}
    assert ids(indexes["shipped"].autocomplete("the godfather part 2"))[0] == "the-godfather-part-ii-1974"


def test_a_short_word_finds_its_one_typo_neighbours(indexes):
    # "jon" shares one trigram of three with "john", "raod" none with "road": the index must still find them.
    index = indexes["hand"]
    assert "john-wick-2014" in ids(index.autocomplete("jon"))
    assert ids(index.autocomplete("raod fury"))[0] == "mad-max-fury-road-2015"


def test_original_title_follows_edits():
    catalog = make_catalog(NAMESAKES)
    index = TitleIndex(catalog)
    film = catalog.get("another-round-2020")
    catalog.upsert(dataclasses.replace(film, original_title="Druk!"))
    assert index.resolve("druk").film.id == "another-round-2020"
    catalog.upsert(dataclasses.replace(film, original_title=None))
    assert index.resolve("druk").film is None



def look_alike_films(numbers):
    """Titles of a few syllables ("kalomi mika"): many tokens share each trigram, so a typo has more
    candidates than are verified, many tied."""
    syllables = ("ka", "lo", "mi", "ra", "ten", "dor", "vel", "sha")
    return [Film(f"s-{i}", f"{syllables[i % 8]}{syllables[i // 8 % 8]}{syllables[i // 64 % 8]} "
                           f"{syllables[i // 64 % 8]}{syllables[i % 8]}", 2000, 90, popularity=float(i % 13))
            for i in numbers]


TYPOS = ("kalomo", "kaloim", "shavell", "tendorra", "mikalaa", "lokamiv", "velshaka", "dorten", "ramikal",
         "kalomi mka", "shadorvel ve", "tenlora", "mivelt")


def test_typo_matches_do_not_depend_on_when_the_typo_index_was_built():
    # Tokens added after the typo index was built get later ids: the tokens verified for a typo (the
    # greatest of those tied) must be the ones an index built afterwards verifies.
    from bot.domain.catalog import Catalog
    films = look_alike_films(range(0, 512, 2))
    catalog = Catalog(films)
    edited = TitleIndex(catalog)
    edited.prepare()
    catalog.apply_changes(upserted=look_alike_films(range(1, 512, 2)), removed=[f.id for f in films[::5]])
    for film in look_alike_films(range(512, 530)):  # one by one, not as a batch
        catalog.upsert(film)
    catalog.remove("s-3")
    fresh = TitleIndex(catalog)
    for typed in TYPOS:
        got = [(m.film.id, m.text_score) for m in edited.search(typed)]
        assert got == [(m.film.id, m.text_score) for m in fresh.search(typed)], typed
        assert got, typed


def test_most_popular_of_many_films_is_the_top_of_the_popularity_order():
    catalog = broad_catalog()
    index = TitleIndex(catalog)
    ranked = catalog.ranked_ids()
    place = {fid: i for i, fid in enumerate(ranked)}
    # Dense sets (walked from the top of the popularity order), sparse ones, and obscure films only (the walk
    # gives up and ranks them).
    for chosen in (set(ranked[::2]), set(ranked[-300:]), set(ranked[:40]) | set(ranked[-200:]), set(ranked[::7]),
                   set(ranked[100:110])):
        numbers = {index._film_numbers[fid] for fid in chosen}
        for count in (5, 10, 50):
            found = {index._film_ids[number] for number in index._most_popular(numbers, count)}
            assert found == set(sorted(chosen, key=place.__getitem__)[:count])


def test_a_film_removed_and_added_again_keeps_its_number_and_is_found_again(index, catalog):
    film = catalog.get("oldboy-2013")
    number = index._film_numbers[film.id]
    catalog.remove(film.id)
    assert "oldboy-2013" not in ids(index.autocomplete("oldboy"))
    catalog.upsert(film)
    assert index._film_numbers[film.id] == number
    assert "oldboy-2013" in ids(index.autocomplete("oldboy"))
    assert {f.id for f in index.resolve("oldboy").candidates} == {"oldboy-2003", "oldboy-2013"}


def test_a_pickled_index_answers_as_the_original(index):
    import pickle

    index.autocomplete("jonh wick")  # the typo index is built, and pickled with the rest
    copy = pickle.loads(pickle.dumps(index))
    for typed in ("kil bil", "o", "the r", "jonh wick", "oldboy", "toy stroy 2", "a p"):
        assert [(m.film.id, m.rank) for m in copy.search(typed)] == [(m.film.id, m.rank) for m in index.search(typed)]


# The catalogue turns the resolution into a prompt, and the prompt is rendered -------------------------

async def test_find_answers_prompts_or_says_not_found(app):
    from bot.core.errors import NeedsChoice, UserError

    catalogue = app.catalogue
    assert catalogue.find("the godfather part 2").id == "the-godfather-part-ii-1974"
    with pytest.raises(NeedsChoice) as ambiguous:
        catalogue.find("Heat")
    assert ambiguous.value.result.kind == "ambiguous" and ambiguous.value.result.candidates[0].id == "heat-1995"
    with pytest.raises(NeedsChoice) as typo:
        catalogue.find(" fury   raod ")
    prompt = typo.value.result
    assert prompt.kind == "suggestion" and prompt.query == "fury raod"
    assert prompt.candidates[0].id == "mad-max-fury-road-2015" and prompt.choice_ids == []
    with pytest.raises(NeedsChoice) as picked:
        catalogue.find("jon wick", pick_action="mnp", pick_context=["7"])
    assert picked.value.result.choice_ids[0] == "mq:mnp:john-wick-2014:7"
    with pytest.raises(UserError) as missing:
        catalogue.find("qqqxzv")
    assert missing.value.title == "Film not found"


def test_prompts_say_which_kind_they_are(catalog):
    from bot.core.rendering import render
    from bot.core.results import Disambiguation

    films = [catalog.get("mad-max-fury-road-2015"), catalog.get("the-raid-2011")]
    suggestion = render(Disambiguation("fury raod", films, choice_ids=["mq:rerun:t:0", "mq:rerun:t:1"], kind="suggestion"))
    embed = suggestion.embeds[0]
    assert embed.title == "Did you mean…?"
    assert embed.description.startswith("No film is called exactly “fury raod”.")
    assert "Mad Max: Fury Road (2015)" in embed.description
    assert [b.label for row in suggestion.rows for b in row][0] == "1. Mad Max: Fury Road (2015)"
    ambiguous = render(Disambiguation("Oldboy", [catalog.get("oldboy-2003"), catalog.get("oldboy-2013")]))
    assert ambiguous.embeds[0].title == "Which “Oldboy” did you mean?"
    assert "No film is called" not in ambiguous.embeds[0].description


def test_of_equally_good_name_words_a_typed_word_takes_one_no_earlier_word_took() -> None:
    # "moving m" on Moving Midway: "m" completes "midway", "moving" and "movingmidway" equally well. It once
    # took whichever the frozenset gave first (a hash-seed lottery: the film ranked 0.88 or 0.98 by process);
    # now one not taken by "moving", then the alphabetically first.
    from bot.domain.search import _QueryToken

    typed = _QueryToken("m", 1.0, {}, broad=True)
    words = frozenset({"moving", "midway", "movingmidway"})
    assert typed.score(words, {"moving"})[1] == "midway"
    assert typed.score(words, {"midway"})[1] == "moving"
    assert typed.score(words)[1] == "midway"



def test_the_typo_distance_is_the_optimal_string_alignment_distance() -> None:
    # The bit-parallel _distance against the textbook table (insert, delete, substitute, swap two adjacent
    # letters; no letter edited twice), on random words from small alphabets so that typos overlap.
    import random

    from bot.domain.search import _distance

    def table(a: str, b: str) -> int:
        d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[len(a)][len(b)]

    rng = random.Random(11)
    for _ in range(3000):
        alphabet = rng.choice(("ab", "abc", "abcdefgh"))
        a, b = ("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(2))
        for limit in (1, 2):
            expected = table(a, b)
            got = _distance(a, b, limit)
            assert (got <= limit) == (expected <= limit) and (expected > limit or got == expected), (a, b, limit)
    assert _distance("balerina", "ballerina", 2) == 1 and _distance("raod", "road", 1) == 1
