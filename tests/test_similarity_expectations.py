"""What a film buff expects of "more like this", as a table, checked on the shipped catalogue.

Written before the engine was tuned, across genres, eras and countries, and kept honest: no expectation
may be met by a special case for its film. Each kind:
- TOP10: a film's ten most similar must hold at least one of the films listed;
- ORDER: (x, y, z): y must score higher against x than z does;
- NEVER: two films must not be in each other's ten most similar;
- VERY: a pair (sequels, direct companions) must read "Very alike" (70+).
"""
from __future__ import annotations

import numpy as np
import pytest

from bot.domain.catalog import Catalog, vocabulary_maps
from bot.domain.dataset import load_dataset
from bot.domain.similarity import SimilarityEngine, genre_only_ceiling, telling_evidence

TOP10 = [
    ("heat-1995", ["thief-1981", "collateral-2004", "the-town-2010", "ronin-1998"]),
    ("the-godfather-1972", ["the-godfather-part-ii-1974", "goodfellas-1990", "the-godfather-part-iii-1990"]),
    ("goodfellas-1990", ["casino-1995", "the-irishman-2019", "the-departed-2006", "the-godfather-1972"]),
    ("the-departed-2006", ["infernal-affairs-2002", "goodfellas-1990", "the-town-2010"]),
    ("pulp-fiction-1994", ["reservoir-dogs-1992", "jackie-brown-1997", "kill-bill-volume-1-2003"]),
    ("kill-bill-volume-1-2003", ["kill-bill-volume-2-2004", "lady-snowblood-1973", "ballerina-2023",
                                 "the-villainess-2017"]),
    ("ballerina-2023", ["john-wick-2014", "kill-bill-volume-1-2003", "the-villainess-2017", "kill-boksoon-2023"]),
    ("john-wick-2014", ["john-wick-chapter-2-2017", "the-raid-2011", "nobody-2021", "atomic-blonde-2017"]),
    ("oldboy-2003", ["sympathy-for-mr-vengeance-2002", "lady-vengeance-2005", "i-saw-the-devil-2010",
                     "the-handmaiden-2016"]),
    ("parasite-2019", ["memories-of-murder-2003", "the-host-2006", "mother-2009", "snowpiercer-2013",
                       "shoplifters-2018"]),
    ("memories-of-murder-2003", ["mother-2009", "zodiac-2007", "the-chaser-2008", "the-wailing-2016"]),
    ("train-to-busan-2016", ["peninsula-2020", "28-days-later-2002", "the-wailing-2016", "dawn-of-the-dead-1978"]),
    ("alien-1979", ["aliens-1986", "the-thing-1982", "prometheus-2012"]),
    ("the-thing-1982", ["alien-1979", "the-fog-1980", "halloween-1978", "invasion-of-the-body-snatchers-1978"]),
    ("halloween-1978", ["the-texas-chain-saw-massacre-1974", "scream-1996", "friday-the-13th-1980",
                        "a-nightmare-on-elm-street-1984"]),
    ("hereditary-2018", ["midsommar-2019", "the-witch-2015", "the-babadook-2014", "rosemarys-baby-1968"]),
    ("get-out-2017", ["us-2019", "nope-2022", "the-stepford-wives-1975"]),
    ("the-shining-1980", ["the-exorcist-1973", "rosemarys-baby-1968", "the-overlook", "doctor-sleep-2019"]),
    ("psycho-1960", ["vertigo-1958", "rear-window-1954", "peeping-tom-1960", "the-birds-1963"]),
    ("rear-window-1954", ["vertigo-1958", "north-by-northwest-1959", "psycho-1960", "blow-up-1966"]),
    ("casablanca-1942", ["the-maltese-falcon-1941", "to-have-and-have-not-1944", "notorious-1946"]),
    ("singin-in-the-rain-1952", ["an-american-in-paris-1951", "the-band-wagon-1953", "on-the-town-1949"]),
    ("la-la-land-2016", ["whiplash-2014", "singin-in-the-rain-1952", "the-umbrellas-of-cherbourg-1964"]),
    ("before-sunrise-1995", ["before-sunset-2004", "before-midnight-2013"]),
    ("toy-story-1995", ["toy-story-2-1999", "toy-story-3-2010", "monsters-inc-2001"]),
    ("finding-nemo-2003", ["finding-dory-2016", "monsters-inc-2001", "the-incredibles-2004", "up-2009"]),
    ("inside-out-2015", ["inside-out-2-2024", "up-2009", "coco-2017", "soul-2020"]),
    ("shrek-2001", ["shrek-2-2004", "shrek-the-third-2007", "puss-in-boots-2011"]),
    ("my-neighbor-totoro-1988", ["kikis-delivery-service-1989", "spirited-away-2001", "ponyo-2008"]),
    ("spirited-away-2001", ["howls-moving-castle-2004", "princess-mononoke-1997", "my-neighbor-totoro-1988",
                            "kikis-delivery-service-1989"]),
    ("your-name-2016", ["weathering-with-you-2019", "suzume-2022", "a-silent-voice-2016"]),
    ("blade-runner-1982", ["blade-runner-2049-2017", "alien-1979", "ghost-in-the-shell-1995", "the-matrix-1999"]),
    ("arrival-2016", ["interstellar-2014", "contact-1997", "annihilation-2018", "dune-2021", "enemy-2013"]),
    ("interstellar-2014", ["gravity-2013", "the-martian-2015", "2001-a-space-odyssey-1968", "inception-2010"]),
    ("dune-2021", ["dune-part-two-2024", "blade-runner-2049-2017", "arrival-2016"]),
    ("the-matrix-1999", ["the-matrix-reloaded-2003", "dark-city-1998", "equilibrium-2002", "blade-runner-1982"]),
    ("inception-2010", ["the-prestige-2006", "memento-2000", "tenet-2020", "interstellar-2014"]),
    ("jaws-1975", ["jurassic-park-1993", "close-encounters-of-the-third-kind-1977", "the-shallows-2016",
                   "jaws-2-1978"]),
    ("raiders-of-the-lost-ark-1981", ["indiana-jones-and-the-last-crusade-1989",
                                      "indiana-jones-and-the-temple-of-doom-1984", "the-mummy-1999"]),
    ("the-terminator-1984", ["terminator-2-judgment-day-1991", "aliens-1986", "robocop-1987"]),
    ("die-hard-1988", ["lethal-weapon-1987", "die-hard-2-1990", "die-hard-with-a-vengeance-1995", "speed-1994"]),
    ("mad-max-fury-road-2015", ["mad-max-2-1981", "furiosa-a-mad-max-saga-2024", "mad-max-1979"]),
    ("the-raid-2011", ["the-raid-2-2014", "dredd-2012", "john-wick-2014"]),
    ("crouching-tiger-hidden-dragon-2000", ["hero-2002", "house-of-flying-daggers-2004", "the-assassin-2015"]),
    ("seven-samurai-1954", ["yojimbo-1961", "the-magnificent-seven-1960", "sanjuro-1962", "rashomon-1950"]),
    ("the-good-the-bad-and-the-ugly-1966", ["once-upon-a-time-in-the-west-1968", "for-a-few-dollars-more-1965",
                                           "a-fistful-of-dollars-1964"]),
    ("unforgiven-1992", ["true-grit-2010", "the-outlaw-josey-wales-1976", "once-upon-a-time-in-the-west-1968",
                         "3-10-to-yuma-2007"]),
    ("no-country-for-old-men-2007", ["fargo-1996", "blood-simple-1984", "hell-or-high-water-2016", "sicario-2015"]),
    ("groundhog-day-1993", ["ghostbusters-1984", "palm-springs-2020", "edge-of-tomorrow-2014"]),
    ("superbad-2007", ["the-hangover-2009", "booksmart-2019", "knocked-up-2007", "pineapple-express-2008"]),
    ("mean-girls-2004", ["clueless-1995", "heathers-1988", "easy-a-2010", "the-breakfast-club-1985"]),
    ("saving-private-ryan-1998", ["dunkirk-2017", "1917-2019", "platoon-1986", "band-of-brothers",
                                  "hacksaw-ridge-2016"]),
    ("apocalypse-now-1979", ["platoon-1986", "full-metal-jacket-1987", "the-deer-hunter-1978"]),
    ("the-social-network-2010", ["steve-jobs-2015", "moneyball-2011", "spotlight-2015", "zodiac-2007"]),
    ("spotlight-2015", ["all-the-presidents-men-1976", "the-post-2017", "she-said-2022"]),
    ("seven-1995", ["zodiac-2007", "the-silence-of-the-lambs-1991", "prisoners-2013", "memories-of-murder-2003"]),
    ("knives-out-2019", ["glass-onion-a-knives-out-mystery-2022", "murder-on-the-orient-express-1974",
                         "clue-1985", "gosford-park-2001"]),
    ("the-dark-knight-2008", ["batman-begins-2005", "the-dark-knight-rises-2012", "the-batman-2022", "joker-2019"]),
    ("avengers-endgame-2019", ["avengers-infinity-war-2018", "the-avengers-2012", "avengers-age-of-ultron-2015"]),
    ("rocky-1976", ["creed-2015", "rocky-ii-1979", "raging-bull-1980"]),
    ("city-of-god-2002", ["goodfellas-1990", "elite-squad-2007", "amores-perros-2000", "pixote-1980"]),
    ("pans-labyrinth-2006", ["the-shape-of-water-2017", "the-devils-backbone-2001", "crimson-peak-2015"]),
    ("rrr-2022", ["baahubali-the-beginning-2015", "baahubali-2-the-conclusion-2017", "kgf-chapter-2-2022"]),
    ("dangal-2016", ["3-idiots-2009", "lagaan-2001", "pk-2014", "bhaag-milkha-bhaag-2013", "chak-de-india-2007"]),
    ("the-grand-budapest-hotel-2014", ["moonrise-kingdom-2012", "fantastic-mr-fox-2009", "isle-of-dogs-2018",
                                       "the-royal-tenenbaums-2001"]),
    ("paddington-2014", ["paddington-2-2017", "paddington-in-peru-2024"]),
    ("shaun-of-the-dead-2004", ["hot-fuzz-2007", "the-worlds-end-2013", "zombieland-2009"]),
    ("drive-2011", ["nightcrawler-2014", "baby-driver-2017", "thief-1981", "only-god-forgives-2013"]),
    ("the-conjuring-2013", ["the-conjuring-2-2016", "insidious-2010", "annabelle-2014"]),
    ("nosferatu-2024", ["nosferatu-1922", "nosferatu-the-vampyre-1979", "the-witch-2015", "bram-stokers-dracula-1992"]),
    ("oceans-eleven-2001", ["oceans-twelve-2004", "oceans-thirteen-2007", "the-italian-job-1969",
                            "the-sting-1973", "inside-man-2006"]),
    ("amelie-2001", ["delicatessen-1991", "the-city-of-lost-children-1995", "chocolat-2000",
                     "the-grand-budapest-hotel-2014"]),
    ("sinners-2025", ["from-dusk-till-dawn-1996", "nosferatu-2024", "black-panther-2018", "creed-2015"]),
]

ORDER = [
    ("parasite-2019", "memories-of-murder-2003", "shiri-1999"),
    ("the-matrix-1999", "the-matrix-reloaded-2003", "mystic-river-2003"),
    ("heat-1995", "collateral-2004", "the-godfather-1972"),
    ("ballerina-2023", "john-wick-2014", "the-godfather-1972"),
    ("kill-bill-volume-1-2003", "kill-bill-volume-2-2004", "pulp-fiction-1994"),
    ("toy-story-1995", "toy-story-2-1999", "shrek-2001"),
    ("alien-1979", "aliens-1986", "2001-a-space-odyssey-1968"),
    ("spirited-away-2001", "howls-moving-castle-2004", "the-lion-king-1994"),
    ("the-shining-1980", "the-exorcist-1973", "full-metal-jacket-1987"),
    ("before-sunrise-1995", "before-sunset-2004", "the-notebook-2004"),
    ("train-to-busan-2016", "28-days-later-2002", "the-host-2006"),
    ("goodfellas-1990", "casino-1995", "taxi-driver-1976"),
    ("no-country-for-old-men-2007", "fargo-1996", "the-big-lebowski-1998"),
    ("la-la-land-2016", "singin-in-the-rain-1952", "the-notebook-2004"),
]

NEVER = [
    ("the-matrix-1999", "mystic-river-2003"),
    ("spirited-away-2001", "g-i-joe-the-movie-1987"),
    ("parasite-2019", "shiri-1999"),
    ("toy-story-1995", "the-texas-chain-saw-massacre-1974"),
    ("schindlers-list-1993", "the-hangover-2009"),
    ("finding-nemo-2003", "the-shining-1980"),
    ("anora-2024", "brother-1997"),
]

VERY = [
    ("top-gun-maverick-2022", "top-gun-1986"),
    ("toy-story-1995", "toy-story-2-1999"),
    ("the-godfather-1972", "the-godfather-part-ii-1974"),
    ("before-sunrise-1995", "before-sunset-2004"),
    ("kill-bill-volume-1-2003", "kill-bill-volume-2-2004"),
    ("john-wick-2014", "john-wick-chapter-4-2023"),
    ("dune-2021", "dune-part-two-2024"),
    ("paddington-2014", "paddington-2-2017"),
    ("the-raid-2011", "the-raid-2-2014"),
    ("mad-max-fury-road-2015", "furiosa-a-mad-max-saga-2024"),
]


@pytest.fixture(scope="module")
def engine() -> SimilarityEngine:
    dataset = load_dataset()
    tag_facets, facet_weights = vocabulary_maps(dataset.vocabulary)
    return SimilarityEngine(Catalog(dataset.films.values(), dataset.links, tag_facets, facet_weights))


def _known(engine: SimilarityEngine, *ids: str) -> list[str]:
    return [i for i in ids if engine.catalog.get(i) is not None]


def test_the_table_is_big_enough_and_names_real_films(engine: SimilarityEngine) -> None:
    assert len(TOP10) + len(ORDER) + len(NEVER) + len(VERY) >= 60
    for film, _ in TOP10:
        assert engine.catalog.get(film) is not None, film
    for row in [*ORDER, *NEVER, *VERY]:
        assert _known(engine, *row) == list(row), row


# The engine answers from the data it has: a classic without tags, a film without genres, can miss an
# expectation a film buff would meet. The table is a measure: this share of it must hold, and the test
# prints what did not, so a change that makes answers worse fails and one that makes them better shows.
TOP10_MUST_HOLD = 0.88


def test_top_ten_holds_an_expected_film(engine: SimilarityEngine, capsys: pytest.CaptureFixture[str]) -> None:
    misses = []
    for film, expected in TOP10:
        top = [s.film.id for s in engine.similar(film, 10)]
        wanted = _known(engine, *expected)
        assert wanted, f"none of {expected} is in the catalogue"
        if not set(top) & set(wanted):
            misses.append(f"{film}: top 10 {top} has none of {wanted}")
    held = 1 - len(misses) / len(TOP10)
    with capsys.disabled():
        print(f"\nTOP10 expectations held: {len(TOP10) - len(misses)}/{len(TOP10)}")
        for miss in misses:
            print("  missed:", miss)
    assert held >= TOP10_MUST_HOLD, misses


# Orderings are closer calls than a top ten (is Train to Busan nearer 28 Days Later or The Host?): the
# same rule as TOP10, a share that must hold, and the misses printed.
ORDER_MUST_HOLD = 0.85


def test_scores_are_ordered(engine: SimilarityEngine, capsys: pytest.CaptureFixture[str]) -> None:
    misses = [f"{film}: {closer} {engine.score(film, closer)} is not above {further} {engine.score(film, further)}"
              for film, closer, further in ORDER if not engine.pair_score(film, closer) > engine.pair_score(film, further)]
    with capsys.disabled():
        print(f"\nORDER expectations held: {len(ORDER) - len(misses)}/{len(ORDER)}")
        for miss in misses:
            print("  missed:", miss)
    assert 1 - len(misses) / len(ORDER) >= ORDER_MUST_HOLD, misses


@pytest.mark.parametrize("a, b", NEVER, ids=[f"{a}~{b}" for a, b in NEVER])
def test_unrelated_films_never_meet(engine: SimilarityEngine, a: str, b: str) -> None:
    assert b not in [s.film.id for s in engine.similar(a, 10)]
    assert a not in [s.film.id for s in engine.similar(b, 10)]


@pytest.mark.parametrize("a, b", VERY, ids=[f"{a}~{b}" for a, b in VERY])
def test_sequels_and_companions_are_very_alike(engine: SimilarityEngine, a: str, b: str) -> None:
    assert engine.score(a, b) >= 70, (engine.score(a, b), engine.likeness(a, b))


@pytest.mark.parametrize("count", [10, 50])
def test_skipping_genre_only_films_never_changes_a_list(engine: SimilarityEngine, count: int) -> None:
    """`ranked` scores films that share only genres just when they could reach the list: its lists must
    be exactly those of ranking every film's score (`scores`), on films spread over the catalogue."""
    arrays = engine.arrays
    cap = engine.weights.same_series_in_a_list
    for film_id in arrays.ids[::211]:
        percent = np.rint(engine.scores(film_id) * 100).astype(int)
        rows = np.flatnonzero(percent > 0)
        order = rows[np.lexsort((rows, -arrays.prior[rows], -percent[rows]))]
        own, same, expected = arrays.series[arrays.rows[film_id]], 0, []
        for row in order.tolist():
            if len(expected) == count:
                break
            if own is not None and arrays.series[row] == own:
                same += 1
                if same > cap:
                    continue
            expected.append((arrays.ids[row], int(percent[row])))
        assert [(f.id, s) for f, s in engine.ranked(film_id, count)] == expected[:count], film_id


def test_the_genre_only_ceiling_is_never_below_a_score(engine: SimilarityEngine) -> None:
    arrays = engine.arrays
    genre = arrays.families["genre"]
    closest = 1.0
    for film_id in arrays.ids[::211]:
        exact = engine.scores(film_id)
        row, dots, linked = engine._overlaps(film_id)
        rows = np.flatnonzero((dots["genre"] > 0) & ~telling_evidence(dots, linked))
        likeness = genre.informed_cosine(row, dots["genre"][rows], engine.weights.genre_mass, rows)
        ceiling = genre_only_ceiling(likeness, engine._pair_prior(row, rows), engine.weights)
        assert (ceiling >= exact[rows]).all(), film_id
        closest = min([closest, *(ceiling - exact[rows]).tolist()])
    assert closest < 0.01  # and tight: some pair reaches it
