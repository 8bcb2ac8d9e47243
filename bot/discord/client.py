"""The Discord bot: start-up (feature cogs, component router, error handler, command sync) around a
`Marquee` app."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Sequence

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from ..core.app import Marquee
from ..core.feature import Feature
from ..core.results import CommandInfo
from ..core.settings import Settings
from ..storage.coordination import ClusterMembers
from .adapter import ComponentRouter, actor_of, apologise, deliver
from .installs import every_context, every_install, install_url
from .messages import answer_message
from .cluster import ShardCluster
from .publisher import DiscordPublisher

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


def invite_url(application_id: int, *, user: bool = False) -> str:
    """The link that adds Marquee to a server (default) or to a user's own account (`user=True`)."""
    return install_url(application_id, permissions=INVITE_PERMISSIONS, user=user)


def commands_fingerprint(tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None) -> str:
    payload = [c.to_dict(tree) for c in sorted(tree.get_commands(guild=guild), key=lambda c: c.name)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class MarqueeTree(app_commands.CommandTree["MarqueeBot"]):
    async def on_error(self, interaction: discord.Interaction["MarqueeBot"],
                       error: app_commands.AppCommandError) -> None:
        original = getattr(error, "original", error)
        if isinstance(error, app_commands.CheckFailure):
            await deliver(interaction, Marquee.failure_reply(str(error) or "You can't use this command here."))
            return
        if isinstance(error, app_commands.TransformerError):
            await deliver(interaction, Marquee.failure_reply(f"I couldn't understand `{error.value}`."))
            return
        name = interaction.command.qualified_name if interaction.command else "?"
        await apologise(interaction, original, f"/{name}")


class MarqueeBot(commands.AutoShardedBot):
    def __init__(self, settings: Settings, app: Marquee, *, serving: bool = True) -> None:
        """`serving=False` is for one-off tools (sync, invite, console): no auto-sync, no background tasks."""
        intents = discord.Intents.default()  # no privileged intents: slash commands need none
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=MarqueeTree,
            help_command=None,
            # Nothing the bot echoes can ping anyone: not @everyone, not roles, not users, not replies.
            allowed_mentions=discord.AllowedMentions.none(),
            # Installable by servers and by users, usable anywhere; server-only commands say so (installs.py).
            allowed_installs=every_install(),
            allowed_contexts=every_context(),
            # SHARD_COUNT / SHARD_IDS: this process runs some of the bot's shards (None: all, as many as
            # Discord recommends).
            shard_count=settings.shard_count,
            **self._shard_ids(settings),
        )
        self.settings = settings
        self.app = app
        self.cluster = ShardCluster(self, app.ctx.cluster, ClusterMembers(app.ctx.db))
        self.failed_cogs: dict[str, str] = {}
        self.serving = serving

    @staticmethod
    def _shard_ids(settings: Settings) -> dict[str, Any]:
        return {"shard_ids": list(settings.shard_ids)} if settings.shard_ids else {}

    @property
    def features(self) -> Sequence[Feature]:
        return self.app.features

    async def load_cogs(self) -> None:
        for feature in self.features:
            try:
                await self.load_extension(feature.extension)
            except Exception as error:  # noqa: BLE001 - a broken cog must not take the bot down
                self.failed_cogs[feature.extension] = repr(error)
                log.exception("Skipping cog %s: it failed to load", feature.extension)

    def command_index(self) -> dict[str, list[CommandInfo]]:
        """Commands under each feature's /help heading, for /help and the console."""
        groups: dict[str, list[CommandInfo]] = {}
        for feature in self.features:
            package = feature.extension.rpartition(".")[0]
            for cog in self.cogs.values():
                if not type(cog).__module__.startswith(package + "."):
                    continue
                infos = [CommandInfo(cmd.qualified_name, cmd.description) for cmd in cog.walk_app_commands()
                         if isinstance(cmd, app_commands.Command)]
                if infos:
                    groups.setdefault(feature.help_group, []).extend(infos)
        return groups

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Every IDENTIFY waits for its bucket's slot, shared by every process (see bot.discord.cluster)."""
        await self.cluster.before_identify(shard_id)

    async def setup_hook(self) -> None:
        self.app.attach_publisher(DiscordPublisher(self, pace=self.app.ctx.cluster.pace))
        await self.load_cogs()
        self.app.command_index = self.command_index()
        self.add_dynamic_items(ComponentRouter)
        if self.serving:
            await self.load_owners()
            await self.sync_if_changed()
            await self.app.start_background()
            self.cluster.start()

    async def load_owners(self) -> None:
        """Who may change the shared catalogue: the application's owner, or its team's owner, admins and
        developers (as discord.py's `is_owner` counts them), and OWNER_IDS. Kept in `owner_ids`, so
        `is_owner` and the interaction adapter read the same set without asking Discord again."""
        owners = set(self.settings.owner_ids)
        try:
            info = await self.application_info()
        except discord.HTTPException as error:
            log.warning("Could not read the application's owner (%s %s); only OWNER_IDS may change the catalogue",
                        error.status, error.text[:100])
        else:
            if info.team is not None:
                if info.team.owner_id is not None:
                    owners.add(info.team.owner_id)
                owners |= {m.id for m in info.team.members
                           if m.role in (discord.TeamMemberRole.admin, discord.TeamMemberRole.developer)}
            else:
                owners.add(info.owner.id)
        self.owner_ids = owners
        log.info("%d owner(s) may change the shared catalogue", len(owners))

    async def close(self) -> None:
        try:
            await self.cluster.stop()
            await self.app.close()
        finally:
            await super().close()

    async def sync_if_changed(self) -> None:
        """Sync only when the definitions changed since the last sync, to spare Discord's 200 creates/day."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        target = f"guild:{guild.id}" if guild else "global"
        fingerprint = commands_fingerprint(self.tree, guild)
        db = self.app.ctx.db
        if await db.get_meta(f"commands_hash:{target}") == fingerprint:
            log.info("Application commands unchanged since the last sync (%s); not syncing", target)
            return
        synced = await self.tree.sync(guild=guild)
        await db.set_meta(f"commands_hash:{target}", fingerprint)
        log.info("Synced %d application commands to %s", len(synced), target)

    async def force_sync(self, guild_id: int | None) -> int:
        guild = discord.Object(guild_id) if guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.app.ctx.db.set_meta(f"commands_hash:{f'guild:{guild_id}' if guild_id else 'global'}",
                                       commands_fingerprint(self.tree, guild))
        return len(synced)

    async def on_message(self, message: discord.Message, /) -> None:
        """Marquee has no prefix commands (commands.Bot would log every mention as CommandNotFound): a
        message that mentions it, or a DM, is a question in words for the app (bot.discord.messages)."""
        await answer_message(self, message)

    async def on_ready(self) -> None:
        log.info("Marquee is online as %s in %d servers", self.user, len(self.guilds))

    async def respond(self, interaction: discord.Interaction[Any], **options: Any) -> None:
        """The body of every slash command: call the handler of the same name and deliver its reply.

        (Not `invoke`: that name belongs to `commands.Bot`, which calls it for every prefix-command message.)"""
        name = interaction.command.qualified_name if interaction.command else ""
        reply = await self.app.dispatch_command(actor_of(interaction), name, options)
        await deliver(interaction, reply)
