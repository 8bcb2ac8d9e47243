"""/catalog: server managers keep the film catalogue current (add, edit, tag, stream, link, import, export)."""
from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.client import MarqueeBot
from bot.discord.installs import server_only_options
from bot.discord.options import FilmTitle, Region, ServiceName, TagNames
from bot.domain.records import RUNTIME_RANGE, YEAR_RANGE
from bot.domain.interchange import IMPORT_FORMATS

# Attachments bigger than this are refused before they are read (a MovieLens zip is ~1 MB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024

KINDS = [app_commands.Choice(name=k, value=k) for k in ("subscription", "free", "rent", "buy")]
EXPORT_FORMATS = [app_commands.Choice(name="JSON", value="json"), app_commands.Choice(name="CSV", value="csv")]
IMPORT_CHOICES = [app_commands.Choice(name="guess from the file", value="auto")] + [
    app_commands.Choice(name={"json": "Marquee JSON export", "csv": "Marquee CSV export",
                              "streaming": "streaming catalogue CSV (show_id,type,title,...)",
                              "movielens": "MovieLens (zip or movies.csv)",
                              "imdb": "IMDb title.basics.tsv.gz"}[f], value=f)
    for f in IMPORT_FORMATS
]
Year = app_commands.Range[int, YEAR_RANGE[0], YEAR_RANGE[1]]
Runtime = app_commands.Range[int, RUNTIME_RANGE[0], RUNTIME_RANGE[1]]


class Catalog(commands.Cog):
    catalog = app_commands.Group(
        name="catalog", description="Keep the film catalogue current (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True), **server_only_options(),
    )

    def __init__(self, bot: MarqueeBot) -> None:
        self.bot = bot

    # Commands -------------------------------------------------------------------------------------------

    async def _change(self, interaction: discord.Interaction, **options: Any) -> None:
        # An edit is planned in a thread, written with its log row and re-indexed in memory before the answer:
        # on a busy machine (or a remote PostgreSQL) that can take longer than Discord's 3-second window, so
        # acknowledge first. The answers to the owners who may edit are private anyway.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.respond(interaction, **options)

    @catalog.command(name="stats", description="Count films, curated films, streaming info, tags and links")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self.bot.respond(interaction)

    @catalog.command(name="add", description="Add a film the catalogue lacks")
    @app_commands.describe(
        title="Title as released", year="Release year", directors="Directors, comma separated",
        runtime="Minutes", countries="Countries, comma separated", genres="Genres, comma separated",
        tags="Vocabulary tags, comma separated", pitch="One line in your own words", imdb="IMDb id (tt...)",
        cast="Top-billed cast, comma separated", languages="Languages, comma separated",
        aliases="Other titles people type, comma separated", notes="A note shown with the film",
    )
    async def add(self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 200], year: Year,
                  directors: str | None = None, runtime: Runtime | None = None, countries: str | None = None,
                  genres: str | None = None, tags: TagNames | None = None,
                  pitch: app_commands.Range[str, 1, 200] | None = None,
                  imdb: app_commands.Range[str, 9, 10] | None = None, cast: str | None = None,
                  languages: str | None = None, aliases: str | None = None, notes: str | None = None) -> None:
        await self._change(interaction, title=title, year=year, directors=directors, runtime=runtime,
                           countries=countries, genres=genres, tags=tags, pitch=pitch, imdb=imdb, cast=cast,
                           languages=languages, aliases=aliases, notes=notes)

    @catalog.command(name="edit", description="Change a film's facts (a value of - clears a field)")
    @app_commands.describe(
        film="The film to change", title="New title", year="Release year", runtime="Minutes",
        directors="Directors, comma separated", cast="Top-billed cast, comma separated",
        countries="Countries, comma separated", languages="Languages, comma separated",
        genres="Genres, comma separated", pitch="One line in your own words", notes="A note shown with the film",
        aliases="Other titles, comma separated", imdb="IMDb id (tt...)", certificate="US certificate (PG-13...)",
    )
    async def edit(self, interaction: discord.Interaction, film: FilmTitle, title: str | None = None,
                   year: Year | None = None, runtime: Runtime | None = None, directors: str | None = None,
                   cast: str | None = None, countries: str | None = None, languages: str | None = None,
                   genres: str | None = None, pitch: app_commands.Range[str, 1, 200] | None = None,
                   notes: str | None = None, aliases: str | None = None, imdb: str | None = None,
                   certificate: str | None = None) -> None:
        await self._change(interaction, film=film, title=title, year=year, runtime=runtime, directors=directors,
                           cast=cast, countries=countries, languages=languages, genres=genres, pitch=pitch,
                           notes=notes, aliases=aliases, imdb=imdb, certificate=certificate)

    @catalog.command(name="tag", description="Add vocabulary tags to a film")
    @app_commands.describe(film="The film", tag="A tag from the vocabulary (several: comma separated)")
    async def tag(self, interaction: discord.Interaction, film: FilmTitle, tag: TagNames) -> None:
        await self._change(interaction, film=film, tag=tag)

    @catalog.command(name="untag", description="Remove tags from a film")
    @app_commands.describe(film="The film", tag="The tag to remove (several: comma separated)")
    async def untag(self, interaction: discord.Interaction, film: FilmTitle, tag: TagNames) -> None:
        await self._change(interaction, film=film, tag=tag)

    @catalog.command(name="stream", description="Record where a film streams (or can be rented or bought)")
    @app_commands.describe(film="The film", service="Streaming service", region="Country code, e.g. US or GB",
                           kind="How it is offered", checked="Month you checked, YYYY-MM (default: this month)",
                           source="Where you saw it")
    @app_commands.choices(kind=KINDS)
    async def stream(self, interaction: discord.Interaction, film: FilmTitle, service: ServiceName,
                     region: Region, kind: str = "subscription",
                     checked: app_commands.Range[str, 7, 7] | None = None,
                     source: app_commands.Range[str, 1, 100] | None = None) -> None:
        await self._change(interaction, film=film, service=service, region=region, kind=kind, checked=checked,
                           source=source)

    @catalog.command(name="unstream", description="Remove a film's streaming entry")
    @app_commands.describe(film="The film", service="Streaming service", region="Only this country (default: all)",
                           kind="Only this kind (default: all)")
    @app_commands.choices(kind=KINDS)
    async def unstream(self, interaction: discord.Interaction, film: FilmTitle, service: ServiceName,
                       region: Region | None = None, kind: str | None = None) -> None:
        await self._change(interaction, film=film, service=service, region=region, kind=kind)

    @catalog.command(name="link", description="Say two films are alike, and why (in your own words)")
    @app_commands.describe(film="One film", other="The film it is like", reason="Why, in one line")
    async def link(self, interaction: discord.Interaction, film: FilmTitle, other: FilmTitle,
                   reason: app_commands.Range[str, 1, 150]) -> None:
        await self._change(interaction, film=film, other=other, reason=reason)

    @catalog.command(name="unlink", description="Remove an \"it's like\" link between two films")
    @app_commands.describe(film="One film", other="The other film")
    async def unlink(self, interaction: discord.Interaction, film: FilmTitle, other: FilmTitle) -> None:
        await self._change(interaction, film=film, other=other)

    @catalog.command(name="export", description="Get the whole catalogue as a file")
    @app_commands.describe(format="JSON (complete, with links) or CSV (for spreadsheets)")
    @app_commands.choices(format=EXPORT_FORMATS)
    async def export(self, interaction: discord.Interaction, format: str = "json") -> None:
        # Building a 17,000-film file takes longer than Discord's 3-second answer window.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.respond(interaction, format=format)

    @catalog.command(name="import", description="Import films or streaming info from an attached file")
    @app_commands.describe(
        file="A Marquee export, a streaming catalogue CSV, a MovieLens zip or an IMDb title.basics file",
        format="What kind of file it is (default: guessed)",
        service="Streaming CSV: which service it lists", region="Streaming CSV: which country (US, GB...)",
        date="Streaming CSV: when the list was taken (YYYY-MM or YYYY-MM-DD)",
        skip_bad="Import the good rows even if some rows are bad", dry_run="Only check and count; change nothing",
        replace_curated="Let the file replace curated films' flag, tags, pitch and notes (kept otherwise)",
    )
    @app_commands.choices(format=IMPORT_CHOICES)
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment, format: str = "auto",
                      service: ServiceName | None = None, region: Region | None = None,
                      date: app_commands.Range[str, 7, 10] | None = None, skip_bad: bool = False,
                      dry_run: bool = False, replace_curated: bool = False) -> None:
        if file.size > MAX_IMPORT_BYTES:
            await interaction.response.send_message(
                f"That file is {file.size / 1e6:.1f} MB; the limit is {MAX_IMPORT_BYTES // 1_000_000} MB. "
                "Import big files from the command line: `python -m bot catalog import FILE`.", ephemeral=True)
            return
        # Reading and checking thousands of rows can take longer than Discord's 3-second answer window.
        await interaction.response.defer(ephemeral=True, thinking=True)
        content = await file.read()
        await self.bot.respond(interaction, file=content, filename=file.filename, format=format, service=service,
                              region=region, date=date, skip_bad=skip_bad, dry_run=dry_run,
                              replace_curated=replace_curated)


async def setup(bot: MarqueeBot) -> None:
    await bot.add_cog(Catalog(bot))
