"""Personal lists and preferences, and server settings."""
from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import MarqueeBot

from . import _autocomplete as autocomplete


class Lists(commands.Cog):
    help_group = "Your lists & settings"

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    watchlist = app_commands.Group(name="watchlist", description="Films you want to watch")

    @watchlist.command(name="add", description="Add a film to your watchlist")
    @app_commands.describe(film="Start typing a title")
    @app_commands.autocomplete(film=autocomplete.films)
    async def watchlist_add(self, interaction: discord.Interaction, film: app_commands.Range[str, 1, 200]) -> None:
        await self.bot.invoke(interaction, film=film)

    @watchlist.command(name="remove", description="Remove a film from your watchlist")
    @app_commands.describe(film="Start typing a title")
    @app_commands.autocomplete(film=autocomplete.films)
    async def watchlist_remove(self, interaction: discord.Interaction, film: app_commands.Range[str, 1, 200]) -> None:
        await self.bot.invoke(interaction, film=film)

    @watchlist.command(name="show", description="Show your watchlist, or a member's")
    @app_commands.describe(member="Whose watchlist (default: yours)")
    async def watchlist_show(self, interaction: discord.Interaction, member: Optional[discord.User] = None) -> None:
        await self.bot.invoke(interaction, member=member.id if member else None,
                              member_name=member.display_name if member else None)

    @app_commands.command(name="seen", description="Mark a film as seen so /watch stops suggesting it")
    @app_commands.describe(film="Start typing a title")
    @app_commands.autocomplete(film=autocomplete.films)
    async def seen(self, interaction: discord.Interaction, film: app_commands.Range[str, 1, 200]) -> None:
        await self.bot.invoke(interaction, film=film)

    @app_commands.command(name="unseen", description="Undo /seen for a film")
    @app_commands.describe(film="Start typing a title")
    @app_commands.autocomplete(film=autocomplete.films)
    async def unseen(self, interaction: discord.Interaction, film: app_commands.Range[str, 1, 200]) -> None:
        await self.bot.invoke(interaction, film=film)

    @app_commands.command(name="rate", description="Rate a film from 1 to 5 stars")
    @app_commands.describe(film="Start typing a title", stars="1 (bad) to 5 (loved it)")
    @app_commands.autocomplete(film=autocomplete.films)
    async def rate(self, interaction: discord.Interaction, film: app_commands.Range[str, 1, 200],
                   stars: app_commands.Range[int, 1, 5]) -> None:
        await self.bot.invoke(interaction, film=film, stars=stars)

    @app_commands.command(name="prefs", description="Your region and streaming services (shown when given no options)")
    @app_commands.describe(region="Two-letter country code, e.g. US, GB, DE",
                           services="Comma-separated, e.g. netflix, prime video, mubi",
                           clear="Forget your saved region and services")
    @app_commands.autocomplete(services=autocomplete.services)
    async def prefs(self, interaction: discord.Interaction, region: Optional[app_commands.Range[str, 2, 2]] = None,
                    services: Optional[app_commands.Range[str, 1, 300]] = None, clear: bool = False) -> None:
        await self.bot.invoke(interaction, region=region, services=services, clear=clear)

    @app_commands.command(name="forgetme", description="Delete everything Marquee stores about you (asks first)")
    async def forgetme(self, interaction: discord.Interaction) -> None:
        await self.bot.invoke(interaction)

    @app_commands.command(name="settings", description="Server defaults: region, services, movie-night channel, time zone")
    @app_commands.describe(region="Default two-letter country code for this server",
                           services="Default services, comma-separated",
                           channel="Channel where movie nights are announced",
                           timezone="IANA time zone for showtimes, e.g. Europe/London")
    @app_commands.autocomplete(services=autocomplete.services)
    @app_commands.guild_only()
    async def settings(self, interaction: discord.Interaction, region: Optional[app_commands.Range[str, 2, 2]] = None,
                       services: Optional[app_commands.Range[str, 1, 300]] = None,
                       channel: Optional[discord.TextChannel] = None,
                       timezone: Optional[app_commands.Range[str, 1, 64]] = None) -> None:
        await self.bot.invoke(interaction, region=region, services=services,
                              channel=channel.id if channel else None, timezone=timezone)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Lists(bot))
