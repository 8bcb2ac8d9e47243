"""/import: a Letterboxd export or IMDb's ratings or watchlist CSV fills the person's seen films, ratings and
watchlist (bot.domain.history reads and matches it; bot.storage.people writes it in one transaction).

A file's rating replaces the stored one: the person asked for their ratings to be brought over. Nothing is
written when any row is malformed, and imported films do not count towards server charts (they are
history, not this week's activity).
"""
from __future__ import annotations

import asyncio
import gzip
import logging

from bot.core.context import Context
from bot.core.text import clip
from bot.core.interface import Actor, Reply, command
from bot.domain.history import (
    MAX_PROBLEMS, MAX_UPLOAD_BYTES, HistoryFileError, HistoryLimitError, HistoryMatcher, HistoryPlan, parse_history,
    rating_note, unmatched_csv,
)

from .results import HistoryImport

log = logging.getLogger(__name__)

MAX_EXAMPLES = 5  # unmatched rows shown in the answer (all of them are in the attached file)
MAX_PROBLEMS_SHOWN = 10
MATCH_BATCH = 500  # rows matched between two yields to the event loop
# Discord's upload limit without boosts is 10 MiB; an unmatched file bigger than this is gzipped.
UNMATCHED_FILE_LIMIT = 8 * 1024 * 1024


class HistoryService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @command("import")
    async def import_(self, actor: Actor, file: bytes, filename: str = "", size: int | None = None) -> Reply:
        if (size or len(file)) > MAX_UPLOAD_BYTES:
            return _refused("File too big", f"The file is {(size or len(file)) / 1e6:.1f} MB; the limit is "
                                            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB (a Letterboxd export of thousands of "
                                            "films is well under it).")
        try:
            parsed = await asyncio.to_thread(parse_history, file, filename)
        except HistoryLimitError as error:
            return _refused("File too big", f"Nothing imported: {error}.")
        except HistoryFileError as error:
            return _refused("Can't read that file", f"Nothing imported: {error}.")
        if parsed.problems:
            count = len(parsed.problems)
            counted = f"{count} or more" if count >= MAX_PROBLEMS else str(count)
            shown = [str(p) for p in parsed.problems[:MAX_PROBLEMS_SHOWN]]
            if count > len(shown):
                shown.append(f"…and {'at least ' if count >= MAX_PROBLEMS else ''}{count - len(shown)} more")
            return Reply(HistoryImport(parsed.origin, parsed.files, len(parsed.rows), refused="Bad rows",
                                       reason=f"Nothing imported: {counted} malformed row(s). Fix them (or take "
                                              "them out) and import the file again.", problems=shown),
                         ephemeral=True)
        if not parsed.rows:
            return _refused("Nothing to import", f"{', '.join(parsed.files) or 'The file'} has a header but no "
                                                 "rows: nothing imported.")
        # The catalogue as it is now; matching runs here, a batch at a time, so an edit cannot change it
        # halfway (edits change it on the event loop too).
        matcher = HistoryMatcher(self.ctx.catalogue.catalog, self.ctx.catalogue.titles)
        plan = HistoryPlan()
        for n, row in enumerate(parsed.rows, 1):
            film, why = matcher.match(row)
            if film is None:
                plan.miss(row, why)
            else:
                plan.add(row, film)
            if n % MATCH_BATCH == 0:
                await asyncio.sleep(0)
        written = await self.ctx.people.import_history(actor.user_id, seen=list(plan.seen), ratings=plan.ratings,
                                                       watchlist=list(plan.watchlist))
        log.info("History import (%s): %d rows, %d written, %d unmatched", parsed.origin, len(parsed.rows),
                 written.changed, len(plan.unmatched))
        result = HistoryImport(parsed.origin, parsed.files, len(parsed.rows), written, len(plan.unmatched),
                               rating_note=rating_note(parsed.scale, plan.ratings_read, plan.rounded))
        result.examples = [f"{row.source} line {row.line}: {clip(row.title or row.imdb, 100)}"
                           + (f" ({row.year})" if row.year else "") + f" — {why}"
                           for row, why in plan.unmatched[:MAX_EXAMPLES]]
        if plan.unmatched:
            result.unmatched_file = await asyncio.to_thread(unmatched_csv, plan.unmatched)
            if len(result.unmatched_file) > UNMATCHED_FILE_LIMIT:
                result.unmatched_file = await asyncio.to_thread(gzip.compress, result.unmatched_file, 6)
                result.unmatched_filename += ".gz"
        return Reply(result, ephemeral=True)


def _refused(title: str, reason: str) -> Reply:
    return Reply(HistoryImport(refused=title, reason=reason), ephemeral=True)
