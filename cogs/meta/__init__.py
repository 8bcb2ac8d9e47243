"""General commands: /help."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import MetaService

FEATURE = Feature(name="meta", help_group="General", build=MetaService, extension=f"{__name__}.cog")
