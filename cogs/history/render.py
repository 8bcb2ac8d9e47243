"""How /import answers: counts, how ratings were mapped, and the unmatched rows as an attached CSV."""
from __future__ import annotations

from bot.core.message import Attachment, Embed, Message
from bot.core.rendering import renderer
from bot.core.text import safe

from .results import HistoryImport


@renderer.register
def _history_import(result: HistoryImport) -> Message:
    if result.refused:
        embed = Embed(title=f"⚠️ {result.refused}", description=safe(result.reason))
        if result.problems:
            embed.add("Rows to fix", "\n".join(f"• {safe(p)}" for p in result.problems))
        return Message(embeds=[embed])
    written = result.written
    assert written is not None
    files = ", ".join(safe(f) for f in result.files)
    if written.changed:
        title = f"📥 Imported from {result.origin}"
    else:
        title = f"ℹ️ Nothing new from {result.origin}"
    lines = [f"Read {files}: {result.rows:,} row(s)."]
    if not written.changed:
        lines.append("Nothing changed: everything in it that matched a film was already in your lists"
                     + (" (this file was imported before?)" if written.already else "") + ".")
    ratings_set = written.ratings_added + written.ratings_replaced
    replaced = (f" ({written.ratings_replaced:,} replaced: a file's rating replaces the one you had)"
                if written.ratings_replaced else "")
    lines += [
        f"• Seen: {written.seen_added:,} added",
        f"• Ratings: {ratings_set:,} set{replaced}",
        f"• Watchlist: {written.watchlist_added:,} added",
        f"• Already there: {written.already:,}",
        f"• Unmatched: {result.unmatched:,}" + (" (every one is in the attached file)" if result.unmatched else ""),
    ]
    if result.rating_note:
        lines.append(f"Ratings: {result.rating_note}.")
    embed = Embed(title=title, description="\n".join(lines),
                  footer="A file's rating replaces the one stored. Films you have seen are not suggested again.")
    if result.examples:
        embed.add("Not matched (examples)", "\n".join(f"• {safe(e)}" for e in result.examples))
    files_out = [Attachment(result.unmatched_filename, result.unmatched_file)] if result.unmatched_file else []
    return Message(embeds=[embed], files=files_out)
