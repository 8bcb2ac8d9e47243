"""Result objects shared by several services."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.models import Film


@dataclass(slots=True)
class Notice:
    """A short confirmation or information answer."""

    title: str
    text: str = ""
    ok: bool = True


@dataclass(slots=True)
class Failure:
    """A user error or an apology. `error_id` is set for unexpected errors, so a log line can be found."""

    title: str
    message: str
    suggestions: list[str] = field(default_factory=list)
    error_id: str | None = None


@dataclass(slots=True)
class CommandInfo:
    name: str
    description: str


@dataclass(slots=True)
class HelpResult:
    groups: dict[str, list[CommandInfo]]


@dataclass(slots=True)
class Disambiguation:
    """Several films match what was typed: ask which one. `action` + `args` rebuild the command per pick."""

    query: str
    candidates: list[Film]
    action: str  # component action a pick button triggers, e.g. "pick"
    context: list[str]  # extra custom_id args that say what the pick is for
