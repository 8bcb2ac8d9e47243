"""Live data at run time: where a film streams now (JustWatch via TMDB), its poster, outside charts, and the
activity behind each server's own chart.

Everything here works without a key: with no TMDB client the methods answer from what is stored and
report nothing fresh. With one, a check that fails (401, 404, a timeout, a rate limit, a dead network) is
one log line and an answer from what is stored; nothing is half-written, because every change to a film's
availability goes through the catalogue's one edit path (`Catalogue.apply_edit`) with its edit-log row.
A row an owner removed with /catalog unstream is not brought back by TMDB (see `_without_removed`).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..domain.charts import ChartEntry, best_entry
from ..domain.dataset import title_key
from ..domain.models import Availability, Film
from ..domain.providers import ProviderMatch, availability_change, offers_by_region, service_for
from ..sources.http import SourceError, describe
from ..sources.tmdb import PROVIDER_SOURCE, TmdbClient, TmdbMovie
from ..storage.live import ActivityStore, ChartStore, TmdbStore
from .catalogue import Catalogue
from .interface import Actor

log = logging.getLogger(__name__)

# TMDB's terms allow caching its data for at most six months; a check older than the setting is redone.
MAX_AGE_LIMIT_DAYS = 180
RETRY_FAILED_AFTER = 15 * 60  # seconds before a film whose check failed is asked about again
CHART_MAX_AGE = 6 * 3600  # seconds a fetched chart is shown before it is fetched again
TRENDING = "TMDB trending films this week"
# Who the catalogue's edit log names for changes made by the live-data checks.
TMDB_ACTOR = Actor(user_id=0, name=PROVIDER_SOURCE)


@dataclass(frozen=True, slots=True)
class LiveOptions:
    tmdb: TmdbClient | None = None
    max_age_days: int = 7


@dataclass(slots=True)
class Freshness:
    """How fresh the streaming data shown is, and where it came from."""

    source: str
    checked: str | None  # YYYY-MM-DD of the last successful check; None: never checked
    age_days: int | None
    problem: str | None = None  # why it could not be checked just now
    link: str | None = None  # TMDB's watch page for the film and region
    unlisted: bool = False  # TMDB has no such film (when it was asked: `checked`)

    @property
    def note(self) -> str:
        if self.unlisted:
            return f"TMDB doesn't list this film (asked {self.checked})"
        if self.checked is None:
            when = "not checked yet"
        elif self.age_days == 0:
            when = "checked today"
        else:
            when = f"checked {self.age_days} day{'s' if self.age_days != 1 else ''} ago ({self.checked})"
        problem = f"; couldn't check again just now: {self.problem}" if self.problem else ""
        return f"{when}{problem}"


@dataclass(slots=True)
class ChartLine:
    rank: int
    title: str
    year: int | None
    film: Film | None  # None: not in Marquee's catalogue


@dataclass(slots=True)
class OutsideChart:
    name: str
    source: str
    as_of: str | None
    lines: list[ChartLine] = field(default_factory=list)
    problem: str | None = None


class LiveData:
    def __init__(self, db: Any, catalogue: Catalogue, options: LiveOptions | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        options = options or LiveOptions()
        self.catalogue = catalogue
        self.tmdb = options.tmdb
        self.max_age = min(max(options.max_age_days, 0), MAX_AGE_LIMIT_DAYS) * 86400
        self.clock = clock
        self.activity = ActivityStore(db)
        self.films = TmdbStore(db)
        self.charts = ChartStore(db)
        self._failed: dict[str, float] = {}  # film id -> when its check last failed
        self._locks: dict[str, asyncio.Lock] = {}
        self._providers: dict[str, ProviderMatch] = {}
        self._disabled: str | None = None  # set after TMDB refused the key: no more calls this run

    @property
    def tmdb_on(self) -> bool:
        return self.tmdb is not None and self._disabled is None

    async def close(self) -> None:
        if self.tmdb is not None:
            await self.tmdb.close()

    def _today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc).date()

    def _problem(self, error: SourceError, what: str) -> str:
        if error.kind == "auth" and self._disabled is None:
            self._disabled = str(error)
            log.error("TMDB refused the key in TMDB_API_KEY; streaming checks are off until restart: %s", error)
        else:
            log.warning("TMDB check failed for %s (%s): %s", what, error.kind, error)
        return f"TMDB {describe(error)}"

    # Streaming --------------------------------------------------------------------------------------------
    async def freshness(self, film: Film, region: str) -> Freshness | None:
        """How old the stored JustWatch data for this film is (None when TMDB is not switched on)."""
        if self.tmdb is None:
            return None
        stored = await self.films.get(film.id)
        if stored is not None and stored[0] is None:
            asked = dt.datetime.fromtimestamp(stored[2], dt.timezone.utc).date()
            return Freshness(PROVIDER_SOURCE, asked.isoformat(), (self._today() - asked).days, unlisted=True)
        checked_at = stored[3] if stored else None
        link = f"https://www.themoviedb.org/movie/{stored[0]}/watch?locale={region}" if stored and stored[0] else None
        if checked_at is None:
            return Freshness(PROVIDER_SOURCE, None, None, self._disabled and "TMDB refused our key", link)
        checked = dt.datetime.fromtimestamp(checked_at, dt.timezone.utc).date()
        return Freshness(PROVIDER_SOURCE, checked.isoformat(), (self._today() - checked).days,
                         self._disabled and "TMDB refused our key", link)

    async def needs_check(self, film: Film) -> bool:
        """Whether /where and /film should ask TMDB before answering."""
        if not self.tmdb_on or not (film.imdb_id or film.year):
            return False
        if self.clock() - self._failed.get(film.id, 0.0) < RETRY_FAILED_AFTER:
            return False
        stored = await self.films.get(film.id)
        if stored is None:
            return True
        tmdb_id, _, looked_up_at, providers_at = stored
        if tmdb_id is None:  # TMDB has no such film: ask again only when the answer is old
            return self.clock() - looked_up_at > self.max_age
        return providers_at is None or self.clock() - providers_at > self.max_age

    async def check(self, film: Film) -> str | None:
        """Fetch where the film streams (every region at once) and merge it; the problem, if any, as a phrase."""
        lock = self._locks.setdefault(film.id, asyncio.Lock())
        async with lock:  # two people asking at once cost one check
            if not await self.needs_check(film):
                return None
            try:
                await self._check(film)
            except SourceError as error:
                self._failed[film.id] = self.clock()
                return self._problem(error, film.label)
            finally:
                self._locks.pop(film.id, None)
        return None

    async def _check(self, film: Film) -> None:
        assert self.tmdb is not None
        movie = await self._find(film)
        if movie is None:
            await self.films.save(film.id, None, None)
            log.info("TMDB has no film matching %s", film.label)
            return
        providers = await self.tmdb.watch_providers(movie.id)
        match = ProviderMatch()
        offers = offers_by_region(providers.regions, self.catalogue.services, match)
        current = self.catalogue.catalog.get(film.id) or film
        offers, ended = await self._without_removed(current, offers)
        change = availability_change(current, offers, source=PROVIDER_SOURCE, checked=self._today().strftime("%Y-%m"))
        if change.stream:
            await self.catalogue.apply_edit(TMDB_ACTOR, "stream", {"id": film.id, "availability": change.stream},
                                            film.id)
        for service, region, kind in change.unstream:
            await self.catalogue.apply_edit(TMDB_ACTOR, "unstream", {"id": film.id, "service": service,
                                                                     "region": region, "kind": kind}, film.id)
        await self.films.save(film.id, movie.id, movie.poster_path, providers_at=int(self.clock()))
        await self.films.forget_removed(film.id, ended)
        self._failed.pop(film.id, None)
        log.info("TMDB: %s streams in %d regions (%d rows written, %d removed, %d kept from other sources, "
                 "%d providers Marquee doesn't know, %d malformed offers skipped)", film.label,
                 sum(1 for pairs in offers.values() if pairs), len(change.stream), len(change.unstream),
                 change.kept_theirs, len(match.unknown), providers.skipped)

    async def removed_by_owner(self, film_id: str, rows: Iterable[Availability]) -> None:
        """An owner removed these rows with /catalog unstream: TMDB's next checks must not bring them back."""
        await self.films.remove(film_id, [(a.service, a.region, a.kind) for a in rows], at=int(self.clock()))

    async def _without_removed(self, film: Film, offers: dict[str, list[tuple[str, str]]]
                               ) -> tuple[dict[str, list[tuple[str, str]]], set[tuple[str, str, str]]]:
        """TMDB's offers without the rows an owner removed, and the removals that end with this check.

        An owner's removal wins over TMDB until one of two things happens:
        - the owner adds the row back (/catalog stream): the film has that row again, so the removal is over
          (and TMDB leaves an owner's row as it is, see `availability_change`);
        - a TMDB check no longer lists the offer: the offer the owner objected to has ended, so the removal is
          dropped, and if TMDB lists that service again later it is a new offer and is shown.
        It does not expire with time: while TMDB keeps listing what the owner removed, it stays removed."""
        removed = await self.films.removed(film.id)
        if not removed:
            return offers, set()
        present = {(a.service, a.region, a.kind) for a in film.availability}
        listed = {(service, region, kind) for region, pairs in offers.items() for service, kind in pairs}
        ended = {key for key in removed if key in present or key not in listed}
        held = removed - ended
        kept = {region: [(service, kind) for service, kind in pairs if (service, region, kind) not in held]
                for region, pairs in offers.items()}
        if held:
            log.info("TMDB: %d offers for %s left out: an owner removed them", len(held), film.label)
        return kept, ended

    async def _find(self, film: Film) -> TmdbMovie | None:
        assert self.tmdb is not None
        if film.imdb_id and (found := await self.tmdb.find_by_imdb(film.imdb_id)) is not None:
            return found
        if film.year is None:
            return None
        # Not found by IMDb id: only an exact title with the same release year, and only one such film, is taken.
        same = [m for m in await self.tmdb.search(film.title, film.year)
                if m.year == film.year and title_key(m.title) == title_key(film.title)]
        return same[0] if len(same) == 1 else None

    async def poster_url(self, film: Film) -> str | None:
        if self.tmdb is None:
            return None
        stored = await self.films.get(film.id)
        if not stored or not stored[1]:
            return None
        if not self.tmdb_on:
            return None
        try:
            images = await self.tmdb.images()
        except SourceError as error:
            self._problem(error, "the image configuration")
            return None
        return images.poster(stored[1])

    async def chart_entry(self, film: Film) -> ChartEntry | None:
        return best_entry(await self.charts.for_film(film.id))

    # Outside charts ----------------------------------------------------------------------------------------
    async def trending(self) -> OutsideChart | None:
        if self.tmdb is None:
            return None
        return await self._chart(TRENDING, None, "TMDB", self._fetch_trending)

    async def popular_on(self, service: str, region: str) -> OutsideChart | None:
        if self.tmdb is None:
            return None
        name = f"popular on {self.catalogue.services.name_of(service)} in {region}"
        return await self._chart(name, region, PROVIDER_SOURCE, lambda: self._fetch_popular(service, region))

    async def _chart(self, name: str, region: str | None, source: str, fetch: Any) -> OutsideChart:
        entries, as_of, fetched_at = await self.charts.entries(name, region)
        problem = None
        if self.tmdb_on and (fetched_at is None or self.clock() - fetched_at > CHART_MAX_AGE):
            try:
                movies = await fetch()
            except SourceError as error:
                problem = self._problem(error, name)
            else:
                as_of = self._today().isoformat()
                entries = [(rank, film.id if (film := await self._film_for(m)) else None, m.title, m.year)
                           for rank, m in enumerate(movies[:20], start=1)]
                await self.charts.replace(name, region, source, as_of, entries)
        elif not self.tmdb_on:
            problem = "TMDB refused our key"
        lines = [ChartLine(rank, title, year, self.catalogue.catalog.get(film_id) if film_id else None)
                 for rank, film_id, title, year in entries]
        return OutsideChart(name, source, as_of, lines, problem)

    async def _fetch_trending(self) -> list[TmdbMovie]:
        assert self.tmdb is not None
        return (await self.tmdb.trending("week")).movies

    async def _fetch_popular(self, service: str, region: str) -> list[TmdbMovie]:
        assert self.tmdb is not None
        provider = await self._provider_id(service, region)
        if provider is None:
            return []
        return (await self.tmdb.popular_on(provider, region)).movies

    async def _provider_id(self, service: str, region: str) -> int | None:
        assert self.tmdb is not None
        for provider in await self.tmdb.providers(region):
            if service_for(provider.name, self.catalogue.services) == service:
                return provider.id
        return None

    async def _film_for(self, movie: TmdbMovie) -> Film | None:
        """Our film for a TMDB film: by the id we stored, else one exact title with the same year."""
        film_id = await self.films.film_for(movie.id)
        if film_id and (film := self.catalogue.catalog.get(film_id)):
            return film
        if movie.year is None:
            return None
        resolution = self.catalogue.titles.resolve(f"{movie.title} ({movie.year})")
        film = resolution.film
        if film is not None and film.year == movie.year and title_key(film.title) == title_key(movie.title):
            await self.films.save(film.id, movie.id, movie.poster_path)
            return film
        return None


def live_options(settings: Any, *, timeout: float = 5.0) -> LiveOptions:
    """The live-data clients the settings switch on (TMDB only with a key)."""
    from ..sources.http import HttpSource, user_agent

    if not settings.tmdb_api_key:
        return LiveOptions(max_age_days=settings.tmdb_max_age_days)
    # An interaction waits for this: short timeouts, few retries, never a long Retry-After (the answer then
    # comes from what is stored). ~40 requests/s is TMDB's stated ceiling; 3,000 an hour is far below it.
    http = HttpSource("TMDB", user_agent=user_agent(), timeout=timeout, retries=2, backoff=0.5, max_wait=5.0,
                      max_bytes=1_000_000, budget=3000, budget_window=3600, secrets=(settings.tmdb_api_key,))
    return LiveOptions(TmdbClient(http, settings.tmdb_api_key, settings.tmdb_api_base), settings.tmdb_max_age_days)
