"""A local Discord for end-to-end tests: gateway (JSON over websocket) and REST API v10.

It speaks enough of Discord for discord.py 2.7.1's ``AutoShardedBot`` to log in, sync slash
commands and answer interactions, and it refuses what Discord refuses (see validate.py), so a
payload that would break in production breaks in the tests too. The test drives the users:
``slash()``, ``autocomplete()``, ``click()``, ``select()``, ``submit_modal()`` send interactions
over the gateway after checking them against the synced command definitions the way the
Discord client does.

Everything runs on the test's event loop; nothing here blocks.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import dataclasses
import datetime as dt
import enum
import json
import re
import secrets
import time
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from aiohttp import WSMsgType, web

from . import validate as v
from .places import CONTEXT_GUILD, Place, PlacesMixin

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"
DEFAULT_APP_ID = 1250000000000000001
DEFAULT_GUILD_ID = 1250000000000000101
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
TOKEN_LIFETIME_S = 15 * 60
RESPONSE_DEADLINE_S = 3.0

# Interaction types and callback types (Discord's numbering).
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE},
}

# Gateway intents Discord only grants when they are switched on in the developer portal.
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_MESSAGE_CONTENT = 1 << 15
INTENT_GUILD_SCHEDULED_EVENTS = 1 << 16
INTENT_GUILD_MESSAGE_POLLS = 1 << 24
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


class Perm(enum.IntFlag):
    """Discord permission bits used by the stand-in (the full list is longer)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    SEND_MESSAGES_IN_THREADS = 1 << 38
    CREATE_EVENTS = 1 << 44
    SEND_POLLS = 1 << 49

    @classmethod
    def all(cls) -> int:
        return (1 << 51) - 1


DEFAULT_BOT_PERMISSIONS = int(
    Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS | Perm.USE_EXTERNAL_EMOJIS | Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS | Perm.SEND_POLLS
    | Perm.USE_APPLICATION_COMMANDS | Perm.SEND_MESSAGES_IN_THREADS
)
DEFAULT_MEMBER_PERMISSIONS = int(
    Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS | Perm.USE_EXTERNAL_EMOJIS | Perm.USE_APPLICATION_COMMANDS | Perm.SEND_POLLS
    | Perm.CONNECT | Perm.CREATE_EVENTS
)


def effective(permissions: int) -> int:
    """Administrator implies every permission."""
    return Perm.all() if permissions & Perm.ADMINISTRATOR else permissions


def has_perm(permissions: int, needed: int) -> bool:
    return effective(permissions) & needed == needed


@dataclasses.dataclass(frozen=True)
class User:
    """A Discord user the test can act as."""

    id: int
    username: str
    global_name: Optional[str] = None
    bot: bool = False

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


ALICE = User(910000000000000001, "alice", "Alice")
BOB = User(910000000000000002, "bob", "Bob")
CAROL = User(910000000000000003, "carol", "Carol")


class InteractionFailed(AssertionError):
    """The bot did not answer an interaction the way Discord requires."""


class _ApiError(Exception):
    """Raised inside a REST handler: becomes the HTTP answer and a recorded rejection."""

    def __init__(self, status: int, code: int, message: str, *, errors: Optional[v.FormErrors] = None,
                 note: str = "", record: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.note = note
        self.record = record

    def body(self) -> Dict[str, Any]:
        if self.errors is not None:
            return self.errors.body()
        return {"message": self.message, "code": self.code}


def _form_error(errors: v.FormErrors, note: str = "") -> _ApiError:
    return _ApiError(400, 50035, "Invalid Form Body", errors=errors, note=note)


@dataclasses.dataclass
class Rejection:
    """A request the stand-in refused (what Discord would have refused)."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: Dict[str, Any] = dataclasses.field(default_factory=dict)
    detail: List[str] = dataclasses.field(default_factory=list)
    payload: Any = None
    interaction_id: Optional[int] = None

    def __str__(self) -> str:
        lines = [f"{self.method} {self.path} -> {self.status} code {self.code}: {self.message}"]
        lines += [f"    {line}" for line in self.detail]
        return "\n".join(lines)


@dataclasses.dataclass
class RequestRecord:
    at: float
    method: str
    path: str
    status: int = 0


@dataclasses.dataclass
class MentionRecord:
    """What one sent or edited message allowed to ping (for "never pings @everyone" tests)."""

    message_id: int
    where: str
    content: str
    allowed_mentions: Optional[Dict[str, Any]]
    pings_everyone: bool
    pinged_roles: List[str]
    pinged_users: List[str]
    pinged_replied_user: bool = False  # a reply that notifies the author of the message it answers


def mention_pings(content: str, allowed: Optional[Dict[str, Any]]) -> Tuple[bool, List[str], List[str]]:
    """Who Discord would notify for ``content`` under ``allowed_mentions`` (absent = parse all)."""
    content = content or ""
    if allowed is None:
        parse = {"everyone", "roles", "users"}
        allowed_roles: List[str] = []
        allowed_users: List[str] = []
    else:
        parse = set(allowed.get("parse") or [])
        allowed_roles = [str(r) for r in allowed.get("roles") or []]
        allowed_users = [str(u) for u in allowed.get("users") or []]
    everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
    roles = [r for r in re.findall(r"<@&(\d+)>", content) if "roles" in parse or r in allowed_roles]
    users = [u for u in re.findall(r"<@!?(\d+)>", content) if "users" in parse or u in allowed_users]
    return everyone, roles, users


@dataclasses.dataclass
class Callback:
    """One accepted interaction callback."""

    type: int
    data: Dict[str, Any]
    at: float  # seconds after the interaction was delivered
    files: List[Tuple[str, bytes]] = dataclasses.field(default_factory=list)
    message: Optional[Dict[str, Any]] = None  # the message it created or updated, as it was then

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        if self.message is not None:
            return bool(int(self.message.get("flags") or 0) & v.FLAG_EPHEMERAL)
        return bool(self.flags & v.FLAG_EPHEMERAL)

    @property
    def content(self) -> str:
        return (self.message or self.data).get("content") or ""

    @property
    def embeds(self) -> List[Dict[str, Any]]:
        return (self.message or self.data).get("embeds") or []

    @property
    def components(self) -> List[Dict[str, Any]]:
        return (self.message or self.data).get("components") or []

    @property
    def choices(self) -> List[Dict[str, Any]]:
        return self.data.get("choices") or []


def is_ephemeral(message: Dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & v.FLAG_EPHEMERAL)


def iter_components(components: Iterable[Dict[str, Any]]) -> Iterable[Dict[str, Any]]:
    """Every component in a message, nested ones included (rows, sections, containers)."""
    for component in components or []:
        yield component
        yield from iter_components(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield component["accessory"]
        if isinstance(component.get("component"), dict):
            yield component["component"]


def message_text(message: Dict[str, Any]) -> str:
    """Everything a message says, classic or Components V2: content, embeds (title, description, fields,
    footer) and every Text Display."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "", (embed.get("footer") or {}).get("text", "")]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    parts += v.layout_texts(message.get("components") or [])
    return "\n".join(parts)


def find_component(message: Dict[str, Any], custom_id: str) -> Optional[Dict[str, Any]]:
    return next((c for c in iter_components(message.get("components") or []) if c.get("custom_id") == custom_id), None)


class SentInteraction:
    """An interaction the stand-in delivered, and everything the bot did with it."""

    def __init__(self, standin: "DiscordStandIn", payload: Dict[str, Any], *, user: User, guild_id: int,
                 channel_id: int, focused_type: Optional[int] = None, source_message_id: Optional[int] = None) -> None:
        self._standin = standin
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.user = user
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.created_at = standin._now()
        self.sent_at: Optional[float] = None
        self.callbacks: List[Callback] = []
        self.rejections: List[Rejection] = []
        self.edits: List[Dict[str, Any]] = []
        self.followup_ids: List[int] = []
        self.original_message_id: Optional[int] = None
        self.source_message_id = source_message_id  # the message a component sat on
        self.focused_type = focused_type  # option type of the focused autocomplete option

    def __repr__(self) -> str:
        return f"<SentInteraction id={self.id} type={self.type} callbacks={[c.type for c in self.callbacks]}>"

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    @property
    def modal(self) -> Optional[Dict[str, Any]]:
        """The modal the bot opened in answer, if any."""
        first = self.callbacks[0] if self.callbacks else None
        return first.data if first is not None and first.type == MODAL else None

    @property
    def followups(self) -> List[Dict[str, Any]]:
        return [self._standin.message(mid) for mid in self.followup_ids if mid in self._standin._messages]

    def original_message(self) -> Optional[Dict[str, Any]]:
        """The current state of the message ``@original`` refers to (after every edit)."""
        if self.original_message_id is None or self.original_message_id not in self._standin._messages:
            return None
        return self._standin.message(self.original_message_id)

    final_message = original_message

    def _failure(self, what: str) -> InteractionFailed:
        lines = [f"interaction {self.id} (type {self.type}): {what}"]
        lines += [str(r) for r in self.rejections]
        return InteractionFailed("\n".join(lines))

    async def response(self, timeout: float = 5.0) -> Callback:
        """The first accepted callback (reply, defer, update, autocomplete result or modal)."""
        try:
            await self._standin._wait_until(lambda: self.callbacks, timeout, f"a response to interaction {self.id}")
        except asyncio.TimeoutError:
            raise self._failure(f"no accepted response within {timeout}s") from None
        return self.callbacks[0]

    def _visible(self) -> Optional[Dict[str, Any]]:
        if not self.callbacks:
            return None
        first = self.callbacks[0]
        original = self.original_message()
        if first.type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            return original
        if first.type == DEFERRED_CHANNEL_MESSAGE:
            if original is not None and not int(original["flags"]) & v.FLAG_LOADING:
                return original
            return None
        if first.type == DEFERRED_UPDATE_MESSAGE:
            if self.edits and original is not None:
                return original
            followups = self.followups
            return followups[0] if followups else None
        return None

    async def answer(self, timeout: float = 5.0) -> Dict[str, Any]:
        """The message the user ends up seeing: the reply, the edited deferral, the updated
        component message, or the first followup after a deferred update."""
        try:
            await self._standin._wait_until(lambda: self._visible() is not None, timeout,
                                            f"a visible answer to interaction {self.id}")
        except asyncio.TimeoutError:
            kinds = [c.type for c in self.callbacks]
            raise self._failure(f"no visible answer within {timeout}s (callbacks so far: {kinds})") from None
        return self._visible()  # type: ignore[return-value]

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> List[Dict[str, Any]]:
        try:
            await self._standin._wait_until(lambda: len(self.followup_ids) >= count, timeout,
                                            f"{count} followup(s) to interaction {self.id}")
        except asyncio.TimeoutError:
            raise self._failure(f"only {len(self.followup_ids)} followup(s) within {timeout}s") from None
        return self.followups

    async def wait_edits(self, count: int = 1, timeout: float = 5.0) -> List[Dict[str, Any]]:
        try:
            await self._standin._wait_until(lambda: len(self.edits) >= count, timeout,
                                            f"{count} edit(s) of interaction {self.id}")
        except asyncio.TimeoutError:
            raise self._failure(f"only {len(self.edits)} edit(s) within {timeout}s") from None
        return list(self.edits)

    async def wait_rejection(self, timeout: float = 5.0) -> Rejection:
        """The first refused request about this interaction (for tests that expect one)."""
        await self._standin._wait_until(lambda: self.rejections, timeout, f"a rejection for interaction {self.id}")
        return self.rejections[0]


@dataclasses.dataclass
class GuildState:
    id: int
    name: str
    owner_id: int
    bot_role_id: int
    text_channel_id: int
    voice_channel_id: int
    channels: Dict[int, Dict[str, Any]]
    roles: Dict[int, Dict[str, Any]]
    joined_at: str
    members: Dict[int, Dict[str, Any]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Session:
    id: str
    shard_id: int
    shard_count: int
    intents: int
    ws: Optional[web.WebSocketResponse]
    seq: int = 0
    backlog: Deque[Dict[str, Any]] = dataclasses.field(default_factory=lambda: collections.deque(maxlen=5000))
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    ready: bool = False
    invalidated: bool = False


_JSON_HEADERS = {"Content-Type": "application/json"}
# Per-request storage keys (aiohttp warns about plain string keys).
_PAYLOAD_KEY = web.RequestKey("standin_payload", object) if hasattr(web, "RequestKey") else "standin_payload"
_INTERACTION_KEY = web.RequestKey("standin_interaction", object) if hasattr(web, "RequestKey") else "standin_interaction"


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py only decodes JSON when the header is exactly that.
    return web.Response(status=status, body=json.dumps(data).encode(), headers=_JSON_HEADERS)


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()


class DiscordStandIn(PlacesMixin):
    """A local Discord. ``await start()``, point the bot at ``api_base`` and ``gateway_url``.

    Parameters
    ----------
    token: the bot token the bot must present (REST ``Authorization: Bot <token>``, IDENTIFY).
    app_id: the application id; the bot user has the same id, as for every new Discord app.
    guild_ids: the guilds the bot is in; each gets a text channel, a voice channel, the
        @everyone role (``everyone_permissions``, 0 by default) and a managed bot role.
    bot_permissions: permissions of the bot role, i.e. what the bot can do in every guild.
    privileged_intents: the privileged intents "enabled in the developer portal"; IDENTIFY
        asking for others is closed with 4014 like Discord does.
    response_deadline: seconds the bot has for the first interaction response (Discord: 3).
    """

    def __init__(
        self,
        token: str = "test-token",
        app_id: int = DEFAULT_APP_ID,
        guild_ids: Optional[Sequence[int]] = None,
        *,
        bot_username: str = "Marquee",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = 0,
        privileged_intents: int = 0,
        shard_count: int = 1,
        max_concurrency: int = 1,
        identify_interval: float = 0.0,
        response_deadline: float = RESPONSE_DEADLINE_S,
        token_lifetime: float = TOKEN_LIFETIME_S,
        heartbeat_interval_ms: int = 41250,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.app_id = app_id
        self.bot_user = User(app_id, bot_username, None, bot=True)
        self.privileged_intents = privileged_intents
        self.shard_count = shard_count
        # Sessions per 5 s: shard s is in identify bucket s % max_concurrency, and a bucket may IDENTIFY once
        # per `identify_interval` seconds (Discord: 5; 0 switches the check off). Too soon: INVALID_SESSION.
        self.max_concurrency = max_concurrency
        self.identify_interval = identify_interval
        self._bucket_identified: Dict[int, float] = {}
        self.response_deadline = response_deadline
        self.token_lifetime = token_lifetime
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.host = host
        self.port = port

        self._last_snowflake = 0
        self.guilds: Dict[int, GuildState] = {}
        for gid in guild_ids or [DEFAULT_GUILD_ID]:
            self.guilds[gid] = self._make_guild(gid, bot_permissions, everyone_permissions)

        self.users: Dict[int, User] = {u.id: u for u in (ALICE, BOB, CAROL)}

        # Observable state: tests read these.
        self.rejections: List[Rejection] = []
        self.unhandled: List[Tuple[str, str]] = []
        self.requests: List[RequestRecord] = []
        self.mentions: List[MentionRecord] = []
        self.commands_by_scope: Dict[Optional[int], List[Dict[str, Any]]] = {}
        self.sync_count = 0
        self.sync_counts: Dict[Optional[int], int] = collections.Counter()
        self.command_creates = 0
        self.scheduled_events: Dict[int, Dict[str, Any]] = {}
        # The application's owner (GET /oauth2/applications/@me): ALICE, or a team when this is set to
        # [(user, role), ...] with role "admin", "developer" or "read_only" (the first member owns the team).
        self.team: Optional[List[Tuple[User, str]]] = None
        self.interactions: Dict[int, SentInteraction] = {}
        self.identify_count = 0
        self.identifies: List[Tuple[int, float]] = []  # (shard id, monotonic time) of each accepted IDENTIFY
        self.ready_count = 0
        self.resume_count = 0
        self.gateway_closes: List[int] = []

        self._messages: Dict[int, Dict[str, Any]] = {}
        self._poll_votes: Dict[int, Dict[int, List[int]]] = {}  # message id -> answer id -> user ids
        self._files: Dict[int, Tuple[str, str, bytes]] = {}
        self._registered_attachments: Dict[int, Dict[str, Any]] = {}
        self._interactions_by_token: Dict[str, SentInteraction] = {}
        self._sessions: Dict[str, _Session] = {}
        self._sockets: set = set()
        self._closed_by_us: set = set()
        self._changed = asyncio.Event()
        self._runner: Optional[web.AppRunner] = None
        self._started_wall = time.time()

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> "DiscordStandIn":
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"stand-in stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "DiscordStandIn":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def guild_ids(self) -> List[int]:
        return list(self.guilds)

    def channel_id(self, guild_id: Optional[int] = None) -> int:
        """The text channel of a guild (the first guild by default)."""
        return self._guild(guild_id).text_channel_id

    def voice_channel_id(self, guild_id: Optional[int] = None) -> int:
        return self._guild(guild_id).voice_channel_id

    # --- waiting ----------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                hint = "".join(f"\n  rejected: {r}" for r in self.rejections[-5:])
                raise asyncio.TimeoutError(f"timed out after {timeout}s waiting for {what}{hint}")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def wait_for_ready(self, timeout: float = 20.0, count: int = 1,
                             shards: Optional[Iterable[int]] = None) -> None:
        """Until ``count`` READYs have been sent and every shard (or each of ``shards``) has a live session."""
        wanted = set(range(self.shard_count) if shards is None else shards)

        def ready() -> bool:
            return self.ready_count >= count and wanted <= self.live_shards()

        await self._wait_until(ready, timeout, f"{count} READY(s) on shard(s) {sorted(wanted)}")

    def live_shards(self) -> set:
        """The shards with a connected, READY session."""
        return {s.shard_id for s in self._sessions.values()
                if s.ready and not s.invalidated and s.ws is not None and not s.ws.closed}

    def shard_of(self, guild_id: int) -> int:
        """The shard Discord routes a guild's events to: (guild_id >> 22) % shard_count."""
        return self._shard_of(guild_id)

    async def wait_for_sync(self, count: int = 1, timeout: float = 20.0, guild_id: Any = ...) -> None:
        """Until ``count`` command syncs happened (for one scope: ``guild_id`` or None = global)."""
        if guild_id is ...:
            await self._wait_until(lambda: self.sync_count >= count, timeout, f"{count} command sync(s)")
        else:
            await self._wait_until(lambda: self.sync_counts[guild_id] >= count, timeout,
                                   f"{count} command sync(s) for scope {guild_id}")

    async def wait_for_channel_message(self, channel_id: Optional[int] = None,
                                       predicate: Optional[Callable[[Dict[str, Any]], bool]] = None,
                                       timeout: float = 5.0) -> Dict[str, Any]:
        """The first (non-ephemeral) message in the channel matching ``predicate``."""
        channel_id = channel_id or self.channel_id()

        def find() -> Optional[Dict[str, Any]]:
            return next((m for m in self.channel_messages(channel_id) if predicate is None or predicate(m)), None)

        return await self._wait_until(find, timeout, f"a message in channel {channel_id}")

    async def user_message(self, content: str, *, user: User = ALICE, guild_id: Optional[int] = None,
                           channel_id: Optional[int] = None, mention_bot: bool = False) -> Dict[str, Any]:
        """A member writes in a channel: the message is stored and MESSAGE_CREATE dispatched, as Discord
        does for a bot with the GUILD_MESSAGES intent. Without the privileged MESSAGE_CONTENT intent the
        bot receives the content only when the message mentions it (content, embeds, attachments and
        components arrive empty otherwise). In the bot's DM (``channel_id=dm_channel_id(user)``) the bot gets
        every message with its content (the DIRECT_MESSAGES intent; DMs are exempt from MESSAGE_CONTENT)."""
        if channel_id is not None and self._dm_like_channel(channel_id) is not None:
            return await self._dm_message(content, user=self._user(user), channel_id=channel_id, mention_bot=mention_bot)
        guild = self._guild(guild_id)
        channel = channel_id or guild.text_channel_id
        if mention_bot:
            content = f"<@{self.bot_user.id}> {content}"
        message_id = self._snowflake()
        message: Dict[str, Any] = {
            "id": str(message_id), "type": 0, "channel_id": str(channel), "guild_id": str(guild.id),
            "author": user.to_dict(), "content": content, "embeds": [], "components": [], "attachments": [],
            "mentions": [self.bot_user.to_dict()] if mention_bot else [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": _iso(time.time()),
            "edited_timestamp": None, "flags": 0, "reactions": [], "sticker_items": [],
            "member": {k: val for k, val in guild.members.get(user.id, {}).items() if k != "user"}
                      or {"roles": [], "joined_at": _iso(self._started_wall - 3600), "deaf": False, "mute": False,
                          "flags": 0},
        }
        self._messages[message_id] = copy.deepcopy(message)
        session = self._session_for_guild(guild.id)
        if session is not None and session.intents & INTENT_GUILD_MESSAGES:
            if not mention_bot and not session.intents & INTENT_MESSAGE_CONTENT:
                message.update(content="", embeds=[], attachments=[], components=[])
            await self._dispatch(session, "MESSAGE_CREATE", message)
        return message

    async def _dm_message(self, content: str, *, user: User, channel_id: int, mention_bot: bool) -> Dict[str, Any]:
        channel = self._dm_like_channel(channel_id) or {}
        if channel.get("type") != 1:
            raise ValueError("the bot only receives messages from its own DMs (not from group DMs it is not in)")
        if mention_bot:
            content = f"<@{self.bot_user.id}> {content}"
        message_id = self._snowflake()
        message: Dict[str, Any] = {
            "id": str(message_id), "type": 0, "channel_id": str(channel_id), "author": user.to_dict(),
            "content": content, "embeds": [], "components": [], "attachments": [],
            "mentions": [self.bot_user.to_dict()] if mention_bot else [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": _iso(time.time()),
            "edited_timestamp": None, "flags": 0, "reactions": [], "sticker_items": [],
        }
        self._messages[message_id] = copy.deepcopy(message)
        live = [s for s in self._sessions.values() if s.shard_id == 0 and s.ready and not s.invalidated]
        if live and live[-1].intents & INTENT_DIRECT_MESSAGES:
            await self._dispatch(live[-1], "MESSAGE_CREATE", message)
        return message

    # --- test-facing state ------------------------------------------------------------

    def commands(self, guild_id: Optional[int] = None) -> List[Dict[str, Any]]:
        """The command definitions last synced for a guild (or globally with None)."""
        return copy.deepcopy(self.commands_by_scope.get(guild_id, []))

    def command(self, name: str, guild_id: Optional[int] = None, type: int = 1) -> Optional[Dict[str, Any]]:
        """The definition the Discord client would use in ``guild_id``: guild first, then global."""
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands_by_scope.get(scope, []):
                if command["name"] == name and command.get("type", 1) == type:
                    return command
        return None

    def message(self, message_id: Union[int, str]) -> Dict[str, Any]:
        """The current state of a message (a copy)."""
        return copy.deepcopy(self._messages[int(message_id)])

    def channel_messages(self, channel_id: Optional[int] = None, *, include_ephemeral: bool = False) -> List[Dict[str, Any]]:
        channel_id = channel_id or self.channel_id()
        return [
            copy.deepcopy(m) for m in self._messages.values()
            if int(m["channel_id"]) == channel_id and (include_ephemeral or not is_ephemeral(m))
        ]

    def file_bytes(self, attachment: Union[Dict[str, Any], int, str]) -> bytes:
        """The bytes of an uploaded or registered attachment."""
        attachment_id = int(attachment["id"]) if isinstance(attachment, dict) else int(attachment)
        return self._files[attachment_id][2]

    def unsafe_mentions(self) -> List[MentionRecord]:
        """Messages whose content would have pinged @everyone/@here or a role."""
        return [m for m in self.mentions if m.pings_everyone or m.pinged_roles]

    def pings(self) -> List[MentionRecord]:
        """Messages that would have notified anyone at all: @everyone, a role, a user, a replied-to author."""
        return [m for m in self.mentions if m.pings_everyone or m.pinged_roles or m.pinged_users
                or m.pinged_replied_user]

    def add_attachment(self, filename: str, data: bytes, content_type: Optional[str] = None) -> Dict[str, Any]:
        """A file "uploaded by a user", for an ATTACHMENT (type 11) option. The bot downloads it
        from the returned ``url``."""
        attachment = self._store_file(filename, data, content_type)
        self._registered_attachments[int(attachment["id"])] = attachment
        return copy.deepcopy(attachment)

    def add_user(self, username: str, global_name: Optional[str] = None, *, bot: bool = False) -> User:
        user = User(self._snowflake(), username, global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_role(self, name: str, permissions: int = 0, guild_id: Optional[int] = None) -> int:
        guild = self._guild(guild_id)
        role_id = self._snowflake()
        guild.roles[role_id] = self._role(role_id, name, permissions, position=len(guild.roles))
        self._schedule_dispatch_guild(guild.id, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": guild.roles[role_id]})
        return role_id

    def add_channel(self, name: str, guild_id: Optional[int] = None, type: int = 0) -> int:
        guild = self._guild(guild_id)
        channel_id = self._snowflake()
        guild.channels[channel_id] = self._channel(guild.id, channel_id, name, type, position=len(guild.channels))
        self._schedule_dispatch_guild(guild.id, "CHANNEL_CREATE", guild.channels[channel_id])
        return channel_id

    def bot_permissions(self, guild_id: Optional[int] = None) -> int:
        """What the bot may do in the guild (@everyone role | bot role, Administrator expanded)."""
        guild = self._guild(guild_id)
        return effective(int(guild.roles[guild.id]["permissions"]) | int(guild.roles[guild.bot_role_id]["permissions"]))

    async def set_bot_permissions(self, permissions: int, guild_id: Optional[int] = None) -> None:
        """Changes the bot role's permissions and tells the connected bot (GUILD_ROLE_UPDATE)."""
        guild = self._guild(guild_id)
        guild.roles[guild.bot_role_id]["permissions"] = str(int(permissions))
        await self._dispatch_guild(guild.id, "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": guild.roles[guild.bot_role_id]})

    # --- ids and model builders -------------------------------------------------------

    def _snowflake(self) -> int:
        """Increasing ids whose timestamp part is the current time, like Discord's."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_snowflake = max(candidate, self._last_snowflake + 1)
        return self._last_snowflake

    @staticmethod
    def _now() -> float:
        return time.monotonic()

    def _guild(self, guild_id: Optional[int]) -> GuildState:
        if guild_id is None:
            return next(iter(self.guilds.values()))
        try:
            return self.guilds[int(guild_id)]
        except KeyError:
            raise ValueError(f"unknown guild {guild_id}; the stand-in has {self.guild_ids}") from None

    @staticmethod
    def _role(role_id: int, name: str, permissions: int, *, position: int, bot_id: Optional[int] = None) -> Dict[str, Any]:
        role = {
            "id": str(role_id), "name": name, "permissions": str(int(permissions)), "position": position,
            "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "managed": bot_id is not None, "mentionable": False, "icon": None,
            "unicode_emoji": None, "flags": 0,
        }
        if bot_id is not None:
            role["tags"] = {"bot_id": str(bot_id)}
        return role

    @staticmethod
    def _channel(guild_id: int, channel_id: int, name: str, type: int, *, position: int) -> Dict[str, Any]:
        channel = {
            "id": str(channel_id), "type": type, "guild_id": str(guild_id), "name": name, "position": position,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "flags": 0,
        }
        if type == 2:
            channel.update(bitrate=64000, user_limit=0, rtc_region=None, rate_limit_per_user=0, last_message_id=None)
        else:
            channel.update(topic=None, last_message_id=None, rate_limit_per_user=0, default_auto_archive_duration=1440)
        return channel

    def _make_guild(self, guild_id: int, bot_permissions: int, everyone_permissions: int) -> GuildState:
        bot_role_id = self._snowflake()
        text_id = self._snowflake()
        voice_id = self._snowflake()
        return GuildState(
            id=guild_id,
            name=f"Test Guild {guild_id % 1000}",
            owner_id=ALICE.id,
            bot_role_id=bot_role_id,
            text_channel_id=text_id,
            voice_channel_id=voice_id,
            channels={
                text_id: self._channel(guild_id, text_id, "general", 0, position=0),
                voice_id: self._channel(guild_id, voice_id, "Movie Night", 2, position=1),
            },
            roles={
                guild_id: self._role(guild_id, "@everyone", everyone_permissions, position=0),
                bot_role_id: self._role(bot_role_id, self.bot_user.username, bot_permissions, position=1, bot_id=self.bot_user.id),
            },
            joined_at=_iso(time.time() - 86400),
        )

    def _bot_member(self, guild: GuildState) -> Dict[str, Any]:
        return {
            "user": self.bot_user.to_dict(), "roles": [str(guild.bot_role_id)], "joined_at": guild.joined_at,
            "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
            "banner": None, "premium_since": None, "communication_disabled_until": None,
        }

    def _member(self, guild: GuildState, user: User, roles: Sequence[int], permissions: int) -> Dict[str, Any]:
        member = {
            "user": user.to_dict(), "roles": [str(r) for r in roles], "joined_at": _iso(self._started_wall - 3600),
            "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None, "avatar": None,
            "banner": None, "premium_since": None, "communication_disabled_until": None,
            "permissions": str(int(permissions)),
        }
        guild.members[user.id] = {k: val for k, val in member.items() if k != "permissions"}
        return member

    def _guild_payload(self, guild: GuildState) -> Dict[str, Any]:
        members = [self._bot_member(guild)]
        return {
            "id": str(guild.id), "name": guild.name, "icon": None, "splash": None, "discovery_splash": None,
            "owner_id": str(guild.owner_id), "afk_channel_id": None, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "premium_subscription_count": 0,
            "preferred_locale": "en-US", "features": [], "system_channel_id": str(guild.text_channel_id),
            "system_channel_flags": 0, "rules_channel_id": None, "public_updates_channel_id": None,
            "safety_alerts_channel_id": None, "application_id": None, "description": None, "banner": None,
            "vanity_url_code": None, "max_members": 500000, "premium_progress_bar_enabled": False,
            "unavailable": False, "large": False, "joined_at": guild.joined_at,
            # member_count equal to the members sent makes discord.py consider the guild chunked.
            "member_count": len(members), "members": members,
            "roles": list(guild.roles.values()), "channels": list(guild.channels.values()),
            "threads": [], "presences": [], "voice_states": [], "emojis": [], "stickers": [],
            "stage_instances": [], "soundboard_sounds": [],
            "guild_scheduled_events": [e for e in self.scheduled_events.values() if int(e["guild_id"]) == guild.id],
        }

    def _shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.shard_count

    # --- gateway ----------------------------------------------------------------------

    def _session_for_guild(self, guild_id: int) -> Optional[_Session]:
        shard = self._shard_of(guild_id)
        candidates = [s for s in self._sessions.values() if s.shard_id == shard and s.ready and not s.invalidated]
        # Prefer a connected session; a disconnected one still queues events for its RESUME.
        live = [s for s in candidates if s.ws is not None and not s.ws.closed]
        return (live or candidates or [None])[-1]

    async def _send_frame(self, session: _Session, frame: Dict[str, Any]) -> None:
        ws = session.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str(json.dumps(frame))
            except (ConnectionResetError, RuntimeError):
                pass

    async def _dispatch(self, session: _Session, event: str, data: Dict[str, Any]) -> None:
        """Sends an event on the session (kept in its backlog so a RESUME can replay it)."""
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.backlog.append(frame)
            await self._send_frame(session, frame)

    async def _dispatch_guild(self, guild_id: int, event: str, data: Dict[str, Any], *, intent: int = 0) -> None:
        session = self._session_for_guild(guild_id)
        if session is not None and (not intent or session.intents & intent):
            await self._dispatch(session, event, data)

    def _schedule_dispatch_guild(self, guild_id: int, event: str, data: Dict[str, Any]) -> None:
        if self._session_for_guild(guild_id) is None:
            return
        asyncio.get_running_loop().create_task(self._dispatch_guild(guild_id, event, data))

    async def _ws_close(self, ws: web.WebSocketResponse, code: int, reason: str) -> None:
        self.gateway_closes.append(code)
        self._closed_by_us.add(id(ws))
        await ws.close(code=code, message=reason.encode())

    async def _h_gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self._sockets.add(ws)
        session: Optional[_Session] = None
        try:
            if request.query.get("encoding", "json") != "json":
                await self._ws_close(ws, 4002, "The stand-in only speaks the JSON encoding.")
                return ws
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await self._ws_close(ws, 4002, "Error while decoding payload.")
                    continue
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await self._ws_close(ws, 4002, "Error while decoding payload.")
                    break
                data = frame.get("d")
                if op == 1:
                    await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
                elif op == 2:
                    if session is not None:
                        await self._ws_close(ws, 4005, "Already authenticated.")
                        break
                    session = await self._identify(ws, data or {})
                elif op == 6:
                    if session is not None:
                        await self._ws_close(ws, 4005, "Already authenticated.")
                        break
                    session = await self._resume(ws, data or {})
                elif op in (3, 4, 8):
                    if session is None:
                        await self._ws_close(ws, 4003, "Not authenticated.")
                        break
                    if op == 8:
                        await self._members_chunk(session, data or {})
                else:
                    await self._ws_close(ws, 4001, "Unknown opcode.")
                    break
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
                # A client closing with 1000/1001 ends its session; Discord won't resume it.
                if ws.close_code in (1000, 1001) and id(ws) not in self._closed_by_us:
                    session.invalidated = True
            self._closed_by_us.discard(id(ws))
            self._notify()
        return ws

    def _gateway_reject(self, message: str, payload: Any) -> None:
        self.rejections.append(Rejection("GATEWAY", "/gateway", 0, 0, message, payload=payload))

    async def _identify(self, ws: web.WebSocketResponse, data: Dict[str, Any]) -> Optional[_Session]:
        if data.get("token") != self.token:
            self._gateway_reject("IDENTIFY with a wrong token: closed with 4004", {"token": "<hidden>"})
            await self._ws_close(ws, 4004, "Authentication failed.")
            return None
        shard = data.get("shard") or [0, 1]
        if (not isinstance(shard, list) or len(shard) != 2 or shard[1] != self.shard_count
                or not 0 <= shard[0] < self.shard_count):
            self._gateway_reject(f"IDENTIFY with shard {shard!r}; /gateway/bot said {self.shard_count} shard(s)", shard)
            await self._ws_close(ws, 4010, "Invalid shard.")
            return None
        intents = data.get("intents")
        if not isinstance(intents, int) or isinstance(intents, bool) or intents < 0:
            await self._ws_close(ws, 4013, "Invalid intent(s).")
            return None
        refused = intents & PRIVILEGED_INTENTS & ~self.privileged_intents
        if refused:
            self._gateway_reject(f"IDENTIFY asked for privileged intents {refused} not enabled for the app: closed with 4014", intents)
            await self._ws_close(ws, 4014, "Disallowed intent(s).")
            return None
        bucket, now = shard[0] % self.max_concurrency, self._now()
        last = self._bucket_identified.get(bucket)
        if self.identify_interval and last is not None and now - last < self.identify_interval:
            self._gateway_reject(
                f"IDENTIFY of shard {shard[0]} {now - last:.2f}s after the last one of identify bucket {bucket} "
                f"(max_concurrency {self.max_concurrency}: one per {self.identify_interval:g}s): INVALID_SESSION", shard)
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        self._bucket_identified[bucket] = now
        # A shard runs in one place: a new session for it ends the old one (which is told INVALID_SESSION).
        for old in self._sessions.values():
            if old.shard_id == shard[0] and not old.invalidated:
                old.invalidated = True
                await self._send_frame(old, {"op": 9, "d": False, "s": None, "t": None})
        session = _Session(id=secrets.token_hex(16), shard_id=shard[0], shard_count=shard[1], intents=intents, ws=ws)
        self._sessions[session.id] = session
        self.identify_count += 1
        self.identifies.append((shard[0], now))
        guilds = [g for g in self.guilds.values() if self._shard_of(g.id) == session.shard_id]
        await self._dispatch(session, "READY", {
            "v": 10,
            "user": {**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"], "user_settings": {}, "auth": {}, "_trace": ["discord-standin"],
        })
        for guild in guilds:
            await self._dispatch(session, "GUILD_CREATE", self._guild_payload(guild))
        session.ready = True
        self.ready_count += 1
        self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: Dict[str, Any]) -> Optional[_Session]:
        if data.get("token") != self.token:
            self._gateway_reject("RESUME with a wrong token: closed with 4004", None)
            await self._ws_close(ws, 4004, "Authentication failed.")
            return None
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or session.invalidated:
            # The client must identify again (discord.py reconnects and sends IDENTIFY).
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        last_seen = data.get("seq") or 0
        async with session.lock:
            # Swap sockets and replay under the lock so no new event overtakes the replay.
            old = session.ws
            session.ws = ws
            for frame in list(session.backlog):
                if frame["s"] > last_seen:
                    await self._send_frame(session, frame)
        if old is not None and not old.closed and old is not ws:
            await old.close(code=4000, message=b"Session resumed elsewhere.")
        await self._dispatch(session, "RESUMED", {"_trace": ["discord-standin"]})
        self.resume_count += 1
        self._notify()
        return session

    async def _members_chunk(self, session: _Session, data: Dict[str, Any]) -> None:
        guild_id = int(data.get("guild_id") or 0)
        guild = self.guilds.get(guild_id)
        if guild is None:
            return
        members = [self._bot_member(guild)] + list(guild.members.values())
        user_ids = data.get("user_ids")
        if user_ids:
            wanted = {str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m["user"]["id"] in wanted]
        elif data.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(str(data["query"]).lower())]
        limit = data.get("limit") or 0
        if limit:
            members = members[:limit]
        await self._dispatch(session, "GUILD_MEMBERS_CHUNK", {
            "guild_id": str(guild_id), "members": members, "chunk_index": 0, "chunk_count": 1,
            "not_found": [], "nonce": data.get("nonce"),
        })

    async def send_reconnect(self, shard_id: int = 0) -> None:
        """Op 7: asks the bot to reconnect and RESUME (Discord does this routinely)."""
        for session in self._sessions.values():
            if session.shard_id == shard_id and session.ws is not None and not session.ws.closed:
                await self._send_frame(session, {"op": 7, "d": None, "s": None, "t": None})

    async def drop_connections(self, code: int = 4000) -> None:
        """Closes every gateway connection with ``code`` (4000 lets the bot resume)."""
        for ws in list(self._sockets):
            await self._ws_close(ws, code, "Dropped by the stand-in.")

    async def invalidate_sessions(self) -> None:
        """Op 9 (not resumable): the bot must IDENTIFY again."""
        for session in list(self._sessions.values()):
            session.invalidated = True
            await self._send_frame(session, {"op": 9, "d": False, "s": None, "t": None})

    # --- REST plumbing ----------------------------------------------------------------

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        api = API_PREFIX
        routes = [
            ("GET", "/gateway", self._h_gateway),
            ("GET", f"{api}/gateway", self._h_get_gateway),
            ("GET", f"{api}/gateway/bot", self._h_get_gateway_bot),
            ("GET", f"{api}/users/@me", self._h_get_me),
            ("GET", f"{api}/oauth2/applications/@me", self._h_get_application),
            ("GET", f"{api}/applications/@me", self._h_get_application),
            ("GET", f"{api}/applications/{{app_id}}/commands", self._h_get_commands),
            ("PUT", f"{api}/applications/{{app_id}}/commands", self._h_put_commands),
            ("POST", f"{api}/applications/{{app_id}}/commands", self._h_post_command),
            ("GET", f"{api}/applications/{{app_id}}/commands/{{command_id}}", self._h_get_command),
            ("DELETE", f"{api}/applications/{{app_id}}/commands/{{command_id}}", self._h_delete_command),
            ("GET", f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self._h_get_commands),
            ("PUT", f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self._h_put_commands),
            ("POST", f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands", self._h_post_command),
            ("GET", f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands/{{command_id}}", self._h_get_command),
            ("DELETE", f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands/{{command_id}}", self._h_delete_command),
            ("POST", f"{api}/interactions/{{interaction_id}}/{{token}}/callback", self._h_callback),
            ("POST", f"{api}/webhooks/{{app_id}}/{{token}}", self._h_followup),
            ("GET", f"{api}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}", self._h_webhook_get),
            ("PATCH", f"{api}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}", self._h_webhook_edit),
            ("DELETE", f"{api}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}", self._h_webhook_delete),
            ("GET", f"{api}/channels/{{channel_id}}", self._h_get_channel),
            ("POST", f"{api}/channels/{{channel_id}}/messages", self._h_channel_send),
            ("GET", f"{api}/channels/{{channel_id}}/messages/{{message_id}}", self._h_channel_get_message),
            ("PATCH", f"{api}/channels/{{channel_id}}/messages/{{message_id}}", self._h_channel_edit),
            ("DELETE", f"{api}/channels/{{channel_id}}/messages/{{message_id}}", self._h_channel_delete),
            ("POST", f"{api}/channels/{{channel_id}}/polls/{{message_id}}/expire", self._h_poll_expire),
            ("GET", f"{api}/channels/{{channel_id}}/polls/{{message_id}}/answers/{{answer_id}}", self._h_poll_voters),
            ("GET", f"{api}/guilds/{{guild_id}}", self._h_get_guild),
            ("GET", f"{api}/guilds/{{guild_id}}/channels", self._h_get_guild_channels),
            ("GET", f"{api}/guilds/{{guild_id}}/roles", self._h_get_guild_roles),
            ("GET", f"{api}/guilds/{{guild_id}}/scheduled-events", self._h_list_events),
            ("POST", f"{api}/guilds/{{guild_id}}/scheduled-events", self._h_create_event),
            ("GET", f"{api}/guilds/{{guild_id}}/scheduled-events/{{event_id}}", self._h_get_event),
            ("PATCH", f"{api}/guilds/{{guild_id}}/scheduled-events/{{event_id}}", self._h_edit_event),
            ("DELETE", f"{api}/guilds/{{guild_id}}/scheduled-events/{{event_id}}", self._h_delete_event),
            ("GET", "/attachments/{attachment_id}/{filename}", self._h_attachment),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, handler)
        router.add_route("*", "/{tail:.*}", self._h_unknown)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        record = RequestRecord(time.time(), request.method, request.path)
        self.requests.append(record)
        try:
            path = request.path
            token_in_url = path.startswith(f"{API_PREFIX}/interactions/") or path.startswith(f"{API_PREFIX}/webhooks/")
            if path.startswith(API_PREFIX) and not token_in_url and handler != self._h_unknown:
                if request.headers.get("Authorization") != f"Bot {self.token}":
                    raise _ApiError(401, 0, "401: Unauthorized", note="missing or wrong bot token")
            response = await handler(request)
        except _ApiError as exc:
            if exc.record:
                self._record_rejection(request, exc)
            response = _json(exc.body(), exc.status)
        record.status = response.status
        return response

    def _record_rejection(self, request: web.Request, exc: _ApiError, interaction: Optional[SentInteraction] = None) -> None:
        detail = exc.errors.describe() if exc.errors is not None else []
        if exc.note:
            detail.append(exc.note)
        interaction = interaction or request.get(_INTERACTION_KEY)
        rejection = Rejection(
            request.method, request.path, exc.status, exc.code, exc.message,
            errors=exc.errors.to_discord() if exc.errors is not None else {},
            detail=detail, payload=request.get(_PAYLOAD_KEY),
            interaction_id=interaction.id if interaction is not None else None,
        )
        self.rejections.append(rejection)
        if interaction is not None:
            interaction.rejections.append(rejection)
        self._notify()

    async def _read_payload(self, request: web.Request) -> Tuple[Dict[str, Any], List[Tuple[int, str, str, bytes]]]:
        """JSON body, or multipart with ``payload_json`` and ``files[n]`` parts."""
        files: List[Tuple[int, str, str, bytes]] = []
        payload: Any = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                name = part.name or ""
                body = await part.read()
                if name == "payload_json":
                    payload = json.loads(body.decode("utf-8"))
                else:
                    match = re.fullmatch(r"files\[(\d+)\]", name) or re.fullmatch(r"file(\d*)", name)
                    if match is None:
                        raise _ApiError(400, 50035, "Invalid Form Body", note=f"unexpected multipart field {name!r}")
                    index = int(match.group(1) or 0)
                    content_type = part.headers.get("Content-Type", "application/octet-stream")
                    files.append((index, part.filename or f"file{index}", content_type, bytes(body)))
        else:
            raw = await request.read()
            if raw:
                if request.content_type != "application/json":
                    raise _ApiError(400, 50035, "Invalid Form Body", note=f"body sent as {request.content_type!r}")
                try:
                    payload = json.loads(raw)
                except ValueError:
                    raise _ApiError(400, 50109, "The request body contains invalid JSON.") from None
        request[_PAYLOAD_KEY] = payload
        return payload, files

    async def _h_unknown(self, request: web.Request) -> web.Response:
        self.unhandled.append((request.method, request.path))
        self._notify()
        return _json({"message": "404: Not Found", "code": 0}, 404)

    # --- REST: identity and gateway ---------------------------------------------------

    async def _h_get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _h_get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json({
            "url": self.gateway_url, "shards": self.shard_count,
            "session_start_limit": {"total": 1000, "remaining": 1000 - self.identify_count,
                                    "reset_after": 86_400_000, "max_concurrency": self.max_concurrency},
        })

    async def _h_get_me(self, request: web.Request) -> web.Response:
        return _json({**self.bot_user.to_dict(), "verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})

    def _owner_payload(self) -> Dict[str, Any]:
        if not self.team:
            return {"owner": ALICE.to_dict(), "team": None}
        team_id = str(self.app_id + 7)
        # A team-owned application's "owner" is the team's own pseudo-user, named after the team.
        return {
            "owner": {"id": team_id, "username": "team" + team_id, "discriminator": "0000", "avatar": None,
                      "flags": 1024, "global_name": None},
            "team": {"id": team_id, "name": "Marquee team", "icon": None, "owner_user_id": str(self.team[0][0].id),
                     "members": [{"membership_state": 2, "team_id": team_id, "permissions": ["*"], "role": role,
                                  "user": user.to_dict()} for user, role in self.team]},
        }

    async def _h_get_application(self, request: web.Request) -> web.Response:
        return _json({
            "id": str(self.app_id), "name": self.bot_user.username, "description": "", "icon": None,
            "bot_public": False, "bot_require_code_grant": False, **self._owner_payload(),
            "verify_key": "0" * 64, "flags": 0, "summary": "", "rpc_origins": [], "tags": [],
            "bot": self.bot_user.to_dict(), "redirect_uris": [], "interactions_endpoint_url": None,
            "approximate_guild_count": len(self.guilds),
        })

    # --- REST: application commands ---------------------------------------------------

    def _command_scope(self, request: web.Request) -> Optional[int]:
        if int(request.match_info["app_id"]) != self.app_id:
            raise _ApiError(403, 50001, "Missing Access", note="commands of another application")
        guild_id = request.match_info.get("guild_id")
        if guild_id is None:
            return None
        if int(guild_id) not in self.guilds:
            raise _ApiError(403, 50001, "Missing Access", note=f"the bot is not in guild {guild_id}")
        return int(guild_id)

    def _store_commands(self, scope: Optional[int], definitions: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        old = {(c.get("type", 1), c["name"]): c for c in self.commands_by_scope.get(scope, [])}
        stored = []
        for definition in definitions:
            key = (definition.get("type", 1), definition["name"])
            previous = old.get(key)
            if previous is None:
                self.command_creates += 1  # Discord allows 200 creates per day per guild.
            command = {
                # Discord answers every command with a description: "" for context menus, which send none.
                "type": 1, "description": "", "default_member_permissions": None, "nsfw": False, "contexts": None,
                "integration_types": [0], "name_localizations": None, "description_localizations": None,
                **copy.deepcopy(definition),
                "id": previous["id"] if previous else str(self._snowflake()),
                "application_id": str(self.app_id),
                "version": str(self._snowflake()),
            }
            if scope is not None:
                command["guild_id"] = str(scope)
            stored.append(command)
        return stored

    async def _h_put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        payload, _ = await self._read_payload(request)
        errors = v.validate_command_list(payload)
        if errors:
            raise _form_error(errors, note=f"command sync for scope {scope} refused")
        self.commands_by_scope[scope] = self._store_commands(scope, payload)
        self.sync_count += 1
        self.sync_counts[scope] += 1
        self._notify()
        return _json(self.commands_by_scope[scope])

    async def _h_post_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        payload, _ = await self._read_payload(request)
        errors = v.FormErrors()
        v.validate_command(payload, errors)
        if errors:
            raise _form_error(errors)
        existing = [c for c in self.commands_by_scope.get(scope, [])
                    if (c.get("type", 1), c["name"]) != (payload.get("type", 1), payload["name"])]
        merged = existing + [payload]
        list_errors = v.validate_command_list(merged)
        if list_errors:
            raise _form_error(list_errors)
        self.commands_by_scope[scope] = self._store_commands(scope, merged)
        self._notify()
        return _json(self.commands_by_scope[scope][-1], 201)

    def _find_command(self, request: web.Request) -> Tuple[Optional[int], Dict[str, Any]]:
        scope = self._command_scope(request)
        command_id = request.match_info["command_id"]
        for command in self.commands_by_scope.get(scope, []):
            if command["id"] == command_id:
                return scope, command
        raise _ApiError(404, 10063, "Unknown application command")

    async def _h_get_commands(self, request: web.Request) -> web.Response:
        return _json(self.commands_by_scope.get(self._command_scope(request), []))

    async def _h_get_command(self, request: web.Request) -> web.Response:
        return _json(self._find_command(request)[1])

    async def _h_delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._find_command(request)
        self.commands_by_scope[scope] = [c for c in self.commands_by_scope[scope] if c is not command]
        self._notify()
        return web.Response(status=204)

    # --- messages ---------------------------------------------------------------------

    def _store_file(self, filename: str, data: bytes, content_type: Optional[str]) -> Dict[str, Any]:
        attachment_id = self._snowflake()
        content_type = content_type or _guess_type(filename)
        self._files[attachment_id] = (filename, content_type, data)
        url = f"{self.base_url}/attachments/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id), "filename": filename, "size": len(data), "url": url, "proxy_url": url,
            "content_type": content_type, "ephemeral": False, "title": None, "description": None,
            "height": None, "width": None, "duration_secs": None, "waveform": None, "flags": 0,
        }

    def _attachments_from(self, payload: Dict[str, Any], files: List[Tuple[int, str, str, bytes]],
                          existing: Sequence[Dict[str, Any]] = ()) -> List[Dict[str, Any]]:
        """Resolves ``attachments`` (kept ids and ``{"id": n}`` for ``files[n]``) into attachment objects."""
        uploaded = {index: (name, ctype, data) for index, name, ctype, data in files}
        total = sum(len(data) for _, _, _, data in files)
        if total > ATTACHMENT_SIZE_LIMIT:
            raise _ApiError(413, 40005, "Request entity too large",
                            note=f"{total} bytes of files; the limit is {ATTACHMENT_SIZE_LIMIT}")
        by_id = {a["id"]: a for a in existing}
        result: List[Dict[str, Any]] = []
        used = set()
        for entry in payload.get("attachments") or []:
            key = str(entry.get("id"))
            if key in by_id:
                result.append(by_id[key])
                continue
            try:
                index = int(key)
            except ValueError:
                index = -1
            if index not in uploaded:
                errors = v.FormErrors()
                errors.add(("attachments",), "ATTACHMENT_NOT_FOUND", f"Attachment {key} is neither kept nor uploaded.")
                raise _form_error(errors)
            name, ctype, data = uploaded[index]
            attachment = self._store_file(entry.get("filename") or name, data, ctype)
            attachment["description"] = entry.get("description")
            result.append(attachment)
            used.add(index)
        for index, (name, ctype, data) in sorted(uploaded.items()):
            if index not in used:
                result.append(self._store_file(name, data, ctype))
        if len(result) > v.ATTACHMENTS_MAX:
            errors = v.FormErrors()
            errors.add(("attachments",), "BASE_TYPE_MAX_LENGTH", f"Must be {v.ATTACHMENTS_MAX} or fewer in length.")
            raise _form_error(errors)
        return result

    @staticmethod
    def _normalise_embeds(embeds: Optional[List[Dict[str, Any]]]) -> List[Dict[str, Any]]:
        return [{"type": "rich", **copy.deepcopy(e)} for e in embeds or []]

    def _poll_object(self, poll: Dict[str, Any]) -> Dict[str, Any]:
        hours = poll.get("duration") or 24
        return {
            "question": copy.deepcopy(poll["question"]),
            "answers": [{"answer_id": i + 1, "poll_media": copy.deepcopy(a["poll_media"])} for i, a in enumerate(poll["answers"])],
            "expiry": _iso(time.time() + hours * 3600),
            "allow_multiselect": bool(poll.get("allow_multiselect")),
            "layout_type": poll.get("layout_type", 1),
            "results": {"is_finalized": False, "answer_counts": []},
        }

    def _record_mentions(self, message: Dict[str, Any], where: str, allowed: Optional[Dict[str, Any]]) -> None:
        text = "\n".join([message.get("content") or "", *v.layout_texts(message.get("components") or [])])
        everyone, roles, users = mention_pings(text, allowed)
        # A reply notifies the replied-to author unless allowed_mentions says otherwise (replied_user
        # defaults to true without allowed_mentions, to false with it).
        replied = message.get("type") == 19 and (allowed is None or bool(allowed.get("replied_user")))
        self.mentions.append(MentionRecord(int(message["id"]), where, message.get("content") or "",
                                           copy.deepcopy(allowed), everyone, roles, users, replied))
        message["mention_everyone"] = everyone
        message["mention_roles"] = roles

    def _create_message(self, *, channel_id: int, payload: Dict[str, Any], attachments: List[Dict[str, Any]],
                        flags: int, where: str, interaction: Optional[SentInteraction] = None) -> Dict[str, Any]:
        message_id = self._snowflake()
        message: Dict[str, Any] = {
            "id": str(message_id), "type": 0, "channel_id": str(channel_id), "author": self.bot_user.to_dict(),
            "content": payload.get("content") or "", "embeds": self._normalise_embeds(payload.get("embeds")),
            "components": copy.deepcopy(payload.get("components") or []), "attachments": attachments,
            "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False,
            "tts": bool(payload.get("tts")), "timestamp": _iso(time.time()), "edited_timestamp": None,
            "flags": flags, "reactions": [], "sticker_items": [],
        }
        if payload.get("poll"):
            message["poll"] = self._poll_object(payload["poll"])
        if payload.get("message_reference"):
            reference = payload["message_reference"]
            target = self._messages.get(int(reference["message_id"]))
            message["type"] = 19 if reference.get("type", 0) == 0 else 0
            # As Discord answers it: ids as strings, the channel and guild filled in.
            message["message_reference"] = {
                "type": reference.get("type", 0), "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or (target or {}).get("channel_id") or channel_id),
                **({"guild_id": str(reference["guild_id"])} if reference.get("guild_id") else {}),
            }
            if target is not None and message["type"] == 19:
                message["referenced_message"] = copy.deepcopy(target)
        if interaction is not None:
            message["type"] = 20 if interaction.type == APPLICATION_COMMAND else 0
            if interaction.type == APPLICATION_COMMAND and (interaction.payload.get("data") or {}).get("type", 1) != 1:
                message["type"] = 23  # the answer to a context menu command
            message["webhook_id"] = str(self.app_id)
            message["application_id"] = str(self.app_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id), "type": interaction.type, "user": interaction.user.to_dict(),
                "authorizing_integration_owners": copy.deepcopy(
                    interaction.payload.get("authorizing_integration_owners") or {"0": str(interaction.guild_id)}),
            }
            if self._forced_ephemeral(interaction):
                message["flags"] = int(message["flags"]) | v.FLAG_EPHEMERAL
        self._messages[message_id] = message
        self._record_mentions(message, where, payload.get("allowed_mentions"))
        return message

    def _apply_edit(self, message: Dict[str, Any], payload: Dict[str, Any], files: List[Tuple[int, str, str, bytes]],
                    where: str) -> Dict[str, Any]:
        """An edit replaces only the fields it carries; the result must still be a valid message."""
        updated = copy.deepcopy(message)
        if "content" in payload:
            updated["content"] = payload["content"] or ""
        if "embeds" in payload:
            updated["embeds"] = self._normalise_embeds(payload["embeds"])
        if "components" in payload:
            updated["components"] = copy.deepcopy(payload["components"] or [])
        if "flags" in payload and payload["flags"] is not None:
            sticky = int(updated["flags"]) & (v.FLAG_EPHEMERAL | v.FLAG_IS_COMPONENTS_V2)
            updated["flags"] = sticky | (int(payload["flags"]) & (v.FLAG_SUPPRESS_EMBEDS | v.FLAG_IS_COMPONENTS_V2))
        if "attachments" in payload or files:
            kept = updated["attachments"] if "attachments" not in payload else []
            if "attachments" in payload:
                updated["attachments"] = self._attachments_from(payload, files, existing=message["attachments"])
            else:
                updated["attachments"] = kept + self._attachments_from({}, files)
        if "poll" in payload and payload["poll"] is not None:
            errors = v.FormErrors()
            errors.add(("poll",), "POLL_EDIT_NOT_ALLOWED", "A poll cannot be edited.")
            raise _form_error(errors)
        updated["flags"] = int(updated["flags"]) & ~v.FLAG_LOADING
        updated["edited_timestamp"] = _iso(time.time())
        layout_errors = self._layout_problem(updated)
        if layout_errors is not None:
            raise _form_error(layout_errors, note="the edited message has IS_COMPONENTS_V2 (the flag cannot be "
                                                  "removed): send content null and embeds [] with a layout")
        if v.message_is_empty(updated):
            raise _ApiError(400, 50006, "Cannot send an empty message", note="the edit would leave the message empty")
        message.clear()
        message.update(updated)
        self._record_mentions(message, where, payload.get("allowed_mentions"))
        return message

    def _check_message(self, payload: Any, *, interaction: bool, path: v.Path = ()) -> None:
        if not isinstance(payload, dict):
            errors = v.FormErrors()
            errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            raise _form_error(errors)
        errors = v.FormErrors()
        v.validate_message(payload, errors, path, interaction=interaction)
        if errors:
            raise _form_error(errors)

    # --- REST: interactions -----------------------------------------------------------

    def _interaction_for_token(self, request: web.Request, *, webhook: bool) -> SentInteraction:
        if webhook and int(request.match_info["app_id"]) != self.app_id:
            raise _ApiError(404, 10015, "Unknown Webhook")
        interaction = self._interactions_by_token.get(request.match_info["token"])
        if interaction is None:
            raise (_ApiError(404, 10015, "Unknown Webhook") if webhook else _ApiError(404, 10062, "Unknown interaction"))
        request[_INTERACTION_KEY] = interaction
        if webhook:
            if self._now() - interaction.created_at > self.token_lifetime:
                raise _ApiError(401, 50027, "Invalid Webhook Token", note="the interaction token is older than 15 minutes")
            if not interaction.acknowledged:
                raise _ApiError(404, 10015, "Unknown Webhook",
                                note="followups and edits need an initial response (or a defer) first")
        return interaction

    async def _h_callback(self, request: web.Request) -> web.Response:
        payload, files = await self._read_payload(request)
        interaction = self._interaction_for_token(request, webhook=False)
        if interaction.id != int(request.match_info["interaction_id"]):
            raise _ApiError(404, 10062, "Unknown interaction", note="interaction id and token do not match")
        if interaction.acknowledged:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.",
                            note="use a followup or edit the original response")
        elapsed = self._now() - (interaction.sent_at or interaction.created_at)
        if elapsed > self.response_deadline:
            raise _ApiError(404, 10062, "Unknown interaction",
                            note=f"first response came {elapsed:.2f}s after the interaction; the limit is {self.response_deadline}s")
        if not isinstance(payload, dict):
            payload = {}
        callback_type = payload.get("type")
        data = payload.get("data")
        errors = v.FormErrors()
        if callback_type not in ALLOWED_CALLBACKS[interaction.type]:
            errors.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID",
                       f"Response type {callback_type} is not valid for interaction type {interaction.type} "
                       f"(allowed: {sorted(ALLOWED_CALLBACKS[interaction.type])})")
            raise _form_error(errors)
        if callback_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE) and interaction.source_message_id is None:
            errors.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "There is no message to update.")
            raise _form_error(errors)
        data = data if isinstance(data, dict) else {}
        if callback_type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            self._check_message(data, interaction=True, path=("data",))
        elif callback_type == DEFERRED_CHANNEL_MESSAGE:
            flags = data.get("flags") or 0
            if flags & ~v.FLAG_EPHEMERAL & ~v.FLAG_IS_COMPONENTS_V2:
                errors.add(("data", "flags"), "MESSAGE_FLAGS_INVALID", "A deferral may only set EPHEMERAL.")
        elif callback_type == AUTOCOMPLETE_RESULT:
            v.validate_autocomplete_result(payload.get("data"), errors, interaction.focused_type or v.OPT_STRING)
        elif callback_type == MODAL:
            v.validate_modal(payload.get("data"), errors)
        if errors:
            raise _form_error(errors)

        message: Optional[Dict[str, Any]] = None
        if callback_type == CHANNEL_MESSAGE:
            attachments = self._attachments_from(data, files)
            probe = {**data, "attachments": attachments}
            if v.message_is_empty(probe):
                raise _ApiError(400, 50006, "Cannot send an empty message")
            message = self._create_message(channel_id=interaction.channel_id, payload=data, attachments=attachments,
                                           flags=int(data.get("flags") or 0), where="interaction response",
                                           interaction=interaction)
            interaction.original_message_id = int(message["id"])
        elif callback_type == DEFERRED_CHANNEL_MESSAGE:
            flags = (int(data.get("flags") or 0) & v.FLAG_EPHEMERAL) | v.FLAG_LOADING
            message = self._create_message(channel_id=interaction.channel_id, payload={}, attachments=[], flags=flags,
                                           where="deferral", interaction=interaction)
            interaction.original_message_id = int(message["id"])
        elif callback_type in (UPDATE_MESSAGE, DEFERRED_UPDATE_MESSAGE):
            interaction.original_message_id = interaction.source_message_id
            source = self._messages.get(interaction.source_message_id)  # type: ignore[arg-type]
            if source is None:
                raise _ApiError(404, 10008, "Unknown Message", note="the component's message was deleted")
            if callback_type == UPDATE_MESSAGE:
                message = self._apply_edit(source, data, files, where="update message")
                interaction.edits.append(copy.deepcopy(data))
        snapshot = copy.deepcopy(message) if message is not None else None
        interaction.callbacks.append(Callback(callback_type, copy.deepcopy(data), elapsed,
                                              [(name, content) for _, name, _, content in files], snapshot))
        self._notify()

        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        body: Dict[str, Any] = {"interaction": {
            "id": str(interaction.id), "type": interaction.type,
            "response_message_id": message["id"] if message else None,
            "response_message_loading": callback_type == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(message and is_ephemeral(message)),
        }}
        if message is not None:
            body["resource"] = {"type": callback_type, "message": snapshot}
        return _json(body)

    async def _h_followup(self, request: web.Request) -> web.Response:
        payload, files = await self._read_payload(request)
        interaction = self._interaction_for_token(request, webhook=True)
        self._check_message(payload, interaction=True)
        capped = self._followup_problem(interaction)
        if capped is not None:
            raise _ApiError(400, 40094, "Maximum number of follow up messages reached", note=capped)
        if v.message_is_empty({**payload, "attachments": files}):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        original = self._messages.get(interaction.original_message_id or 0)
        if original is not None and int(original["flags"]) & v.FLAG_LOADING:
            # Discord turns the "thinking..." message of a deferral into the first followup.
            message = self._apply_edit(original, payload, files, where="followup")
        else:
            attachments = self._attachments_from(payload, files)
            flags = int(payload.get("flags") or 0)
            message = self._create_message(channel_id=interaction.channel_id, payload=payload, attachments=attachments,
                                           flags=flags, where="followup", interaction=interaction)
        interaction.followup_ids.append(int(message["id"]))
        self._notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return web.Response(status=204)

    def _webhook_message(self, request: web.Request, interaction: SentInteraction) -> Dict[str, Any]:
        raw = request.match_info["message_id"]
        if raw == "@original":
            message_id = interaction.original_message_id
        else:
            message_id = int(raw)
            if message_id != interaction.original_message_id and message_id not in interaction.followup_ids:
                message_id = None
        message = self._messages.get(message_id or 0)
        if message is None:
            raise _ApiError(404, 10008, "Unknown Message")
        return message

    async def _h_webhook_get(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_token(request, webhook=True)
        return _json(self._webhook_message(request, interaction))

    async def _h_webhook_edit(self, request: web.Request) -> web.Response:
        payload, files = await self._read_payload(request)
        interaction = self._interaction_for_token(request, webhook=True)
        message = self._webhook_message(request, interaction)
        self._check_message(payload, interaction=True)
        self._apply_edit(message, payload, files, where="edit")
        interaction.edits.append(copy.deepcopy(payload))
        self._notify()
        return _json(message)

    async def _h_webhook_delete(self, request: web.Request) -> web.Response:
        interaction = self._interaction_for_token(request, webhook=True)
        message = self._webhook_message(request, interaction)
        del self._messages[int(message["id"])]
        self._notify()
        return web.Response(status=204)

    # --- REST: channels and guilds ----------------------------------------------------

    def _channel_or_404(self, request: web.Request) -> Tuple[GuildState, Dict[str, Any]]:
        channel_id = int(request.match_info["channel_id"])
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild, guild.channels[channel_id]
        raise _ApiError(404, 10003, "Unknown Channel")

    def _guild_or_404(self, request: web.Request) -> GuildState:
        guild = self.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise _ApiError(404, 10004, "Unknown Guild")
        return guild

    def _require(self, guild: GuildState, needed: int, what: str) -> None:
        missing = needed & ~self.bot_permissions(guild.id)
        if missing:
            names = ", ".join(p.name or str(p) for p in Perm if p & missing) or str(missing)
            raise _ApiError(403, 50013, "Missing Permissions", note=f"{what} needs {names}")

    def _channel_message(self, request: web.Request) -> Tuple[GuildState, Dict[str, Any]]:
        guild, channel = self._channel_or_404(request)
        message = self._messages.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != channel["id"] or is_ephemeral(message):
            raise _ApiError(404, 10008, "Unknown Message")
        return guild, message

    async def _h_get_channel(self, request: web.Request) -> web.Response:
        return _json(self._channel_or_404(request)[1])

    async def _h_channel_send(self, request: web.Request) -> web.Response:
        payload, files = await self._read_payload(request)
        channel_id = int(request.match_info["channel_id"])
        if self._dm_like_channel(channel_id) is not None or self._foreign_guild_of(channel_id) is not None:
            return await self._h_private_send(channel_id, payload, files)
        guild, channel = self._channel_or_404(request)
        if not has_perm(self.bot_permissions(guild.id), Perm.VIEW_CHANNEL):
            raise _ApiError(403, 50001, "Missing Access")
        self._require(guild, Perm.SEND_MESSAGES, "sending a message")
        if files:
            self._require(guild, Perm.ATTACH_FILES, "uploading files")
        if isinstance(payload, dict) and payload.get("poll"):
            self._require(guild, Perm.SEND_POLLS, "sending a poll")
        self._check_message(payload, interaction=False)
        payload = self._checked_reply(payload, int(channel["id"]), guild.id)
        attachments = self._attachments_from(payload, files)
        if v.message_is_empty({**payload, "attachments": attachments}):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        if payload.get("embeds") and not has_perm(self.bot_permissions(guild.id), Perm.EMBED_LINKS):
            # Discord accepts the message but shows no embeds: a silent failure worth failing a test for.
            self._record_rejection(request, _ApiError(200, 0, "Embeds dropped: the bot lacks Embed Links"))
            payload = {**payload, "embeds": []}
        message = self._create_message(channel_id=int(channel["id"]), payload=payload, attachments=attachments,
                                       flags=int(payload.get("flags") or 0), where="channel message")
        self._notify()
        return _json(message)

    def _checked_reply(self, payload: Dict[str, Any], channel_id: int, guild_id: Optional[int]) -> Dict[str, Any]:
        errors, keep = self._reply_problem(payload, channel_id, guild_id)
        if errors is not None:
            raise _form_error(errors, note="a reply must point at an existing, non-ephemeral message of the same channel")
        return payload if keep else {k: val for k, val in payload.items() if k != "message_reference"}

    async def _h_private_send(self, channel_id: int, payload: Any, files: List[Tuple[int, str, str, bytes]]) -> web.Response:
        """A message to the bot's DM with a user; group DMs and servers the bot is not in are out of its reach."""
        channel = self._dm_like_channel(channel_id)
        if channel is None or channel["type"] != 1:
            raise _ApiError(403, 50001, "Missing Access",
                            note="the bot is not in this channel: an app there only through a user's install "
                                 "answers through its interactions")
        self._check_message(payload, interaction=False)
        payload = self._checked_reply(payload, channel_id, None)
        attachments = self._attachments_from(payload, files)
        if v.message_is_empty({**payload, "attachments": attachments}):
            raise _ApiError(400, 50006, "Cannot send an empty message")
        message = self._create_message(channel_id=channel_id, payload=payload, attachments=attachments,
                                       flags=int(payload.get("flags") or 0), where="DM message")
        self._notify()
        return _json(message)

    async def _h_channel_get_message(self, request: web.Request) -> web.Response:
        return _json(self._channel_message(request)[1])

    async def _h_channel_edit(self, request: web.Request) -> web.Response:
        payload, files = await self._read_payload(request)
        _, message = self._channel_message(request)
        if message["author"]["id"] != str(self.bot_user.id):
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._check_message(payload, interaction=False)
        self._apply_edit(message, payload, files, where="channel edit")
        self._notify()
        return _json(message)

    async def _h_channel_delete(self, request: web.Request) -> web.Response:
        guild, message = self._channel_message(request)
        if message["author"]["id"] != str(self.bot_user.id):
            self._require(guild, Perm.MANAGE_MESSAGES, "deleting another user's message")
        del self._messages[int(message["id"])]
        self._notify()
        return web.Response(status=204)

    async def _h_poll_expire(self, request: web.Request) -> web.Response:
        _, message = self._channel_message(request)
        if "poll" not in message:
            raise _ApiError(400, 520001, "Message is not a poll")  # the code Discord uses for non-polls
        if message["author"]["id"] != str(self.bot_user.id):
            raise _ApiError(403, 50005, "Cannot end a poll authored by another user")
        message["poll"]["expiry"] = _iso(time.time())
        message["poll"]["results"]["is_finalized"] = True
        self._notify()
        return _json(message)

    async def _h_poll_voters(self, request: web.Request) -> web.Response:
        _, message = self._channel_message(request)
        if "poll" not in message:
            raise _ApiError(400, 520001, "Message is not a poll")
        answer_id = int(request.match_info["answer_id"])
        voters = sorted(self._poll_votes.get(int(message["id"]), {}).get(answer_id, []))
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 25))
        users = [self.users[u].to_dict() for u in voters if u > after][:limit]
        return _json({"users": users})

    async def vote_poll(self, message: Union[Dict[str, Any], int, str], answer_ids: Sequence[int], *,
                        user: User = ALICE, remove: bool = False) -> None:
        """A user votes (or, with ``remove``, unvotes) in a native poll, as the Discord client does."""
        user = self._user(user)
        message_id = int(message["id"]) if isinstance(message, dict) else int(message)
        current = self._messages.get(message_id)
        if current is None or "poll" not in current:
            raise ValueError(f"message {message_id} is not a poll")
        poll = current["poll"]
        if poll["results"]["is_finalized"] or (v.parse_iso(poll["expiry"]) or dt.datetime.max.replace(tzinfo=dt.timezone.utc)) <= dt.datetime.now(dt.timezone.utc):
            raise ValueError(f"the poll in message {message_id} has ended")
        valid = {a["answer_id"] for a in poll["answers"]}
        bad = [a for a in answer_ids if a not in valid]
        if bad:
            raise ValueError(f"poll answers are {sorted(valid)}; got {bad}")
        votes = self._poll_votes.setdefault(message_id, {})
        already = [a for a, users in votes.items() if user.id in users]
        if not remove and not poll["allow_multiselect"] and (already or len(answer_ids) > 1):
            raise ValueError("this poll takes one answer per user (remove the vote first)")
        guild = next((g for g in self.guilds.values() if int(current["channel_id"]) in g.channels), None)
        for answer_id in answer_ids:
            users = votes.setdefault(answer_id, [])
            if remove:
                if user.id not in users:
                    raise ValueError(f"{user.username} has not voted for answer {answer_id}")
                users.remove(user.id)
            elif user.id not in users:
                users.append(user.id)
            poll["results"]["answer_counts"] = [
                {"id": a, "count": len(u), "me_voted": False} for a, u in sorted(votes.items()) if u
            ]
            if guild is not None:
                await self._dispatch_guild(guild.id, "MESSAGE_POLL_VOTE_REMOVE" if remove else "MESSAGE_POLL_VOTE_ADD", {
                    "user_id": str(user.id), "channel_id": current["channel_id"], "message_id": current["id"],
                    "guild_id": str(guild.id), "answer_id": answer_id,
                }, intent=INTENT_GUILD_MESSAGE_POLLS)
        self._notify()

    async def _h_get_guild(self, request: web.Request) -> web.Response:
        payload = self._guild_payload(self._guild_or_404(request))
        for key in ("members", "channels", "threads", "presences", "voice_states", "guild_scheduled_events",
                    "joined_at", "large", "member_count", "unavailable", "stage_instances", "soundboard_sounds"):
            payload.pop(key, None)
        return _json(payload)

    async def _h_get_guild_channels(self, request: web.Request) -> web.Response:
        return _json(list(self._guild_or_404(request).channels.values()))

    async def _h_get_guild_roles(self, request: web.Request) -> web.Response:
        return _json(list(self._guild_or_404(request).roles.values()))

    async def _h_attachment(self, request: web.Request) -> web.Response:
        try:
            filename, content_type, data = self._files[int(request.match_info["attachment_id"])]
        except (KeyError, ValueError):
            return _json({"message": "404: Not Found", "code": 0}, 404)
        return web.Response(body=data, headers={"Content-Type": content_type})

    # --- REST: scheduled events -------------------------------------------------------

    def _event_or_404(self, request: web.Request, guild: GuildState) -> Dict[str, Any]:
        event = self.scheduled_events.get(int(request.match_info["event_id"]))
        if event is None or int(event["guild_id"]) != guild.id:
            raise _ApiError(404, 10070, "Unknown Guild Scheduled Event")
        return event

    def _check_event_channel(self, guild: GuildState, payload: Dict[str, Any]) -> None:
        channel_id = payload.get("channel_id")
        if channel_id is not None and int(channel_id) not in guild.channels:
            errors = v.FormErrors()
            errors.add(("channel_id",), "CHANNEL_INVALID", "Unknown channel.")
            raise _form_error(errors)

    async def _h_list_events(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        return _json([e for e in self.scheduled_events.values() if int(e["guild_id"]) == guild.id])

    async def _h_get_event(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        return _json(self._event_or_404(request, guild))

    async def _h_create_event(self, request: web.Request) -> web.Response:
        payload, _ = await self._read_payload(request)
        guild = self._guild_or_404(request)
        permissions = self.bot_permissions(guild.id)
        if not (has_perm(permissions, Perm.MANAGE_EVENTS) or has_perm(permissions, Perm.CREATE_EVENTS)):
            raise _ApiError(403, 50013, "Missing Permissions", note="creating an event needs Manage Events (or Create Events)")
        errors = v.FormErrors()
        v.validate_scheduled_event(payload, errors, now=dt.datetime.now(dt.timezone.utc))
        if errors:
            raise _form_error(errors)
        self._check_event_channel(guild, payload)
        event_id = self._snowflake()
        event = {
            "id": str(event_id), "guild_id": str(guild.id), "channel_id": None, "creator_id": str(self.bot_user.id),
            "creator": self.bot_user.to_dict(), "name": payload["name"], "description": payload.get("description"),
            "scheduled_start_time": payload["scheduled_start_time"],
            "scheduled_end_time": payload.get("scheduled_end_time"), "privacy_level": 2, "status": 1,
            "entity_type": payload["entity_type"], "entity_id": None, "entity_metadata": None, "user_count": 0,
            "image": None, "recurrence_rule": None,
        }
        if payload.get("channel_id") is not None:
            event["channel_id"] = str(payload["channel_id"])
        if payload.get("entity_metadata"):
            event["entity_metadata"] = copy.deepcopy(payload["entity_metadata"])
        self.scheduled_events[event_id] = event
        self._notify()
        await self._dispatch_guild(guild.id, "GUILD_SCHEDULED_EVENT_CREATE", event, intent=INTENT_GUILD_SCHEDULED_EVENTS)
        return _json(event)

    def _require_event_rights(self, guild: GuildState, event: Dict[str, Any]) -> None:
        permissions = self.bot_permissions(guild.id)
        own = event["creator_id"] == str(self.bot_user.id)
        if not (has_perm(permissions, Perm.MANAGE_EVENTS) or (own and has_perm(permissions, Perm.CREATE_EVENTS))):
            raise _ApiError(403, 50013, "Missing Permissions", note="changing this event needs Manage Events")

    async def _h_edit_event(self, request: web.Request) -> web.Response:
        payload, _ = await self._read_payload(request)
        guild = self._guild_or_404(request)
        event = self._event_or_404(request, guild)
        self._require_event_rights(guild, event)
        errors = v.FormErrors()
        v.validate_scheduled_event(payload, errors, now=dt.datetime.now(dt.timezone.utc), existing=event)
        status = payload.get("status")
        if status is not None:
            allowed = {1: {1, 2, 4}, 2: {2, 3}}.get(event["status"], {event["status"]})
            if status not in allowed:
                errors.add(("status",), "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                           f"Cannot change status from {event['status']} to {status}.")
        if errors:
            raise _form_error(errors)
        self._check_event_channel(guild, payload)
        for key, value in payload.items():
            if key in ("name", "description", "scheduled_start_time", "scheduled_end_time", "entity_type",
                       "entity_metadata", "status", "privacy_level", "image"):
                event[key] = copy.deepcopy(value)
            elif key == "channel_id":
                event["channel_id"] = str(value) if value is not None else None
        self._notify()
        await self._dispatch_guild(guild.id, "GUILD_SCHEDULED_EVENT_UPDATE", event, intent=INTENT_GUILD_SCHEDULED_EVENTS)
        return _json(event)

    async def _h_delete_event(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        event = self._event_or_404(request, guild)
        self._require_event_rights(guild, event)
        del self.scheduled_events[int(event["id"])]
        self._notify()
        await self._dispatch_guild(guild.id, "GUILD_SCHEDULED_EVENT_DELETE", event, intent=INTENT_GUILD_SCHEDULED_EVENTS)
        return web.Response(status=204)

    # --- sending interactions (what the Discord client does for a user) ---------------

    def _user(self, value: Union[User, int, str, Dict[str, Any]]) -> User:
        if isinstance(value, User):
            self.users.setdefault(value.id, value)
            return value
        if isinstance(value, dict):
            return self._user(int(value["id"]))
        try:
            return self.users[int(value)]
        except (KeyError, ValueError):
            raise ValueError(f"unknown user {value!r}; use ALICE/BOB/CAROL or standin.add_user()") from None

    def _member_permissions(self, guild: GuildState, roles: Sequence[int], permissions: Optional[int]) -> int:
        if permissions is not None:
            return effective(int(permissions))
        total = DEFAULT_MEMBER_PERMISSIONS | int(guild.roles[guild.id]["permissions"])
        for role_id in roles:
            total |= int(guild.roles[role_id]["permissions"])
        return effective(total)

    def _resolver(self, guild: GuildState, resolved: Dict[str, Dict[str, Any]], where: str) -> Callable[[Dict[str, Any], Any], str]:
        def user_entry(user: User) -> str:
            resolved.setdefault("users", {})[str(user.id)] = user.to_dict()
            member = guild.members.get(user.id) or {"roles": [], "joined_at": _iso(self._started_wall - 3600), "flags": 0}
            resolved.setdefault("members", {})[str(user.id)] = {
                **{k: val for k, val in member.items() if k != "user"},
                "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
            }
            return str(user.id)

        def role_entry(value: Any) -> Optional[str]:
            role_id = int(value["id"]) if isinstance(value, dict) else int(value)
            if role_id not in guild.roles:
                return None
            resolved.setdefault("roles", {})[str(role_id)] = guild.roles[role_id]
            return str(role_id)

        def resolve(option: Dict[str, Any], value: Any) -> str:
            o_type, name = option["type"], option["name"]
            if o_type == v.OPT_USER:
                return user_entry(self._user(value))
            if o_type == v.OPT_ROLE:
                role = role_entry(value)
                if role is None:
                    raise ValueError(f"{where}: option {name!r}: unknown role {value!r}")
                return role
            if o_type == v.OPT_MENTIONABLE:
                if isinstance(value, User) or (not isinstance(value, dict) and int(value) in self.users):
                    return user_entry(self._user(value))
                role = role_entry(value)
                if role is None:
                    raise ValueError(f"{where}: option {name!r}: {value!r} is neither a user nor a role")
                return role
            if o_type == v.OPT_CHANNEL:
                channel_id = int(value["id"]) if isinstance(value, dict) else int(value)
                channel = guild.channels.get(channel_id)
                if channel is None:
                    raise ValueError(f"{where}: option {name!r}: unknown channel {value!r}")
                allowed = option.get("channel_types")
                if allowed and channel["type"] not in allowed:
                    raise ValueError(f"{where}: option {name!r} accepts channel types {allowed}; got type {channel['type']}")
                resolved.setdefault("channels", {})[str(channel_id)] = {
                    "id": str(channel_id), "name": channel["name"], "type": channel["type"],
                    "permissions": str(self.bot_permissions(guild.id)), "parent_id": None, "flags": 0,
                    "guild_id": str(guild.id),
                }
                return str(channel_id)
            if o_type == v.OPT_ATTACHMENT:
                attachment_id = int(value["id"]) if isinstance(value, dict) else int(value)
                attachment = self._registered_attachments.get(attachment_id)
                if attachment is None:
                    raise ValueError(f"{where}: option {name!r}: register the file with standin.add_attachment() first")
                resolved.setdefault("attachments", {})[str(attachment_id)] = copy.deepcopy(attachment)
                return str(attachment_id)
            raise ValueError(f"{where}: option {name!r} has unsupported type {o_type}")

        return resolve

    def _base_interaction(self, itype: int, data: Dict[str, Any], *, user: User, guild: GuildState, channel_id: int,
                          roles: Sequence[int], permissions: Optional[int], locale: str) -> Dict[str, Any]:
        channel = guild.channels.get(channel_id)
        if channel is None:
            raise ValueError(f"channel {channel_id} is not in guild {guild.id}")
        member_permissions = self._member_permissions(guild, roles, permissions)
        bot_permissions = self.bot_permissions(guild.id)
        return {
            "id": str(self._snowflake()),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel_id),
            "channel": {**channel, "permissions": str(member_permissions)},
            "member": self._member(guild, user, roles, member_permissions),
            "token": "itok_" + secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": str(bot_permissions),
            "locale": locale,
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": self._guild_place(user, guild, channel_id).owners,
            "context": CONTEXT_GUILD,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }

    async def _deliver(self, payload: Dict[str, Any], *, user: User, guild: GuildState, channel_id: int,
                       focused_type: Optional[int] = None, source_message_id: Optional[int] = None) -> SentInteraction:
        session = self._session_for_guild(guild.id)
        if session is None:
            raise RuntimeError("no bot is connected to the gateway for this guild (await standin.wait_for_ready())")
        interaction = SentInteraction(self, payload, user=user, guild_id=guild.id, channel_id=channel_id,
                                      focused_type=focused_type, source_message_id=source_message_id)
        self.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        # The 3 s budget starts when Discord has delivered the event.
        interaction.sent_at = self._now()
        self._notify()
        return interaction

    async def _deliver_in(self, payload: Dict[str, Any], *, user: User, place: Place,
                          source_message_id: Optional[int] = None) -> SentInteraction:
        """Deliver an interaction from a DM, a group DM or a server the bot is not in (shard 0 gets DMs; a
        server's interactions go to its shard)."""
        shard = self._shard_of(place.guild.id) if place.guild is not None else 0
        live = [s for s in self._sessions.values() if s.shard_id == shard and s.ready and not s.invalidated
                and s.ws is not None and not s.ws.closed]
        if not live:
            raise RuntimeError("no bot is connected to the gateway (await standin.wait_for_ready())")
        interaction = SentInteraction(self, payload, user=user, guild_id=place.guild.id if place.guild else 0,
                                      channel_id=place.channel_id, source_message_id=source_message_id)
        self.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        await self._dispatch(live[-1], "INTERACTION_CREATE", payload)
        interaction.sent_at = self._now()
        self._notify()
        return interaction

    def _prepare_command(self, path: str, values: Dict[str, Any], *, guild: GuildState, user: User,
                         member_permissions: int, focused: Optional[str] = None, place: Optional[Place] = None
                         ) -> Tuple[Dict[str, Any], Optional[int]]:
        parts = path.split()
        if not parts:
            raise ValueError("empty command path")
        place = place or self._guild_place(user, guild, guild.text_channel_id)
        # Outside the servers the bot is in, only global commands exist.
        scope = place.guild.id if place.guild is not None and not place.foreign else None
        command = self.command(parts[0], scope)
        if command is None:
            synced = sorted(c["name"] for s in (scope, None) for c in self.commands_by_scope.get(s, []))
            raise ValueError(f"/{parts[0]} is not a synced command in {scope or 'this place (global commands)'} "
                             f"(synced: {synced})")
        where = f"/{path}"
        self._check_available(command, place, where)
        required = command.get("default_member_permissions")
        if place.guild is not None:
            if required is not None and not has_perm(member_permissions, int(required)) and int(required) != 0:
                raise ValueError(f"{where}: {user.username} lacks the permissions the command requires ({required}); "
                                 "the Discord client would not show it")
            if required is not None and int(required) == 0 and not has_perm(member_permissions, Perm.ADMINISTRATOR):
                raise ValueError(f"{where}: the command is administrator-only (default_member_permissions 0)")
        leaf, walked = v.find_command_node(command, parts[1:])
        resolved: Dict[str, Dict[str, Any]] = {}
        options = v.build_options(leaf, values, where=where, resolve=self._resolver(place.guild or guild, resolved, where),
                                  focused=focused)
        self._drop_members(resolved, place)
        for sub in reversed(walked[1:]):
            node_type = v.OPT_SUB_COMMAND if sub == walked[-1] else v.OPT_SUB_COMMAND_GROUP
            options = [{"name": sub, "type": node_type, "options": options}]
        data: Dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        focused_type = None
        if focused is not None:
            focused_type = next(o["type"] for o in leaf.get("options") or [] if o["name"] == focused)
        return data, focused_type

    async def slash(self, path: str, options: Optional[Dict[str, Any]] = None, *, user: User = ALICE,
                    guild_id: Optional[int] = None, channel_id: Optional[int] = None,
                    permissions: Optional[int] = None, roles: Sequence[int] = (), locale: str = "en-US",
                    **option_values: Any) -> SentInteraction:
        """Runs ``/path`` (``"movienight start"`` for subcommands) as ``user``.

        Options go as keywords, or in ``options`` when a name is not a Python identifier or
        clashes with a keyword here (``user``, ``roles``...). Raises ValueError when the Discord
        client would refuse to send (unknown command or option, wrong type, out of range, not a
        choice, missing required option, missing permissions).
        """
        user = self._user(user)
        values = {**(options or {}), **option_values}
        place = self._place_for(user, guild_id, channel_id)
        if place is not None:
            member_permissions = self._place_permissions(place, permissions)
            data, _ = self._prepare_command(path, values, guild=self._guild(None), user=user,
                                            member_permissions=member_permissions, place=place)
            payload = self._place_interaction(APPLICATION_COMMAND, data, user=user, place=place,
                                              permissions=member_permissions, locale=locale)
            return await self._deliver_in(payload, user=user, place=place)
        guild = self._guild(guild_id)
        member_permissions = self._member_permissions(guild, roles, permissions)
        channel_id = channel_id or guild.text_channel_id
        data, _ = self._prepare_command(path, values, guild=guild, user=user, member_permissions=member_permissions,
                                        place=self._guild_place(user, guild, channel_id))
        payload = self._base_interaction(APPLICATION_COMMAND, data, user=user, guild=guild, channel_id=channel_id,
                                         roles=roles, permissions=permissions, locale=locale)
        return await self._deliver(payload, user=user, guild=guild, channel_id=channel_id)

    async def autocomplete(self, path: str, focused: str, value: str, options: Optional[Dict[str, Any]] = None, *,
                           user: User = ALICE, guild_id: Optional[int] = None, channel_id: Optional[int] = None,
                           permissions: Optional[int] = None, roles: Sequence[int] = (), locale: str = "en-US",
                           timeout: float = 5.0, **option_values: Any) -> List[Dict[str, Any]]:
        """Types ``value`` into option ``focused`` and returns the bot's choices ({name, value})."""
        interaction = await self.send_autocomplete(path, focused, value, options, user=user, guild_id=guild_id,
                                                   channel_id=channel_id, permissions=permissions, roles=roles,
                                                   locale=locale, **option_values)
        callback = await interaction.response(timeout=timeout)
        return copy.deepcopy(callback.choices)

    async def send_autocomplete(self, path: str, focused: str, value: str, options: Optional[Dict[str, Any]] = None, *,
                                user: User = ALICE, guild_id: Optional[int] = None, channel_id: Optional[int] = None,
                                permissions: Optional[int] = None, roles: Sequence[int] = (), locale: str = "en-US",
                                **option_values: Any) -> SentInteraction:
        """Like :meth:`autocomplete` but returns the interaction (to inspect rejections)."""
        guild = self._guild(guild_id)
        user = self._user(user)
        values = {**(options or {}), **option_values, focused: value}
        member_permissions = self._member_permissions(guild, roles, permissions)
        data, focused_type = self._prepare_command(path, values, guild=guild, user=user,
                                                   member_permissions=member_permissions, focused=focused)
        channel_id = channel_id or guild.text_channel_id
        payload = self._base_interaction(AUTOCOMPLETE, data, user=user, guild=guild, channel_id=channel_id,
                                         roles=roles, permissions=permissions, locale=locale)
        return await self._deliver(payload, user=user, guild=guild, channel_id=channel_id, focused_type=focused_type)

    async def context_menu(self, name: str, target: Union[User, Dict[str, Any]], *, user: User = ALICE,
                           guild_id: Optional[int] = None, channel_id: Optional[int] = None,
                           permissions: Optional[int] = None, locale: str = "en-US") -> SentInteraction:
        """A user command (target is a User) or a message command (target is a message dict).

        ``channel_id`` may be a DM or group DM (``dm_channel_id()``, ``group_dm_id()``), ``guild_id`` a server
        the bot is not in (``add_foreign_guild()``): the command must then be available there."""
        user = self._user(user)
        place = self._place_for(user, guild_id, channel_id)
        guild = place.guild if place is not None and place.guild is not None else self._guild(guild_id)
        channel_id = channel_id or guild.text_channel_id
        command_type = 2 if isinstance(target, User) else 3
        scope = None if place is not None else guild.id
        command = self.command(name, scope, type=command_type)
        if command is None:
            raise ValueError(f"no {'user' if command_type == 2 else 'message'} command named {name!r} is synced")
        self._check_available(command, place or self._guild_place(user, guild, channel_id), f"{name!r}")
        resolved: Dict[str, Dict[str, Any]] = {}
        if isinstance(target, User):
            target_id = self._resolver(guild, resolved, name)({"type": v.OPT_USER, "name": "target"}, target)
        else:
            current = self._messages.get(int(target["id"]))
            if current is None:
                raise ValueError(f"message {target['id']} does not exist")
            if int(current["channel_id"]) != int(channel_id):
                raise ValueError(f"message {target['id']} is not in channel {channel_id}")
            target_id = current["id"]
            resolved["messages"] = {target_id: copy.deepcopy(current)}
        data = {"id": command["id"], "name": name, "type": command_type, "target_id": target_id, "resolved": resolved}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if place is not None:
            self._drop_members(resolved, place)
            member_permissions = self._place_permissions(place, permissions)
            payload = self._place_interaction(APPLICATION_COMMAND, data, user=user, place=place,
                                              permissions=member_permissions, locale=locale)
            return await self._deliver_in(payload, user=user, place=place)
        payload = self._base_interaction(APPLICATION_COMMAND, data, user=user, guild=guild, channel_id=channel_id,
                                         roles=(), permissions=permissions, locale=locale)
        return await self._deliver(payload, user=user, guild=guild, channel_id=channel_id)

    def _component_target(self, message: Union[Dict[str, Any], int, str], custom_id: str, user: User
                           ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        message_id = int(message["id"]) if isinstance(message, dict) else int(message)
        current = self._messages.get(message_id)
        if current is None:
            raise ValueError(f"message {message_id} does not exist (deleted?)")
        if is_ephemeral(current):
            owner = (current.get("interaction_metadata") or {}).get("user", {}).get("id")
            if owner is not None and owner != str(user.id):
                raise ValueError(f"message {message_id} is ephemeral: only its recipient can use its components")
        component = find_component(current, custom_id)
        if component is None:
            available = [c.get("custom_id") for c in iter_components(current.get("components") or []) if c.get("custom_id")]
            raise ValueError(f"message {message_id} has no component {custom_id!r} now (it has {available})")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        return current, component

    async def _send_component(self, current: Dict[str, Any], data: Dict[str, Any], *, user: User,
                              guild_id: Optional[int], permissions: Optional[int], locale: str) -> SentInteraction:
        channel_id = int(current["channel_id"])
        place = self._place_for(user, guild_id, channel_id)
        if place is not None:
            # A control on a message the app sent there: the installs that authorised that message.
            owners = (current.get("interaction_metadata") or {}).get("authorizing_integration_owners")
            if owners:
                place.owners = dict(owners)
            payload = self._place_interaction(MESSAGE_COMPONENT, data, user=user, place=place,
                                              permissions=self._place_permissions(place, permissions), locale=locale)
            payload["message"] = copy.deepcopy(current)
            return await self._deliver_in(payload, user=user, place=place, source_message_id=int(current["id"]))
        guild = self._guild(guild_id)
        payload = self._base_interaction(MESSAGE_COMPONENT, data, user=user, guild=guild, channel_id=channel_id,
                                         roles=(), permissions=permissions, locale=locale)
        payload["message"] = copy.deepcopy(current)
        return await self._deliver(payload, user=user, guild=guild, channel_id=channel_id,
                                   source_message_id=int(current["id"]))

    async def click(self, message: Union[Dict[str, Any], int, str], custom_id: str, *, user: User = ALICE,
                    guild_id: Optional[int] = None, permissions: Optional[int] = None,
                    locale: str = "en-US") -> SentInteraction:
        """Presses a button on the message as it is now (edits since ``message`` was read count)."""
        user = self._user(user)
        current, component = self._component_target(message, custom_id, user)
        if component.get("type") != v.C_BUTTON:
            raise ValueError(f"component {custom_id!r} is not a button (type {component.get('type')})")
        data = {"custom_id": custom_id, "component_type": v.C_BUTTON}
        if "id" in component:
            data["id"] = component["id"]
        return await self._send_component(current, data, user=user, guild_id=guild_id, permissions=permissions, locale=locale)

    async def select(self, message: Union[Dict[str, Any], int, str], custom_id: str, values: Sequence[Any], *,
                     user: User = ALICE, guild_id: Optional[int] = None, permissions: Optional[int] = None,
                     locale: str = "en-US") -> SentInteraction:
        """Picks ``values`` in a select menu (option values for a string select; users, roles or
        channel ids for the others)."""
        user = self._user(user)
        current, component = self._component_target(message, custom_id, user)
        c_type = component.get("type")
        if c_type not in v.SELECT_TYPES:
            raise ValueError(f"component {custom_id!r} is not a select menu (type {c_type})")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values; got {len(values)}")
        data: Dict[str, Any] = {"custom_id": custom_id, "component_type": c_type}
        if c_type == v.C_STRING_SELECT:
            offered = [o["value"] for o in component.get("options") or []]
            bad = [x for x in values if x not in offered]
            if bad:
                raise ValueError(f"select {custom_id!r} does not offer {bad!r} (it offers {offered!r})")
            data["values"] = list(values)
        else:
            guild = self._guild(guild_id)
            resolved: Dict[str, Dict[str, Any]] = {}
            resolve = self._resolver(guild, resolved, f"select {custom_id!r}")
            kind = {v.C_USER_SELECT: v.OPT_USER, v.C_ROLE_SELECT: v.OPT_ROLE,
                    v.C_MENTIONABLE_SELECT: v.OPT_MENTIONABLE, v.C_CHANNEL_SELECT: v.OPT_CHANNEL}[c_type]
            option = {"type": kind, "name": custom_id, "channel_types": component.get("channel_types")}
            data["values"] = [resolve(option, x) for x in values]
            data["resolved"] = resolved
        return await self._send_component(current, data, user=user, guild_id=guild_id, permissions=permissions, locale=locale)

    async def submit_modal(self, opened_by: SentInteraction, values: Dict[str, str], *, user: Optional[User] = None,
                           locale: str = "en-US") -> SentInteraction:
        """Fills in and submits the modal the bot opened in answer to ``opened_by``."""
        modal = opened_by.modal
        if modal is None:
            raise ValueError(f"interaction {opened_by.id} was not answered with a modal")
        user = self._user(user or opened_by.user)
        guild = self._guild(opened_by.guild_id)
        inputs = {}
        for component in iter_components(modal.get("components") or []):
            if component.get("type") == v.C_TEXT_INPUT:
                inputs[component["custom_id"]] = component
        unknown = [k for k in values if k not in inputs]
        if unknown:
            raise ValueError(f"the modal has no text input(s) {unknown!r} (it has {sorted(inputs)})")
        submitted = []
        for custom_id, component in inputs.items():
            text = values.get(custom_id, component.get("value") or "")
            if not isinstance(text, str):
                raise ValueError(f"text input {custom_id!r} takes a string; got {text!r}")
            if not text and component.get("required", True):
                raise ValueError(f"text input {custom_id!r} is required")
            if text:
                low, high = component.get("min_length", 0), component.get("max_length", v.TEXT_INPUT_VALUE_MAX)
                if not low <= len(text) <= high:
                    raise ValueError(f"text input {custom_id!r} takes {low}..{high} characters; got {len(text)}")
            submitted.append((custom_id, text))
        uses_labels = any(c.get("type") == v.C_LABEL for c in modal.get("components") or [])
        if uses_labels:
            components = [{"type": v.C_LABEL, "component": {"type": v.C_TEXT_INPUT, "custom_id": cid, "value": text}}
                          for cid, text in submitted]
        else:
            components = [{"type": v.C_ACTION_ROW, "components": [{"type": v.C_TEXT_INPUT, "custom_id": cid, "value": text}]}
                          for cid, text in submitted]
        data = {"custom_id": modal["custom_id"], "components": components}
        payload = self._base_interaction(MODAL_SUBMIT, data, user=user, guild=guild, channel_id=opened_by.channel_id,
                                         roles=(), permissions=None, locale=locale)
        source = opened_by.source_message_id
        if source is not None and source in self._messages:
            payload["message"] = copy.deepcopy(self._messages[source])
        return await self._deliver(payload, user=user, guild=guild, channel_id=opened_by.channel_id,
                                   source_message_id=source if source in self._messages else None)


def _guess_type(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
