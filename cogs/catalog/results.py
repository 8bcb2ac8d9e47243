"""What the /catalog commands answer."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.text import safe
from bot.domain.interchange import RowProblem
from bot.domain.models import Film


@dataclass(slots=True)
class CatalogChange:
    """One admin edit done: what happened to which film, in a few lines."""

    action: str  # "Added", "Tagged", "Linked"...
    film: Film
    lines: list[str] = field(default_factory=list)
    other: Film | None = None
    changed: bool = True  # False when the film already was that way (nothing written)


@dataclass(slots=True)
class CatalogStats:
    counts: dict[str, Any]  # flat counts, plus by_decade and by_method tables
    data_version: str | None = None


@dataclass(slots=True)
class CatalogExport:
    filename: str
    format: str
    data: bytes
    films: int
    links: int
    compressed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"type": "catalog_export", "filename": self.filename, "format": self.format, "films": self.films,
                "links": self.links, "bytes": len(self.data), "compressed": self.compressed}


@dataclass(slots=True)
class CatalogImport:
    format: str
    applied: bool
    dry_run: bool = False
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # added, updated, unchanged, unmatched, linked...
    problems: list[RowProblem] = field(default_factory=list)
    skipped: int = 0
    skipped_what: str = ""
    unmatched: list[str] = field(default_factory=list)  # "line 12: Title (Year)" examples
    error: str | None = None  # the file as a whole could not be read
    # Replace rows that took facts from a film: how many, and "line 3: ballerina-2023: pitch, tags (...)"
    # examples; and curated films whose curation was kept because replace_curated was not given.
    losing: int = 0
    removed: list[str] = field(default_factory=list)
    curation_kept: int = 0
    kept: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.error:
            return f"Nothing imported: {safe(self.error)}"
        if self.problems and not self.applied and not self.dry_run:
            return (f"Nothing imported: {len(self.problems):,} bad row(s). Fix them, or import again with "
                    f"skip_bad to import the {self.rows:,} good row(s) only.")
        parts = [f"{n:,} {what}" for what, n in self.counts.items() if n]
        verb = "Would change" if self.dry_run else ("Imported" if self.applied else "No changes")
        text = f"{verb}: " + (", ".join(parts) if parts else "nothing to change") + "."
        if self.losing:
            text += f" {self.losing:,} film(s) {'would lose' if self.dry_run else 'lost'} facts the file lacks."
        if self.curation_kept:
            text += (f" Kept the curation of {self.curation_kept:,} curated film(s); import with replace_curated "
                     "to replace it.")
        return text
