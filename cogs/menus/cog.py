"""The two context menus. discord.py refuses `@context_menu` inside a class, so the cog builds them in
`__init__` and adds them to the tree itself (and takes them off again if it is unloaded)."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot

from .service import FILMS_IN_MESSAGE, WHAT_WOULD_THEY_LIKE


def message_text(message: discord.Message) -> str:
    """What a message says: its content and its embeds' words (a review a bot posted is an embed)."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
        parts += [f"{field.name}\n{field.value}" for field in embed.fields]
    return "\n".join(p for p in parts if p)


class Menus(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot
        self.menus = [
            app_commands.ContextMenu(name=FILMS_IN_MESSAGE, callback=self.films_in_message),
            app_commands.ContextMenu(name=WHAT_WOULD_THEY_LIKE, callback=self.what_would_they_like),
        ]

    async def cog_load(self) -> None:
        for menu in self.menus:
            self.bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

    async def films_in_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await self.bot.respond(interaction, text=message_text(message))

    async def what_would_they_like(self, interaction: discord.Interaction,
                                   member: discord.Member | discord.User) -> None:
        await self.bot.respond(interaction, member=member.id, member_name=member.display_name,
                               member_is_bot=member.bot)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Menus(bot))
