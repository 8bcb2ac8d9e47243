"""What the discovery commands answer: one result object per answer, rendered by `render.py`."""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.live import Freshness
from bot.domain.charts import ChartEntry
from bot.domain.models import Film
from bot.domain.recommend import Pick, Relaxation
from bot.domain.similarity import SimilarFilm, Verdict


@dataclass(slots=True)
class StreamingOption:
    service: str  # key
    service_name: str
    region: str
    kind: str
    checked: str
    source: str | None = None


@dataclass(slots=True)
class WatchAnswer:
    filters: dict[str, str]  # what was asked, as shown to the user
    region: str
    picks: list[Pick]
    emptied_by: str | None
    relaxations: list[Relaxation]
    matched: int
    batch: int
    token: str | None = None  # ui_state key behind "another batch"
    open_night_id: int | None = None  # a movie night is open here: offer to nominate a pick
    services_note: str | None = None  # "on your services: Netflix, Max — use service: to change"
    asked: int = 3  # how many picks were asked for (fewer fit: the answer says so)


@dataclass(slots=True)
class SimilarAnswer:
    film: Film
    items: list[SimilarFilm]
    service: str | None = None
    region: str | None = None
    start: int = 0  # rank of the first item, 0-based (pages after the first start further down)
    token: str | None = None  # ui_state key behind "More"


@dataclass(slots=True)
class FilmCard:
    film: Film
    region: str
    streaming: list[StreamingOption]
    other_regions: list[str]
    similar: list[SimilarFilm]
    tag_facets: dict[str, str]
    your_rating: int | None = None
    seen: bool = False
    poster_url: str | None = None  # TMDB's poster, when TMDB is switched on and has one
    chart: ChartEntry | None = None  # the film's newest place in an outside chart, with its date
    freshness: Freshness | None = None  # how old the JustWatch-via-TMDB streaming data is


@dataclass(slots=True)
class WhereAnswer:
    film: Film
    region: str
    streaming: list[StreamingOption]
    other_regions: list[str]
    freshness: Freshness | None = None


@dataclass(slots=True)
class IsLikeAnswer:
    verdict: Verdict
