"""Asking in words has no slash command: the bot hands messages that mention it (and DMs) to the app's
message handler (`bot.discord.messages`). This cog only makes the feature loadable like every other."""
from __future__ import annotations

from discord.ext import commands

from bot.discord.client import MarqueeBot


class Ask(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Ask(bot))
