"""What a command handler sees and returns, with no Discord types.

Handlers are async methods on the services, registered with `@command("name")` (the slash command's
qualified name, e.g. "movienight start") or `@component("action")` (the `mq:<action>:...` custom_id of a
button or select). The Discord cogs and the console both call them through `Marquee.handlers`, so the
two front ends can never disagree about what a command does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

COMPONENT_PREFIX = "mq"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking, and where."""

    user_id: int
    name: str = "someone"
    guild_id: int | None = None
    channel_id: int | None = None
    can_manage_guild: bool = False
    can_manage_events: bool = False


@dataclass(slots=True)
class Reply:
    """A handler's answer: a result object (the renderers' input) and how to deliver it.

    `update` asks to replace the message a button sits on instead of sending a new one.
    `on_sent` is called with (channel_id, message_id) once a public message is posted, so a service can
    remember where its live message (e.g. a movie-night ballot) lives.
    """

    result: Any
    ephemeral: bool = False
    update: bool = False
    on_sent: Callable[[int | None, int], Awaitable[None]] | None = None


def command(name: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        fn.__marquee_command__ = name
        return fn

    return mark


def component(action: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        fn.__marquee_component__ = action
        return fn

    return mark


def custom_id(action: str, *args: object) -> str:
    """Build a component custom_id that survives restarts: `mq:<action>:<arg>:<arg>`."""
    value = ":".join([COMPONENT_PREFIX, action, *(str(a) for a in args)])
    if len(value) > 100:
        raise ValueError(f"custom_id too long ({len(value)} > 100): {value[:40]}...")
    return value


def parse_custom_id(value: str) -> tuple[str, list[str]] | None:
    parts = value.split(":")
    if len(parts) < 2 or parts[0] != COMPONENT_PREFIX or not parts[1]:
        return None
    return parts[1], parts[2:]


@dataclass(slots=True)
class Handlers:
    commands: dict[str, Callable[..., Awaitable[Reply]]] = field(default_factory=dict)
    components: dict[str, Callable[..., Awaitable[Reply]]] = field(default_factory=dict)

    def collect(self, *services: object) -> "Handlers":
        for service in services:
            for attr in dir(type(service)):
                fn = getattr(type(service), attr, None)
                if name := getattr(fn, "__marquee_command__", None):
                    if name in self.commands:
                        raise RuntimeError(f"two handlers for /{name}")
                    self.commands[name] = getattr(service, attr)
                if action := getattr(fn, "__marquee_component__", None):
                    if action in self.components:
                        raise RuntimeError(f"two handlers for component {action}")
                    self.components[action] = getattr(service, attr)
        return self


class Publisher:
    """Posts and edits public messages outside an interaction (ballot updates, announcements, scheduled
    events). The Discord bot and the console each provide one; this base does nothing, for tools and tests."""

    async def post(self, channel_id: int | None, result: Any) -> int | None:
        return None

    async def edit(self, channel_id: int | None, message_id: int, result: Any) -> None:
        return None

    async def create_event(self, guild_id: int, *, name: str, start: float, end: float,
                           description: str, location: str) -> int | None:
        return None

    async def edit_event(self, guild_id: int, event_id: int, *, name: str | None = None,
                         start: float | None = None, end: float | None = None,
                         description: str | None = None, status: str | None = None) -> None:
        return None
