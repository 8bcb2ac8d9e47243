"""Results of the `/catalog` admin commands and how they look."""
from __future__ import annotations

from bot.core.message import Attachment, Embed, Message
from bot.core.rendering import renderer
from bot.core.text import safe
from bot.domain.models import Film

from .results import CatalogChange, CatalogExport, CatalogImport, CatalogStats

MAX_PROBLEMS_SHOWN = 15
MAX_EXAMPLES_SHOWN = 10

STAT_LABELS = {
    "films": "Films", "curated": "Curated", "with_availability": "With streaming info",
    "services": "Services", "regions": "Regions", "tags": "Tags in use", "tag_assignments": "Tag assignments",
    "links": "\"It's like\" links", "with_scores": "With scores", "local_edits": "Edits made here",
    "with_runtime": "With runtime", "with_billing": "With billing order", "with_pitch": "With a pitch",
}


def _label(film: Film) -> str:
    year = f" ({film.year})" if film.year else ""
    return f"**{safe(film.title)}**{year}"


@renderer.register
def _change(result: CatalogChange) -> Message:
    title = f"{'✅' if result.changed else 'ℹ️'} {result.action}: {result.film.title}"
    if result.film.year:
        title += f" ({result.film.year})"
    lines = [safe(line) for line in result.lines]
    if result.other is not None:
        lines.insert(0, f"↔ {_label(result.other)}")
    embed = Embed(title=title, description="\n".join(lines) or None, footer=f"id: {result.film.id}")
    return Message(embeds=[embed])


@renderer.register
def _stats(result: CatalogStats) -> Message:
    embed = Embed(title="🎞️ Catalogue")
    for key, label in STAT_LABELS.items():
        if key in result.counts:
            embed.add(label, f"{result.counts[key]:,}", inline=True)
    decades = result.counts.get("by_decade", {})
    if decades:
        rows = [f"`{decade:>7}` {row['films']:>6,} films · {row['runtime']:,} runtime · {row['billing']:,} billing"
                f" · {row['tags']:,} tags" for decade, row in decades.items()]
        embed.add("By decade", "\n".join(rows))
    methods = result.counts.get("by_method", {})
    if methods:
        embed.add("How the facts were gathered", "\n".join(f"{m}: {n:,}" for m, n in methods.items()))
    if result.data_version:
        embed.footer = f"data version {result.data_version}"
    return Message(embeds=[embed])


@renderer.register
def _export(result: CatalogExport) -> Message:
    note = " (gzipped to fit Discord's upload limit)" if result.compressed else ""
    embed = Embed(title="📦 Catalogue export",
                  description=f"{result.films:,} films and {result.links:,} links as {result.format.upper()}{note}. "
                              "Edit it and bring it back with `/catalog import`.")
    return Message(embeds=[embed], files=[Attachment(result.filename, result.data)])


def _examples(lines: list[str], total: int) -> str:
    shown = lines[:MAX_EXAMPLES_SHOWN]
    more = total - len(shown)
    return "\n".join(safe(s) for s in shown) + (f"\n…and {more:,} more" if more > 0 else "")


@renderer.register
def _import(result: CatalogImport) -> Message:
    bad = result.problems and not result.applied and not result.dry_run or result.error
    embed = Embed(title=f"{'⚠️' if bad else '📥'} Catalogue import ({result.format})",
                  description=result.summary)
    if result.problems:
        shown = [str(p) for p in result.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(result.problems) - len(shown)
        embed.add(f"Bad rows ({len(result.problems)})",
                  "\n".join(safe(s) for s in shown) + (f"\n…and {more} more" if more > 0 else ""))
    if result.removed:
        embed.add(f"Removed by replace rows ({result.losing:,} films)", _examples(result.removed, result.losing))
    if result.kept:
        embed.add(f"Curation kept ({result.curation_kept:,} curated films)",
                  _examples(result.kept, result.curation_kept))
    if result.unmatched:
        embed.add("Not in the catalogue (examples)", "\n".join(safe(s) for s in result.unmatched[:10]))
    if result.skipped:
        embed.add("Skipped", f"{result.skipped:,} {result.skipped_what or 'rows'}")
    return Message(embeds=[embed])
