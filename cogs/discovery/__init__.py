"""Discovery: what to watch, is it like, similar films, film cards, where to stream."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import DiscoveryService

FEATURE = Feature(name="discovery", help_group="Discover films", build=DiscoveryService, extension=f"{__name__}.cog")
