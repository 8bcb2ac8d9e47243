"""Reusable slash-command option types, as discord.py's transformer examples build them.

Each option type is one `Transformer`: its Discord type and length limits, its autocomplete, and the
conversion of what arrives. A cog writes `film: FilmTitle` instead of repeating a range, a describe and
an autocomplete decorator on every command. Autocomplete lists are computed by the catalogue, so the
console and the tests see the same lists as Discord.
"""
from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from ..core.catalogue import normal_query
from .adapter import app_of

Choice = app_commands.Choice


def _choices(pairs: list[tuple[str, str]]) -> list[Choice[str]]:
    return [Choice(name=label, value=value) for label, value in pairs]


class _Text(app_commands.Transformer):
    """A string option of 1..`longest` characters, whitespace-normalised on the way in."""

    longest = 100

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return self.longest

    async def transform(self, interaction: discord.Interaction[Any], value: Any) -> str:
        return normal_query(str(value))


class FilmTransformer(_Text):
    """Any film: typo-tolerant autocomplete labelled `Title (Year) · Director`, the film id as value.
    Free text is kept as typed (normalised) and resolved by the handler, which may ask "which one?"."""

    longest = 200

    # ignore[override]: discord.py types Transformer.autocomplete for every option type (value and choices
    # int | float | str); this is a string option, which only ever gets and gives str.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        return _choices(app_of(interaction).catalogue.autocomplete(value))


class ServiceTransformer(_Text):
    """One streaming service, or several comma-separated for options that take a list."""

    # ignore[override]: discord.py types Transformer.autocomplete for every option type (value and choices
    # int | float | str); this is a string option, which only ever gets and gives str.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        return _choices(app_of(interaction).catalogue.service_choices(value))


class WatchServiceTransformer(ServiceTransformer):
    """One service, or `any` to look past the saved services /watch uses by default."""

    # ignore[override]: as ServiceTransformer.autocomplete.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        services = app_of(interaction).catalogue.service_choices(value, limit=24)
        wanted = value.strip().casefold()
        any_service = [("Any service", "any")] if not wanted or "any".startswith(wanted) else []
        return _choices(any_service + services)


class ServicesTransformer(ServiceTransformer):
    longest = 300


class TagsTransformer(_Text):
    """Tags from the controlled vocabulary, comma-separated."""

    # ignore[override]: discord.py types Transformer.autocomplete for every option type (value and choices
    # int | float | str); this is a string option, which only ever gets and gives str.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        return _choices(app_of(interaction).catalogue.tag_choices(value))


class CountryTransformer(_Text):
    """A country that some film in the catalogue comes from."""

    # ignore[override]: discord.py types Transformer.autocomplete for every option type (value and choices
    # int | float | str); this is a string option, which only ever gets and gives str.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        return _choices(app_of(interaction).catalogue.country_choices(value))


class EraTransformer(_Text):
    """A decade, typed any way people write one: 1990s, 90s, '90s or 1990."""

    longest = 10

    # ignore[override]: discord.py types Transformer.autocomplete for every option type (value and choices
    # int | float | str); this is a string option, which only ever gets and gives str.
    async def autocomplete(self, interaction: discord.Interaction[Any], value: str) -> list[Choice[str]]:  # type: ignore[override]
        return _choices(app_of(interaction).catalogue.era_choices(value))


FilmTitle = app_commands.Transform[str, FilmTransformer]
ServiceName = app_commands.Transform[str, ServiceTransformer]
WatchServiceName = app_commands.Transform[str, WatchServiceTransformer]
ServiceNames = app_commands.Transform[str, ServicesTransformer]
TagNames = app_commands.Transform[str, TagsTransformer]
CountryName = app_commands.Transform[str, CountryTransformer]
Era = app_commands.Transform[str, EraTransformer]
Region = app_commands.Range[str, 2, 2]
