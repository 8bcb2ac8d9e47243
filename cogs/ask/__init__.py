"""Ask in plain words: `@Marquee something like Kill Bill under two hours on Netflix`, or a DM."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import AskService

FEATURE = Feature(name="ask", help_group="Ask in words", build=AskService, extension=f"{__name__}.cog")
