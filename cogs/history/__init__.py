"""Bring your history: /import reads a Letterboxd export or IMDb's ratings or watchlist CSV."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import HistoryService

FEATURE = Feature(name="history", help_group="Your lists & settings", build=HistoryService,
                  extension=f"{__name__}.cog")
