"""The feature services, built in dependency order. Each feature adds itself here."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..app import Marquee


def build(app: "Marquee") -> list[object]:
    from .discovery import DiscoveryService
    from .lists import ListsService
    from .nights import NightService

    services: list[object] = [DiscoveryService(app), ListsService(app)]
    services.append(NightService(app))
    return services
