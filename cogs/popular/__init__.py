"""Popular now: this server's own chart, and (with TMDB) trending films and what is popular on a service."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import PopularService

FEATURE = Feature(name="popular", help_group="Popular now", build=PopularService, extension=f"{__name__}.cog")
