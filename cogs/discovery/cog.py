"""Discovery commands: /watch, /islike, /similar, /film, /where."""
from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.discord.options import CountryName, Era, FilmTitle, Region, ServiceName, WatchServiceName

from .service import MAX_MINUTES, SIMILAR_COUNT, WATCH_COUNT

GENRES = ["Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary", "Drama", "Family",
          "Fantasy", "History", "Horror", "Music", "Musical", "Mystery", "Romance", "Sci-Fi", "Sport", "Thriller",
          "War", "Western"]
MOODS = ["tense", "feel-good", "bleak", "funny", "heartfelt", "thrilling", "scary", "romantic", "mind-bending",
         "melancholy", "cathartic", "whimsical", "uplifting", "unsettling", "cosy", "epic"]


def _choices(values: list[str]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=v, value=v) for v in values]


class Discovery(commands.Cog):
    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    @app_commands.command(name="watch", description="What should I watch? Picks that fit every filter, with reasons")
    @app_commands.describe(mood="How it should feel", genre="Genre",
                           service="Only films on this service (default: your saved services; any: every service)",
                           max_minutes="Longest runtime you have time for", like="Something like this film",
                           country="Country of production", era="Decade: 1990s, 90s or 1990",
                           region="Two-letter country code for streaming", count="How many picks (1-5)")
    @app_commands.choices(mood=_choices(MOODS), genre=_choices(GENRES))
    async def watch(self, interaction: discord.Interaction, mood: Optional[str] = None, genre: Optional[str] = None,
                    service: Optional[WatchServiceName] = None,
                    max_minutes: Optional[app_commands.Range[int, MAX_MINUTES[0], MAX_MINUTES[1]]] = None,
                    like: Optional[FilmTitle] = None, country: Optional[CountryName] = None,
                    era: Optional[Era] = None, region: Optional[Region] = None,
                    count: app_commands.Range[int, WATCH_COUNT[0], WATCH_COUNT[1]] = 3) -> None:
        await self.bot.respond(interaction, mood=mood, genre=genre, service=service, max_minutes=max_minutes,
                               like=like, country=country, era=era, region=region, count=count)

    @app_commands.command(name="islike", description="Is one film like another? A verdict, trait by trait")
    @app_commands.describe(film="The film you're curious about", other="The film to compare it with")
    async def islike(self, interaction: discord.Interaction, film: FilmTitle, other: FilmTitle) -> None:
        await self.bot.respond(interaction, film=film, other=other)

    @app_commands.command(name="similar", description="Films like this one, each with why")
    @app_commands.describe(film="Start typing a title", count="How many (1-10)",
                           service="Only films on this streaming service", region="Two-letter country code")
    async def similar(self, interaction: discord.Interaction, film: FilmTitle,
                      count: app_commands.Range[int, SIMILAR_COUNT[0], SIMILAR_COUNT[1]] = 5,
                      service: Optional[ServiceName] = None, region: Optional[Region] = None) -> None:
        await self.bot.respond(interaction, film=film, count=count, service=service, region=region)

    @app_commands.command(name="film", description="A film's card: facts, tags, scores, where to stream, similar films")
    @app_commands.describe(title="Start typing a title", region="Two-letter country code for streaming")
    async def film(self, interaction: discord.Interaction, title: FilmTitle, region: Optional[Region] = None) -> None:
        await self.bot.respond(interaction, title=title, region=region)

    @app_commands.command(name="where", description="Where a film streams in your region, and when we checked")
    @app_commands.describe(title="Start typing a title", region="Two-letter country code")
    async def where(self, interaction: discord.Interaction, title: FilmTitle, region: Optional[Region] = None) -> None:
        await self.bot.respond(interaction, title=title, region=region)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Discovery(bot))
