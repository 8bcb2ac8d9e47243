"""What the personal-list and settings commands answer."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.models import Film


@dataclass(slots=True)
class WatchlistView:
    owner_id: int
    owner_name: str
    is_self: bool
    films: list[Film]
    seen: set[str] = field(default_factory=set)


@dataclass(slots=True)
class PrefsView:
    region: str | None
    services: list[str]  # display names
    effective_region: str
    changed: bool


@dataclass(slots=True)
class ForgetPrompt:
    user_id: int


@dataclass(slots=True)
class ForgetDone:
    removed: dict[str, int]
    anonymised: dict[str, int] = field(default_factory=dict)  # kept for others, without the person's id


@dataclass(slots=True)
class SettingsView:
    region: str | None
    services: list[str]
    night_channel_id: int | None
    timezone: str | None
    changed: bool
