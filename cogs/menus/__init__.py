"""Context menus: "Films in this message" (right-click a message) and "What would they like?" (a member)."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import MenusService

FEATURE = Feature(name="menus", help_group="Right-click menus", build=MenusService, extension=f"{__name__}.cog")
