"""Charts: this server's own (what its members added, nominated, watched and rated), and dated entries of
outside charts ("#3 in TMDB's trending films this week"). Pure: events in, ranked rows out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

# What a member did with a film, in the order a chart line lists them.
ACTIVITY_KINDS = ("watchlist", "nominated", "watched", "rated")
WINDOWS = (7, 30)
CHART_SIZE = 10


@dataclass(frozen=True, slots=True)
class Event:
    film_id: str
    user_id: int
    kind: str  # one of ACTIVITY_KINDS
    at: int  # unix seconds


@dataclass(slots=True)
class ChartRow:
    film_id: str
    score: int  # distinct (member, kind) pairs: someone adding, removing and re-adding counts once
    counts: dict[str, int] = field(default_factory=dict)  # kind -> distinct members
    members: int = 0
    last: int = 0  # the newest event, a tie-break


def server_chart(events: Iterable[Event], *, since: int, size: int = CHART_SIZE) -> list[ChartRow]:
    """The films with the most distinct member actions since `since`, most first; ties: more members, then
    more recent, then film id (stable, never random)."""
    pairs: dict[str, set[tuple[int, str]]] = {}
    last: dict[str, int] = {}
    for event in events:
        if event.at < since or event.kind not in ACTIVITY_KINDS:
            continue
        pairs.setdefault(event.film_id, set()).add((event.user_id, event.kind))
        last[event.film_id] = max(last.get(event.film_id, 0), event.at)
    rows = []
    for film_id, done in pairs.items():
        counts = {kind: n for kind in ACTIVITY_KINDS if (n := sum(1 for _, k in done if k == kind))}
        rows.append(ChartRow(film_id, len(done), counts, len({u for u, _ in done}), last[film_id]))
    rows.sort(key=lambda r: (-r.score, -r.members, -r.last, r.film_id))
    return rows[:size]


@dataclass(frozen=True, slots=True)
class ChartEntry:
    """A film's place in an outside chart on a date."""

    chart: str  # what the chart is, as shown: "TMDB trending films this week", "popular on Netflix in US"
    rank: int
    as_of: str  # YYYY-MM-DD
    source: str  # who publishes it: "TMDB", "JustWatch via TMDB"
    region: str | None = None


def best_entry(entries: Iterable[ChartEntry]) -> ChartEntry | None:
    """The entry a film card shows: the newest, then the highest place."""
    ordered = sorted(entries, key=lambda e: (e.as_of, -e.rank), reverse=True)
    return ordered[0] if ordered else None
