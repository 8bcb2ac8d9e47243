"""/watch: pick a few films that satisfy every filter, and say why.

Filters are hard constraints (a 90-minute limit never returns a 95-minute film or one of unknown length;
a genre means a primary genre; a mood means a curated mood tag). Within what passes, films are ranked by
fit (likeness to `like`, when given) times quality (critics score, popularity, curation), lightly
shuffled by the seed and spread out so one director, franchise or genre cluster does not take every
slot. When nothing passes, the result names the filter that emptied the list and the nearest relaxations
that would not. Every step works on the catalogue's arrays (`bot.domain.vectors`): one boolean mask per
filter, one score per film.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.domain.catalog import Catalog, key_of, service_key
from bot.domain.models import Film
from bot.domain.reasons import Reason, plural, tag_label
from bot.domain.similarity import SimilarityEngine
from bot.domain.vectors import FilmArrays, title_franchise

Mask = npt.NDArray[np.bool_]

FILTER_ORDER = ("mood", "genre", "service", "max_minutes", "country", "era")
COUNTRY_ALIASES = {
    "us": "united states", "usa": "united states", "america": "united states",
    "united states of america": "united states", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "korea": "south korea", "republic of korea": "south korea",
}
SHORTLIST = 200
JITTER = 0.06  # enough to vary near-ties between seeds, never enough to bury a clearly better film
PENALTY_DIRECTOR = 0.35
PENALTY_FRANCHISE = 0.35
PENALTY_SAME_GENRES = 0.12
PENALTY_SAME_LEAD_GENRE = 0.04
SECOND_NOTE = 0.8  # the asked mood or genre is the film's second note, not its first


@dataclass(frozen=True, slots=True)
class WatchQuery:
    mood: str | None = None
    genre: str | None = None
    service: str | None = None  # one service key (kept for callers that filter on a single service)
    max_minutes: int | None = None
    like: str | None = None  # film id
    country: str | None = None
    era: int | None = None  # decade start, e.g. 1990
    region: str = "US"
    count: int = 3
    exclude: frozenset[str] = frozenset()  # films the user has seen
    seed: int = 0
    batch: int = 0  # 0, 1, 2...: "another batch" never repeats an earlier batch's picks
    services: tuple[str, ...] = ()  # any of these services (the user's or the server's saved ones)

    @property
    def wanted_services(self) -> tuple[str, ...]:
        return (self.service,) if self.service else self.services


@dataclass(frozen=True, slots=True)
class Pick:
    film: Film
    reasons: list[Reason]


@dataclass(frozen=True, slots=True)
class Relaxation:
    filter_name: str
    description: str
    count_after: int


@dataclass(slots=True)
class WatchResult:
    picks: list[Pick]
    emptied_by: str | None = None
    relaxations: list[Relaxation] = field(default_factory=list)
    matched: int = 0  # films passing every filter (before batching)


def recommend(catalog: Catalog, engine: SimilarityEngine, query: WatchQuery) -> WatchResult:
    arrays = engine.arrays
    masks = _filters(catalog, arrays, query)
    removed = _removed(arrays, query)
    pool, emptied_by = _apply(masks)
    if pool is not None and not pool.any():
        return WatchResult([], emptied_by, _relaxations(catalog, arrays, query, masks, removed))
    candidates = ~removed if pool is None else pool & ~removed
    if not candidates.any():
        assert pool is not None  # with no filter, nothing but the user's own seen films could be removed
        seen = int((pool & removed).sum())
        relaxations = ([Relaxation("exclude", f"include films you've seen → {plural(seen, 'film')}", seen)]
                       if seen else [])
        return WatchResult([], "exclude", relaxations)
    ranked = _rank(catalog, engine, arrays, query, candidates)
    picks = _diverse(ranked, query)
    if query.like and query.like in arrays.rows:
        # Shown as "N% like X": in that order (diversity chose which films, not where they stand).
        like = query.like
        picks.sort(key=lambda film: -engine.score(like, film.id))
    return WatchResult([Pick(film, _reasons(catalog, engine, query, film)) for film in picks], None, [],
                       int(candidates.sum()))


# ---------------------------------------------------------------------- filtering

def _filters(catalog: Catalog, arrays: FilmArrays, query: WatchQuery) -> list[tuple[str, Mask]]:
    out = []
    for name in FILTER_ORDER:
        if name == "service":
            services = query.wanted_services
            if services:
                mask = np.zeros(arrays.n, bool)
                for service in services:
                    mask |= arrays.mask(catalog, "service", service_key(service, query.region))
                out.append((name, mask))
            continue
        value = getattr(query, name)
        if value is None or value == "":
            continue
        if name == "mood":
            out.append((name, arrays.mask(catalog, "tag", key_of(value))))
        elif name == "genre":
            out.append((name, arrays.mask(catalog, "genre", key_of(value))))
        elif name == "max_minutes":
            out.append((name, _at_most(arrays, int(value))))
        elif name == "country":
            out.append((name, arrays.mask(catalog, "country", _country_key(value))))
        elif name == "era":
            out.append((name, _decade(arrays, int(value))))
    return out


def _at_most(arrays: FilmArrays, limit: int) -> Mask:
    """The max_minutes test: a known runtime of at most `limit` minutes."""
    result: Mask = (arrays.runtime > 0) & (arrays.runtime <= limit)
    return result


def _decade(arrays: FilmArrays, era: int) -> Mask:
    start = era // 10 * 10
    result: Mask = (arrays.year >= start) & (arrays.year < start + 10)
    return result


def _country_key(text: str) -> str:
    key = key_of(text)
    return COUNTRY_ALIASES.get(key, key)


def _removed(arrays: FilmArrays, query: WatchQuery) -> Mask:
    removed = np.zeros(arrays.n, bool)
    for fid in (*query.exclude, *((query.like,) if query.like else ())):
        row = arrays.rows.get(fid)
        if row is not None:
            removed[row] = True
    return removed


def _apply(masks: list[tuple[str, Mask]]) -> tuple[Mask | None, str | None]:
    """Films passing every filter (None: no filter, i.e. everything) and the filter that emptied them."""
    pool: Mask | None = None
    for name, mask in masks:
        pool = mask.copy() if pool is None else pool & mask
        if not pool.any():
            return pool, name
    return pool, None


def _count(masks: list[tuple[str, Mask]], removed: Mask) -> int:
    pool, _ = _apply(masks)
    return int((~removed).sum() if pool is None else (pool & ~removed).sum())


def _relaxations(catalog: Catalog, arrays: FilmArrays, query: WatchQuery, masks: list[tuple[str, Mask]],
                 removed: Mask) -> list[Relaxation]:
    gentle: list[Relaxation] = []
    drops: list[Relaxation] = []
    for name, _ in masks:
        others = [(n, m) for n, m in masks if n != name]
        # A filter is there only for a query field that is set, so max_minutes and era are not None below.
        if name == "max_minutes" and query.max_minutes is not None:
            pool, _ = _apply(others)
            longer = (arrays.runtime > query.max_minutes) & ~removed
            if pool is not None:
                longer &= pool
            if longer.any():
                limit = int(math.ceil(int(arrays.runtime[longer].min()) / 5.0) * 5)
                n = _count(others + [("max_minutes", _at_most(arrays, limit))], removed)
                if n:
                    gentle.append(Relaxation("max_minutes", f"allow up to {limit} min → {plural(n, 'film')}", n))
        if name == "era" and query.era is not None:
            best: tuple[int, int] | None = None
            for era in (query.era - 10, query.era + 10):
                n = _count(others + [("era", _decade(arrays, era))], removed)
                if n and (best is None or n > best[1]):
                    best = (era, n)
            if best:
                gentle.append(Relaxation("era", f"try the {best[0]}s → {plural(best[1], 'film')}", best[1]))
        n = _count(others, removed)
        if n:
            drops.append(Relaxation(name, f"drop {name.replace('_', ' ')} → {plural(n, 'film')}", n))
    drops.sort(key=lambda r: -r.count_after)
    return gentle + drops


# ---------------------------------------------------------------------- ranking

def quality(catalog: Catalog, film: Film) -> float:
    """0-1: critics (shrunk towards average when few reviews), popularity and curation."""
    critics = 0.55
    score = film.score("critics") or film.score("metacritic") or film.score("audience")
    if score is not None:
        n = score.count if score.count is not None else 10
        critics = (score.value / 100.0 * n + 0.55 * 5) / (n + 5)
    prior = min(1.0, catalog.prior(film.id) / 1.35)
    return 0.6 * critics + 0.4 * prior


def qualities(catalog: Catalog, arrays: FilmArrays) -> npt.NDArray[np.float32]:
    """`quality` of every film, by array row (computed once per catalogue version)."""
    return arrays.cached("quality", lambda: np.array([quality(catalog, f) for f in arrays.films], np.float32))


def _rank(catalog: Catalog, engine: SimilarityEngine, arrays: FilmArrays, query: WatchQuery,
          candidates: Mask) -> list[tuple[float, Film]]:
    # One draw per film, in row order, from a generator seeded by the query: the same query and seed
    # give the same list in any process.
    key = (f"{query.seed}|{query.mood}|{query.genre}|{query.wanted_services}|{query.max_minutes}|{query.like}|"
           f"{query.country}|{query.era}|{query.region}")
    jitter = np.random.default_rng(zlib.crc32(key.encode())).uniform(0.0, JITTER, arrays.n).astype(np.float32)
    value = qualities(catalog, arrays)
    # A film whose first mood (or lead genre) is the one asked for fits it better than one where it is a
    # second note: Rear Window is tense first and funny second.
    if query.mood:
        value = value * np.where(_leads_with(catalog, arrays, "mood", key_of(query.mood)), 1.0, SECOND_NOTE)
    if query.genre:
        value = value * np.where(_leads_with(catalog, arrays, "genre", key_of(query.genre)), 1.0, SECOND_NOTE)
    if query.like and query.like in arrays.rows:
        fits = engine.scores(query.like)
        # Likeness comes first: a great film that is nothing like `like` is no answer.
        value = fits * (0.4 + 0.6 * value)
        candidates = candidates & (fits > 0)
    value = np.where(candidates, value + jitter, -np.inf)
    count = int(candidates.sum())
    top = np.argpartition(-value, min(SHORTLIST, count) - 1)[:min(SHORTLIST, count)] if count else np.array([], int)
    order = top[np.lexsort((top, -value[top]))]  # rows are in id order: ties by id
    return [(float(value[i]), arrays.films[i]) for i in order]


def _leads_with(catalog: Catalog, arrays: FilmArrays, kind: str, key: str) -> Mask:
    """Films whose first mood tag (kind "mood") or first primary genre (kind "genre") is `key` (cached)."""
    def firsts() -> npt.NDArray[np.object_]:
        # Once per kind: each new mood or genre is then one vectorised comparison, not a pass over every
        # film's tags in Python (which made a query's first use of a mood cost 25-60 ms).
        if kind == "genre":
            keys = [key_of(f.genres[0]) if f.genres else "" for f in arrays.films]
        else:
            keys = [next((key_of(t) for t in f.tags if catalog.facet_of(t) == "mood"), "") for f in arrays.films]
        return np.array(keys, dtype=object)

    def build() -> Mask:
        return np.asarray(arrays.cached(f"leads:{kind}", firsts) == key, dtype=bool)

    return arrays.cached(f"leads:{kind}:{key}", build)


def franchise_key(film: Film) -> str:
    """'John Wick: Chapter 2' and 'Toy Story 3' -> 'john wick', 'toy story' (its series, when recorded)."""
    return key_of(film.series) if film.series else title_franchise(film.title)


def _diverse(ranked: list[tuple[float, Film]], query: WatchQuery) -> list[Film]:
    """Greedy MMR over the shortlist; returns the slice for `query.batch`."""
    wanted = query.count * (query.batch + 1)
    # Each candidate's diversity keys, computed once: the loop below revisits every candidate per pick.
    remaining = []
    for value, film in ranked:
        genres = frozenset(key_of(g) for g in film.genres)
        lead = key_of(film.genres[0]) if film.genres else None
        remaining.append((value, film, frozenset(key_of(d) for d in film.directors), franchise_key(film), genres, lead))
    chosen: list[Film] = []
    directors: set[str] = set()
    franchises: set[str] = set()
    genre_sets: set[frozenset[str]] = set()
    lead_genres: list[str] = []
    while remaining and len(chosen) < wanted:
        best_index, best_value = 0, -math.inf
        for index, (value, _film, film_directors, franchise, genres, lead) in enumerate(remaining):
            penalty = 0.0
            if not film_directors.isdisjoint(directors):
                penalty += PENALTY_DIRECTOR
            if franchise in franchises:
                penalty += PENALTY_FRANCHISE
            if genres and genres in genre_sets:
                penalty += PENALTY_SAME_GENRES
            if lead is not None:
                penalty += PENALTY_SAME_LEAD_GENRE * lead_genres.count(lead)
            if value - penalty > best_value:
                best_index, best_value = index, value - penalty
        _, film, film_directors, franchise, genres, lead = remaining.pop(best_index)
        chosen.append(film)
        directors.update(film_directors)
        franchises.add(franchise)
        if lead is not None:
            genre_sets.add(genres)
            lead_genres.append(lead)
    return chosen[query.batch * query.count:]


# ---------------------------------------------------------------------- reasons

def _reasons(catalog: Catalog, engine: SimilarityEngine, query: WatchQuery, film: Film) -> list[Reason]:
    reasons: list[Reason] = []
    if query.mood:
        tag = next(t for t in film.tags if key_of(t) == key_of(query.mood))
        reasons.append(Reason("mood", f"Mood: {tag_label(tag)}", {"mood": tag}))
    if query.genre:
        genre = next(g for g in film.genres if key_of(g) == key_of(query.genre))
        reasons.append(Reason("genre", f"Genre: {genre}", {"genres": [genre]}))
    if query.country:
        country = next(c for c in film.countries if key_of(c) == _country_key(query.country))
        reasons.append(Reason("country", f"From {country}", {"countries": [country]}))
    if query.era is not None and film.year:
        reasons.append(Reason("era", f"From the {film.year // 10 * 10}s ({film.year})",
                              {"year": film.year, "era": film.year // 10 * 10}))
    if film.runtime:
        text = f"{film.runtime} min"
        if query.max_minutes:
            text += f" (within your {query.max_minutes})"
        reasons.append(Reason("runtime", text, {"runtime": film.runtime, "max_minutes": query.max_minutes}))
    region = query.region.upper()
    offers = list(film.streams_in(region))
    if query.wanted_services:
        wanted = {key_of(service) for service in query.wanted_services}
        offers = [a for a in offers if key_of(a.service) in wanted]
    rank = {"subscription": 0, "free": 1, "rent": 2, "buy": 3}
    offers.sort(key=lambda a: (rank.get(a.kind, 9), a.service))
    for offer in offers[:2]:
        name = catalog.service_name(offer.service)
        reasons.append(Reason("service", f"On {name} ({offer.kind}, {offer.region}, checked {offer.checked})",
                              {"service": offer.service, "region": offer.region, "kind": offer.kind,
                               "checked": offer.checked, "source": offer.source}))
    score = film.score("critics") or film.score("metacritic") or film.score("audience")
    if score is not None:
        label = {"critics": "critics", "audience": "audience", "metacritic": "Metacritic"}.get(score.kind, score.kind)
        when = f", {score.as_of}" if score.as_of else ""
        count = f" of {score.count} reviews" if score.count else ""
        reasons.append(Reason("score", f"{score.value}% {label}{count} ({score.source}{when})",
                              {"kind": score.kind, "value": score.value, "source": score.source,
                               "as_of": score.as_of, "count": score.count}))
    if query.like and query.like in catalog:
        like = catalog.films[query.like]
        reasons.append(Reason("like", f"{engine.score(like.id, film.id)}% like {like.title}",
                              {"film": like.id, "score": engine.score(like.id, film.id)}))
        reasons.extend(engine.explain(like.id, film.id)[:2])
    return reasons
