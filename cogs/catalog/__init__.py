"""The catalogue, kept current: add, edit, tag, stream, link, import and export films."""
from __future__ import annotations

from bot.core.feature import Feature

from . import render as _render  # noqa: F401 - registers this feature's renderers
from .service import CatalogService

FEATURE = Feature(name="catalog", help_group="Catalogue (server managers)", build=CatalogService,
                  extension=f"{__name__}.cog")
