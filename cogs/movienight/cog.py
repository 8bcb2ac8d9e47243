"""/movienight: start a night, nominate, vote, get group suggestions, close or cancel, look back."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.discord.installs import server_only_options
from bot.discord.options import FilmTitle

from .service import HISTORY_COUNT, SUGGEST_COUNT


class MovieNight(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    # Server-only: the ballot is a public message in a server channel, with a scheduled event.
    movienight = app_commands.Group(name="movienight", description="Plan a movie night: nominate, vote, watch",
                                    **server_only_options())

    @movienight.command(name="start", description="Open a movie night in this channel with a ballot")
    @app_commands.describe(
        title="A name for the night (default: Movie night)",
        when="Showtime in the server's time zone: friday 20:00, 2026-12-05 21:00, in 3h",
        voting="approval: pick every film you'd watch (default); ranked: order your choices",
        closes_in="How long voting stays open, e.g. 2h or 1d (default: until the showtime)",
    )
    @app_commands.choices(voting=[app_commands.Choice(name="approval", value="approval"),
                                  app_commands.Choice(name="ranked", value="ranked")])
    async def start(self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 100] | None = None,
                    when: app_commands.Range[str, 1, 100] | None = None, voting: str | None = None,
                    closes_in: app_commands.Range[str, 1, 50] | None = None) -> None:
        await self.bot.respond(interaction, title=title, when=when, voting=voting, closes_in=closes_in)

    @movienight.command(name="nominate", description="Add a film to this channel's movie-night ballot")
    @app_commands.describe(film="Start typing a title")
    async def nominate(self, interaction: discord.Interaction, film: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film)

    @movienight.command(name="vote", description="Cast or change your ballot (only you see it)")
    async def vote(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)

    @movienight.command(name="suggest", description="Films for the people who are in: on your services, unseen")
    @app_commands.describe(count="How many suggestions (1-10, default 5)")
    async def suggest(self, interaction: discord.Interaction,
                      count: app_commands.Range[int, SUGGEST_COUNT[0], SUGGEST_COUNT[1]] | None = None) -> None:
        await self.bot.respond(interaction, count=count)

    @movienight.command(name="close", description="Close voting and announce the winner (host or Manage Events)")
    async def close(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)

    @movienight.command(name="cancel", description="Cancel this channel's movie night (host or Manage Events)")
    async def cancel(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)

    @movienight.command(name="history", description="Past movie nights: winner, date and turnout")
    @app_commands.describe(count="How many nights (1-25, default 10)")
    async def history(self, interaction: discord.Interaction,
                      count: app_commands.Range[int, HISTORY_COUNT[0], HISTORY_COUNT[1]] | None = None) -> None:
        await self.bot.respond(interaction, count=count)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(MovieNight(bot))
