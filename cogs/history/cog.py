"""/import: bring your seen films, ratings and watchlist from Letterboxd or IMDb."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.domain.history import MAX_UPLOAD_BYTES


class History(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="import", description="Bring your seen films, ratings and watchlist from Letterboxd "
                                                     "or IMDb")
    @app_commands.describe(file="Letterboxd's export ZIP (or its watched, ratings or watchlist CSV), or an IMDb "
                                "ratings or watchlist CSV")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        if file.size > MAX_UPLOAD_BYTES:
            # Refused before it is downloaded; the handler says the same of bytes it is given.
            await self.bot.respond(interaction, file=b"", filename=file.filename, size=file.size)
            return
        # Reading and matching thousands of rows can take longer than Discord's 3-second answer window.
        await interaction.response.defer(ephemeral=True, thinking=True)
        content = await file.read()
        await self.bot.respond(interaction, file=content, filename=file.filename)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(History(bot))
