"""/catalog: keeping the film catalogue current (add, edit, tag, stream, link, import, export).

Each edit is checked here (vocabulary, services, regions, dates) so the user gets a clear answer, then
applied with `Catalogue.apply_edit` (bot.domain.edits.apply_edit, the same function that replays it over a
new data version), written with its edit-log row in one transaction, and only then made visible in memory.
"""
from __future__ import annotations

import asyncio
import functools
import gzip
import logging
import time
from typing import Any, Callable, Mapping

from bot.core.checks import checked_kind, checked_month, checked_region, split_names
from bot.core.catalogue import Plan
from bot.core.memory import collection_paused, free_gradually
from bot.core.context import Context
from bot.core.errors import NotAllowed, UserError
from bot.core.interface import Actor, Reply, command
from bot.domain import dataset as data
from bot.domain.catalog import Catalog
from bot.domain.edits import EDITABLE, RowOutcome, apply_import, matches_availability, unique_id
from bot.domain.interchange import (
    EXPORT_FORMATS, IMPORT_FORMATS, ImportFormatError, ImportLimitError, ParsedRow, RowProblem, export_csv,
    export_json, guess_format, parse_file, slugify,
)
from bot.domain.models import Film, Link

from .results import CatalogChange, CatalogExport, CatalogImport, CatalogStats

log = logging.getLogger(__name__)

# Discord's upload limit for a bot in a server without boosts is 10 MiB; stay clear of it.
UPLOAD_LIMIT = 9 * 1024 * 1024
# An attached file may unpack to no more than this (a whole IMDb dump is imported from the command line).
ATTACHMENT_UNPACKED = 256 * 1024 * 1024
_KIND_OF_SERVICE = {"subscription": "subscription", "free": "free", "library": "free", "store": "rent"}
_FIELD = {"runtime_minutes": "runtime", "imdb": "imdb_id"}
MAX_EXAMPLES = 10  # of each kind of row outcome an import result lists


class CatalogService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cat = ctx.catalogue

    @property
    def catalog(self) -> Catalog:
        return self.cat.catalog

    # Each edit is checked here (vocabulary, services, regions, dates) so the user gets a clear answer, then
    # applied with bot.domain.edits.apply_edit (the same function that replays it over a new data version),
    # written with its edit-log row in one transaction, and only then made visible in memory.

    async def _edit_film(self, actor: Actor, op: str, payload: dict[str, Any], film_id: str) -> Film:
        """Apply an edit of one film and return the film as it is now. None of these edits removes a film,
        so it is still there; if it somehow is not, say so as a missing film would be."""
        film = await self.cat.apply_edit(actor, op, payload, film_id)
        if film is None:
            raise UserError("That film is no longer in the catalogue.", title="Film not found")
        return film

    # The catalogue is shared by every server the bot is in, so changing it (and exporting all of it, which
    # is heavy work) is for the bot's owners; a server's Manage Server permission only lets its admins see
    # the statistics. Per-server edits would be overlays on this catalogue, which Marquee does not have.
    @staticmethod
    def require_owner(actor: Actor) -> None:
        if not actor.is_owner:
            raise NotAllowed(
                "Only the bot's owner can change Marquee's film catalogue: it is shared by every server the bot "
                "is in, so Manage Server on one of them is not enough. The owner can add you to OWNER_IDS, or "
                "send a correction to whoever runs the bot.", title="Owners only")

    @staticmethod
    def require_manager(actor: Actor) -> None:
        if not (actor.can_manage_guild or actor.is_owner):
            raise NotAllowed("Only people with the Manage Server permission can see the catalogue's statistics.")

    @command("catalog stats")
    async def catalog_stats(self, actor: Actor) -> Reply:
        self.require_manager(actor)
        return Reply(CatalogStats(await self.cat.store.stats(), await self.cat.store.db.get_meta("data_version")),
                     ephemeral=True)

    @command("catalog add")
    async def catalog_add(self, actor: Actor, title: str, year: int, directors: str | None = None,
                          runtime: int | None = None, countries: str | None = None, genres: str | None = None,
                          tags: str | None = None, pitch: str | None = None, imdb: str | None = None,
                          cast: str | None = None, languages: str | None = None, aliases: str | None = None,
                          notes: str | None = None) -> Reply:
        self.require_owner(actor)
        record: dict[str, Any] = {"title": title.strip(), "year": year, "runtime_minutes": runtime,
                                  "tags": self.cat.checked_tags(tags) if tags else [], "curated": True}
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
        film = await self._edit_film(actor, "add", {"film": record}, record["id"])
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
        self.require_owner(actor)
        target = self.cat.find(film)
        given = {"title": title, "year": year, "runtime_minutes": runtime, "directors": directors, "cast": cast,
                 "countries": countries, "languages": languages, "genres": genres, "pitch": pitch, "notes": notes,
                 "aliases": aliases, "imdb": imdb, "certificate": certificate}
        changes: dict[str, Any] = {}
        for key, value in given.items():
            if value is None:
                continue
            new: str | int | list[str] | None = value
            if isinstance(value, str):
                new = value.strip()
                if new == "-":
                    new = None
                elif key in ("directors", "cast", "countries", "languages", "genres", "aliases"):
                    new = split_names(new)
            changes[key] = new
        if not changes:
            raise UserError("Give at least one field to change, e.g. `pitch:` or `runtime:` (`-` clears a field).")
        assert set(changes) <= set(EDITABLE)
        before = target
        after = await self._edit_film(actor, "edit", {"id": target.id, "changes": changes}, target.id)
        lines = [f"{key}: {_show(getattr(before, _FIELD.get(key, key)))} "
                 f"→ {_show(getattr(after, _FIELD.get(key, key)))}"
                 for key in changes]
        return Reply(CatalogChange("Edited", after, lines, changed=after is not before), ephemeral=True)

    @command("catalog tag")
    async def catalog_tag(self, actor: Actor, film: str, tag: str) -> Reply:
        self.require_owner(actor)
        target = self.cat.find(film)
        tags = self.cat.checked_tags(tag)
        after = await self._edit_film(actor, "tag", {"id": target.id, "tags": tags}, target.id)
        new = [t for t in tags if t not in target.tags]
        lines = [f"Added: {', '.join(new)}" if new else f"Already tagged {', '.join(tags)}.",
                 "Tags: " + ", ".join(after.tags)]
        return Reply(CatalogChange("Tagged", after, lines, changed=bool(new)), ephemeral=True)

    @command("catalog untag")
    async def catalog_untag(self, actor: Actor, film: str, tag: str) -> Reply:
        self.require_owner(actor)
        target = self.cat.find(film)
        tags = split_names(tag.lower())
        gone = [t for t in tags if t in target.tags]
        if not gone:
            raise UserError(f"{target.label} has no tag {', '.join(tags)}.", title="Nothing to remove",
                            suggestions=list(target.tags))
        after = await self._edit_film(actor, "untag", {"id": target.id, "tags": gone}, target.id)
        lines = [f"Removed: {', '.join(gone)}", "Tags: " + (", ".join(after.tags) or "none")]
        return Reply(CatalogChange("Untagged", after, lines), ephemeral=True)

    @command("catalog stream")
    async def catalog_stream(self, actor: Actor, film: str, service: str, region: str,
                             kind: str = "subscription", checked: str | None = None,
                             source: str | None = None) -> Reply:
        self.require_owner(actor)
        target = self.cat.find(film)
        service_key = self.cat.service(service).key
        entry = {"service": service_key, "region": checked_region(region),
                 "kind": checked_kind(kind), "checked": checked_month(checked),
                 "source": (source or "").strip() or None}
        after = await self._edit_film(actor, "stream", {"id": target.id, "availability": [entry]}, target.id)
        name = self.cat.services.name_of(service_key)
        lines = [f"{name} in {entry['region']} ({entry['kind']}), checked {entry['checked']}."]
        return Reply(CatalogChange("Streaming", after, lines, changed=after is not target), ephemeral=True)

    @command("catalog unstream")
    async def catalog_unstream(self, actor: Actor, film: str, service: str, region: str | None = None,
                               kind: str | None = None) -> Reply:
        self.require_owner(actor)
        target = self.cat.find(film)
        key = self.cat.service(service).key
        region = checked_region(region) if region else None
        kind = checked_kind(kind) if kind else None
        gone = [a for a in target.availability if matches_availability(a, key, region, kind)]
        if not gone:
            raise UserError(f"{target.label} is not listed on {self.cat.services.name_of(key)}"
                            + (f" in {region}" if region else "") + ".", title="Nothing to remove")
        after = await self._edit_film(actor, "unstream",
                                      {"id": target.id, "service": key, "region": region, "kind": kind},
                                 target.id)
        # The owner's removal wins over TMDB: its next check does not write these rows again.
        await self.ctx.live.removed_by_owner(target.id, gone)
        lines = [f"Removed {self.cat.services.name_of(key)} in " + ", ".join(sorted({a.region for a in gone})) + "."]
        return Reply(CatalogChange("No longer streaming", after, lines), ephemeral=True)

    @command("catalog link")
    async def catalog_link(self, actor: Actor, film: str, other: str, reason: str) -> Reply:
        self.require_owner(actor)
        a, b = self.cat.find(film), self.cat.find(other, purpose="other film")
        if a.id == b.id:
            raise UserError("Pick two different films to link.")
        await self.cat.apply_edit(actor, "link", {"a": a.id, "b": b.id, "reason": " ".join(reason.split())}, None)
        return Reply(CatalogChange("Linked", a, [f"Because: {' '.join(reason.split())}"], other=b), ephemeral=True)

    @command("catalog unlink")
    async def catalog_unlink(self, actor: Actor, film: str, other: str) -> Reply:
        self.require_owner(actor)
        a, b = self.cat.find(film), self.cat.find(other, purpose="other film")
        if self.catalog.link_between(a.id, b.id) is None:
            raise UserError(f"{a.label} and {b.label} are not linked.", title="Nothing to remove")
        await self.cat.apply_edit(actor, "unlink", {"a": a.id, "b": b.id}, None)
        return Reply(CatalogChange("Unlinked", a, ["They are no longer listed as alike."], other=b), ephemeral=True)

    @command("catalog export")
    async def catalog_export(self, actor: Actor, format: str = "json") -> Reply:
        self.require_owner(actor)
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
                             skip_bad: bool = False, dry_run: bool = False, replace_curated: bool = False) -> Reply:
        self.require_owner(actor)
        result = await self.import_bytes(file, filename=filename, format=format, service=service, region=region,
                                         date=date, skip_bad=skip_bad, dry_run=dry_run,
                                         replace_curated=replace_curated, actor=actor,
                                         max_unpacked=ATTACHMENT_UNPACKED)
        return Reply(result, ephemeral=True)

    # The same operations for the command line (no actor, no permission check: the operator owns the files).

    async def export(self, format: str = "json") -> CatalogExport:
        format = (format or "json").lower()
        if format not in EXPORT_FORMATS:
            raise UserError(f"Export as {' or '.join(EXPORT_FORMATS)}.")
        films, links = list(self.catalog), self.catalog.links
        if format == "json":
            version = await self.cat.store.db.get_meta("data_version")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            data = await asyncio.to_thread(export_json, films, links, data_version=version, exported_at=stamp)
        else:
            data = await asyncio.to_thread(export_csv, films, links)
        filename = f"marquee-catalog-{time.strftime('%Y-%m-%d', time.gmtime())}.{format}"
        return CatalogExport(filename, format, data, len(films), len(links))

    async def import_bytes(self, content: bytes, *, filename: str = "", format: str | None = None,
                           service: str | None = None, region: str | None = None, date: str | None = None,
                           skip_bad: bool = False, dry_run: bool = False, replace_curated: bool = False,
                           extra: bytes | None = None, actor: Actor | None = None,
                           max_unpacked: int | None = None) -> CatalogImport:
        """Parse, check and apply an import file as one logged edit (or nothing at all). Parsing and
        planning run in threads; see `Catalogue.change`. A replace row keeps a curated film's curation
        unless `replace_curated`. A file over one of the format's limits (IMPORT_LIMITS, and
        `max_unpacked` bytes once unpacked) is refused with a UserError naming the limit."""
        with collection_paused():  # tens of thousands of rows are read; see collection_paused
            return await self._import(content, filename=filename, format=format, service=service, region=region,
                                      date=date, skip_bad=skip_bad, dry_run=dry_run, replace_curated=replace_curated,
                                      extra=extra, actor=actor, max_unpacked=max_unpacked)

    async def _import(self, content: bytes, *, filename: str, format: str | None, service: str | None,
                      region: str | None, date: str | None, skip_bad: bool, dry_run: bool, replace_curated: bool,
                      extra: bytes | None, actor: Actor | None, max_unpacked: int | None) -> CatalogImport:
        format = (format or "").lower().strip() or None
        if format in (None, "auto"):
            format = guess_format(filename, content)
            if format is None:
                raise UserError("I can't tell what kind of file this is. Say `format:` "
                                f"({', '.join(IMPORT_FORMATS)}).", title="Which format?")
        if format not in IMPORT_FORMATS:
            raise UserError(f"Unknown format {format!r}: use one of {', '.join(IMPORT_FORMATS)}.")
        options: dict[str, Any] = {"vocabulary": self.cat.vocabulary, "services": self.cat.services, "extra": extra}
        if format == "streaming":
            if not (service and region and date):
                raise UserError("A streaming catalogue file needs `service`, `region` and `date` (the day or month "
                                "the list was taken, e.g. 2021-09): the file itself does not say.",
                                title="Which service, region and date?")
            found = self.cat.service(service)
            options.update(service=found.key, region=checked_region(region), date=date.strip(),
                           kind=_KIND_OF_SERVICE.get(found.kind, "subscription"),
                           source=f"{found.name} catalogue file ({date.strip()})")
        if format == "imdb":
            options["keep"] = await asyncio.to_thread(_known_to, list(self.catalog))
        try:
            parsed = await asyncio.to_thread(parse_file, content, format, max_unpacked=max_unpacked, **options)
        except ImportLimitError as error:
            raise UserError(f"Nothing imported: {error}.", title="File too big") from None
        except ImportFormatError as error:
            return CatalogImport(format, applied=False, dry_run=dry_run, error=str(error))
        result = CatalogImport(format, applied=False, dry_run=dry_run, rows=len(parsed.rows),
                               problems=list(parsed.problems), skipped=parsed.skipped,
                               skipped_what=parsed.skipped_what)
        if parsed.problems and not skip_bad:
            return result
        # The edit log keeps the flag on each row, so a replay over a new data version does the same.
        rows = [{**r.row, "replace_curated": True} if replace_curated and r.row.get("mode") == "replace" else r.row
                for r in parsed.rows]
        who = (actor.guild_id, actor.user_id) if actor else (None, None)

        checked = frozenset(position for position, r in enumerate(parsed.rows) if r.checked)
        planner = functools.partial(_plan_import, rows, checked, format=format, skip_bad=skip_bad, dry_run=dry_run)
        planned = await self.cat.change(who, "import", planner)
        _report(result, parsed.rows, planned.outcome)
        result.applied = planned.applied
        if result.applied:
            # Who imported is in the edit log; the log names no one.
            log.info("Catalogue import (%s): %s", format, result.counts)
        # The rows read and their outcomes: a million objects for 50,000 rows, a fifth of a second to free.
        garbage = [parsed, rows, planner, planned]
        del parsed, rows, planner, planned
        await asyncio.to_thread(free_gradually, garbage)
        return result


def _plan_import(rows: list[dict[str, Any]], checked: frozenset[int], films: Mapping[str, Film], links: list[Link],
                 *, format: str, skip_bad: bool, dry_run: bool) -> Plan:
    """The catalogue after an import's rows (see `Catalogue.change`), and the edit to log: none for a dry
    run, for an import that changes nothing, or for one with bad rows and no `skip_bad`. `checked`: the rows
    whose records the file's reader checked whole."""
    new_films, new_links, outcomes = apply_import(films, links, rows, prechecked=checked)
    refused = any(o.status in ("invalid", "link-missing-film") for o in outcomes) and not skip_bad
    changed = [o.row for o in outcomes if o.changed and o.row is not None]
    payload = None if refused or dry_run or not changed else {"format": format, "rows": changed}
    return Plan(new_films, new_links, payload, outcomes)


def _known_to(films: list[Film]) -> Callable[[str, str, int | None], bool]:
    """Whether an IMDb row is about one of these films (by IMDb id, or title and year)."""
    imdbs = {f.imdb_id for f in films if f.imdb_id}
    titles = {(data.title_key(t), f.year) for f in films for t in (f.title, *f.aliases)}
    return lambda imdb, title, year: imdb in imdbs or (data.title_key(title), year) in titles


def _report(result: CatalogImport, rows: list[ParsedRow], outcomes: list[RowOutcome]) -> None:
    """Count the outcomes into the result, with a few examples of each kind worth a look."""
    for row, outcome in zip(rows, outcomes, strict=True):
        result.counts[outcome.status] = result.counts.get(outcome.status, 0) + 1
        if outcome.status in ("unmatched", "ambiguous") and len(result.unmatched) < MAX_EXAMPLES:
            result.unmatched.append(f"line {row.line}: {outcome.detail}"
                                    + (" (several films match)" if outcome.status == "ambiguous" else ""))
        elif outcome.status in ("invalid", "link-missing-film"):
            result.problems.append(RowProblem(row.line, outcome.detail))
        if outcome.removed:
            result.losing += 1
            if len(result.removed) < MAX_EXAMPLES:
                result.removed.append(f"line {row.line}: {outcome.film_id}: {', '.join(outcome.removed)}")
        if outcome.kept:
            result.curation_kept += 1
            if len(result.kept) < MAX_EXAMPLES:
                result.kept.append(f"line {row.line}: {outcome.film_id}: {', '.join(outcome.kept)}")
    result.problems.sort(key=lambda p: p.line)


def _show(value: object) -> str:
    if value in (None, (), ""):
        return "—"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)
