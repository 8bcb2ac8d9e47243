"""Autocomplete callbacks shared by the cogs (the leading underscore keeps this module from loading as a cog).

Each returns (label, value) pairs computed by the services, so the console and tests see the same lists.
"""
from __future__ import annotations

import discord
from discord import app_commands


def _choices(pairs: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=label, value=value) for label, value in pairs]


async def films(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Any film option: typo-tolerant, labelled `Title (Year) · Director`, the film id as value."""
    return _choices(interaction.client.app.catalog.autocomplete(current))


async def services(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """A service option (several may be given, comma-separated)."""
    return _choices(interaction.client.app.catalog.service_choices(current))


async def tags(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """A tag option, from the controlled vocabulary (several may be given, comma-separated)."""
    return _choices(interaction.client.app.catalog.tag_choices(current))
