"""Messages written to Marquee: `@Marquee something like Kill Bill…` in a server, or anything in its DM.

No privileged intent is needed: Discord delivers the content of messages that mention the app and of DMs
with it. Marquee answers only those, never a bot (itself included) or a webhook, and replies to the message
without pinging anyone: not its author, not whoever the text names (the bot allows no mentions at all).
What to answer is the app's message handler's business; this module only decides whether to ask it, and
delivers the reply.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import discord

from ..core.app import Marquee
from ..core.interface import Actor
from ..core.rendering import render
from .adapter import app_of_client, is_owner, to_discord

log = logging.getLogger(__name__)

ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def addressed_to(message: discord.Message, me: discord.abc.User | None) -> bool:
    """Whether Marquee should answer: a person's message that mentions Marquee itself (not @everyone, not
    a role), or any message in Marquee's DM."""
    if me is None or message.author.bot or message.author.id == me.id or message.webhook_id is not None:
        return False
    if message.type not in ANSWERED_TYPES:
        return False
    if message.guild is None:
        return True
    return any(user.id == me.id for user in message.mentions)


def question_of(message: discord.Message, me: discord.abc.User) -> str:
    """The text without the mentions of Marquee."""
    return re.sub(rf"<@!?{me.id}>", " ", message.content or "").strip()


def actor_of_message(client: discord.Client, message: discord.Message) -> Actor:
    return Actor(user_id=message.author.id, name=message.author.display_name,
                 guild_id=message.guild.id if message.guild else None, channel_id=message.channel.id,
                 is_owner=is_owner(client, message.author.id), context="guild" if message.guild else "dm")


async def answer_message(client: discord.Client, message: discord.Message) -> None:
    me = client.user
    if me is None or not addressed_to(message, me):
        return
    app = app_of_client(client)
    try:
        reply = await app.dispatch_message(actor_of_message(client, message), question_of(message, me))
    except Exception as error:  # noqa: BLE001 - one place turns surprises into an apology
        reply = Marquee.apology(error, f"a message (guild {message.guild.id if message.guild else None})")
    if reply is None:
        return
    kwargs: dict[str, Any] = to_discord(render(reply.result))
    try:
        await message.reply(mention_author=False, **kwargs)
    except discord.Forbidden as error:
        log.info("Cannot answer a message in channel %s: %s", message.channel.id, error.text)
    except discord.HTTPException:
        log.exception("Answering a message in channel %s failed", message.channel.id)
