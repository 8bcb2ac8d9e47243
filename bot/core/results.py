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
    """Ask which film was meant. Button n carries `choice_ids[n]`.

    `kind` is "ambiguous" when several films have exactly the name typed ("which one?"), "suggestion" when
    no film has that name and these are the films it resembles, best first ("did you mean...?").

    By default the app fills `choice_ids` with `mq:rerun:<token>:<n>` buttons that re-run the same command
    with the chosen film (see Marquee.dispatch_command); a service may instead point them at its own
    component with `action`/`context` (custom_id `mq:<action>:<film id>:<context…>`).
    """

    query: str
    candidates: list[Film]
    action: str | None = None
    context: list[str] = field(default_factory=list)
    choice_ids: list[str] = field(default_factory=list)
    kind: str = "ambiguous"
