"""What the movie-night commands answer and post (rendered by `render.py`), and the ballot codes their
controls carry."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.message import Style
from bot.domain.models import Film
from bot.storage.nights import FORMER_MEMBER, MAX_NOMINEES, Night, Turnout

APPROVAL, RANKED = "approval", "ranked"
TIE_RULE = ("Ties are broken by a fixed rule, never by chance: head-to-head first (ranked votes), then most first "
            "choices (ranked) or split support (approval: each ballot's vote shared among the films it approves), "
            "then the earliest nomination.")



def mention(user_id: int) -> str:
    """A member as Discord shows them; a host or nominator who used /forgetme is no longer named."""
    return "a former member" if user_id == FORMER_MEMBER else f"<@{user_id}>"


# Ranked ballots under construction travel in the custom_id: one character per nominee position.
_POSITION_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
EMPTY_ORDER = "-"


@dataclass(slots=True)
class NomineeEntry:
    position: int
    film_id: str
    title: str  # catalogue title (or the id when the film left the catalogue)
    film: Film | None
    nominated_by: int
    streams: str  # where it streams in the server's region, one short line ("" when unknown)
    approvals: int | None = None  # live tally, approval nights only


@dataclass(slots=True)
class NightView:
    """The public ballot message."""

    night: Night
    entries: list[NomineeEntry]
    voters: int
    attendees: int
    region: str
    timezone: str
    winner: NomineeEntry | None = None

    @property
    def full(self) -> bool:
        return len(self.entries) >= MAX_NOMINEES


@dataclass(slots=True)
class VoteBallot:
    """A voter's own (ephemeral) ballot: the approval select, or the ranked builder."""

    night: Night
    entries: list[NomineeEntry]
    chosen: list[int]  # positions: approved films, or the ranking being built (favourite first)
    counted: bool = False  # the ranking shown is the one that counts
    status: str = ""  # what just happened ("Counted", "Nothing changed")


@dataclass(slots=True)
class Announcement:
    """Posted in the channel when a night closes."""

    night: Night
    winner: NomineeEntry | None
    outcome: dict[str, Any]
    attendees: int
    marked_seen: int
    closed_by: str | None = None  # None: the deadline closed it


@dataclass(slots=True)
class Suggestion:
    film: Film
    reasons: list[str]


@dataclass(slots=True)
class GroupSuggestions:
    night: Night
    picks: list[Suggestion]
    group_size: int
    note: str = ""
    services_known: bool = False  # ranked by the services the group has (not just the region)


@dataclass(slots=True)
class HistoryEntry:
    night: Night
    winner_title: str | None
    turnout: Turnout


@dataclass(slots=True)
class NightHistory:
    entries: list[HistoryEntry]


@dataclass(slots=True)
class NightAction:
    label: str
    custom_id: str
    style: Style = "secondary"


@dataclass(slots=True)
class NightNotice:
    """A short (usually ephemeral) answer about a night, with optional follow-up buttons."""

    title: str
    text: str
    actions: list[NightAction] = field(default_factory=list)
    ok: bool = True


def encode_order(positions: list[int]) -> str:
    return "".join(_POSITION_DIGITS[p] for p in positions) or EMPTY_ORDER


def decode_order(text: str) -> list[int] | None:
    """Positions from a custom_id, or None when it was not written by us."""
    if text == EMPTY_ORDER:
        return []
    positions = []
    for char in text:
        position = _POSITION_DIGITS.find(char)
        if position < 0 or position >= MAX_NOMINEES or position in positions:
            return None
        positions.append(position)
    return positions
