"""The catalogue at run time: loading the shipped data into the database, the in-memory engine over it,
finding a film from what a user typed, and applying an edit (the one path every change takes)."""
from __future__ import annotations

import asyncio
import difflib
import gc
import logging
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ..domain import dataset as data
from ..domain.catalog import Catalog
from ..domain.edits import CatalogDiff, apply_edit, diff
from ..domain.eras import era_label, parse_era
from ..domain.models import Film, Link
from ..domain.search import TitleIndex
from ..domain.similarity import SimilarityEngine
from ..storage import snapshot
from ..storage.catalog import CatalogEdit, CatalogStore
from ..storage.backend import Backend
from .checks import split_names
from .memory import collection_paused, free_gradually, keep_out_of_collections, release_free_memory
from .errors import NeedsChoice, UserError
from .interface import Actor, custom_id
from .results import Disambiguation

log = logging.getLogger(__name__)

MAX_SERVICES = 15
PREPARE_DELAY = 1.0  # seconds after an edit before the similarity arrays are rebuilt in the background
# A change of more films than this (an import) is not applied to the running engine film by film on the
# event loop: a new engine is built in a thread and swapped in whole. Below it, changing in place is cheaper.
BULK_CHANGE = 500
# Edits are planned without the edit lock, from a copy of the catalogue, and applied only if no other edit
# came in between; after this many tries the plan is made holding the lock, so a busy catalogue still
# gets its edit in.
OPTIMISTIC_TRIES = 3

Engine = tuple[Catalog, TitleIndex, SimilarityEngine]


def normal_query(text: str | None) -> str:
    """What a user typed, as film lookup reads it: surrounding and repeated whitespace ignored."""
    return " ".join((text or "").split())


def build_engine(films: Iterable[Film], links: Iterable[Link], vocabulary: data.Vocabulary,
                 services: data.Services, *, version: int = 0) -> Engine:
    """The in-memory engine over these films and links: catalogue, title index, similarity. CPU work
    (a second or more for the whole catalogue): run it in a thread when the bot is serving."""
    tag_facets = {tag: facet.name for facet in vocabulary.facets.values() for tag in facet.tags}
    facet_weights = {facet.name: facet.weight for facet in vocabulary.facets.values()}
    catalog = Catalog(films, links, tag_facets, facet_weights,
                      service_names={key: service.name for key, service in services.items()}, version=version)
    return catalog, TitleIndex(catalog), SimilarityEngine(catalog)


@dataclass(slots=True)
class Plan:
    """What an edit makes of the catalogue, worked out from a copy of it (see `Catalogue.change`)."""

    films: Mapping[str, Film]
    links: list[Link]
    payload: dict[str, Any] | None  # what the edit log stores; None: apply nothing (a dry run, no change)
    outcome: Any = None  # what the planner wants to tell its caller (an import's row outcomes)
    change: CatalogDiff | None = None  # filled in by `Catalogue.change`
    engine: Engine | None = None  # a new engine to swap in, for a bulk change

    @property
    def applied(self) -> bool:
        return self.payload is not None and bool(self.change)


Planner = Callable[[Mapping[str, Film], list[Link]], Plan]


class Catalogue:
    """The catalogue at run time: the in-memory engine (search, similarity) over the stored films, finding
    a film from what someone typed, and the one way to change it (`apply_edit`)."""

    def __init__(self, store: CatalogStore, films: Iterable[Film], links: Iterable[Link],
                 vocabulary: data.Vocabulary, services: data.Services, *,
                 engine: tuple[Catalog, TitleIndex, SimilarityEngine] | None = None) -> None:
        """The catalogue over `films` and `links`, or over an `engine` already built from them (a snapshot)."""
        self.store = store
        self.vocabulary = vocabulary
        self.services = services
        if engine is None:
            engine = build_engine(films, links, vocabulary, services)
        self.catalog, self.titles, self.similarity = engine
        # One edit at a time: each is computed from the catalogue as the previous one left it.
        self.edit_lock = asyncio.Lock()
        self._snapshot_written: asyncio.Task[None] | None = None
        self.from_snapshot = False  # read from the start-up snapshot rather than built
        self._preparing: asyncio.Task[None] | None = None

    @classmethod
    async def load(cls, db: Backend, paths: data.DataPaths | None = None, *, force: bool = False) -> "Catalogue":
        """Load a new shipped data version into the database (keeping server-side edits), then read it.
        `force` rebuilds from the shipped data and the edit log even when the version has not changed."""
        started = time.perf_counter()
        paths = paths or data.default_paths()
        store = CatalogStore(db)
        version = data.data_version(paths)
        vocabulary = data.load_vocabulary(paths.vocabulary)
        services = data.load_services(paths.services)
        collecting = gc.isenabled()
        # Start-up creates a few million objects that live as long as the process: collecting while they are
        # made finds nothing to free and costs a third of the time. They are frozen out of later collections.
        gc.disable()
        try:
            if force or await db.get_meta("data_version") != version or await store.film_count() == 0:
                dataset = data.load_dataset(paths)
                films, links = dict(dataset.films), list(dataset.links)
                edits = await store.edits()
                films, links = replay_edits(films, links, edits)
                await store.replace_all(films.values(), links, data_version=version)
                log.info("Loaded catalogue data version %s: %d films, %d links, %d server edits replayed (%.1fs)",
                         version[:12], len(films), len(links), len(edits), time.perf_counter() - started)
                service = cls(store, films.values(), links, vocabulary, services)
            else:
                service = await cls._from_database(store, vocabulary, services)
        finally:
            if collecting:
                gc.enable()
            gc.freeze()
            release_free_memory()
        log.info("Catalogue ready: %d films (%.1fs)", len(service.catalog), time.perf_counter() - started)
        if not service.from_snapshot and snapshot.path_for(db.path) is not None:
            service._snapshot_written = asyncio.create_task(service._write_snapshot(db))
        return service

    @classmethod
    async def _from_database(cls, store: CatalogStore, vocabulary: data.Vocabulary,
                             services: data.Services) -> "Catalogue":
        """The engine from its snapshot when that is up to date, else built from the stored films."""
        where = snapshot.path_for(store.db.path)
        if where is not None:
            key, secret = await cls._snapshot_key(store)
            engine = await asyncio.to_thread(snapshot.read, where, key, secret)
            if isinstance(engine, tuple) and len(engine) == 3:
                catalog, titles, similarity = engine
                if (isinstance(catalog, Catalog) and isinstance(titles, TitleIndex)
                        and isinstance(similarity, SimilarityEngine)):
                    log.info("Catalogue engine read from its snapshot %s", where)
                    catalogue = cls(store, (), (), vocabulary, services, engine=(catalog, titles, similarity))
                    catalogue.from_snapshot = True
                    return catalogue
        films, links = await store.load()
        return cls(store, films, links, vocabulary, services)

    @staticmethod
    async def _snapshot_key(store: CatalogStore) -> tuple[bytes, bytes]:
        secret = await store.db.get_meta("snapshot_secret")
        if not secret:
            secret = secrets.token_hex(32)
            await store.db.set_meta("snapshot_secret", secret)
        key = await asyncio.to_thread(snapshot.key_for, await store.db.get_meta("data_version") or "",
                                      await store.revision())
        return key, bytes.fromhex(secret)

    async def _write_snapshot(self, db: Backend) -> None:
        """Save the engine for the next start. Runs in a thread, holding the edit lock so no edit changes the
        objects while they are written."""
        where = snapshot.path_for(db.path)
        if where is None:
            return
        try:
            key, secret = await self._snapshot_key(self.store)
            async with self.edit_lock:
                engine = (self.catalog, self.titles, self.similarity)
                self.similarity.prepare()
                size = await asyncio.to_thread(snapshot.write, where, key, secret, engine)
            release_free_memory()
            log.info("Saved the catalogue engine's snapshot for the next start (%s, %.0f MB)", where, size / 2**20)
        except Exception as error:  # a cache: failing to write it never stops the bot
            log.warning("Could not save the engine snapshot %s: %s", where, error)

    def _prepare_soon(self) -> None:
        """Lay out the similarity arrays again in a thread (half a second for the whole catalogue) shortly
        after an edit, so the next question does not pay for it on the event loop. Edits in a burst (an
        import, a curator's session) share one rebuild."""
        if self._preparing is None or self._preparing.done():
            self._preparing = asyncio.create_task(self._prepare_later())

    async def _prepare_later(self) -> None:
        await asyncio.sleep(PREPARE_DELAY)
        async with self.edit_lock:  # no edit changes the catalogue while the thread reads it
            await asyncio.to_thread(self.similarity.prepare)

    async def close(self) -> None:
        """Wait for the snapshot being written, so that the next start finds it."""
        if self._preparing is not None:
            self._preparing.cancel()
        if self._snapshot_written is not None:
            await self._snapshot_written

    def find(self, text: str, *, purpose: str = "film", pick_action: str | None = None,
             pick_context: list[str] | None = None) -> Film:
        """The film the user named exactly; otherwise a NeedsChoice prompt, or a UserError when nothing
        resembles the text. Never a film the text only resembles.

        Several films with exactly that name give a "which one?" prompt (kind "ambiguous"); text that only
        resembles names gives a "did you mean...?" prompt (kind "suggestion"). Without `pick_action` the
        prompt's buttons re-run the command with the chosen film."""
        text = normal_query(text)
        if not text:
            raise UserError(f"Tell me which {purpose}: start typing a title and pick one from the list.")
        resolution = self.titles.resolve(text)
        if resolution.film is not None:
            return resolution.film
        films, kind = (resolution.candidates, "ambiguous") if resolution.candidates \
            else (resolution.suggestions, "suggestion")
        if films:
            films = list(films)[:10]
            choice_ids = []
            if pick_action:
                choice_ids = [custom_id(pick_action, f.id, *(pick_context or [])) for f in films]
            raise NeedsChoice(Disambiguation(text, films, pick_action, list(pick_context or []), choice_ids,
                                             kind=kind))
        raise UserError(f"I couldn't find a film called “{text[:100]}”.", title="Film not found")

    def autocomplete(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, value) pairs for a film option: value is the film id, so the pick is exact."""
        return [(f.label[:100], f.id) for f in self.titles.autocomplete(text, limit=limit)]

    # Changing the catalogue ----------------------------------------------------------------------------

    async def apply_edit(self, actor: Actor, op: str, payload: dict[str, Any], film_id: str | None) -> Film | None:
        """Apply one edit, persist it with its log row, update the catalogue in memory; the film afterwards."""
        def plan(films: Mapping[str, Film], links: list[Link]) -> Plan:
            try:
                new_films, new_links = apply_edit(films, links, op, payload)
            except KeyError as error:
                raise UserError(f"That film is no longer in the catalogue ({error}).", title="Film not found") from None
            except ValueError as error:
                raise UserError(str(error)) from None
            return Plan(new_films, new_links, payload)

        await self.change((actor.guild_id, actor.user_id), op, plan)
        return self.catalog.get(film_id) if film_id else None

    async def change(self, who: tuple[int | None, int | None], op: str, planner: Planner) -> Plan:
        """The one way the catalogue changes. `planner` (pure, run in a thread) works out the new films and
        links from a copy of the current ones; the change is then written with its edit-log row in one
        transaction and made visible in memory, unless another edit came in meanwhile: then it is planned
        again from the catalogue that edit left. The edit lock is held only to write and show, so planning
        a 50,000-row import neither blocks the event loop nor other edits for long."""
        with collection_paused():
            return await self._change(who, op, planner)

    async def _change(self, who: tuple[int | None, int | None], op: str, planner: Planner) -> Plan:
        for attempt in range(OPTIMISTIC_TRIES + 1):
            # A weak reference: holding the catalogue here would keep a replaced engine alive until this
            # returns, and then free it on the event loop (see `_apply`).
            base, version = weakref.ref(self.catalog), self.catalog.version
            # Copied on the event loop: nothing changes the catalogue between these lines.
            films, links = dict(self.catalog.films), self.catalog.links
            if attempt < OPTIMISTIC_TRIES:
                plan = await asyncio.to_thread(self._plan, planner, films, links, version)
                async with self.edit_lock:
                    if base() is self.catalog and self.catalog.version == version:
                        await self._apply(who, op, plan)
                        return plan
                log.info("The catalogue changed while an edit (%s) was planned; planning it again", op)
                continue
            async with self.edit_lock:
                films, links = dict(self.catalog.films), self.catalog.links
                plan = await asyncio.to_thread(self._plan, planner, films, links, self.catalog.version)
                await self._apply(who, op, plan)
                return plan
        raise AssertionError("unreachable: the last try holds the lock")

    def _plan(self, planner: Planner, films: dict[str, Film], links: list[Link], version: int) -> Plan:
        """In a thread: the plan, what it changes, and for a bulk change the new engine, ready to answer."""
        plan = planner(films, links)
        if plan.payload is None:
            return plan
        plan.change = diff(films, links, plan.films, plan.links)
        if len(plan.change.upserted) + len(plan.change.removed) > BULK_CHANGE:
            plan.engine = build_engine(plan.films.values(), plan.links, self.vocabulary, self.services,
                                       version=version + 1)
            plan.engine[2].prepare()
            if self.titles.typo_index_built:  # as the running index has it: built here, not by the next typo
                plan.engine[1].prepare()
        return plan

    async def _apply(self, who: tuple[int | None, int | None], op: str, plan: Plan) -> None:
        change = plan.change
        if plan.payload is None or not change:
            return
        await self.store.apply_changes(
            upserted=change.upserted, removed=change.removed, links_added=change.links_added,
            links_removed=change.links_removed, edit=(*who, op, plan.payload))
        if plan.engine is not None:
            await self.put_in_place(plan.engine)
        else:
            self.show(change)
            self._prepare_soon()

    async def put_in_place(self, engine: Engine) -> None:
        """Answer from `engine` from now on, and free the old one a piece at a time in a thread (freeing it at
        once would hold the interpreter, and so the event loop, for a quarter of a second or more). Call it
        holding the edit lock."""
        retired = [self._swap(engine)]
        keep_out_of_collections()
        await asyncio.to_thread(free_gradually, retired)
        await asyncio.to_thread(release_free_memory)

    def _swap(self, engine: Engine) -> Engine:
        """Put a new engine in place of the running one, all at once (every reader takes the catalogue,
        title index and similarity from this object when it asks, so it sees the old engine or the new);
        the old one."""
        old = self.catalog, self.titles, self.similarity
        self.catalog, self.titles, self.similarity = engine
        old[0].remove_listener(old[1])
        return old

    def show(self, change: CatalogDiff) -> None:
        """Make a written change visible to search and similarity at once."""
        self.catalog.apply_changes(upserted=change.upserted, removed=change.removed,
                                   links_added=change.links_added, links_removed=change.links_removed)

    def checked_tags(self, text: str | None) -> list[str]:
        tags = [t.lower().replace(" ", "-") for t in split_names(text or "")]
        if not tags:
            raise UserError("Give at least one tag (start typing to see the vocabulary).")
        unknown = [t for t in tags if t not in self.vocabulary]
        if unknown:
            close = [m for t in unknown for m in difflib.get_close_matches(t, self.vocabulary.tags(), n=3)]
            raise UserError(f"Not in Marquee's tag vocabulary: {', '.join(unknown)}.", title="Unknown tag",
                            suggestions=close)
        return list(dict.fromkeys(tags))

    # Services --------------------------------------------------------------------------------------------

    def service(self, text: str) -> data.Service:
        """The service a user named ("disney plus", "HBO"), or a UserError listing the known ones."""
        found = self.services.resolve(text or "")
        if found is None:
            known = ", ".join(s.name for s in self.services.values())
            raise UserError(f"I don't know the service “{(text or '').strip()[:40]}”. Known services: {known}.",
                            title="Unknown service")
        return found

    def services_in(self, text: str) -> tuple[str, ...]:
        """'netflix, prime video' -> ('netflix', 'prime-video'): each name checked by `service`."""
        keys: list[str] = []
        for part in split_names(text.replace(";", ",")):
            key = self.service(part).key
            if key not in keys:
                keys.append(key)
        if len(keys) > MAX_SERVICES:
            raise UserError(f"That's more than {MAX_SERVICES} services; list the ones you use most.",
                            title="Too many services")
        return tuple(keys)

    def service_names(self, keys: Iterable[str]) -> list[str]:
        return [self.services.name_of(k) for k in keys]

    def service_choices(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, value) pairs for a service option's autocomplete. With commas ("netflix, pri") the last
        name is completed and the earlier ones kept, for options that take several services."""
        head, _, current = (text or "").rpartition(",")
        prefix = f"{head.strip()}, " if head.strip() else ""
        typed = data.service_lookup_key(current)
        names = [f"{prefix}{s.name}" for s in self.services.values()
                 if typed in data.service_lookup_key(s.name) or typed in s.key
                 or any(typed in data.service_lookup_key(a) for a in s.aliases)]
        return [(name, name) for name in names if len(name) <= 100][:limit]

    def country_choices(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Countries some film comes from: those starting with the text first, then those containing it."""
        needle = text.casefold().strip()
        countries = self.catalog.countries()
        starting = [c for c in countries if c.casefold().startswith(needle)]
        inside = [c for c in countries if needle and needle in c.casefold() and c not in starting]
        return [(c[:100], c[:100]) for c in (starting + inside)[:limit]]

    def era_choices(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """The decades the catalogue has films from; what was typed, read as a decade, first."""
        decades = [era_label(d) for d in self.catalog.decades()]
        typed = parse_era(text) if text.strip() else None
        if typed is not None and era_label(typed) in decades:
            decades.remove(era_label(typed))
            decades.insert(0, era_label(typed))
        return [(d, d) for d in decades[:limit]]

    def tag_choices(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(tag — meaning, tag) pairs for a tag option's autocomplete; the last comma-separated part is matched."""
        head, _, current = (text or "").rpartition(",")
        current = current.strip().lower()
        prefix = f"{head}," if head else ""
        tags = [t for t in self.vocabulary.tags() if current in t]
        tags.sort(key=lambda t: (not t.startswith(current), t))
        return [(f"{prefix}{t} — {self.vocabulary.meaning(t)}"[:100], f"{prefix}{t}"[:100]) for t in tags[:limit]]


def replay_edits(films: dict[str, Film], links: list[Link],
                 edits: list[CatalogEdit]) -> tuple[dict[str, Film], list[Link]]:
    """Apply the server-side edit log over freshly loaded shipped data (see bot.domain.edits)."""
    for edit in edits:
        try:
            films, links = apply_edit(films, links, edit.op, edit.payload)
        except (KeyError, ValueError) as error:
            # The shipped data may have dropped a film an edit refers to; keep going with the rest.
            log.warning("Skipping catalogue edit #%d (%s): %s", edit.id, edit.op, error)
    return films, links
