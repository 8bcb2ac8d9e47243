"""The Discord bot: start-up (cogs, component router, error handler, command sync) around a `Marquee` app."""
from __future__ import annotations

import hashlib
import json
import logging
import pkgutil
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

import cogs

from .adapter import ComponentRouter, actor_of, apologise, deliver
from .app import Marquee
from .config import Settings
from .publisher import DiscordPublisher
from .services.results import CommandInfo

log = logging.getLogger(__name__)

# Send Messages, Embed Links, Attach Files, Read Message History, Use External Emojis, Manage Events,
# Create Events. Nothing else: no admin, no mention-everyone, no message content.
INVITE_PERMISSIONS = discord.Permissions(
    send_messages=True, send_messages_in_threads=True, embed_links=True, attach_files=True,
    read_message_history=True, view_channel=True, manage_events=True, create_events=True,
)


def point_at(settings: Settings) -> None:
    """Send REST and gateway traffic to a proxy (or the test stand-in) instead of discord.com."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS,
                                   scopes=("bot", "applications.commands"))


def cog_modules() -> list[str]:
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if not m.name.startswith("_"))


def commands_fingerprint(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> str:
    payload = [c.to_dict(tree) for c in sorted(tree.get_commands(guild=guild), key=lambda c: c.name)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class MarqueeTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        bot: MarqueeBot = interaction.client  # type: ignore[assignment]
        if isinstance(error, app_commands.CheckFailure):
            await deliver(interaction, bot.app.failure_reply(str(error) or "You can't use this command here."))
            return
        if isinstance(error, app_commands.TransformerError):
            await deliver(interaction, bot.app.failure_reply(f"I couldn't understand `{error.value}`."))
            return
        name = interaction.command.qualified_name if interaction.command else "?"
        await apologise(interaction, original, f"/{name}")


class MarqueeBot(commands.AutoShardedBot):
    def __init__(self, settings: Settings, *, app: Marquee | None = None, serving: bool = True) -> None:
        """`serving=False` is for one-off tools (sync, invite, console): no auto-sync, no background tasks."""
        intents = discord.Intents.default()  # no privileged intents: slash commands need none
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=MarqueeTree,
            help_command=None,
            # Nothing the bot echoes can ping anyone: not @everyone, not roles, not users, not replies.
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self._app = app
        self.failed_cogs: dict[str, str] = {}
        self.serving = serving

    @property
    def app(self) -> Marquee:
        assert self._app is not None, "the app is opened in setup_hook"
        return self._app

    async def load_cogs(self) -> None:
        for module in cog_modules():
            try:
                await self.load_extension(module)
            except Exception as error:  # noqa: BLE001 - a broken cog must not take the bot down
                self.failed_cogs[module] = repr(error)
                log.exception("Skipping cog %s: it failed to load", module)

    def command_index(self) -> dict[str, list[CommandInfo]]:
        """Commands grouped by cog, for /help and the console."""
        groups: dict[str, list[CommandInfo]] = {}
        for cog in self.cogs.values():
            infos = []
            for cmd in cog.walk_app_commands():
                if isinstance(cmd, app_commands.Command):
                    infos.append(CommandInfo(cmd.qualified_name, cmd.description))
            if infos:
                groups[getattr(cog, "help_group", cog.qualified_name)] = infos
        return groups

    async def setup_hook(self) -> None:
        if self._app is None:
            self._app = await Marquee.open(self.settings.database_path, default_region=self.settings.default_region)
        self.app.attach_publisher(DiscordPublisher(self))
        await self.load_cogs()
        self.app.command_index = self.command_index()
        self.add_dynamic_items(ComponentRouter)
        if self.serving:
            await self.sync_if_changed()
            await self.app.start_background()

    async def close(self) -> None:
        try:
            if self._app is not None:
                await self._app.close()
        finally:
            await super().close()

    async def sync_if_changed(self) -> None:
        """Sync only when the definitions changed since the last sync, to spare Discord's 200 creates/day."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        target = f"guild:{guild.id}" if guild else "global"
        fingerprint = commands_fingerprint(self.tree, guild)
        if await self.app.db.get_meta(f"commands_hash:{target}") == fingerprint:
            log.info("Application commands unchanged since the last sync (%s); not syncing", target)
            return
        synced = await self.tree.sync(guild=guild)
        await self.app.db.set_meta(f"commands_hash:{target}", fingerprint)
        log.info("Synced %d application commands to %s", len(synced), target)

    async def force_sync(self, guild_id: int | None) -> int:
        guild = discord.Object(guild_id) if guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.app.db.set_meta(f"commands_hash:{f'guild:{guild_id}' if guild_id else 'global'}",
                                   commands_fingerprint(self.tree, guild))
        return len(synced)

    async def on_ready(self) -> None:
        log.info("Marquee is online as %s in %d servers", self.user, len(self.guilds))

    async def invoke(self, interaction: discord.Interaction, **options: Any) -> None:
        """The body of every slash command: call the handler of the same name and deliver its reply."""
        name = interaction.command.qualified_name if interaction.command else ""
        reply = await self.app.dispatch_command(actor_of(interaction), name, options)
        await deliver(interaction, reply)
