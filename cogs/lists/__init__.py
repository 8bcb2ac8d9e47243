"""Your lists and settings: watchlist, seen, ratings, preferences, forget me, server settings."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import ListsService

FEATURE = Feature(name="lists", help_group="Your lists & settings", build=ListsService, extension=f"{__name__}.cog")
