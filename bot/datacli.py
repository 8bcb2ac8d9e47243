"""`marquee data refresh`: the command-line front end of the Wikidata refresh (a progress bar and a report)."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, Awaitable, Callable, TextIO

from .core.app import Marquee
from .core.errors import ConfigError
from .core.refresh import RefreshOptions, RefreshReport, WikidataRefresh, default_since
from .core.settings import Settings
from .sources.http import HttpSource, user_agent
from .sources.wikidata import WikidataClient
from .storage.live import RefreshState

DEFAULT_BUDGET = 1000
SHOWN = 25  # films listed per kind of change in the report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", required=True)
    refresh = sub.add_parser("refresh", help="add new films and missing facts from Wikidata (CC0)")
    refresh.add_argument("--since", type=_date, help="first release date to look at, YYYY-MM-DD "
                                                     "(default: January 1st of the year before the newest film)")
    refresh.add_argument("--until", type=_date, help="look at releases before this date (default: tomorrow)")
    refresh.add_argument("--dry-run", action="store_true", help="print what would change; change nothing")
    refresh.add_argument("--no-updates", action="store_true",
                         help="only look for new films, not for facts missing from films already here")
    refresh.add_argument("--budget", type=int, default=DEFAULT_BUDGET,
                         help=f"most requests to send (default {DEFAULT_BUDGET}); run again to continue")
    refresh.add_argument("--restart", action="store_true", help="start over instead of resuming an interrupted run")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a date like 2025-01-31") from None


async def run_data(settings: Settings, args: argparse.Namespace, open_app: Callable[[], Awaitable[Marquee]], *,
                   out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if not settings.wikidata_contact:
        raise ConfigError(
            "WIKIDATA_CONTACT is not set. Wikimedia asks every client of its query service for a User-Agent that "
            "says how to reach its operator; put a URL or e-mail address of yours in .env as "
            "WIKIDATA_CONTACT=you@example.org, then run the refresh again.")
    if args.budget < 1:
        raise ConfigError("--budget must be at least 1 request.")
    http = HttpSource("Wikidata", user_agent=user_agent(settings.wikidata_contact), timeout=65.0,
                      max_bytes=20_000_000, retries=4, backoff=2.0, max_wait=120.0, budget=args.budget)
    client = WikidataClient(http, settings.wikidata_sparql_url)
    app = await open_app()
    try:
        since = args.since or default_since(app.catalogue)
        until = args.until or dt.date.today() + dt.timedelta(days=1)
        if since >= until:
            raise ConfigError(f"--since {since} must come before --until {until}.")
        options = RefreshOptions(since, until, dry_run=args.dry_run, updates=not args.no_updates,
                                 restart=args.restart)
        with _Bar() as bar:
            refresh = WikidataRefresh(app.catalogue, RefreshState(app.ctx.db), client, progress=bar.update)
            report = await refresh.run(options)
    finally:
        await client.close()
        await app.close()
    print_report(report, options, out)
    return 0 if report.stopped is None else 3


class _Bar:
    """tqdm on stderr when it is a terminal; silent otherwise (logs and CI stay clean)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __enter__(self) -> "_Bar":
        from tqdm import tqdm  # type: ignore[import-untyped]  # no stubs shipped

        self.bar = tqdm(total=0, unit="step", desc="Wikidata", disable=None, file=sys.stderr, leave=False)
        return self

    def update(self, done: int, total: int, what: str) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.set_postfix_str(what, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def print_report(report: RefreshReport, options: RefreshOptions, out: TextIO) -> None:
    verb = "Would add" if options.dry_run else "Added"
    fill = "Would fill" if options.dry_run else "Filled"
    lines = [f"Wikidata refresh, releases {options.since} to {options.until}"
             + (" (dry run: nothing changed)" if options.dry_run else ""),
             f"{verb} {len(report.added)} films; {fill.lower()} facts of {len(report.filled)}"
             + (f" ({len(report.updated)} of them {'would be ' if options.dry_run else ''}updated: newer scores, "
                f"billing, original titles or series)" if report.updated else "") + "; "
             f"{report.unchanged} already complete; {len(report.invalid)} skipped as invalid; "
             f"{len(report.ambiguous)} ambiguous; {report.skipped_rows} malformed rows ignored."]
    for planned in report.added[:SHOWN]:
        lines.append(f"  + {planned.title} ({planned.year or '?'})")
    for planned in report.filled[:SHOWN]:
        lines.append(f"  ~ {planned.title} ({planned.year or '?'}): {', '.join(planned.facts)}")
    for what, why in report.invalid[:SHOWN]:
        lines.append(f"  ! {what}: {why}")
    for what in report.ambiguous[:SHOWN]:
        lines.append(f"  ? {what}")
    shown = len(report.added[:SHOWN]) + len(report.filled[:SHOWN])
    if len(report.added) + len(report.filled) > shown:
        lines.append(f"  … and {len(report.added) + len(report.filled) - shown} more")
    lines.append(f"{report.requests} requests ({report.retries} retried, {report.waited:.0f}s waited), "
                 f"{report.films_seen} films read in {report.seconds:.1f}s; {report.units} steps"
                 + (f", {report.done_before} done by an earlier run" if report.done_before else ""))
    if report.stopped:
        lines.append(f"Stopped early: {report.stopped}. Run the same command again to continue where it stopped.")
    lines.append("Facts from Wikidata are CC0 (public domain); each change is in the catalogue's edit log.")
    out.write("\n".join(_printable(line) for line in lines) + "\n")


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)
