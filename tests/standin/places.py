"""Where an interaction happens and who authorised the app there: what user-installable apps changed.

Discord tells an app the *interaction context* (``context``: 0 a server, 1 the DM with the bot, 2 a group
DM or a DM between other people) and which installations authorise it (``authorizing_integration_owners``:
key ``"0"`` the server's install, with the guild id, or ``"0"`` in the bot's DM; key ``"1"`` the user's own
install, with their id). A command is offered only where its definition says (``contexts`` and
``integration_types``), and only global commands exist outside the servers the app is in. Where only the
user installed the app (a server the bot is not in, a group DM) the app has no bot there: it answers through
the interaction alone, may send at most five followups per interaction, and Discord makes its answers
ephemeral when the member may not use external apps or send messages.

``PlacesMixin`` is part of :class:`~tests.standin.server.DiscordStandIn`; the checks it adds are called
from the server's command preparation, followup, channel and edit handlers.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from . import validate as v

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .server import GuildState, SentInteraction, User

CONTEXT_GUILD, CONTEXT_BOT_DM, CONTEXT_PRIVATE_CHANNEL = 0, 1, 2
INSTALL_GUILD, INSTALL_USER = 0, 1
CHANNEL_DM, CHANNEL_GROUP_DM = 1, 3
USER_INSTALL_FOLLOWUPS_MAX = 5
USE_EXTERNAL_APPS = 1 << 50
SEND_MESSAGES = 1 << 11
# What Discord applies to a command synced with `null` (discord.py sends null when nothing is set):
# servers and the bot's DM, guild installs only (Discord's docs say "all contexts"; in practice a null
# definition is not offered in group DMs: discord/discord-api-docs#7108).
DEFAULT_CONTEXTS = (CONTEXT_GUILD, CONTEXT_BOT_DM)
DEFAULT_INTEGRATION_TYPES = (INSTALL_GUILD,)
CONTEXT_NAMES = {CONTEXT_GUILD: "a server", CONTEXT_BOT_DM: "the DM with the bot",
                 CONTEXT_PRIVATE_CHANNEL: "a group DM or another DM"}


@dataclasses.dataclass
class Place:
    """Where a user is when they run a command or press a control."""

    context: int
    channel: Dict[str, Any]
    owners: Dict[str, str]  # authorizing_integration_owners
    guild: Optional["GuildState"] = None  # the server (None in DMs)
    foreign: bool = False  # a server the bot is not in (the app is there only through the user's install)

    @property
    def channel_id(self) -> int:
        return int(self.channel["id"])

    @property
    def bot_present(self) -> bool:
        """Whether the bot itself is there: a server it is in, or its own DM."""
        return INSTALL_GUILD_KEY in self.owners


INSTALL_GUILD_KEY, INSTALL_USER_KEY = str(INSTALL_GUILD), str(INSTALL_USER)


def command_contexts(command: Dict[str, Any]) -> Tuple[int, ...]:
    contexts = command.get("contexts")
    if contexts is None:
        if command.get("dm_permission") is False:
            return (CONTEXT_GUILD,)
        return DEFAULT_CONTEXTS
    return tuple(contexts)


def command_installs(command: Dict[str, Any]) -> Tuple[int, ...]:
    kinds = command.get("integration_types")
    return DEFAULT_INTEGRATION_TYPES if kinds is None else tuple(kinds)


def availability_problem(command: Dict[str, Any], place: Place) -> Optional[str]:
    """Why the Discord client would not offer ``command`` here (None when it would)."""
    if command.get("guild_id") is not None and (place.guild is None or str(place.guild.id) != command["guild_id"]):
        return "it is a server command, and servers' commands exist only in their server"
    contexts = command_contexts(command)
    if place.context not in contexts:
        allowed = ", ".join(CONTEXT_NAMES[c] for c in contexts) or "nowhere"
        return f"it is not available in {CONTEXT_NAMES[place.context]} (contexts {list(contexts)}: {allowed})"
    installs = command_installs(command)
    authorised = {int(k) for k in place.owners}
    if not authorised & set(installs):
        have = "the user's install" if authorised == {INSTALL_USER} else "the server's install"
        return (f"it is installable only as {installs} (integration_types) and here the app is there through "
                f"{have} alone")
    return None


class PlacesMixin:
    """DMs, group DMs, servers the bot is not in, and the checks that come with them."""

    # Provided by DiscordStandIn.
    bot_user: "User"
    guilds: Dict[int, "GuildState"]
    _messages: Dict[int, Dict[str, Any]]

    def _places_state(self) -> Dict[str, Any]:
        state = getattr(self, "_places", None)
        if state is None:
            state = {"dm": {}, "group": {}, "foreign": {}, "installed_by": set()}
            self._places = state
        return state

    # --- test-facing ------------------------------------------------------------------

    def dm_channel_id(self, user: "User") -> int:
        """The DM channel between ``user`` and the bot (created on first use)."""
        state = self._places_state()
        for channel_id, channel in state["dm"].items():
            if channel["recipients"][0]["id"] == str(user.id):
                return channel_id
        channel_id = self._snowflake()  # type: ignore[attr-defined]
        state["dm"][channel_id] = {"id": str(channel_id), "type": CHANNEL_DM, "recipients": [user.to_dict()],
                                   "last_message_id": None, "flags": 0}
        return channel_id

    def group_dm_id(self, *users: "User") -> int:
        """A group DM of ``users`` (the bot is not in it: only a user's install reaches it)."""
        channel_id = self._snowflake()  # type: ignore[attr-defined]
        self._places_state()["group"][channel_id] = {
            "id": str(channel_id), "type": CHANNEL_GROUP_DM, "recipients": [u.to_dict() for u in users],
            "name": None, "icon": None, "owner_id": str(users[0].id) if users else None, "last_message_id": None,
            "flags": 0,
        }
        return channel_id

    def add_foreign_guild(self, everyone_permissions: int = 0, *, use_external_apps: bool = True) -> int:
        """A server the bot is not in (its members can still use the app through their own install).
        ``use_external_apps=False`` is a server that switched USE_EXTERNAL_APPS off for @everyone."""
        guild_id = self._snowflake()  # type: ignore[attr-defined]
        guild = self._make_guild(guild_id, 0, everyone_permissions)  # type: ignore[attr-defined]
        perms = int(guild.roles[guild_id]["permissions"])
        perms = perms | USE_EXTERNAL_APPS if use_external_apps else perms & ~USE_EXTERNAL_APPS
        guild.roles[guild_id]["permissions"] = str(perms)
        self._places_state()["foreign"][guild_id] = guild
        return guild_id

    def install_for(self, user: "User") -> None:
        """``user`` adds the app to their account (a user install)."""
        self._places_state()["installed_by"].add(user.id)

    # --- lookups ----------------------------------------------------------------------

    def _dm_like_channel(self, channel_id: int) -> Optional[Dict[str, Any]]:
        state = self._places_state()
        return state["dm"].get(channel_id) or state["group"].get(channel_id)

    def _foreign_guild_of(self, channel_id: int) -> Optional["GuildState"]:
        for guild in self._places_state()["foreign"].values():
            if channel_id in guild.channels:
                return guild
        return None

    def _foreign_guild(self, guild_id: Optional[int]) -> Optional["GuildState"]:
        return self._places_state()["foreign"].get(int(guild_id)) if guild_id is not None else None

    def _place_for(self, user: "User", guild_id: Optional[int], channel_id: Optional[int]) -> Optional[Place]:
        """The place of an interaction outside the servers the bot is in; None for those servers (the
        stand-in's original path)."""
        user_install = user.id in self._places_state()["installed_by"]
        if channel_id is not None:
            channel = self._dm_like_channel(int(channel_id))
            if channel is not None:
                if channel["type"] == CHANNEL_DM and channel["recipients"][0]["id"] == str(user.id):
                    owners = {INSTALL_GUILD_KEY: "0"}
                    if user_install:
                        owners[INSTALL_USER_KEY] = str(user.id)
                    return Place(CONTEXT_BOT_DM, channel, owners)
                if str(user.id) not in {r["id"] for r in channel["recipients"]}:
                    raise ValueError(f"{user.username} is not in channel {channel_id}")
                owners = {INSTALL_USER_KEY: str(user.id)} if user_install else {}
                return Place(CONTEXT_PRIVATE_CHANNEL, channel, owners)
            guild = self._foreign_guild_of(int(channel_id))
            if guild is not None:
                owners = {INSTALL_USER_KEY: str(user.id)} if user_install else {}
                return Place(CONTEXT_GUILD, guild.channels[int(channel_id)], owners, guild, foreign=True)
        guild = self._foreign_guild(guild_id)
        if guild is not None:
            owners = {INSTALL_USER_KEY: str(user.id)} if user_install else {}
            return Place(CONTEXT_GUILD, guild.channels[guild.text_channel_id], owners, guild, foreign=True)
        return None

    def _guild_place(self, user: "User", guild: "GuildState", channel_id: int) -> Place:
        owners = {INSTALL_GUILD_KEY: str(guild.id)}
        if user.id in self._places_state()["installed_by"]:
            owners[INSTALL_USER_KEY] = str(user.id)
        channel = guild.channels.get(channel_id) or {"id": str(channel_id), "type": 0}
        return Place(CONTEXT_GUILD, channel, owners, guild)

    def _check_available(self, command: Dict[str, Any], place: Place, where: str) -> None:
        if not place.owners:
            raise ValueError(f"{where}: the app is not installed here (neither by this server nor by the user: "
                             "call standin.install_for(user) for a user install)")
        problem = availability_problem(command, place)
        if problem is not None:
            raise ValueError(f"{where}: the Discord client would not offer this command here: {problem}")

    def _place_interaction(self, itype: int, data: Dict[str, Any], *, user: "User", place: Place,
                           permissions: int, locale: str) -> Dict[str, Any]:
        """An interaction payload for a DM, a group DM or a server the bot is not in."""
        payload: Dict[str, Any] = {
            "id": str(self._snowflake()),  # type: ignore[attr-defined]
            "application_id": str(self.bot_user.id),
            "type": itype,
            "data": data,
            "channel_id": str(place.channel_id),
            "channel": {**copy.deepcopy(place.channel), "permissions": str(permissions)},
            "token": "itok_" + __import__("secrets").token_urlsafe(48),
            "version": 1,
            # Outside a server the bot is in, the app may do what the user may (and nothing on its own).
            "app_permissions": str(permissions),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": dict(place.owners),
            "context": place.context,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if place.guild is not None:
            guild = place.guild
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {"id": str(guild.id), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["member"] = self._member(guild, user, (), permissions)  # type: ignore[attr-defined]
        else:
            payload["user"] = user.to_dict()
        return payload

    def _place_permissions(self, place: Place, permissions: Optional[int]) -> int:
        if permissions is not None:
            return int(permissions)
        from .server import DEFAULT_MEMBER_PERMISSIONS

        if place.guild is not None:
            return DEFAULT_MEMBER_PERMISSIONS | int(place.guild.roles[place.guild.id]["permissions"])
        return DEFAULT_MEMBER_PERMISSIONS | USE_EXTERNAL_APPS

    @staticmethod
    def _drop_members(resolved: Dict[str, Dict[str, Any]], place: Place) -> None:
        if place.guild is None:
            resolved.pop("members", None)  # there are no members outside a server

    # --- checks called by the server ----------------------------------------------------

    def _followup_problem(self, interaction: "SentInteraction") -> Optional[str]:
        """The five-followup cap of an app that is there only through a user's install."""
        owners = interaction.payload.get("authorizing_integration_owners") or {}
        if INSTALL_GUILD_KEY in owners:
            return None
        if len(interaction.followup_ids) >= USER_INSTALL_FOLLOWUPS_MAX:
            return (f"the app is here only through a user install: at most {USER_INSTALL_FOLLOWUPS_MAX} followups "
                    "per interaction")
        return None

    @staticmethod
    def _forced_ephemeral(interaction: "SentInteraction") -> bool:
        """Discord shows a user-installed app's answers only to the user where the member may not use external
        apps or send messages (a server's choice)."""
        payload = interaction.payload
        owners = payload.get("authorizing_integration_owners") or {}
        if INSTALL_GUILD_KEY in owners or payload.get("context") != CONTEXT_GUILD:
            return False
        member_permissions = int((payload.get("member") or {}).get("permissions") or 0)
        return not (member_permissions & USE_EXTERNAL_APPS and member_permissions & SEND_MESSAGES)

    def _reply_problem(self, payload: Dict[str, Any], channel_id: int, guild_id: Optional[int]) -> Tuple[Optional[v.FormErrors], bool]:
        """Checks ``message_reference`` on a message create. Returns (errors, keep): keep is False when the
        reference is to be dropped (``fail_if_not_exists: false`` and the message is gone)."""
        reference = payload.get("message_reference")
        if reference is None:
            return None, True
        errors = v.FormErrors()
        path = ("message_reference",)
        if not isinstance(reference, dict):
            errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            return errors, True
        kind = reference.get("type", 0)
        if kind not in (0, 1):
            errors.add(path + ("type",), "BASE_TYPE_CHOICES", "Value must be one of {0, 1}.")
            return errors, True
        message_id = reference.get("message_id")
        if not v._is_snowflake(message_id):
            errors.add(path + ("message_id",), "BASE_TYPE_REQUIRED", "This field is required")
            return errors, True
        target = self._messages.get(int(message_id))
        same_channel = target is not None and int(target["channel_id"]) == channel_id
        if kind == 0 and reference.get("channel_id") is not None and int(reference["channel_id"]) != channel_id:
            same_channel = False  # a reply lives in the channel of the message it answers
        if reference.get("guild_id") is not None and (guild_id is None or int(reference["guild_id"]) != guild_id):
            same_channel = False
        ephemeral = target is not None and bool(int(target.get("flags") or 0) & v.FLAG_EPHEMERAL)
        if target is None or (kind == 0 and not same_channel) or ephemeral:
            if reference.get("fail_if_not_exists", True) is False:
                return None, False
            errors.add(path, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
            return errors, True
        if kind == 0 and int(target.get("type") or 0) not in REPLYABLE_TYPES:
            errors.add(path, "REPLIES_CANNOT_REFERENCE_SYSTEM_MESSAGE", "Cannot reply to a system message")
            return errors, True
        return None, True

    @staticmethod
    def _layout_problem(message: Dict[str, Any]) -> Optional[v.FormErrors]:
        """A message with IS_COMPONENTS_V2 after an edit: still no content or embeds, components V2-valid
        (an edit may omit the flag, which the message keeps)."""
        if not int(message.get("flags") or 0) & v.FLAG_IS_COMPONENTS_V2:
            return None
        errors = v.FormErrors()
        for key in ("content", "embeds"):
            if message.get(key):
                errors.add((key,), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                           f"The '{key}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        if message.get("poll"):
            errors.add(("poll",), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                       "The 'poll' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
        v.validate_components(message.get("components") or [], errors, ("components",), v2=True)
        return errors or None


# Message types a reply may point at: default, reply, chat input and context menu command answers.
REPLYABLE_TYPES = {0, 19, 20, 23}
