"""`marquee data refresh`: new films and missing facts from Wikidata (CC0), merged through the catalogue's one
edit path, a month at a time, resumable.

Work is cut into units: one per month of release dates ("new films released then"), then one per batch of
films we already have with an IMDb id ("what Wikidata knows that we lack"). Each unit is queried, checked by
the record validator, planned (`bot.domain.refresh.plan`: fill gaps, update what Wikidata knows newer, add
new films, never touch an admin's or a curator's field) and written as one `import` edit with its edit-log
row; then the unit is marked done in `meta`, so a run that is interrupted (Ctrl-C, a ban, the request
budget) resumes after the last finished unit.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..domain.edits import FilmIndex, admin_fields
from ..domain.refresh import Planned, month_slices, plan, record_from_rows
from ..sources.http import SourceError
from ..sources.wikidata import MAX_BATCH, Listed, WikidataClient
from ..storage.live import RefreshState
from .catalogue import Catalogue
from .interface import Actor

log = logging.getLogger(__name__)

WIKIDATA_ACTOR = Actor(user_id=0, name="Wikidata")
UPDATE_BATCH = 100  # IMDb ids per "which of these does Wikidata have" query
PAGE = 200  # films per page of a month's listing
Progress = Callable[[int, int, str], None]  # (units done, units in all, what is being done)


@dataclass(slots=True)
class RefreshOptions:
    since: dt.date
    until: dt.date
    dry_run: bool = False
    updates: bool = True
    restart: bool = False

    @property
    def key(self) -> str:
        return f"{self.since}..{self.until}:{'updates' if self.updates else 'new'}"


@dataclass(slots=True)
class RefreshReport:
    units: int = 0
    done_before: int = 0  # units an earlier, interrupted run had finished
    films_seen: int = 0
    added: list[Planned] = field(default_factory=list)
    filled: list[Planned] = field(default_factory=list)  # films we have that change (fills and updates)
    updated: list[Planned] = field(default_factory=list)  # those of them with updates (newer scores, billing...)
    unchanged: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    skipped_rows: int = 0  # rows of the wrong shape in Wikidata's answers
    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    seconds: float = 0.0
    stopped: str | None = None  # why the run ended before every unit was done


def default_since(catalogue: Catalogue) -> dt.date:
    """January 1st of the year before the newest film in the catalogue."""
    newest = max((f.year for f in catalogue.catalog.films.values() if f.year), default=dt.date.today().year)
    return dt.date(newest - 1, 1, 1)


class WikidataRefresh:
    def __init__(self, catalogue: Catalogue, state: RefreshState, client: WikidataClient, *,
                 progress: Progress | None = None) -> None:
        self.catalogue = catalogue
        self.state = state
        self.client = client
        self.progress = progress or (lambda done, total, what: None)
        self._index: FilmIndex | None = None  # kept current across the run's edits
        self._protected: dict[str, set[str]] = {}  # film id -> fields admin edits set (read at the start)

    def _film_index(self) -> FilmIndex:
        films = self.catalogue.catalog.films
        if self._index is None:
            self._index = FilmIndex(films)
        elif self._index.films is not films:
            # The films an edit added or changed (new objects); the rest are indexed already.
            changed = [film for film_id, film in films.items() if self._index.films.get(film_id) is not film]
            self._index.films = films
            for film in changed:
                self._index.add(film)
        return self._index

    def _units(self, options: RefreshOptions) -> list[tuple[str, Any]]:
        units: list[tuple[str, Any]] = [(f"new:{start}", (start, end))
                                        for start, end in month_slices(options.since, options.until)]
        if options.updates:
            ids = sorted({f.imdb_id for f in self.catalogue.catalog.films.values() if f.imdb_id})
            units += [(f"update:{ids[i]}", ids[i:i + UPDATE_BATCH]) for i in range(0, len(ids), UPDATE_BATCH)]
        return units

    async def run(self, options: RefreshOptions) -> RefreshReport:
        started = time.perf_counter()
        report = RefreshReport()
        units = self._units(options)
        report.units = len(units)
        # Read once per run: the refresh's own edits are not admin edits, and an admin edit made meanwhile is
        # still safe (an update is applied only over the value it was planned against).
        self._protected = admin_fields((e.user_id, e.op, e.payload) for e in await self.catalogue.store.edits())
        saved = None if options.restart or options.dry_run else await self.state.load()
        done: set[str] = set(saved.get("done", [])) if saved and saved.get("key") == options.key else set()
        report.done_before = len(done & {name for name, _ in units})
        today = dt.date.today().isoformat()
        count = report.done_before
        self.progress(count, len(units), "starting")
        try:
            for name, unit in units:
                if name in done:
                    continue
                self.progress(count, len(units), name)
                if name.startswith("new:"):
                    start, end = unit
                    listed = await self._listed(start, end, report)
                else:
                    found, skipped = await self.client.by_imdb(unit)
                    report.skipped_rows += skipped
                    listed = found
                await self._merge(listed, options, report, today, add_new=name.startswith("new:"))
                count += 1
                if not options.dry_run:
                    done.add(name)
                    await self.state.save({"key": options.key, "done": sorted(done)})
                self.progress(count, len(units), name)
        except SourceError as error:
            report.stopped = str(error)
            log.warning("Wikidata refresh stopped: %s", error)
        else:
            if not options.dry_run:
                await self.state.save(None)
                await self.state.db.set_meta("wikidata_refreshed_at", today)
        finally:
            stats = self.client.http.stats
            report.requests, report.retries, report.waited = stats.requests, stats.retries, stats.waited
            report.seconds = time.perf_counter() - started
        return report

    async def _listed(self, start: dt.date, end: dt.date, report: RefreshReport) -> list[Listed]:
        films: list[Listed] = []
        offset = 0
        while True:
            page, skipped = await self.client.released(start, end, limit=PAGE, offset=offset)
            report.skipped_rows += skipped
            films += page
            if len(page) + skipped < PAGE:
                return films
            offset += PAGE

    async def _merge(self, listed: list[Listed], options: RefreshOptions, report: RefreshReport, today: str, *,
                     add_new: bool) -> None:
        qids = list(dict.fromkeys(f.qid for f in listed))
        report.films_seen += len(qids)
        records = []
        for i in range(0, len(qids), MAX_BATCH):
            facts = await self._facts(qids[i:i + MAX_BATCH], report)
            for qid, rows in facts.items():
                converted = record_from_rows(qid, rows, as_of=today)
                if converted.record is None:
                    report.invalid.append((qid, "; ".join(converted.problems)))
                else:
                    records.append((qid, converted.record))
        if not records:
            return
        planned = plan(self.catalogue.catalog.films, records, vocabulary=self.catalogue.vocabulary,
                       services=self.catalogue.services, add_new=add_new, index=self._film_index(),
                       protected=self._protected)
        report.added += planned.added
        report.filled += planned.filled
        report.updated += planned.updated
        report.unchanged += planned.unchanged
        report.invalid += planned.invalid
        report.ambiguous += planned.ambiguous
        if planned.rows and not options.dry_run:
            await self.catalogue.apply_edit(WIKIDATA_ACTOR, "import", {
                "format": "wikidata", "source": "Wikidata (CC0)", "as_of": today, "rows": planned.rows}, None)

    async def _facts(self, qids: list[str], report: RefreshReport) -> dict[str, list[dict[str, str]]]:
        """The facts of these films; a batch whose answer comes back broken (a query cut off by the
        service's 60-second limit) is split in two and asked again, down to single films."""
        try:
            found = await self.client.facts(qids)
        except SourceError as error:
            if error.kind not in ("bad_response", "too_large") or len(qids) == 1:
                if len(qids) == 1 and error.kind in ("bad_response", "too_large"):
                    report.invalid.append((qids[0], f"Wikidata's answer was unusable ({error})"))
                    return {}
                raise
            half = len(qids) // 2
            return {**await self._facts(qids[:half], report), **await self._facts(qids[half:], report)}
        report.skipped_rows += found.skipped
        return found.by_film
