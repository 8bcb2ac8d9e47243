"""What a feature package (`cogs/<feature>/`) declares so that the bot and the console load it alike."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

from .context import Context


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    help_group: str  # the heading of its commands in /help
    build: Callable[[Context], object]  # its service: the handlers of its commands and controls
    extension: str  # the module whose `setup(bot)` adds its cog (slash-command definitions) to the bot


@runtime_checkable
class RunsInBackground(Protocol):
    """A service with work to do while the bot serves (not in the console or one-off tools)."""

    async def start_background(self) -> None: ...


@runtime_checkable
class Stoppable(Protocol):
    async def stop(self) -> None: ...


def handler_objects(service: object) -> tuple[object, ...]:
    """The objects whose @command/@component methods are a service's handlers: the service itself, or the
    parts it declares when a feature spreads its handlers over several classes."""
    parts = getattr(service, "parts", None)
    return tuple(parts) if isinstance(parts, tuple) else (service,)
