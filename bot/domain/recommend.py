"""/watch: pick a few films that satisfy every filter, and say why.

Filters are hard constraints (a 90-minute limit never returns a 95-minute film
or one of unknown length). Within what passes, films are ranked by fit (likeness
to `like`, when given) times quality (critics score, popularity, curation),
lightly shuffled by the seed and spread out so one director, franchise or genre
cluster does not take every slot. When nothing passes, the result names the
filter that emptied the list and the nearest relaxations that would not.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bot.domain.catalog import Catalog, key_of, service_key
from bot.domain.models import Film
from bot.domain.reasons import Reason, plural, tag_label
from bot.domain.similarity import SimilarityEngine

FILTER_ORDER = ("mood", "genre", "service", "max_minutes", "country", "era")
COUNTRY_ALIASES = {
    "us": "united states", "usa": "united states", "america": "united states",
    "united states of america": "united states", "uk": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "korea": "south korea", "republic of korea": "south korea",
}
SHORTLIST = 200
JITTER = 0.06  # enough to vary near-ties between seeds, never enough to bury a clearly better film
LIKE_POOL_SCORED_DIRECTLY = 800
PENALTY_DIRECTOR = 0.35
PENALTY_FRANCHISE = 0.35
PENALTY_SAME_GENRES = 0.12
PENALTY_SAME_LEAD_GENRE = 0.04


@dataclass(frozen=True, slots=True)
class WatchQuery:
    mood: str | None = None
    genre: str | None = None
    service: str | None = None
    max_minutes: int | None = None
    like: str | None = None  # film id
    country: str | None = None
    era: int | None = None  # decade start, e.g. 1990
    region: str = "US"
    count: int = 3
    exclude: frozenset[str] = frozenset()  # films the user has seen
    seed: int = 0
    batch: int = 0  # 0, 1, 2...: "another batch" never repeats an earlier batch's picks


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


@dataclass(frozen=True, slots=True)
class _Filter:
    name: str
    postings: frozenset[str] | set[str] | None  # indexed filters: the ids that pass
    test: Callable[[Film], bool] | None = None  # unindexed filters


def recommend(catalog: Catalog, engine: SimilarityEngine, query: WatchQuery) -> WatchResult:
    filters = _filters(catalog, query)
    removed = set(query.exclude) | ({query.like} if query.like else set())
    pool, emptied_by = _apply(catalog, filters)
    if pool is not None and not pool:
        return WatchResult([], emptied_by, _relaxations(catalog, query, filters, removed))
    candidates: set[str] | None = None  # None: no filter given, every film qualifies
    if pool is not None:
        candidates = pool - removed
        if not candidates:
            seen = len(pool & set(query.exclude))
            relaxations = ([Relaxation("exclude", f"include films you've seen → {plural(seen, 'film')}", seen)]
                           if seen else [])
            return WatchResult([], "exclude", relaxations)
    ranked = _rank(catalog, engine, query, candidates, removed)
    matched = len(candidates) if candidates is not None else len(catalog) - sum(1 for fid in removed if fid in catalog)
    picks = _diverse(ranked, query)
    return WatchResult([Pick(film, _reasons(catalog, engine, query, film)) for film in picks], None, [], matched)


# ---------------------------------------------------------------------- filtering

def _filters(catalog: Catalog, query: WatchQuery) -> list[_Filter]:
    out = []
    for name in FILTER_ORDER:
        value = getattr(query, name)
        if value is None or value == "":
            continue
        if name == "mood":
            out.append(_Filter(name, catalog.postings("tag", key_of(value))))
        elif name == "genre":
            out.append(_Filter(name, catalog.postings("genre", key_of(value))))
        elif name == "service":
            out.append(_Filter(name, catalog.postings("service", service_key(value, query.region))))
        elif name == "max_minutes":
            out.append(_Filter(name, None, _at_most(int(value))))
        elif name == "country":
            out.append(_Filter(name, catalog.postings("country", _country_key(value))))
        elif name == "era":
            out.append(_Filter(name, catalog.postings("decade", str(int(value) // 10 * 10))))
    return out


def _at_most(limit: int) -> Callable[[Film], bool]:
    """The max_minutes test: a known runtime of at most `limit` minutes."""
    return lambda f: f.runtime is not None and f.runtime <= limit


def _country_key(text: str) -> str:
    key = key_of(text)
    return COUNTRY_ALIASES.get(key, key)


def _apply(catalog: Catalog, filters: Iterable[_Filter]) -> tuple[set[str] | None, str | None]:
    """Ids passing every filter (None: no filter, i.e. everything) and the filter that emptied them."""
    pool: set[str] | None = None
    films = catalog.films
    for flt in filters:
        if flt.postings is not None:
            pool = set(flt.postings) if pool is None else pool & flt.postings
        elif flt.test is not None:
            test = flt.test
            source = films.values() if pool is None else (films[fid] for fid in pool)
            pool = {f.id for f in source if test(f)}
        else:
            raise TypeError(f"filter {flt.name!r} has neither postings nor a test")
        if not pool:
            return pool, flt.name
    return pool, None


def _count(catalog: Catalog, filters: list[_Filter], removed: set[str]) -> int:
    pool, _ = _apply(catalog, filters)
    if pool is None:
        return len(catalog) - sum(1 for fid in removed if fid in catalog)
    return len(pool - removed)


def _relaxations(catalog: Catalog, query: WatchQuery, filters: list[_Filter], removed: set[str]) -> list[Relaxation]:
    gentle: list[Relaxation] = []
    drops: list[Relaxation] = []
    for flt in filters:
        others = [f for f in filters if f is not flt]
        # A filter is there only for a query field that is set, so max_minutes and era are not None below.
        if flt.name == "max_minutes" and query.max_minutes is not None:
            pool, _ = _apply(catalog, others)
            source = catalog.films.values() if pool is None else (catalog.films[fid] for fid in pool)
            longer = [f.runtime for f in source
                      if f.runtime is not None and f.runtime > query.max_minutes and f.id not in removed]
            if longer:
                limit = int(math.ceil(min(longer) / 5.0) * 5)
                bumped = others + [_Filter("max_minutes", None, _at_most(limit))]
                n = _count(catalog, bumped, removed)
                if n:
                    gentle.append(Relaxation("max_minutes", f"allow up to {limit} min → {plural(n, 'film')}", n))
        if flt.name == "era" and query.era is not None:
            best: tuple[int, int] | None = None
            for era in (query.era - 10, query.era + 10):
                nearby = others + [_Filter("era", catalog.postings("decade", str(era)))]
                n = _count(catalog, nearby, removed)
                if n and (best is None or n > best[1]):
                    best = (era, n)
            if best:
                gentle.append(Relaxation("era", f"try the {best[0]}s → {plural(best[1], 'film')}", best[1]))
        n = _count(catalog, others, removed)
        if n:
            drops.append(Relaxation(flt.name, f"drop {flt.name.replace('_', ' ')} → {plural(n, 'film')}", n))
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


def _rank(catalog: Catalog, engine: SimilarityEngine, query: WatchQuery,
          candidates: set[str] | None, removed: set[str]) -> list[tuple[float, Film]]:
    films = catalog.films
    rng = random.Random(f"{query.seed}|{query.mood}|{query.genre}|{query.service}|{query.max_minutes}|"
                        f"{query.like}|{query.country}|{query.era}|{query.region}")
    fits: dict[str, float] = {}
    if query.like and query.like in films:
        if candidates is not None and len(candidates) <= LIKE_POOL_SCORED_DIRECTLY:
            ids = sorted(candidates)
            for fid in ids:
                fits[fid] = engine.score(query.like, fid) / 100.0
        else:
            allowed = candidates
            similar = engine.similar_scores(query.like, count=SHORTLIST,
                                     predicate=(lambda f: f.id in allowed) if allowed is not None else None,
                                     exclude=removed)
            fits = {film.id: score / 100.0 for film, score in similar}
        ids = sorted(fid for fid, fit in fits.items() if fit > 0.0)
    elif candidates is None or len(candidates) > SHORTLIST * 3:
        # Too many to score: the catalogue's popularity order is a good first cut.
        ids = []
        for fid in catalog.ranked_ids():
            if fid not in removed and (candidates is None or fid in candidates):
                ids.append(fid)
                if len(ids) >= SHORTLIST * 3:
                    break
    else:
        ids = sorted(candidates)
    scored = []
    for fid in ids:
        film = films[fid]
        value = quality(catalog, film)
        if fits:
            # Likeness comes first: a great film that is nothing like `like` is no answer.
            value = fits.get(fid, 0.0) * (0.4 + 0.6 * value)
        # Draw for every film in a fixed order so the same query and seed give the same list.
        scored.append((value + rng.uniform(0.0, JITTER), film))
    scored.sort(key=lambda item: (-item[0], item[1].id))
    return scored[:SHORTLIST]


_SEQUEL = re.compile(r"^(?:\d+|ii|iii|iv|v|vi|vii|viii|ix|x|part|chapter|volume|vol)$")


def franchise_key(film: Film) -> str:
    """'John Wick: Chapter 2' and 'Toy Story 3' -> 'john wick', 'toy story'."""
    words = key_of(re.sub(r"[^\w\s]", " ", film.title.split(":")[0])).split()
    while len(words) > 1 and _SEQUEL.match(words[-1]):
        words.pop()
    return " ".join(words)


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
    if query.service:
        offers = [a for a in offers if key_of(a.service) == key_of(query.service)]
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
