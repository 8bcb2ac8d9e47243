"""Movie nights: nominate, vote, close, schedule — and never lose a vote."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import NightService

FEATURE = Feature(name="movienight", help_group="Movie nights", build=NightService, extension=f"{__name__}.cog")
