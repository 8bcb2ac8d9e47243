"""What the context menus answer."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.models import Film


@dataclass(slots=True)
class SpottedFilm:
    film: Film
    written: str  # how the message wrote it
    others: list[Film] = field(default_factory=list)  # other films of that name ("also: Ballerina (2025)")
    poster_url: str | None = None


@dataclass(slots=True)
class FilmsInMessage:
    films: list[SpottedFilm]
    pairs: list[tuple[int, int]]  # positions in `films`, for the "is it like …?" buttons
    token: str  # ui_state key of the film ids behind the buttons


@dataclass(slots=True)
class TheirPick:
    film: Film
    reasons: list[str]


@dataclass(slots=True)
class TheirPicks:
    """Films for a member, from what they have shared: their watchlist (anyone may see it with /watchlist
    show) and, without naming a rating, what they rate highly."""

    member_id: int
    member_name: str
    is_self: bool
    picks: list[TheirPick]
