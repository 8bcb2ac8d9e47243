"""The in-memory catalogue every query runs against, with the indexes it needs.

Admins edit the catalogue while the bot runs, so every mutation goes through
`apply_changes` (or its one-film forms `upsert`/`remove`/`add_link`/`remove_link`),
which keeps the inverted indexes in step and tells listeners (the title index)
what changed, once per batch. Derived figures that depend on the whole
catalogue (rank order, the engine's arrays) are cached against `version`, which
every batch bumps once: an import of 50,000 films re-ranks the catalogue once,
not 50,000 times.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence

from bot.domain.models import Film, Link

# What the catalogue indexes (film ids by key): the filters /watch and /similar apply. Similarity itself
# works on arrays (`bot.domain.vectors`), not on these.
INDEXED_FAMILIES = ("tag", "genre", "country", "language", "decade", "service")

# How much being hand-curated lifts a film in "popular first" orderings (0-1 scale).
CURATED_PRIOR = 0.35
# Popularity is scaled to the catalogue's most popular film, leaving out films more than this many times as
# popular as the one at the 99.9th percentile: one absurd value (an import's 1e300) must not flatten the rest.
OUTLIER_FACTOR = 2.0
OUTLIER_SHARE = 1000  # the percentile above: one film in this many


def key_of(value: str) -> str:
    """Case- and space-insensitive key for names, genres, countries..."""
    return " ".join(value.casefold().split())


def service_key(service: str, region: str) -> str:
    return f"{key_of(service)}@{region.upper()}"


def indexed_keys(film: Film) -> dict[str, frozenset[str]]:
    """A film's keys by indexed family. Primary facts only: a co-producer or a dub language never puts a
    film under a country or language filter."""
    return {
        "tag": frozenset(key_of(t) for t in film.tags),
        "genre": frozenset(key_of(g) for g in film.genres),
        "country": frozenset(key_of(c) for c in film.countries),
        "language": frozenset(key_of(lang) for lang in film.languages),
        "decade": frozenset({str(film.year // 10 * 10)}) if film.year else frozenset(),
        "service": frozenset(service_key(a.service, a.region) for a in film.availability),
    }


class CatalogListener(Protocol):
    def films_changed(self, removed: Sequence[Film], added: Sequence[Film]) -> None:
        """After a batch of changes: the films that left (including the old version of a replaced film),
        then the films that came. The catalogue already holds the new state, and its version is new."""
        ...


def popularity_weight(popularity: float) -> float:
    """A film's popularity on the log scale the ranking uses; 0 for anything not a finite number >= 0
    (the validator refuses those, but a database written by an older version may still hold one)."""
    return math.log1p(popularity) if popularity > 0 and math.isfinite(popularity) else 0.0


def vocabulary_maps(vocabulary: Any) -> tuple[dict[str, str], dict[str, float]]:
    """(tag -> facet, facet -> weight) from a vocabulary object, duck-typed.

    Accepts `bot.domain.dataset.Vocabulary` (facets: name -> Facet(weight, tags))
    or a plain dict shaped like vocabulary.toml (`{"facets": {name: {"weight", "tags"}}}`).
    """
    facets = getattr(vocabulary, "facets", None)
    if facets is None and isinstance(vocabulary, Mapping):
        facets = vocabulary.get("facets", vocabulary)
    tag_facets: dict[str, str] = {}
    facet_weights: dict[str, float] = {}
    for name, facet in (facets or {}).items():
        weight = facet.get("weight", 1.0) if isinstance(facet, Mapping) else getattr(facet, "weight", 1.0)
        tags = facet.get("tags", {}) if isinstance(facet, Mapping) else getattr(facet, "tags", {})
        facet_weights[name] = float(weight)
        for tag in tags:
            tag_facets[tag] = name
    return tag_facets, facet_weights


class Catalog:
    def __init__(
        self,
        films: Iterable[Film] = (),
        links: Iterable[Link] = (),
        tag_facets: Mapping[str, str] | None = None,
        facet_weights: Mapping[str, float] | None = None,
        service_names: Mapping[str, str] | None = None,
        *,
        version: int = 0,
    ):
        self.tag_facets: dict[str, str] = dict(tag_facets or {})
        # Display names of service keys ("disney-plus" -> "Disney+"), for the reasons the engine writes.
        self.service_names: dict[str, str] = dict(service_names or {})
        self.facet_weights: dict[str, float] = dict(facet_weights or {})
        # A catalogue built to replace another continues its version, so nothing keyed by it goes stale.
        self.version = version
        self._films: dict[str, Film] = {}
        self._links: dict[str, dict[str, Link]] = defaultdict(dict)
        self._postings: dict[tuple[str, str], set[str]] = {}
        # Display spellings of keys (first seen wins ties), for option lists.
        self._display: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self._listeners: list[CatalogListener] = []
        self._ranked_cache: tuple[int, list[str], dict[str, float]] | None = None
        for film in films:
            self._index(film)
            self._films[film.id] = film
        for link in links:
            if link.a in self._films and link.b in self._films and link.a != link.b:
                self._links[link.a][link.b] = link
                self._links[link.b][link.a] = link

    @classmethod
    def from_dataset(cls, dataset: Any) -> Catalog:
        """Build from `bot.domain.dataset.Dataset` (or anything with films/links/vocabulary)."""
        films = dataset.films.values() if isinstance(dataset.films, Mapping) else dataset.films
        tag_facets, facet_weights = vocabulary_maps(getattr(dataset, "vocabulary", None))
        return cls(films, getattr(dataset, "links", ()), tag_facets, facet_weights)

    # ------------------------------------------------------------------ reading

    def service_name(self, key: str) -> str:
        return self.service_names.get(key, key)

    @property
    def films(self) -> Mapping[str, Film]:
        return MappingProxyType(self._films)

    def get(self, film_id: str) -> Film | None:
        return self._films.get(film_id)

    def __len__(self) -> int:
        return len(self._films)

    def __contains__(self, film_id: object) -> bool:
        return film_id in self._films

    def __iter__(self) -> Iterator[Film]:
        return iter(self._films.values())

    def links_of(self, film_id: str) -> list[Link]:
        return list(self._links.get(film_id, {}).values())

    def link_between(self, a: str, b: str) -> Link | None:
        return self._links.get(a, {}).get(b)

    def linked_ids(self, film_id: str) -> list[str]:
        return list(self._links.get(film_id, {}))

    @property
    def links(self) -> list[Link]:
        seen: set[int] = set()
        out = []
        for neighbours in self._links.values():
            for link in neighbours.values():
                if id(link) not in seen:
                    seen.add(id(link))
                    out.append(link)
        return out

    def postings(self, family: str, key: str) -> frozenset[str] | set[str]:
        """Ids of films having feature `key` of `family` (normalised with key_of). Do not mutate."""
        return self._postings.get((family, key), _EMPTY)

    def facet_of(self, tag: str) -> str | None:
        return self.tag_facets.get(tag)

    def tag_weight(self, tag: str) -> float:
        """Facet weight of a tag; unknown tags count half (still a shared fact)."""
        facet = self.tag_facets.get(tag)
        return self.facet_weights.get(facet, 1.0) if facet else 0.5

    def prior(self, film_id: str) -> float:
        """0-1.35 ranking prior: popularity (log-scaled to the catalogue max) + curated bonus."""
        return self._ranked()[1].get(film_id, 0.0)

    def priors(self) -> Mapping[str, float]:
        return self._ranked()[1]

    def ranked_ids(self) -> list[str]:
        """All film ids, highest prior first (curated and popular first). Do not mutate."""
        return self._ranked()[0]

    def _ranked(self) -> tuple[list[str], dict[str, float]]:
        cache = self._ranked_cache
        if cache is None or cache[0] != self.version:
            weights = {fid: popularity_weight(f.popularity) for fid, f in self._films.items()}
            top = self._popularity_scale(list(weights.values()))
            priors = {fid: min(weight / top, 1.0) + (CURATED_PRIOR if self._films[fid].curated else 0.0)
                      for fid, weight in weights.items()}
            # Highest prior first, ties by id: sorting by id, then (stably) by prior, keeps both keys in C.
            order = sorted(priors)
            order.sort(key=priors.__getitem__, reverse=True)
            cache = self._ranked_cache = (self.version, order, priors)
        return cache[1], cache[2]

    @staticmethod
    def _popularity_scale(weights: list[float]) -> float:
        """What a prior of 1.0 means: the top weight, leaving out outliers (more than OUTLIER_FACTOR x the
        weight of the film at the 99.9th percentile, or of the second film in a small catalogue), which are
        ranked first without pushing every other film towards 0."""
        if not weights:
            return 1.0
        usual = heapq.nlargest(min(len(weights), len(weights) // OUTLIER_SHARE + 2), weights)[-1]
        limit = OUTLIER_FACTOR * usual if usual > 0 else math.inf
        return max((weight for weight in weights if weight <= limit), default=0.0) or 1.0

    # Option lists for autocomplete of filters, most common first.

    def genres(self) -> list[str]:
        return self._options("genre")

    def countries(self) -> list[str]:
        return self._options("country")

    def languages(self) -> list[str]:
        return self._options("language")

    def tags(self) -> list[str]:
        return self._options("tag")

    def decades(self) -> list[int]:
        return sorted(int(key) for (family, key) in self._postings if family == "decade")

    def services(self, region: str | None = None) -> list[str]:
        """Service keys with at least one film (in `region`, when given), most films first."""
        counts: Counter[str] = Counter()
        for (family, key), ids in self._postings.items():
            if family != "service":
                continue
            service, _, where = key.rpartition("@")
            if region is None or where == region.upper():
                counts[service] += len(ids)
        return [s for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _options(self, family: str) -> list[str]:
        items = [(len(ids), key) for (fam, key), ids in self._postings.items() if fam == family]
        items.sort(key=lambda item: (-item[0], item[1]))
        return [self.display(family, key) for _, key in items]

    def display(self, family: str, key: str) -> str:
        spellings = self._display.get((family, key))
        return spellings.most_common(1)[0][0] if spellings else key

    # ------------------------------------------------------------------ writing

    def add_listener(self, listener: CatalogListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: CatalogListener) -> None:
        """Stop telling `listener` (an index of a catalogue that was replaced: this breaks the cycle between
        them, so both are freed at once even when start-up froze them out of the garbage collector)."""
        self._listeners = [other for other in self._listeners if other is not listener]

    def apply_changes(self, *, upserted: Iterable[Film] = (), removed: Iterable[str] = (),
                      links_added: Iterable[Link] = (), links_removed: Iterable[tuple[str, str]] = ()) -> None:
        """One batch: links removed, films removed (with their links), films added or replaced (keeping
        their links), links added. The version moves once and listeners hear once, so derived figures
        are recomputed once per batch however big it is."""
        upserted, removed, links_added = list(upserted), list(removed), list(links_added)
        # Checked before anything changes, so a bad link leaves the catalogue as it was.
        staying = {f.id for f in upserted}
        leaving = set(removed) - staying
        for link in links_added:
            for end in (link.a, link.b):
                if end in leaving or (end not in self._films and end not in staying):
                    raise KeyError(f"unknown film {end!r}")
            if link.a == link.b:
                raise ValueError("a film cannot be linked to itself")
        gone: list[Film] = []
        came: list[Film] = []
        changed = False
        for a, b in links_removed:
            changed |= self._drop_link(a, b) is not None
        for film_id in removed:
            old = self._films.pop(film_id, None)
            if old is None:
                continue
            self._unindex(old)
            for other in list(self._links.get(film_id, {})):
                self._links[other].pop(film_id, None)
                if not self._links[other]:
                    del self._links[other]
            self._links.pop(film_id, None)
            gone.append(old)
        for film in upserted:
            old = self._films.get(film.id)
            if old is not None:
                self._unindex(old)
                gone.append(old)
            self._films[film.id] = film
            self._index(film)
            came.append(film)
        for link in links_added:
            self._links[link.a][link.b] = link
            self._links[link.b][link.a] = link
            changed = True
        if changed or gone or came:
            self.version += 1
        if gone or came:
            for listener in self._listeners:
                listener.films_changed(gone, came)

    def upsert(self, film: Film) -> Film | None:
        """Add or replace a film; returns the film it replaced. Links are kept."""
        old = self._films.get(film.id)
        self.apply_changes(upserted=[film])
        return old

    def remove(self, film_id: str) -> Film | None:
        """Remove a film and every link that touches it."""
        old = self._films.get(film_id)
        self.apply_changes(removed=[film_id])
        return old

    def add_link(self, link: Link) -> None:
        self.apply_changes(links_added=[link])

    def remove_link(self, a: str, b: str) -> Link | None:
        link = self.link_between(a, b)
        self.apply_changes(links_removed=[(a, b)])
        return link

    def _drop_link(self, a: str, b: str) -> Link | None:
        link = self._links.get(a, {}).pop(b, None)
        if link is None:
            return None
        self._links[b].pop(a, None)
        for end in (a, b):
            if not self._links.get(end):
                self._links.pop(end, None)
        return link

    def _index(self, film: Film) -> None:
        for family, keys in indexed_keys(film).items():
            for key in keys:
                self._postings.setdefault((family, key), set()).add(film.id)
        for family, values in (("genre", film.genres), ("country", film.countries),
                               ("language", film.languages), ("tag", film.tags)):
            for value in values:
                self._display[(family, key_of(value))][value] += 1

    def _unindex(self, film: Film) -> None:
        for family, keys in indexed_keys(film).items():
            for key in keys:
                ids = self._postings.get((family, key))
                if ids is not None:
                    ids.discard(film.id)
                    if not ids:
                        del self._postings[(family, key)]
        for family, values in (("genre", film.genres), ("country", film.countries),
                               ("language", film.languages), ("tag", film.tags)):
            for value in values:
                spellings = self._display.get((family, key_of(value)))
                if spellings is not None:
                    spellings[value] -= 1
                    if spellings[value] <= 0:
                        del spellings[value]
                    if not spellings:
                        del self._display[(family, key_of(value))]


_EMPTY: frozenset[str] = frozenset()
