"""/help."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot


class Meta(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="List Marquee's commands, one line each")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Meta(bot))
