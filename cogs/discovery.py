"""Discovery commands: /watch, /islike, /similar, /film, /where."""
from __future__ import annotations

from typing import Optional

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import MarqueeBot

from . import _autocomplete as autocomplete

GENRES = ["Action", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary", "Drama", "Family",
          "Fantasy", "History", "Horror", "Music", "Musical", "Mystery", "Romance", "Sci-Fi", "Sport", "Thriller",
          "War", "Western"]
MOODS = ["tense", "feel-good", "bleak", "funny", "heartfelt", "thrilling", "scary", "romantic", "mind-bending",
         "melancholy", "cathartic", "whimsical", "uplifting", "unsettling", "cosy", "epic"]
ERAS = [1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020]

FilmText = app_commands.Range[str, 1, 200]
Region = app_commands.Range[str, 2, 2]


class Discovery(commands.Cog):
    help_group = "Discover films"

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    async def country_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold().strip()
        countries = self.bot.app.catalog.catalog.countries()
        matches = [c for c in countries if c.casefold().startswith(needle)] + \
                  [c for c in countries if needle and needle in c.casefold() and not c.casefold().startswith(needle)]
        return [app_commands.Choice(name=c[:100], value=c[:100]) for c in matches[:25]]

    @app_commands.command(name="watch", description="What should I watch? Picks that fit every filter, with reasons")
    @app_commands.describe(mood="How it should feel", genre="Genre", service="Only films on this streaming service",
                           max_minutes="Longest runtime you have time for", like="Something like this film",
                           country="Country of production", era="Decade", region="Two-letter country code for streaming",
                           count="How many picks (1-5)")
    @app_commands.choices(mood=[app_commands.Choice(name=m, value=m) for m in MOODS],
                          genre=[app_commands.Choice(name=g, value=g) for g in GENRES],
                          era=[app_commands.Choice(name=f"{e}s", value=e) for e in ERAS])
    @app_commands.autocomplete(service=autocomplete.services, like=autocomplete.films, country=country_autocomplete)
    async def watch(self, interaction: discord.Interaction, mood: Optional[str] = None, genre: Optional[str] = None,
                    service: Optional[app_commands.Range[str, 1, 100]] = None,
                    max_minutes: Optional[app_commands.Range[int, 30, 600]] = None, like: Optional[FilmText] = None,
                    country: Optional[app_commands.Range[str, 1, 100]] = None, era: Optional[int] = None,
                    region: Optional[Region] = None, count: app_commands.Range[int, 1, 5] = 3) -> None:
        await self.bot.invoke(interaction, mood=mood, genre=genre, service=service, max_minutes=max_minutes,
                              like=like, country=country, era=era, region=region, count=count)

    @app_commands.command(name="islike", description="Is one film like another? A verdict, trait by trait")
    @app_commands.describe(film="The film you're curious about", other="The film to compare it with")
    @app_commands.autocomplete(film=autocomplete.films, other=autocomplete.films)
    async def islike(self, interaction: discord.Interaction, film: FilmText, other: FilmText) -> None:
        await self.bot.invoke(interaction, film=film, other=other)

    @app_commands.command(name="similar", description="Films like this one, each with why")
    @app_commands.describe(film="Start typing a title", count="How many (1-10)",
                           service="Only films on this streaming service", region="Two-letter country code")
    @app_commands.autocomplete(film=autocomplete.films, service=autocomplete.services)
    async def similar(self, interaction: discord.Interaction, film: FilmText, count: app_commands.Range[int, 1, 10] = 5,
                      service: Optional[app_commands.Range[str, 1, 100]] = None, region: Optional[Region] = None) -> None:
        await self.bot.invoke(interaction, film=film, count=count, service=service, region=region)

    @app_commands.command(name="film", description="A film's card: facts, tags, scores, where to stream, similar films")
    @app_commands.describe(title="Start typing a title", region="Two-letter country code for streaming")
    @app_commands.autocomplete(title=autocomplete.films)
    async def film(self, interaction: discord.Interaction, title: FilmText, region: Optional[Region] = None) -> None:
        await self.bot.invoke(interaction, title=title, region=region)

    @app_commands.command(name="where", description="Where a film streams in your region, and when we checked")
    @app_commands.describe(title="Start typing a title", region="Two-letter country code")
    @app_commands.autocomplete(title=autocomplete.films)
    async def where(self, interaction: discord.Interaction, title: FilmText, region: Optional[Region] = None) -> None:
        await self.bot.invoke(interaction, title=title, region=region)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Discovery(bot))
