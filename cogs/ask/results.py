"""What a question in words is answered with: the command's own result, and how the question was read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class AskAnswer:
    """The answer of the command the sentence was read as (`answer`: that command's result object), with the
    reading ("like Kill Bill · ≤ 120 min · Netflix"), what was left out and why, and the token behind the
    Adjust button (None when there is nothing to adjust: help, a refusal)."""

    command: str
    reading: str
    ignored: list[str]
    answer: Any
    token: str | None = None


@dataclass(slots=True)
class AskAdjust:
    """Change how a question was read: drop one part, or run the slash command it stands for."""

    token: str
    command: str
    parts: list[tuple[str, str]]  # (option name, as read) that can be dropped
    slash: str  # the same request as a slash command, to copy and change
    ignored: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SlowDown:
    retry_after: int  # seconds
