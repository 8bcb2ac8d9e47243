"""What /popular answers."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.live import OutsideChart
from bot.domain.models import Film


@dataclass(slots=True)
class ServerChartRow:
    rank: int
    film: Film
    score: int
    counts: dict[str, int]  # activity kind -> members who did it
    members: int


@dataclass(slots=True)
class PopularAnswer:
    days: int
    in_server: bool
    rows: list[ServerChartRow]
    outside: list[OutsideChart] = field(default_factory=list)
    tmdb_on: bool = False
    note: str | None = None  # why a part is missing ("Name a service ... for what is popular on it")
