"""Typed film records shared by storage, the engine and the renderers.

Pure data: nothing here imports discord or touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass

# Kinds of streaming availability, as Discord users understand them.
AVAILABILITY_KINDS = ("subscription", "free", "rent", "buy")
# The kinds a viewer watches without paying per film.
INCLUDED_KINDS = ("subscription", "free")
SCORE_KINDS = ("critics", "audience", "metacritic")


@dataclass(frozen=True, slots=True)
class Score:
    kind: str  # one of SCORE_KINDS
    value: int  # 0-100
    source: str  # e.g. "Rotten Tomatoes via Wikidata"
    as_of: str | None = None  # ISO date (YYYY-MM-DD or YYYY-MM) the figure was read
    count: int | None = None  # number of reviews behind the figure, when known


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


@dataclass(slots=True)
class Film:
    id: str  # stable slug, e.g. "kill-bill-volume-1-2003"
    title: str
    year: int | None = None
    runtime: int | None = None  # minutes
    genres: tuple[str, ...] = ()
    directors: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()  # most prominent first
    languages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
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
