"""The catalogue at run time: loading the shipped data into the database, the in-memory engine over it,
and finding a film from what a user typed."""
from __future__ import annotations

import asyncio
import difflib
import gzip
import logging
import re
import time
from typing import Any, Iterable

from ..domain import dataset as data
from ..domain.catalog import Catalog
from ..domain.models import Film, Link
from ..domain.search import TitleIndex
from ..domain.similarity import SimilarityEngine
from ..domain.edits import EDITABLE, apply_edit, apply_import, diff, matches_availability, unique_id
from ..domain.interchange import (
    EXPORT_FORMATS, IMPORT_FORMATS, ImportFormatError, RowProblem, export_csv, export_json, guess_format,
    parse_file, slugify, valid_month,
)
from ..errors import NeedsChoice, NotAllowed, UserError
from ..interface import Actor, Reply, command
from ..render.catalog import CatalogChange, CatalogExport, CatalogImport, CatalogStats
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
        # One edit at a time: each is computed from the catalogue as the previous one left it.
        self._edit_lock = asyncio.Lock()

    @classmethod
    async def load(cls, db: Database, paths: data.DataPaths | None = None, *, force: bool = False) -> "CatalogService":
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

    # ------------------------------------------------------------------------------------ /catalog (admins)
    # Each edit is checked here (vocabulary, services, regions, dates) so the user gets a clear answer, then
    # applied with bot.domain.edits.apply_edit (the same function that replays it over a new data version),
    # written with its edit-log row in one transaction, and only then made visible in memory.

    @staticmethod
    def require_admin(actor: Actor) -> None:
        if not actor.can_manage_guild:
            raise NotAllowed("Only people with the Manage Server permission can change Marquee's film catalogue.")

    @command("catalog stats")
    async def catalog_stats(self, actor: Actor) -> Reply:
        self.require_admin(actor)
        return Reply(CatalogStats(await self.store.stats(), await self.store.db.get_meta("data_version")),
                     ephemeral=True)

    @command("catalog add")
    async def catalog_add(self, actor: Actor, title: str, year: int, directors: str | None = None,
                          runtime: int | None = None, countries: str | None = None, genres: str | None = None,
                          tags: str | None = None, pitch: str | None = None, imdb: str | None = None,
                          cast: str | None = None, languages: str | None = None, aliases: str | None = None,
                          notes: str | None = None) -> Reply:
        self.require_admin(actor)
        record: dict[str, Any] = {"title": title.strip(), "year": year, "runtime_minutes": runtime,
                                  "tags": self.checked_tags(tags) if tags else [], "curated": True}
        for key, value in (("directors", directors), ("countries", countries), ("genres", genres),
                           ("cast", cast), ("languages", languages), ("aliases", aliases)):
            record[key] = split_names(value)
        for key, value in (("pitch", pitch), ("notes", notes)):
            if value and value.strip():
                record[key] = value.strip()
        if imdb:
            record["external_ids"] = {"imdb": imdb.strip()}
        slug = slugify(record["title"], year)
        if slug in self.catalog and record["directors"]:
            slug = f"{slug}-{slugify(record['directors'][0].split()[-1], None)}"
        record["id"] = unique_id(self.catalog.films, slug)
        film = await self._edit(actor, "add", {"film": record}, record["id"])
        lines = [f"Added as {film.id}."]
        if film.tags:
            lines.append("Tags: " + ", ".join(film.tags))
        return Reply(CatalogChange("Added", film, lines), ephemeral=True)

    @command("catalog edit")
    async def catalog_edit(self, actor: Actor, film: str, title: str | None = None, year: int | None = None,
                           runtime: int | None = None, directors: str | None = None, cast: str | None = None,
                           countries: str | None = None, languages: str | None = None, genres: str | None = None,
                           pitch: str | None = None, notes: str | None = None, aliases: str | None = None,
                           imdb: str | None = None, certificate: str | None = None) -> Reply:
        """Change facts of a film. A text or list value of `-` clears the field."""
        self.require_admin(actor)
        target = self.find(film)
        given = {"title": title, "year": year, "runtime_minutes": runtime, "directors": directors, "cast": cast,
                 "countries": countries, "languages": languages, "genres": genres, "pitch": pitch, "notes": notes,
                 "aliases": aliases, "imdb": imdb, "certificate": certificate}
        changes: dict[str, Any] = {}
        for key, value in given.items():
            if value is None:
                continue
            if isinstance(value, str):
                value = value.strip()
                if value == "-":
                    value = None
                elif key in ("directors", "cast", "countries", "languages", "genres", "aliases"):
                    value = split_names(value)
            changes[key] = value
        if not changes:
            raise UserError("Give at least one field to change, e.g. `pitch:` or `runtime:` (`-` clears a field).")
        assert set(changes) <= set(EDITABLE)
        before = target
        after = await self._edit(actor, "edit", {"id": target.id, "changes": changes}, target.id)
        lines = [f"{key}: {_show(getattr(before, _FIELD.get(key, key)))} → {_show(getattr(after, _FIELD.get(key, key)))}"
                 for key in changes]
        return Reply(CatalogChange("Edited", after, lines, changed=after is not before), ephemeral=True)

    @command("catalog tag")
    async def catalog_tag(self, actor: Actor, film: str, tag: str) -> Reply:
        self.require_admin(actor)
        target = self.find(film)
        tags = self.checked_tags(tag)
        after = await self._edit(actor, "tag", {"id": target.id, "tags": tags}, target.id)
        new = [t for t in tags if t not in target.tags]
        lines = [f"Added: {', '.join(new)}" if new else f"Already tagged {', '.join(tags)}.",
                 "Tags: " + ", ".join(after.tags)]
        return Reply(CatalogChange("Tagged", after, lines, changed=bool(new)), ephemeral=True)

    @command("catalog untag")
    async def catalog_untag(self, actor: Actor, film: str, tag: str) -> Reply:
        self.require_admin(actor)
        target = self.find(film)
        tags = split_names(tag.lower())
        gone = [t for t in tags if t in target.tags]
        if not gone:
            raise UserError(f"{target.label} has no tag {', '.join(tags)}.", title="Nothing to remove",
                            suggestions=list(target.tags))
        after = await self._edit(actor, "untag", {"id": target.id, "tags": gone}, target.id)
        lines = [f"Removed: {', '.join(gone)}", "Tags: " + (", ".join(after.tags) or "none")]
        return Reply(CatalogChange("Untagged", after, lines), ephemeral=True)

    @command("catalog stream")
    async def catalog_stream(self, actor: Actor, film: str, service: str, region: str,
                             kind: str = "subscription", checked: str | None = None, source: str | None = None) -> Reply:
        self.require_admin(actor)
        target = self.find(film)
        entry = {"service": self.checked_service(service).key, "region": checked_region(region),
                 "kind": checked_kind(kind), "checked": checked_month(checked), "source": (source or "").strip() or None}
        after = await self._edit(actor, "stream", {"id": target.id, "availability": [entry]}, target.id)
        name = self.services[entry["service"]].name
        lines = [f"{name} in {entry['region']} ({entry['kind']}), checked {entry['checked']}."]
        return Reply(CatalogChange("Streaming", after, lines, changed=after is not target), ephemeral=True)

    @command("catalog unstream")
    async def catalog_unstream(self, actor: Actor, film: str, service: str, region: str | None = None,
                               kind: str | None = None) -> Reply:
        self.require_admin(actor)
        target = self.find(film)
        key = self.checked_service(service).key
        region = checked_region(region) if region else None
        kind = checked_kind(kind) if kind else None
        gone = [a for a in target.availability if matches_availability(a, key, region, kind)]
        if not gone:
            raise UserError(f"{target.label} is not listed on {self.services[key].name}"
                            + (f" in {region}" if region else "") + ".", title="Nothing to remove")
        after = await self._edit(actor, "unstream", {"id": target.id, "service": key, "region": region, "kind": kind},
                                 target.id)
        lines = [f"Removed {self.services[key].name} in " + ", ".join(sorted({a.region for a in gone})) + "."]
        return Reply(CatalogChange("No longer streaming", after, lines), ephemeral=True)

    @command("catalog link")
    async def catalog_link(self, actor: Actor, film: str, other: str, reason: str) -> Reply:
        self.require_admin(actor)
        a, b = self.find(film), self.find(other, purpose="other film")
        if a.id == b.id:
            raise UserError("Pick two different films to link.")
        await self._edit(actor, "link", {"a": a.id, "b": b.id, "reason": " ".join(reason.split())}, None)
        return Reply(CatalogChange("Linked", a, [f"Because: {' '.join(reason.split())}"], other=b), ephemeral=True)

    @command("catalog unlink")
    async def catalog_unlink(self, actor: Actor, film: str, other: str) -> Reply:
        self.require_admin(actor)
        a, b = self.find(film), self.find(other, purpose="other film")
        if self.catalog.link_between(a.id, b.id) is None:
            raise UserError(f"{a.label} and {b.label} are not linked.", title="Nothing to remove")
        await self._edit(actor, "unlink", {"a": a.id, "b": b.id}, None)
        return Reply(CatalogChange("Unlinked", a, ["They are no longer listed as alike."], other=b), ephemeral=True)

    @command("catalog export")
    async def catalog_export(self, actor: Actor, format: str = "json") -> Reply:
        self.require_admin(actor)
        result = await self.export(format)
        if len(result.data) > UPLOAD_LIMIT:
            # Discord refuses bigger uploads; the import reads gzip back as it is.
            result.data = await asyncio.to_thread(gzip.compress, result.data, 6)
            result.filename += ".gz"
            result.compressed = True
        return Reply(result, ephemeral=True)

    @command("catalog import")
    async def catalog_import(self, actor: Actor, file: bytes, filename: str = "", format: str | None = None,
                             service: str | None = None, region: str | None = None, date: str | None = None,
                             skip_bad: bool = False, dry_run: bool = False) -> Reply:
        self.require_admin(actor)
        result = await self.import_bytes(file, filename=filename, format=format, service=service, region=region,
                                         date=date, skip_bad=skip_bad, dry_run=dry_run, actor=actor)
        return Reply(result, ephemeral=True)

    # The same operations for the command line (no actor, no permission check: the operator owns the files).

    async def export(self, format: str = "json") -> CatalogExport:
        format = (format or "json").lower()
        if format not in EXPORT_FORMATS:
            raise UserError(f"Export as {' or '.join(EXPORT_FORMATS)}.")
        films, links = list(self.catalog), self.catalog.links
        if format == "json":
            version = await self.store.db.get_meta("data_version")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            data = await asyncio.to_thread(export_json, films, links, data_version=version, exported_at=stamp)
        else:
            data = await asyncio.to_thread(export_csv, films, links)
        filename = f"marquee-catalog-{time.strftime('%Y-%m-%d', time.gmtime())}.{format}"
        return CatalogExport(filename, format, data, len(films), len(links))

    async def import_bytes(self, content: bytes, *, filename: str = "", format: str | None = None,
                           service: str | None = None, region: str | None = None, date: str | None = None,
                           skip_bad: bool = False, dry_run: bool = False, extra: bytes | None = None,
                           actor: Actor | None = None) -> CatalogImport:
        """Parse, check and apply an import file as one logged edit (or nothing at all)."""
        format = (format or "").lower().strip() or None
        if format in (None, "auto"):
            format = guess_format(filename, content)
            if format is None:
                raise UserError("I can't tell what kind of file this is. Say `format:` "
                                f"({', '.join(IMPORT_FORMATS)}).", title="Which format?")
        if format not in IMPORT_FORMATS:
            raise UserError(f"Unknown format {format!r}: use one of {', '.join(IMPORT_FORMATS)}.")
        options: dict[str, Any] = {"vocabulary": self.vocabulary, "services": self.services, "extra": extra}
        if format == "streaming":
            if not (service and region and date):
                raise UserError("A streaming catalogue file needs `service`, `region` and `date` (the day or month "
                                "the list was taken, e.g. 2021-09): the file itself does not say.",
                                title="Which service, region and date?")
            found = self.checked_service(service)
            options.update(service=found.key, region=checked_region(region), date=date.strip(),
                           kind=_KIND_OF_SERVICE.get(found.kind, "subscription"),
                           source=f"{found.name} catalogue file ({date.strip()})")
        if format == "imdb":
            imdbs = {f.imdb_id for f in self.catalog if f.imdb_id}
            titles = {(data.title_key(t), f.year) for f in self.catalog for t in (f.title, *f.aliases)}
            options["keep"] = lambda imdb, title, year: imdb in imdbs or (data.title_key(title), year) in titles
        try:
            parsed = await asyncio.to_thread(parse_file, content, format, **options)
        except ImportFormatError as error:
            return CatalogImport(format, applied=False, dry_run=dry_run, error=str(error))
        result = CatalogImport(format, applied=False, dry_run=dry_run, rows=len(parsed.rows),
                               problems=list(parsed.problems), skipped=parsed.skipped,
                               skipped_what=parsed.skipped_what)
        if parsed.problems and not skip_bad:
            return result
        rows = [r.row for r in parsed.rows]
        who = (actor.guild_id, actor.user_id) if actor else (None, None)
        async with self._edit_lock:
            films, links = dict(self.catalog.films), self.catalog.links
            new_films, new_links, outcomes = await asyncio.to_thread(apply_import, films, links, rows)
            for row, outcome in zip(parsed.rows, outcomes):
                result.counts[outcome.status] = result.counts.get(outcome.status, 0) + 1
                if outcome.status in ("unmatched", "ambiguous") and len(result.unmatched) < 10:
                    result.unmatched.append(f"line {row.line}: {outcome.detail}"
                                            + (" (several films match)" if outcome.status == "ambiguous" else ""))
                elif outcome.status in ("invalid", "link-missing-film"):
                    result.problems.append(RowProblem(row.line, outcome.detail))
            result.problems.sort(key=lambda p: p.line)
            changed = [o.row for o in outcomes if o.changed]
            if (result.problems and not skip_bad) or dry_run or not changed:
                return result
            change = diff(films, links, new_films, new_links)
            await self.store.apply_changes(
                upserted=change.upserted, removed=change.removed, links_added=change.links_added,
                links_removed=change.links_removed, edit=(*who, "import", {"format": format, "rows": changed}))
            self._show(change)
        result.applied = True
        log.info("Catalogue import (%s) by user %s: %s", format, who[1], result.counts)
        return result

    # Helpers -------------------------------------------------------------------------------------------

    async def _edit(self, actor: Actor, op: str, payload: dict[str, Any], film_id: str | None) -> Film | None:
        """Apply one edit, persist it with its log row, update the catalogue in memory; the film afterwards."""
        async with self._edit_lock:
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
                self._show(change)
        return self.catalog.get(film_id) if film_id else None

    def _show(self, change) -> None:
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

    def checked_service(self, text: str) -> data.Service:
        found = self.services.resolve(text or "")
        if found is None:
            raise UserError(f"I don't know the service “{(text or '')[:50]}”.", title="Unknown service",
                            suggestions=[s.name for s in self.services.values()][:10])
        return found

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

    def tag_choices(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(tag — meaning, tag) pairs for a tag option's autocomplete; the last comma-separated part is matched."""
        head, _, current = (text or "").rpartition(",")
        current = current.strip().lower()
        prefix = f"{head}," if head else ""
        tags = [t for t in self.vocabulary.tags() if current in t]
        tags.sort(key=lambda t: (not t.startswith(current), t))
        return [(f"{prefix}{t} — {self.vocabulary.meaning(t)}"[:100], f"{prefix}{t}"[:100]) for t in tags[:limit]]


# Discord's upload limit for a bot in a server without boosts is 10 MiB; stay clear of it.
UPLOAD_LIMIT = 9 * 1024 * 1024
_KIND_OF_SERVICE = {"subscription": "subscription", "free": "free", "library": "free", "store": "rent"}
_FIELD = {"runtime_minutes": "runtime", "imdb": "imdb_id"}


def _show(value: object) -> str:
    if value in (None, (), ""):
        return "—"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def split_names(text: str | None) -> list[str]:
    """`Lana Wachowski, Lilly Wachowski` -> two names (also accepts `|`)."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,|]", text or "") if p.strip()))


def checked_region(text: str | None) -> str:
    region = (text or "").strip().upper()
    if region == "UK":
        raise UserError("Use GB for the United Kingdom (ISO 3166-1 code).", title="Unknown region")
    if region not in data.REGIONS:
        raise UserError(f"“{region[:10]}” is not a two-letter country code like US, GB or DE.", title="Unknown region")
    return region


def checked_kind(text: str | None) -> str:
    from ..domain.models import AVAILABILITY_KINDS

    kind = (text or "").strip().lower()
    if kind not in AVAILABILITY_KINDS:
        raise UserError(f"Kind must be one of {', '.join(AVAILABILITY_KINDS)}.")
    return kind


def checked_month(text: str | None) -> str:
    """YYYY-MM; this month when not given."""
    month = (text or "").strip() or time.strftime("%Y-%m", time.gmtime())
    if not valid_month(month):
        raise UserError(f"“{month[:20]}” is not a month like 2026-11.", title="Bad date")
    return month


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
