"""Films for a group: the movie-night suggestion scoring, pure and with its weights named.

The movie-night feature gathers who is in and what they have said (watchlists, ratings, services, what
they have seen, what is nominated) and hands it here; this module decides which films to suggest and
why. Every film of the catalogue is scored at once (arrays): the night's nominees say what the night is
about, the members' watchlists and favourites say what they want, and streaming on their services makes
a film easier to watch tonight without ruling out the rest.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .catalog import Catalog, service_key
from .models import INCLUDED_KINDS, Film
from .similarity import SimilarityEngine
from .vectors import FilmArrays

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class GroupWeights:
    """How much each kind of evidence adds to a film's score (a full house is 1.0 of each share)."""

    watchlist: float = 2.0  # the share of the group with the film on their watchlist
    nominees: float = 1.6  # likeness (0-1) to the films already nominated: the night's theme
    loved: float = 1.2  # likeness (0-1) to a film someone rated 4-5 stars
    coverage: float = 0.9  # the share of the group that can stream it on their services
    streams_somewhere: float = 0.3  # nobody said their services, but it streams in the region
    quality: float = 0.8  # the film's own standing (reviews, curation)
    loved_films_considered: int = 8  # top-rated films whose neighbours are looked at
    reasons_likeness: float = 0.45  # likeness worth naming in a reason


DEFAULT_WEIGHTS = GroupWeights()


@dataclass(slots=True)
class Group:
    """What the members of a movie night have told us. Users are ids; `who` names them in reasons."""

    members: list[int]
    watchlists: Mapping[str, set[int]] = field(default_factory=dict)  # film id -> members who want it
    ratings: Mapping[tuple[int, str], int] = field(default_factory=dict)  # (member, film id) -> stars
    services: Mapping[int, set[str]] = field(default_factory=dict)  # member -> service keys (only those who said)
    seen: Collection[str] = ()  # films anyone in the group has seen
    nominated: Collection[str] = ()  # the night's nominees so far, in nomination order
    region: str = "US"


@dataclass(slots=True)
class GroupPick:
    film: Film
    score: float
    reasons: list[str]


def suggest_for_group(catalog: Catalog, similarity: SimilarityEngine, group: Group, count: int, *,
                      who: Callable[[int], str], quality: FloatArray,
                      weights: GroupWeights = DEFAULT_WEIGHTS) -> list[GroupPick]:
    """The `count` best films for the group, with the reasons each was picked, best first.

    `quality` is every film's standing (0-1) by array row (`similarity.arrays`)."""
    arrays = similarity.arrays
    n = arrays.n
    size = max(1, len(group.members))
    score = weights.quality * quality.astype(np.float32)

    wanted = np.zeros(n, np.float32)
    for film_id, members in group.watchlists.items():
        if film_id in arrays.rows:
            wanted[arrays.rows[film_id]] = len(members) / size
    score += weights.watchlist * wanted

    nominees = [f for f in group.nominated if f in arrays.rows]
    night = np.zeros(n, np.float32)
    if nominees:
        night = np.mean([similarity.scores(f) for f in nominees], axis=0).astype(np.float32)
        score += weights.nominees * night

    loved = sorted(((stars, film_id, user) for (user, film_id), stars in group.ratings.items()
                    if stars >= 4 and film_id in arrays.rows),
                   key=lambda item: (-item[0], item[1]))[:weights.loved_films_considered]
    best_loved = np.zeros(n, np.float32)
    which_loved = np.full(n, -1, np.int32)
    for index, (_, film_id, _) in enumerate(loved):
        likeness = similarity.scores(film_id)
        better = likeness > best_loved
        best_loved = np.where(better, likeness, best_loved)
        which_loved = np.where(better, index, which_loved)
    score += weights.loved * best_loved

    offered = _services_offered(catalog, arrays, group)
    share = np.zeros(n, np.float32)
    if group.services:
        for have in group.services.values():
            able = np.zeros(n, bool)
            for service in have:
                able |= offered.get(service, np.zeros(n, bool))
            share += able.astype(np.float32) / size
        score += weights.coverage * share
    elif offered:
        somewhere = np.any(np.stack(list(offered.values())), axis=0)
        score += weights.streams_somewhere * somewhere.astype(np.float32)

    blocked = np.zeros(n, bool)
    for film_id in (*group.seen, *group.nominated):
        row = arrays.rows.get(film_id)
        if row is not None:
            blocked[row] = True
    score = np.where(blocked, -np.inf, score)
    top = np.argsort(-score, kind="stable")[:count]  # rows are in id order: ties by id

    picks = []
    for row in top:
        if not np.isfinite(score[row]):
            break
        film = arrays.films[int(row)]
        why: list[str] = []
        if wanted[row]:
            members = group.watchlists[film.id]
            why.append(f"On {_whose(members, size, who)} watchlist")
        if nominees and night[row] >= weights.reasons_likeness:
            closest = max(nominees, key=lambda f: similarity.pair_score(f, film.id))
            why.append(f"Fits the night: {round(100 * float(night[row]))}% like the nominees, "
                       f"closest to {catalog.films[closest].title}")
        if which_loved[row] >= 0 and best_loved[row] >= weights.reasons_likeness:
            stars, film_id, user = loved[int(which_loved[row])]
            why.append(f"Like {catalog.films[film_id].title}, which {who(user)} rated {'★' * stars}")
        where = _where(catalog, film, group, size)
        if where:
            why.append(where)
        picks.append(GroupPick(film, float(score[row]), why))
    return picks


def _services_offered(catalog: Catalog, arrays: FilmArrays, group: Group) -> dict[str, npt.NDArray[np.bool_]]:
    """For each service the group has (every service when nobody said): the films on it in the region."""
    wanted = {s for have in group.services.values() for s in have} or set(catalog.service_names)
    out = {}
    for service in sorted(wanted):
        mask = arrays.mask(catalog, "service", service_key(service, group.region))
        if mask.any():
            out[service] = mask
    return out


def _where(catalog: Catalog, film: Film, group: Group, size: int) -> str:
    """Where the group can stream it tonight, in one line ("" when we do not know)."""
    included = {a.service for a in film.streams_in(group.region) if a.kind in INCLUDED_KINDS}
    if not included:
        return ""
    name = catalog.service_name
    if not group.services:
        return f"Streams on {', '.join(sorted(name(s) for s in included)[:3])} ({group.region})"
    able = sum(1 for have in group.services.values() if have & included)
    if able == 0:
        return f"Streams on {', '.join(sorted(name(s) for s in included)[:3])} ({group.region}), not on yours"
    shared = sorted(included & set().union(*group.services.values()), key=name)
    whom = "all of you" if able == size else f"{able} of {size} of you"
    return f"On {', '.join(name(s) for s in shared[:3])} ({group.region}): {whom} can watch it"


def _whose(users: set[int], size: int, who: Callable[[int], str]) -> str:
    if len(users) == 1:
        return f"{who(next(iter(users)))}'s"
    if len(users) == size:
        return "everyone's"
    return f"{len(users)} people's"
