"""The catalogue at run time: loading the shipped data into the database, the in-memory engine over it,
and finding a film from what a user typed."""
from __future__ import annotations

import logging
import time
from typing import Iterable

from ..domain import dataset as data
from ..domain.catalog import Catalog
from ..domain.models import Film, Link
from ..domain.search import TitleIndex
from ..domain.similarity import SimilarityEngine
from ..errors import NeedsChoice, UserError
from ..interface import custom_id
from ..storage.catalog import CatalogStore
from ..storage.db import Database
from .results import Disambiguation

log = logging.getLogger(__name__)


class CatalogService:
    def __init__(self, store: CatalogStore, films: Iterable[Film], links: Iterable[Link],
                 vocabulary: data.Vocabulary, services: data.Services) -> None:
        self.store = store
        self.vocabulary = vocabulary
        self.services = services
        tag_facets = {tag: vocabulary.facet_of(tag) for tag in vocabulary.tags()}
        facet_weights = {facet.name: facet.weight for facet in vocabulary.facets.values()}
        self.catalog = Catalog(films, links, tag_facets, facet_weights)
        self.titles = TitleIndex(self.catalog)
        self.similarity = SimilarityEngine(self.catalog)

    @classmethod
    async def load(cls, db: Database, paths: data.DataPaths | None = None) -> "CatalogService":
        """Load a new shipped data version into the database (keeping server-side edits), then read it."""
        started = time.perf_counter()
        paths = paths or data.default_paths()
        store = CatalogStore(db)
        version = data.data_version(paths)
        vocabulary = data.load_vocabulary(paths.vocabulary)
        services = data.load_services(paths.services)
        if await db.get_meta("data_version") != version or await store.film_count() == 0:
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
        """One film for what the user typed, or a UserError with suggestions, or a NeedsChoice prompt.

        Without `pick_action` the prompt's buttons re-run the command with the chosen film."""
        text = (text or "").strip()
        if not text:
            raise UserError(f"Tell me which {purpose}: start typing a title and pick one from the list.")
        resolution = self.titles.resolve(text)
        if resolution.film is not None:
            return resolution.film
        if resolution.candidates:
            candidates = list(resolution.candidates)[:10]
            choice_ids = []
            if pick_action:
                choice_ids = [custom_id(pick_action, f.id, *(pick_context or [])) for f in candidates]
            raise NeedsChoice(Disambiguation(text, candidates, pick_action, list(pick_context or []), choice_ids))
        raise UserError(f"I couldn't find a film called “{text[:100]}”.", title="Film not found",
                        suggestions=[f.label for f in resolution.suggestions])

    def autocomplete(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(label, value) pairs for a film option: value is the film id, so the pick is exact."""
        return [(f.label[:100], f.id) for f in self.titles.autocomplete(text, limit=limit)]


def replay_edits(films: dict[str, Film], links: list[Link], edits) -> tuple[dict[str, Film], list[Link]]:
    """Apply the server-side edit log over freshly loaded shipped data (see bot.domain.edits)."""
    if not edits:
        return films, links
    from ..domain.edits import apply_edit

    for edit in edits:
        try:
            films, links = apply_edit(films, links, edit.op, edit.payload)
        except (KeyError, ValueError) as error:
            # The shipped data may have dropped a film an edit refers to; keep going with the rest.
            log.warning("Skipping catalogue edit #%d (%s): %s", edit.id, edit.op, error)
    return films, links
