"""The catalogue at run time: loading the shipped data into the database, the in-memory engine over it,
finding a film from what a user typed, and applying an edit (the one path every change takes)."""
from __future__ import annotations

import asyncio
import difflib
import logging
import time
from typing import Any, Iterable

from ..domain import dataset as data
from ..domain.catalog import Catalog
from ..domain.edits import CatalogDiff, apply_edit, diff
from ..domain.eras import era_label, parse_era
from ..domain.models import Film, Link
from ..domain.search import TitleIndex
from ..domain.similarity import SimilarityEngine
from ..storage.catalog import CatalogEdit, CatalogStore
from ..storage.db import Database
from .checks import split_names
from .errors import NeedsChoice, UserError
from .interface import Actor, custom_id
from .results import Disambiguation

log = logging.getLogger(__name__)

MAX_SERVICES = 15


def normal_query(text: str | None) -> str:
    """What a user typed, as film lookup reads it: surrounding and repeated whitespace ignored."""
    return " ".join((text or "").split())


class Catalogue:
    """The catalogue at run time: the in-memory engine (search, similarity) over the stored films, finding
    a film from what someone typed, and the one way to change it (`apply_edit`)."""

    def __init__(self, store: CatalogStore, films: Iterable[Film], links: Iterable[Link],
                 vocabulary: data.Vocabulary, services: data.Services) -> None:
        self.store = store
        self.vocabulary = vocabulary
        self.services = services
        tag_facets = {tag: facet.name for facet in vocabulary.facets.values() for tag in facet.tags}
        facet_weights = {facet.name: facet.weight for facet in vocabulary.facets.values()}
        self.catalog = Catalog(films, links, tag_facets, facet_weights,
                               service_names={key: service.name for key, service in services.items()})
        self.titles = TitleIndex(self.catalog)
        self.similarity = SimilarityEngine(self.catalog)
        # One edit at a time: each is computed from the catalogue as the previous one left it.
        self.edit_lock = asyncio.Lock()

    @classmethod
    async def load(cls, db: Database, paths: data.DataPaths | None = None, *, force: bool = False) -> "Catalogue":
        """Load a new shipped data version into the database (keeping server-side edits), then read it.
        `force` rebuilds from the shipped data and the edit log even when the version has not changed."""
        started = time.perf_counter()
        paths = paths or data.default_paths()
        store = CatalogStore(db)
        version = data.data_version(paths)
        vocabulary = data.load_vocabulary(paths.vocabulary)
        services = data.load_services(paths.services)
        if force or await db.get_meta("data_version") != version or await store.film_count() == 0:
            dataset = data.load_dataset(paths)
            films, links = dict(dataset.films), list(dataset.links)
            edits = await store.edits()
            films, links = replay_edits(films, links, edits)
            await store.replace_all(films.values(), links, data_version=version)
            log.info("Loaded catalogue data version %s: %d films, %d links, %d server edits replayed (%.1fs)",
                     version[:12], len(films), len(links), len(edits), time.perf_counter() - started)
            film_list: Iterable[Film] = films.values()
        else:
            film_list, links = await store.load()
        service = cls(store, film_list, links, vocabulary, services)
        log.info("Catalogue ready: %d films (%.1fs)", len(service.catalog), time.perf_counter() - started)
        return service

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
        async with self.edit_lock:
            films, links = self.catalog.films, self.catalog.links
            try:
                new_films, new_links = apply_edit(films, links, op, payload)
            except KeyError as error:
                raise UserError(f"That film is no longer in the catalogue ({error}).", title="Film not found") from None
            except ValueError as error:
                raise UserError(str(error)) from None
            change = diff(films, links, new_films, new_links)
            if change:
                await self.store.apply_changes(
                    upserted=change.upserted, removed=change.removed, links_added=change.links_added,
                    links_removed=change.links_removed, edit=(actor.guild_id, actor.user_id, op, payload))
                self.show(change)
        return self.catalog.get(film_id) if film_id else None

    def show(self, change: CatalogDiff) -> None:
        """Make a written change visible to search and similarity at once."""
        for a, b in change.links_removed:
            self.catalog.remove_link(a, b)
        for film_id in change.removed:
            self.catalog.remove(film_id)
        for film in change.upserted:
            self.catalog.upsert(film)
        for link in change.links_added:
            self.catalog.add_link(link)

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
