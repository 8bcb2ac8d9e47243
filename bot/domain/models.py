"""Typed film records shared by storage, the engine and the renderers.

Pure data: nothing here imports discord or touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Kinds of streaming availability, as Discord users understand them.
AVAILABILITY_KINDS = ("subscription", "free", "rent", "buy")
# The kinds a viewer watches without paying per film.
INCLUDED_KINDS = ("subscription", "free")
SCORE_KINDS = ("critics", "audience", "metacritic")


_T = TypeVar("_T", bound="DataclassInstance")


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle instances as their fields in __init__ order, rebuilt by one __init__ call. The engine snapshot
    holds 20,000 films with their scores and streaming rows, and the default way (a dict of slots set one at
    a time; for a frozen class, a __setstate__ written in Python) was most of what a warm start spent reading
    it."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]  # a class method, set once here
    return cls


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Score:
    kind: str  # one of SCORE_KINDS
    value: int  # 0-100
    source: str  # e.g. "Rotten Tomatoes via Wikidata"
    as_of: str | None = None  # ISO date (YYYY-MM-DD or YYYY-MM) the figure was read
    count: int | None = None  # number of reviews behind the figure, when known


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Availability:
    service: str  # canonical service key, e.g. "netflix", "prime-video"
    region: str  # ISO 3166-1 alpha-2, upper case
    kind: str  # one of AVAILABILITY_KINDS
    checked: str  # YYYY-MM the availability was last checked
    source: str | None = None  # where the fact comes from


@dataclass(frozen=True, slots=True)
class Link:
    """A curated "it's like..." pair. Symmetric for similarity; reason in our words."""

    a: str  # film id
    b: str  # film id
    reason: str
    origin: str = "curated"  # "curated" (shipped) or "local" (added with /catalog link)


@_pickled_by_fields
@dataclass(slots=True)
class Film:
    id: str  # stable slug, e.g. "kill-bill-volume-1-2003"
    title: str
    year: int | None = None
    runtime: int | None = None  # minutes
    genres: tuple[str, ...] = ()  # primary genres (at most 3), most defining first
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()  # billing order for the first `billed` names, then by prominence
    languages: tuple[str, ...] = ()  # the original language(s)
    countries: tuple[str, ...] = ()  # the primary country of origin first
    certificate: str | None = None  # US certificate
    imdb_id: str | None = None
    curated: bool = False
    tags: tuple[str, ...] = ()  # controlled vocabulary (bot/data/vocabulary.toml)
    pitch: str | None = None  # one line, our own words
    aliases: tuple[str, ...] = ()
    scores: tuple[Score, ...] = ()
    availability: tuple[Availability, ...] = ()
    notes: str | None = None  # e.g. "From the World of John Wick"
    popularity: float = 0.0  # ranking prior (review counts, curation); not shown to users
    original_title: str | None = None  # in the original language, when it differs from `title`
    writers: tuple[str, ...] = ()
    billed: int = 0  # how many leading `cast` names are in checked billing order (0: prominence only)
    series: str | None = None  # the franchise or series ("John Wick")
    series_order: int | None = None  # position in the series, when known
    # What the source also lists but is not primary: incidental genres, co-producing countries,
    # dub and secondary languages. Never enough on its own for a "both ..." reason.
    secondary_genres: tuple[str, ...] = ()
    secondary_countries: tuple[str, ...] = ()
    secondary_languages: tuple[str, ...] = ()
    method: str | None = None  # how its facts were gathered (see bot/data/SOURCES.md); None: the source as is

    @property
    def billed_cast(self) -> tuple[str, ...]:
        """The names in checked billing order (empty when the order is only a prominence guess)."""
        return self.cast[:self.billed]

    @property
    def all_genres(self) -> tuple[str, ...]:
        return self.genres + self.secondary_genres

    @property
    def label(self) -> str:
        """`Title (Year) · Director`, the way every film is shown in a list."""
        year = f" ({self.year})" if self.year else ""
        director = f" · {self.directors[0]}" if self.directors else ""
        return f"{self.title}{year}{director}"

    def score(self, kind: str) -> Score | None:
        return next((s for s in self.scores if s.kind == kind), None)

    def streams_in(self, region: str) -> tuple[Availability, ...]:
        region = region.upper()
        return tuple(a for a in self.availability if a.region == region)
