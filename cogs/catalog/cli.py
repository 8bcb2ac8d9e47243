"""`python -m bot catalog stats|export|import|rebuild`: catalogue maintenance from the command line.

The same service code as `/catalog` in Discord, so an import from a file here is checked, logged and
replayed over new data versions exactly like one attached in a server.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

from bot.core.app import Marquee
from bot.core.catalogue import Catalogue
from bot.core.errors import UserError
from bot.core.rendering import to_json
from bot.core.settings import Settings
from bot.domain.interchange import EXPORT_FORMATS, IMPORT_FORMATS
from bot.storage.connect import open_database

from .service import CatalogService


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="catalog_command", required=True)
    stats = sub.add_parser("stats", help="count films, curated films, availability, tags and links")
    stats.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    export = sub.add_parser("export", help="write every film (and link) as JSON or CSV")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="json")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    imp = sub.add_parser("import", help="import a catalogue file: our own JSON/CSV export, a streaming "
                                        "catalogue CSV, MovieLens (zip or movies.csv) or IMDb title.basics.tsv.gz")
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=("auto", *IMPORT_FORMATS), default="auto",
                     help="default: guessed from the file name and first line")
    imp.add_argument("--service", help="streaming CSV: the service the file lists (e.g. netflix)")
    imp.add_argument("--region", help="streaming CSV: the region the file lists (e.g. US)")
    imp.add_argument("--date", help="streaming CSV: when the list was taken (YYYY-MM or YYYY-MM-DD)")
    imp.add_argument("--links", type=Path, help="MovieLens: links.csv (default: next to movies.csv)")
    imp.add_argument("--skip-bad", action="store_true", help="import the good rows even if some rows are bad")
    imp.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    imp.add_argument("--replace-curated", action="store_true",
                     help="let replace rows change curated films' flag, tags, pitch and notes (kept otherwise)")
    imp.add_argument("--json", action="store_true", help="print the outcome as one JSON object")

    sub.add_parser("rebuild", help="reload the shipped data and replay this server's edits on it")


async def run_catalog(settings: Settings, args: argparse.Namespace, open_app: Callable[[], Awaitable[Marquee]]) -> int:
    if args.catalog_command == "rebuild":
        return await _rebuild(settings)
    app = await open_app()
    service = app.service(CatalogService)
    try:
        if args.catalog_command == "stats":
            stats = await app.catalogue.store.stats()
            if args.json:
                print(json.dumps(stats, sort_keys=True))
            else:
                print(coverage_table(stats))
            return 0
        if args.catalog_command == "export":
            result = await service.export(args.format)
            if args.out:
                args.out.write_bytes(result.data)
                print(f"Wrote {result.films:,} films and {result.links:,} links to {args.out}", file=sys.stderr)
            else:
                sys.stdout.buffer.write(result.data)
                sys.stdout.flush()
            return 0
        if args.catalog_command == "import":
            if not args.file.is_file() and not args.file.is_dir():
                print(f"No such file: {args.file}", file=sys.stderr)
                return 2
            content, extra = _read_import(args.file, args.format, args.links)
            try:
                imported = await service.import_bytes(
                    content, filename=args.file.name if args.file.is_file() else "movies.csv",
                    format=None if args.format == "auto" else args.format, service=args.service,
                    region=args.region, date=args.date, skip_bad=args.skip_bad, dry_run=args.dry_run,
                    replace_curated=args.replace_curated, extra=extra)
            except UserError as error:
                print(error.message, file=sys.stderr)
                return 2
            if args.json:
                print(json.dumps(to_json(imported), ensure_ascii=False))
            else:
                print(imported.summary)
                for problem in imported.problems:
                    print(f"  {problem}")
                for example in imported.removed:
                    print(f"  removed: {example}")
                for example in imported.kept:
                    print(f"  curation kept: {example}")
                for example in imported.unmatched:
                    print(f"  not in the catalogue: {example}")
                if imported.skipped:
                    print(f"  skipped {imported.skipped:,} {imported.skipped_what or 'rows'}")
            return 0 if (imported.applied or imported.dry_run) and not imported.error else 1
    finally:
        await app.close()
    return 2


COVERAGE_COLUMNS = ("films", "runtime", "billing", "primary_genres", "primary_country", "original_language",
                    "writers", "series", "tags", "pitch", "streaming")


def coverage_table(stats: dict[str, Any]) -> str:
    """The counts, then films by decade with how many have each fact, then films by how facts were gathered."""
    lines = [f"{key:>22}: {value:,}" for key, value in stats.items() if isinstance(value, int)]
    header = ["decade", *COVERAGE_COLUMNS]
    widths = [max(8, len(h)) for h in header]
    lines += ["", "Films by decade, and how many have each fact:",
              "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    for decade, row in stats.get("by_decade", {}).items():
        cells = [decade, *(f"{row.get(c, 0):,}" for c in COVERAGE_COLUMNS)]
        lines.append("  ".join(cell.rjust(w) for cell, w in zip(cells, widths, strict=True)))
    lines += ["", "Films by how their facts were gathered:"]
    lines += [f"{method:>22}: {count:,}" for method, count in stats.get("by_method", {}).items()]
    return "\n".join(lines)


def _read_import(path: Path, format: str, links: Path | None) -> tuple[bytes, bytes | None]:
    """The file's bytes, and for MovieLens the links.csv beside movies.csv (or inside the folder given)."""
    if path.is_dir():
        path = path / "movies.csv"
        links = links or path.parent / "links.csv"
    content = path.read_bytes()
    if links is None and (format == "movielens" or path.name == "movies.csv"):
        beside = path.parent / "links.csv"
        links = beside if beside.is_file() else None
    return content, links.read_bytes() if links else None


async def _rebuild(settings: Settings) -> int:
    db = await open_database(settings.database)
    try:
        catalogue = await Catalogue.load(db, force=True)
        stats = await catalogue.store.stats()
        print(f"Rebuilt: {stats['films']:,} films, {stats['links']:,} links; "
              f"{stats['local_edits']:,} local edit(s) replayed from the edit log.")
    finally:
        await db.close()
    return 0
