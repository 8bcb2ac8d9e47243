"""`python -m bot catalog stats|export|import|rebuild`: catalogue maintenance from the command line."""
from __future__ import annotations

import argparse
import json

from .config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="catalog_command", required=True)
    stats = sub.add_parser("stats", help="count films, curated films, availability, tags and links")
    stats.add_argument("--json", action="store_true", help="print the counts as one JSON object")


async def run_catalog(settings: Settings, args: argparse.Namespace) -> int:
    from .app import Marquee

    app = await Marquee.open(settings.database_path, default_region=settings.default_region)
    try:
        if args.catalog_command == "stats":
            stats = await app.catalog.store.stats()
            if args.json:
                print(json.dumps(stats, sort_keys=True))
            else:
                for key, value in stats.items():
                    print(f"{key:>18}: {value:,}")
            return 0
    finally:
        await app.close()
    return 2
