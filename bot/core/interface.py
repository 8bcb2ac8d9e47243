"""What a command handler sees and returns, with no Discord types.

Handlers are async methods on the feature services, registered with `@command("name")` (the slash
command's qualified name, e.g. "movienight start") or `@component("action")` (the `mq:<action>:...`
custom_id of a button or select). The Discord cogs and the console both call them through
`Marquee.dispatch_*`, so the two front ends can never disagree about what a command does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, TypeVar

COMPONENT_PREFIX = "mq"
CUSTOM_ID_MAX = 100


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking, and where."""

    user_id: int
    name: str = "someone"
    guild_id: int | None = None
    channel_id: int | None = None
    can_manage_guild: bool = False
    can_manage_events: bool = False
    # One of the bot's owners (the application's owner or team, or OWNER_IDS): only they change the shared
    # film catalogue, which every server the bot is in sees.
    is_owner: bool = False
    # Where: "guild" (a server), "dm" (the DM with the bot) or "private" (a group DM, or a DM between other
    # people, reached through the user's own install of the app).
    context: str = "guild"


OnSent = Callable[[int | None, int], Awaitable[None]]


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
    on_sent: OnSent | None = None
    # More work before the real answer (an outside service to ask): the front end acknowledges at once (on
    # Discord a deferred response, well inside the 3-second window), then awaits this and delivers its reply.
    later: Callable[[], Awaitable["Reply"]] | None = None


Handler = Callable[..., Awaitable[Reply]]
H = TypeVar("H", bound=Callable[..., Awaitable[Reply]])

_COMMAND_MARK = "__marquee_command__"
_COMPONENT_MARK = "__marquee_component__"
_MESSAGE_MARK = "__marquee_message__"


def command(name: str) -> Callable[[H], H]:
    """Mark a service method as the handler of the slash command `name` (its qualified name)."""

    def mark(fn: H) -> H:
        setattr(fn, _COMMAND_MARK, name)
        return fn

    return mark


def component(action: str) -> Callable[[H], H]:
    """Mark a service method as the handler of every control whose custom_id is `mq:<action>:...`."""

    def mark(fn: H) -> H:
        setattr(fn, _COMPONENT_MARK, action)
        return fn

    return mark


MessageHandler = Callable[..., Awaitable["Reply | None"]]
M = TypeVar("M", bound=MessageHandler)


def message_handler(fn: M) -> M:
    """Mark a service method as the handler of a message written to Marquee in words (an @mention, a DM).
    It is called as `handler(actor, text)` and returns a Reply, or None to say nothing. One per app."""
    setattr(fn, _MESSAGE_MARK, True)
    return fn


class Commands:
    """Another feature's commands, run the way the front ends run them (see `Context.commands`): a question
    in plain words or a context menu answers with the same handler, and result, as the slash command."""

    def handles(self, name: str) -> bool:
        return False

    async def run(self, actor: Actor, name: str, options: dict[str, Any]) -> Reply:
        raise LookupError(f"no command /{name} is loaded")


def custom_id(action: str, *args: object) -> str:
    """Build a component custom_id that survives restarts: `mq:<action>:<arg>:<arg>`."""
    value = ":".join([COMPONENT_PREFIX, action, *(str(a) for a in args)])
    if len(value) > CUSTOM_ID_MAX:
        raise ValueError(f"custom_id too long ({len(value)} > {CUSTOM_ID_MAX}): {value[:40]}...")
    return value


def parse_custom_id(value: str) -> tuple[str, list[str]] | None:
    parts = value.split(":")
    if len(parts) < 2 or parts[0] != COMPONENT_PREFIX or not parts[1]:
        return None
    return parts[1], parts[2:]


@dataclass(slots=True)
class Handlers:
    commands: dict[str, Handler] = field(default_factory=dict)
    components: dict[str, Handler] = field(default_factory=dict)
    message: MessageHandler | None = None

    def collect(self, *services: object) -> "Handlers":
        for service in services:
            for attr in dir(type(service)):
                fn = getattr(type(service), attr, None)
                if name := getattr(fn, _COMMAND_MARK, None):
                    if name in self.commands:
                        raise RuntimeError(f"two handlers for /{name}")
                    self.commands[name] = getattr(service, attr)
                if action := getattr(fn, _COMPONENT_MARK, None):
                    if action in self.components:
                        raise RuntimeError(f"two handlers for component {action}")
                    self.components[action] = getattr(service, attr)
                if getattr(fn, _MESSAGE_MARK, False):
                    if self.message is not None:
                        raise RuntimeError("two handlers for messages written to Marquee")
                    self.message = getattr(service, attr)
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

    async def flush(self) -> None:
        """Send whatever is still queued (coalesced edits) before shutting down."""
        return None

    async def sent(self, message_id: int) -> None:
        """Wait until the edits queued for this message have been sent."""
        return None
