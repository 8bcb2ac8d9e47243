"""Personal lists and preferences, and server settings."""
from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.discord.installs import server_only
from bot.discord.options import FilmTitle, Region, ServiceNames

from .service import STARS


class Lists(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    watchlist = app_commands.Group(name="watchlist", description="Films you want to watch")

    @watchlist.command(name="add", description="Add a film to your watchlist")
    @app_commands.describe(film="Start typing a title")
    async def watchlist_add(self, interaction: discord.Interaction, film: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film)

    @watchlist.command(name="remove", description="Remove a film from your watchlist")
    @app_commands.describe(film="Start typing a title")
    async def watchlist_remove(self, interaction: discord.Interaction, film: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film)

    @watchlist.command(name="show", description="Show your watchlist, or a member's")
    @app_commands.describe(member="Whose watchlist (default: yours)")
    async def watchlist_show(self, interaction: discord.Interaction, member: Optional[discord.User] = None) -> None:
        await self.bot.respond(interaction, member=member.id if member else None,
                              member_name=member.display_name if member else None)

    @app_commands.command(name="seen", description="Mark a film as seen so /watch stops suggesting it")
    @app_commands.describe(film="Start typing a title")
    async def seen(self, interaction: discord.Interaction, film: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film)

    @app_commands.command(name="unseen", description="Undo /seen for a film")
    @app_commands.describe(film="Start typing a title")
    async def unseen(self, interaction: discord.Interaction, film: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film)

    @app_commands.command(name="rate", description="Rate a film from 1 to 5 stars")
    @app_commands.describe(film="Start typing a title", stars="1 (bad) to 5 (loved it)")
    async def rate(self, interaction: discord.Interaction, film: FilmTitle,
                   stars: app_commands.Range[int, STARS[0], STARS[1]]) -> None:
        await self.bot.respond(interaction, film=film, stars=stars)

    @app_commands.command(name="prefs", description="Your region and streaming services (shown when given no options)")
    @app_commands.describe(region="Two-letter country code, e.g. US, GB, DE",
                           services="Comma-separated, e.g. netflix, prime video, mubi",
                           clear="Forget your saved region and services")
    async def prefs(self, interaction: discord.Interaction, region: Optional[Region] = None,
                    services: Optional[ServiceNames] = None, clear: bool = False) -> None:
        await self.bot.respond(interaction, region=region, services=services, clear=clear)

    @app_commands.command(name="forgetme", description="Delete everything Marquee stores about you (asks first)")
    async def forgetme(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)

    @app_commands.command(name="settings",
                          description="Server defaults: region, services, movie-night channel, time zone")
    @app_commands.describe(region="Default two-letter country code for this server",
                           services="Default services, comma-separated",
                           channel="Channel where movie nights are announced",
                           timezone="IANA time zone for showtimes, e.g. Europe/London")
    @server_only()
    async def settings(self, interaction: discord.Interaction, region: Optional[Region] = None,
                       services: Optional[ServiceNames] = None,
                       channel: Optional[discord.TextChannel] = None,
                       timezone: Optional[app_commands.Range[str, 1, 64]] = None) -> None:
        await self.bot.respond(interaction, region=region, services=services,
                              channel=channel.id if channel else None, timezone=timezone)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Lists(bot))
