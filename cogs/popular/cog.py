"""/popular."""
from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.discord.options import Region, ServiceName


class Popular(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="popular", description="Popular now: this server's chart, and trending films")
    @app_commands.describe(days="How far back this server's chart looks", service="Also: popular on this service",
                           region="Two-letter country code for the service chart")
    @app_commands.choices(days=[app_commands.Choice(name="last 7 days", value=7),
                                app_commands.Choice(name="last 30 days", value=30)])
    async def popular(self, interaction: discord.Interaction, days: int = 7, service: Optional[ServiceName] = None,
                      region: Optional[Region] = None) -> None:
        await self.bot.respond(interaction, days=days, service=service, region=region)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Popular(bot))
