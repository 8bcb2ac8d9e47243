"""The Discord side of the neutral interface: Actor from an interaction, Message -> embeds/components,
delivering a Reply with the right kind of interaction response, and the one component router."""
from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping
from typing import Any, Self

import discord

from ..core.app import Marquee
from ..core.interface import Actor, Reply
from ..core.message import Button, Container, LayoutItem, Message, Section, Select, Separator, Text, Thumbnail
from ..core.rendering import render
from .installs import context_name

log = logging.getLogger(__name__)

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


def app_of(interaction: discord.Interaction[Any]) -> Marquee:
    """The Marquee app behind the client that received this interaction."""
    return app_of_client(interaction.client)


def app_of_client(client: discord.Client) -> Marquee:
    app = getattr(client, "app", None)
    if not isinstance(app, Marquee):
        raise RuntimeError("this client does not serve a Marquee app")
    return app


def is_owner(client: discord.Client, user_id: int) -> bool:
    """Whether `user_id` is one of the bot's owners (MarqueeBot.load_owners fills `owner_ids` at start-up)."""
    return user_id in (getattr(client, "owner_ids", None) or ())


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    perms = interaction.permissions
    return Actor(
        user_id=interaction.user.id,
        name=interaction.user.display_name,
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
        can_manage_guild=bool(interaction.guild_id and perms.manage_guild),
        can_manage_events=bool(interaction.guild_id and perms.manage_events),
        is_owner=is_owner(interaction.client, interaction.user.id),
        context=context_name(interaction),
    )


def to_discord(message: Message) -> dict[str, Any]:
    """Keyword arguments for send_message/followup.send/edit_message."""
    if message.layout is not None:
        return _layout_kwargs(message)
    embeds = []
    for e in message.embeds:
        embed = discord.Embed(title=e.title, description=e.description, colour=e.colour)
        for f in e.fields:
            embed.add_field(name=f.name, value=f.value, inline=f.inline)
        if e.footer:
            embed.set_footer(text=e.footer)
        if e.thumbnail:
            embed.set_thumbnail(url=e.thumbnail)
        embeds.append(embed)
    view = discord.ui.View(timeout=None)
    for row_number, row in enumerate(message.rows):
        items = [row] if isinstance(row, Select) else row
        for item in items:
            view.add_item(_component(item, row_number))
    kwargs: dict[str, Any] = {"content": message.content, "embeds": embeds, "view": view}
    if message.files:
        kwargs["files"] = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    return kwargs


def _layout_kwargs(message: Message) -> dict[str, Any]:
    """A Components V2 message: the LayoutView (discord.py sets the IS_COMPONENTS_V2 flag for it) and,
    because an edit may turn a classic message into a layout, content and embeds explicitly cleared."""
    view = discord.ui.LayoutView(timeout=None)
    for item in message.layout or []:
        view.add_item(_layout_item(item))
    kwargs: dict[str, Any] = {"content": None, "embeds": [], "view": view}
    if message.files:
        kwargs["files"] = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    return kwargs


def _layout_item(item: LayoutItem) -> discord.ui.Item:
    if isinstance(item, Container):
        return discord.ui.Container(*(_layout_item(block) for block in item.blocks), accent_colour=item.accent)
    if isinstance(item, Text):
        return discord.ui.TextDisplay(item.content)
    if isinstance(item, Section):
        accessory: discord.ui.Item
        if isinstance(item.accessory, Thumbnail):
            accessory = discord.ui.Thumbnail(item.accessory.url, description=item.accessory.description)
        elif isinstance(item.accessory, Button):
            accessory = _component(item.accessory, None)
        else:  # fitted() turns an accessory-less section into a text
            return discord.ui.TextDisplay("\n".join(item.texts))
        return discord.ui.Section(*(discord.ui.TextDisplay(t) for t in item.texts), accessory=accessory)
    if isinstance(item, Separator):
        spacing = discord.SeparatorSpacing.large if item.large else discord.SeparatorSpacing.small
        return discord.ui.Separator(visible=item.divider, spacing=spacing)
    controls = [item] if isinstance(item, Select) else item
    return discord.ui.ActionRow(*(_component(control, None) for control in controls))


def _component(item: Button | Select, row: int | None) -> discord.ui.Item:
    # Every component is a ComponentRouter: its custom_id carries all the state, so it keeps working after
    # a restart and no in-memory View has to outlive the process.
    if isinstance(item, Select):
        base: discord.ui.Item = discord.ui.Select(
            custom_id=item.custom_id, placeholder=item.placeholder, min_values=item.min_values,
            max_values=item.max_values, row=row,
            options=[discord.SelectOption(label=o.label, value=o.value, description=o.description, default=o.default)
                     for o in item.options],
        )
    else:
        base = discord.ui.Button(label=item.label, custom_id=item.custom_id, style=_STYLES[item.style],
                                 disabled=item.disabled, emoji=item.emoji, row=row)
    return ComponentRouter(base)


async def deliver(interaction: discord.Interaction, reply: Reply) -> None:
    """Send a handler's reply with whichever response this interaction still allows."""
    if reply.later is not None:
        # Slow work ahead: acknowledge now ("Marquee is thinking…"), answer when it is done.
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=reply.ephemeral, thinking=True)
        reply = await reply.later()
    kwargs = to_discord(render(reply.result))
    if reply.update and interaction.type is discord.InteractionType.component and not interaction.response.is_done():
        kwargs.pop("files", None)
        await interaction.response.edit_message(**kwargs)
        return
    message: discord.WebhookMessage | discord.InteractionMessage | None
    if interaction.response.is_done():
        message = await interaction.followup.send(ephemeral=reply.ephemeral, wait=True, **kwargs)
    else:
        callback = await interaction.response.send_message(ephemeral=reply.ephemeral, **kwargs)
        message = callback.resource if isinstance(callback.resource, discord.InteractionMessage) else None
        if message is None and reply.on_sent:
            message = await interaction.original_response()
    if reply.on_sent and message is not None:
        await reply.on_sent(message.channel.id if message.channel else interaction.channel_id, message.id)


async def apologise(interaction: discord.Interaction, error: BaseException, context: str) -> None:
    """Log an unexpected error with context and give the user a short apology with an error id."""
    # The error id ties the user's answer to this line; who they are stays out of the log.
    reply = Marquee.apology(error, f"{context} (guild {interaction.guild_id}, channel {interaction.channel_id})")
    try:
        await deliver(interaction, reply)
    except discord.HTTPException:
        log.warning("Could not send the apology for %s", context)


class ComponentRouter(discord.ui.DynamicItem[discord.ui.Item], template=r"(?P<custom_id>.+)"):
    """Routes every button and select, by custom_id, to the component handlers.

    The template matches any custom_id on purpose: a stale, forged or old-version control gets a polite
    answer from the router instead of Discord's "This interaction failed".
    """

    def __init__(self, item: discord.ui.Item) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Self:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        # The payload is one of discord.py's TypedDicts; read it as the plain mapping it is at run time.
        data: Mapping[str, Any] = interaction.data or {}
        values = list(data.get("values", []))
        custom_id = data.get("custom_id", "")
        try:
            reply = await app_of(interaction).dispatch_component(actor_of(interaction), custom_id, values)
            await deliver(interaction, reply)
        except Exception as error:  # noqa: BLE001 - one place turns surprises into an apology
            await apologise(interaction, error, f"component {custom_id!r}")
