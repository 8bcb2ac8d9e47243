"""Where Marquee's commands can be used: installed by a server, by a user, or both.

Every command is, by default, available to both kinds of install and in every interaction context (a
server, the DM with the bot, group DMs and other DMs): a member who added Marquee to their own account can
ask `/watch` or `/islike` anywhere. What needs the bot in a server — movie nights (a public ballot, a
scheduled event), `/settings` and `/catalog` — is server-only: a server install, used in that server.

discord.py merges a command's own setting with the tree's default field by field, and `guild_only()` sets
only `guild=True`: with these defaults it would leave DMs and group DMs allowed. So server-only commands
set every field explicitly (`server_only()`, `SERVER_ONLY`).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")


def every_install() -> app_commands.AppInstallationType:
    return app_commands.AppInstallationType(guild=True, user=True)


def every_context() -> app_commands.AppCommandContext:
    return app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)


def server_contexts() -> app_commands.AppCommandContext:
    return app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def server_installs() -> app_commands.AppInstallationType:
    return app_commands.AppInstallationType(guild=True, user=False)


def server_only_options() -> dict[str, Any]:
    """Keyword arguments for an `app_commands.Group` that only works in a server that installed Marquee."""
    return {"allowed_contexts": server_contexts(), "allowed_installs": server_installs(), "guild_only": True}


def server_only() -> Callable[[T], T]:
    """Decorator for a top-level command that only works in a server that installed Marquee."""

    def apply(command: T) -> T:
        command = app_commands.allowed_installs(guilds=True, users=False)(command)
        return app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(command)

    return apply


def context_name(interaction: discord.Interaction[Any]) -> str:
    """The Actor's `context`: "guild", "dm" (the DM with the bot) or "private" (a group DM or other DM)."""
    context = interaction.context
    if context.private_channel:
        return "private"
    if context.dm_channel:
        return "dm"
    if context.guild or interaction.guild_id is not None:
        return "guild"
    return "dm"


GUILD_INSTALL, USER_INSTALL = 0, 1


def install_url(application_id: int, *, permissions: discord.Permissions, user: bool) -> str:
    """The OAuth2 link that installs Marquee in a server (the bot with its permissions, and the commands)
    or on a user's account (commands only: Discord allows no bot scope for a user install)."""
    if user:
        return (discord.utils.oauth_url(application_id, scopes=("applications.commands",))
                + f"&integration_type={USER_INSTALL}")
    return (discord.utils.oauth_url(application_id, permissions=permissions, scopes=("bot", "applications.commands"))
            + f"&integration_type={GUILD_INSTALL}")
