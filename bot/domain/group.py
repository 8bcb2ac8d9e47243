"""Films for a group: the movie-night suggestion scoring, pure and with its weights named.

The movie-night feature gathers who is in and what they have said (watchlists, ratings, services, what
they have seen, what is nominated) and hands it here; this module decides which films to suggest and why.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping

from .catalog import Catalog, service_key
from .models import INCLUDED_KINDS, Film
from .similarity import SimilarityEngine


@dataclass(frozen=True, slots=True)
class GroupWeights:
    """How much each kind of evidence adds to a film's score (a full house is 1.0 of each share)."""

    watchlist: float = 2.0  # the share of the group with the film on their watchlist
    loved_neighbour: float = 1.2  # similarity (0-1) to a film someone rated 4-5 stars
    coverage: float = 1.5  # the share of the group that can stream it on their services
    streams_somewhere: float = 0.5  # nobody said their services, but it streams in the region
    quality: float = 0.8  # the film's own standing (reviews, curation)
    loved_films_considered: int = 8  # top-rated films whose neighbours are looked at
    neighbours_per_loved_film: int = 6
    popular_pool: int = 3000  # how deep into the popularity order the fallback pool reaches
    pool_size: int = 400


DEFAULT_WEIGHTS = GroupWeights()


@dataclass(slots=True)
class Group:
    """What the members of a movie night have told us. Users are ids; `who` names them in reasons."""

    members: list[int]
    watchlists: Mapping[str, set[int]] = field(default_factory=dict)  # film id -> members who want it
    ratings: Mapping[tuple[int, str], int] = field(default_factory=dict)  # (member, film id) -> stars
    services: Mapping[int, set[str]] = field(default_factory=dict)  # member -> service keys (only those who said)
    seen: Collection[str] = ()  # films anyone in the group has seen
    nominated: Collection[str] = ()
    region: str = "US"


@dataclass(slots=True)
class GroupPick:
    film: Film
    score: float
    reasons: list[str]


def suggest_for_group(catalog: Catalog, similarity: SimilarityEngine, group: Group, count: int, *,
                      who: Callable[[int], str], quality: Callable[[Film], float],
                      weights: GroupWeights = DEFAULT_WEIGHTS) -> list[GroupPick]:
    """The `count` best films for the group, with the reasons each was picked, best first."""
    excluded = set(group.nominated) | set(group.seen)
    size = max(1, len(group.members))
    candidates: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}

    def consider(film_id: str, score: float, reason: str | None) -> None:
        if film_id in excluded or film_id not in catalog:
            return
        candidates[film_id] = candidates.get(film_id, 0.0) + score
        if reason:
            reasons.setdefault(film_id, []).append(reason)

    for film_id, wanted_by in group.watchlists.items():
        consider(film_id, weights.watchlist * len(wanted_by) / size, f"On {_whose(wanted_by, size, who)} watchlist")
    loved = sorted(((stars, film_id, user) for (user, film_id), stars in group.ratings.items() if stars >= 4),
                   key=lambda item: (-item[0], item[1]))[:weights.loved_films_considered]
    for stars, film_id, user in loved:
        source = catalog.get(film_id)
        if source is None:
            continue
        for similar in similarity.similar(film_id, weights.neighbours_per_loved_film, exclude=excluded):
            consider(similar.film.id, weights.loved_neighbour * similar.score / 100,
                     f"Like {source.title}, which {who(user)} rated {'★' * stars}")
    on_services: set[str] = set()
    for service in Counter(s for have in group.services.values() for s in have):
        on_services |= set(catalog.postings("service", service_key(service, group.region)))
    pool = [fid for fid in catalog.ranked_ids()[:weights.popular_pool]
            if not group.services or fid in on_services][:weights.pool_size]
    for film_id in pool:
        consider(film_id, 0.0, None)

    scored: list[GroupPick] = []
    for film_id, score in candidates.items():
        film = catalog.films[film_id]
        why = list(reasons.get(film_id, []))
        share, where = coverage(film, group, size, name_of=catalog.service_name)
        if group.services:
            score += weights.coverage * share
        elif where:
            score += weights.streams_somewhere
        if where:
            why.append(where)
        score += weights.quality * quality(film)
        scored.append(GroupPick(film, score, why))
    scored.sort(key=lambda pick: (-pick.score, pick.film.id))
    return scored[:count]


def coverage(film: Film, group: Group, size: int, *, name_of: Callable[[str], str]) -> tuple[float, str]:
    """The share of the group that can stream `film` in the group's region, and a line saying where."""
    included = {a.service for a in film.streams_in(group.region) if a.kind in INCLUDED_KINDS}
    if not included:
        return 0.0, ""
    if not group.services:
        return 0.0, f"Streams on {', '.join(sorted(name_of(s) for s in included)[:3])} ({group.region})"
    able = sum(1 for have in group.services.values() if have & included)
    if able == 0:
        return 0.0, ""
    shared = sorted(included & set().union(*group.services.values()), key=name_of)
    whom = "all of you" if able == size else f"{able} of {size} of you"
    return able / size, f"On {', '.join(name_of(s) for s in shared[:3])} ({group.region}): {whom} can watch it"


def _whose(users: set[int], size: int, who: Callable[[int], str]) -> str:
    if len(users) == 1:
        return f"{who(next(iter(users)))}'s"
    if len(users) == size:
        return "everyone's"
    return f"{len(users)} people's"
