"""A small hand-made catalogue for the discovery engine tests (search, similarity, /watch).

Facts (years, runtimes, credits) are real; tags follow bot/data/vocabulary.toml;
link reasons and scores are written for the tests.
"""
from __future__ import annotations

import random
import tomllib
from pathlib import Path

from bot.domain.catalog import Catalog, vocabulary_maps
from bot.domain.models import Availability, Film, Link, Score

VOCABULARY = Path(__file__).resolve().parent.parent / "bot" / "data" / "vocabulary.toml"


def vocabulary() -> tuple[dict[str, str], dict[str, float]]:
    with open(VOCABULARY, "rb") as handle:
        return vocabulary_maps(tomllib.load(handle))


def stream(service: str, region: str = "US", kind: str = "subscription") -> Availability:
    return Availability(service, region, kind, "2025-06", "test")


def critics(value: int, count: int) -> tuple[Score, ...]:
    return (Score("critics", value, "Rotten Tomatoes", "2025-06", count),)


FILMS = [
    Film("ballerina-2023", "Ballerina", 2023, 92, ("Action", "Thriller"), ("Lee Chung-hyun",),
         ("Jeon Jong-seo", "Kim Ji-hoon", "Park Yu-rim"), ("Korean",), ("South Korea",), curated=True,
         tags=("revenge", "crime-underworld", "female-lead", "professional", "lone-wolf", "stylised-violence",
               "choreographed-fights", "neon", "relentless", "thrilling", "cathartic", "style-over-substance",
               "simple-premise", "dialogue-light", "standalone", "graphic-violence", "drug-use"),
         scores=critics(87, 15), availability=(stream("netflix"), stream("netflix", "GB")), popularity=2.2),
    Film("ballerina-2025", "Ballerina", 2025, 125, ("Action", "Thriller"), ("Len Wiseman",),
         ("Ana de Armas", "Keanu Reeves", "Ian McShane"), ("English",), ("United States",), curated=True,
         tags=("revenge", "assassins", "female-lead", "professional", "choreographed-fights", "gunplay",
               "stylised-violence", "thrilling", "lore-heavy", "franchise-entry", "graphic-violence"),
         aliases=("From the World of John Wick: Ballerina",), notes="From the World of John Wick",
         scores=critics(76, 250), availability=(stream("prime-video", kind="rent"),), popularity=3.3),
    Film("john-wick-2014", "John Wick", 2014, 101, ("Action", "Thriller"), ("Chad Stahelski", "David Leitch"),
         ("Keanu Reeves", "Michael Nyqvist", "Alfie Allen", "Willem Dafoe", "Ian McShane"), ("English",),
         ("United States",), curated=True,
         tags=("revenge", "assassins", "crime-underworld", "male-lead", "professional", "lone-wolf", "gunplay",
               "choreographed-fights", "stylised-violence", "neon", "fast", "thrilling", "cathartic",
               "lore-heavy", "dialogue-light", "graphic-violence"),
         scores=critics(86, 190), availability=(stream("peacock"), stream("netflix", "GB")), popularity=3.3),
    Film("kill-bill-volume-1-2003", "Kill Bill: Volume 1", 2003, 111, ("Action", "Crime", "Thriller"),
         ("Quentin Tarantino",), ("Uma Thurman", "Lucy Liu", "Vivica A. Fox", "Daryl Hannah", "David Carradine"),
         ("English", "Japanese"), ("United States",), curated=True,
         tags=("revenge", "assassins", "martial-arts", "female-lead", "professional", "stylised-violence",
               "choreographed-fights", "chapters", "non-linear", "pastiche", "thrilling", "cathartic",
               "style-over-substance", "franchise-entry", "graphic-violence"),
         aliases=("Kill Bill Vol. 1",), scores=critics(85, 220), availability=(stream("netflix"),), popularity=3.3),
    Film("kill-bill-volume-2-2004", "Kill Bill: Volume 2", 2004, 137, ("Action", "Crime", "Thriller"),
         ("Quentin Tarantino",), ("Uma Thurman", "David Carradine", "Michael Madsen", "Daryl Hannah"),
         ("English",), ("United States",), curated=True,
         tags=("revenge", "assassins", "martial-arts", "female-lead", "chapters", "non-linear", "pastiche",
               "slow-burn", "dialogue-driven", "cathartic", "franchise-entry", "graphic-violence"),
         aliases=("Kill Bill Vol. 2",), scores=critics(84, 230), availability=(stream("netflix"),), popularity=3.3),
    Film("mad-max-fury-road-2015", "Mad Max: Fury Road", 2015, 120, ("Action", "Adventure", "Sci-Fi"),
         ("George Miller",), ("Tom Hardy", "Charlize Theron", "Nicholas Hoult"), ("English",),
         ("Australia", "United States"), curated=True,
         tags=("survival", "chase", "post-apocalyptic", "rescue", "ensemble", "car-action", "practical-stunts",
               "relentless", "thrilling", "epic", "cathartic", "dialogue-light", "simple-premise",
               "visually-lavish", "graphic-violence"),
         scores=critics(97, 400), availability=(stream("max"),), popularity=3.6),
    Film("toy-story-1995", "Toy Story", 1995, 81, ("Animation", "Adventure", "Comedy", "Family"),
         ("John Lasseter",), ("Tom Hanks", "Tim Allen", "Don Rickles"), ("English",), ("United States",),
         curated=True,
         tags=("friendship", "found-family", "computer-animated", "duo", "funny", "heartfelt", "feel-good",
               "fast", "standalone", "family-friendly"),
         scores=critics(100, 90), availability=(stream("disney-plus"),), popularity=2.9),
    Film("toy-story-2-1999", "Toy Story 2", 1999, 92, ("Animation", "Adventure", "Comedy", "Family"),
         ("John Lasseter", "Ash Brannon", "Lee Unkrich"), ("Tom Hanks", "Tim Allen", "Joan Cusack"),
         ("English",), ("United States",), curated=True,
         tags=("friendship", "found-family", "rescue", "computer-animated", "duo", "funny", "heartfelt",
               "feel-good", "fast", "franchise-entry", "family-friendly"),
         scores=critics(100, 170), availability=(stream("disney-plus"),), popularity=3.2),
    Film("oldboy-2003", "Oldboy", 2003, 120, ("Action", "Drama", "Mystery", "Thriller"), ("Park Chan-wook",),
         ("Choi Min-sik", "Yoo Ji-tae", "Kang Hye-jung"), ("Korean",), ("South Korea",), curated=True,
         tags=("revenge", "mystery-puzzle", "male-lead", "antihero", "twisty", "bleak", "unsettling",
               "long-takes", "choreographed-fights", "graphic-violence"),
         scores=critics(82, 160), availability=(stream("netflix", "GB"),), popularity=3.2),
    Film("oldboy-2013", "Oldboy", 2013, 104, ("Action", "Drama", "Mystery"), ("Spike Lee",),
         ("Josh Brolin", "Elizabeth Olsen", "Sharlto Copley"), ("English",), ("United States",),
         scores=critics(39, 180), popularity=2.3),
    Film("the-raid-2011", "The Raid", 2011, 101, ("Action", "Thriller"), ("Gareth Evans",),
         ("Iko Uwais", "Joe Taslim", "Yayan Ruhian"), ("Indonesian",), ("Indonesia",),
         aliases=("The Raid: Redemption",), scores=critics(86, 160), popularity=2.2),
    Film("amelie-2001", "Amélie", 2001, 122, ("Comedy", "Romance"), ("Jean-Pierre Jeunet",),
         ("Audrey Tautou", "Mathieu Kassovitz"), ("French",), ("France",),
         aliases=("Le Fabuleux Destin d'Amélie Poulain",), scores=critics(89, 170), popularity=2.2),
    Film("spider-man-2002", "Spider-Man", 2002, 121, ("Action", "Adventure", "Fantasy"), ("Sam Raimi",),
         ("Tobey Maguire", "Kirsten Dunst", "Willem Dafoe"), ("English",), ("United States",),
         scores=critics(90, 250), popularity=2.4),
    Film("heat-1995", "Heat", 1995, 170, ("Action", "Crime", "Drama"), ("Michael Mann",),
         ("Al Pacino", "Robert De Niro", "Val Kilmer"), ("English",), ("United States",),
         scores=critics(83, 80), availability=(stream("netflix"),), popularity=1.9),
    # Base-only dramas for the "a curated link beats a shared common genre" check.
    Film("quiet-days-1990", "Quiet Days", 1990, 95, ("Drama",), ("Ann Example",), ("Cal Person",),
         ("English",), ("United States",), popularity=0.5),
    Film("long-summer-1991", "Long Summer", 1991, 97, ("Drama",), ("Bo Example",), ("Dee Person",),
         ("English",), ("United States",), popularity=0.5),
    Film("paper-river-1970", "Paper River", 1970, 130, ("Comedy",), ("Cy Example",), ("Eve Person",),
         ("English",), ("United States",), popularity=0.5),
]

LINKS = [
    Link("ballerina-2023", "kill-bill-volume-1-2003",
         "A woman cuts through a criminal gang to settle a score, and the fights are the point."),
    Link("ballerina-2023", "john-wick-2014", "A lone professional, a revenge mission and choreographed carnage."),
    Link("quiet-days-1990", "paper-river-1970", "Two quiet portraits of a small town (test link)."),
]

# Enough padding that document frequencies look like a real catalogue: common genres
# and English/US are common, a shared director or rare tag is not.
PADDING_GENRES = ["Drama", "Comedy", "Romance", "Drama", "Horror", "Documentary", "Crime", "Drama"]


def padding_films(count: int = 120, seed: int = 7) -> list[Film]:
    rng = random.Random(seed)
    films = []
    for i in range(count):
        genres = tuple(dict.fromkeys(rng.sample(PADDING_GENRES, rng.randint(1, 2))))
        films.append(Film(
            f"filler-{i}", f"Filler Story {i}", rng.randint(1950, 2014), rng.randint(80, 150), genres,
            (f"Director {i}",), (f"Actor {i}", f"Actor {i + 1}"), ("English",), ("United States",),
            popularity=rng.random() * 1.5))
    return films


def make_catalog(extra: list[Film] = (), links: list[Link] = LINKS) -> Catalog:
    tag_facets, facet_weights = vocabulary()
    return Catalog([*FILMS, *padding_films(), *extra], links, tag_facets, facet_weights)
