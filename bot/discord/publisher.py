"""The Discord publisher: messages and scheduled events the bot posts or edits on its own.

Ballot edits are coalesced per message: at most one edit per MIN_EDIT_INTERVAL, and the edit sent is
always the latest state handed in, so a burst of fifty votes costs a couple of edits and the message
ends showing the final tally. With `pace` (the database's shared rate slots) the interval holds across
every process editing the message, not only within this one. A missing permission or a deleted
channel/message/event is logged and skipped: it must never break the vote or close that caused it.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import discord

from ..core.interface import Publisher
from ..core.rendering import render
from ..core.text import clip
from .adapter import to_discord

log = logging.getLogger(__name__)

MIN_EDIT_INTERVAL = 1.0  # seconds between two edits of the same message
EVENT_NAME_MAX = 100
EVENT_DESCRIPTION_MAX = 1000
EVENT_LOCATION_MAX = 100
_EXTERNAL = 3
_GUILD_ONLY = 2
_EVENT_STATUS = {"scheduled": 1, "active": 2, "completed": 3, "cancelled": 4, "canceled": 4}


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


class DiscordPublisher(Publisher):
    def __init__(self, bot: discord.Client, *, min_edit_interval: float = MIN_EDIT_INTERVAL,
                 pace: Callable[[str, float], Awaitable[None]] | None = None) -> None:
        self.bot = bot
        self.min_edit_interval = min_edit_interval
        self._pace = pace
        self._pending: dict[int, tuple[int, Any]] = {}  # message id -> latest (channel, result)
        self._workers: dict[int, asyncio.Task] = {}
        self._last_edit: dict[int, float] = {}

    # Messages --------------------------------------------------------------------------------------
    async def post(self, channel_id: int | None, result: Any) -> int | None:
        if channel_id is None:
            return None
        kwargs = to_discord(render(result))
        try:
            message = await self.bot.get_partial_messageable(channel_id).send(**kwargs)
        except (discord.Forbidden, discord.NotFound) as error:
            log.warning("Cannot post in channel %s (%s): %s", channel_id, type(error).__name__, error.text)
            return None
        except discord.HTTPException:
            log.exception("Posting in channel %s failed", channel_id)
            return None
        return message.id

    async def edit(self, channel_id: int | None, message_id: int, result: Any) -> None:
        """Queue an edit; only the latest queued state of a message is sent, at most once per interval."""
        if channel_id is None:
            return
        self._pending[message_id] = (channel_id, result)
        worker = self._workers.get(message_id)
        if worker is None or worker.done():
            self._workers[message_id] = asyncio.create_task(self._edit_worker(message_id),
                                                            name=f"edit message {message_id}")

    async def _edit_worker(self, message_id: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            while message_id in self._pending:
                wait = self._last_edit.get(message_id, float("-inf")) + self.min_edit_interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self._pace is not None:
                    await self._pace(f"edit:{message_id}", self.min_edit_interval)
                channel_id, result = self._pending.pop(message_id)
                self._last_edit[message_id] = loop.time()
                await self._edit_now(channel_id, message_id, result)
        finally:
            if self._workers.get(message_id) is asyncio.current_task():
                del self._workers[message_id]
            self._forget_old_edits(loop.time())

    async def _edit_now(self, channel_id: int, message_id: int, result: Any) -> None:
        kwargs = to_discord(render(result))
        kwargs.pop("files", None)
        try:
            await self.bot.get_partial_messageable(channel_id).get_partial_message(message_id).edit(**kwargs)
        except (discord.Forbidden, discord.NotFound) as error:
            log.warning("Cannot edit message %s in channel %s (%s): %s", message_id, channel_id,
                        type(error).__name__, error.text)
        except discord.HTTPException:
            log.exception("Editing message %s in channel %s failed", message_id, channel_id)

    def _forget_old_edits(self, now: float) -> None:
        if len(self._last_edit) > 1000:
            for message_id, at in list(self._last_edit.items()):
                if now - at > self.min_edit_interval and message_id not in self._workers:
                    del self._last_edit[message_id]

    async def sent(self, message_id: int) -> None:
        while (worker := self._workers.get(message_id)) is not None and not worker.done():
            await asyncio.gather(worker, return_exceptions=True)

    async def flush(self) -> None:
        """Send every queued edit now-ish (shutdown): the final state of each message is shown."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    # Scheduled events ------------------------------------------------------------------------------
    def _may_manage_events(self, guild_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        me = guild.me if guild is not None else None
        if me is None:
            return True  # not cached: just try, a 403 is handled
        permissions = me.guild_permissions
        return permissions.manage_events or permissions.create_events

    async def create_event(self, guild_id: int, *, name: str, start: float, end: float,
                           description: str, location: str) -> int | None:
        if not self._may_manage_events(guild_id):
            log.info("No Manage Events permission in guild %s: no scheduled event for the movie night", guild_id)
            return None
        try:
            data = await self.bot.http.create_guild_scheduled_event(
                guild_id, name=clip(name, EVENT_NAME_MAX) or "Movie night", privacy_level=_GUILD_ONLY,
                entity_type=_EXTERNAL, entity_metadata={"location": clip(location, EVENT_LOCATION_MAX)},
                scheduled_start_time=_iso(start), scheduled_end_time=_iso(end),
                description=clip(description, EVENT_DESCRIPTION_MAX))
        except discord.Forbidden:
            log.info("Creating a scheduled event in guild %s was refused (no permission)", guild_id)
            return None
        except discord.HTTPException as error:
            log.warning("Creating a scheduled event in guild %s failed: %s %s", guild_id, error.status, error.text)
            return None
        return int(data["id"])

    async def edit_event(self, guild_id: int, event_id: int, *, name: str | None = None, start: float | None = None,
                         end: float | None = None, description: str | None = None, status: str | None = None) -> None:
        fields: dict[str, Any] = {}
        if name is not None:
            fields["name"] = clip(name, EVENT_NAME_MAX) or "Movie night"
        if start is not None:
            fields["scheduled_start_time"] = _iso(start)
        if end is not None:
            fields["scheduled_end_time"] = _iso(end)
        if description is not None:
            fields["description"] = clip(description, EVENT_DESCRIPTION_MAX)
        if status is not None:
            fields["status"] = _EVENT_STATUS[status]
        if not fields:
            return
        try:
            await self.bot.http.edit_scheduled_event(guild_id, event_id, **fields)
        except (discord.Forbidden, discord.NotFound) as error:
            log.info("Cannot edit scheduled event %s in guild %s (%s)", event_id, guild_id, type(error).__name__)
        except discord.HTTPException as error:
            log.warning("Editing scheduled event %s in guild %s failed: %s %s", event_id, guild_id,
                        error.status, error.text)
