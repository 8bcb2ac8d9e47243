"""What /import answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.storage.people import HistoryWritten


@dataclass(slots=True)
class HistoryImport:
    """An import done, or refused (`refused` is then the title of why, and nothing was written)."""

    origin: str = ""  # "Letterboxd" or "IMDb"
    files: list[str] = field(default_factory=list)
    rows: int = 0
    written: HistoryWritten | None = None
    unmatched: int = 0
    examples: list[str] = field(default_factory=list)  # a few unmatched rows: "ratings.csv line 4: X (2001): why"
    rating_note: str | None = None  # how the file's ratings became whole stars
    unmatched_file: bytes | None = None  # every unmatched row, as CSV
    unmatched_filename: str = "marquee-import-unmatched.csv"
    refused: str | None = None
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # "watched.csv line 7: ..."

    def to_json(self) -> dict[str, Any]:
        written = self.written
        return {"type": "history_import", "origin": self.origin, "files": self.files, "rows": self.rows,
                "seen_added": written.seen_added if written else 0,
                "ratings_added": written.ratings_added if written else 0,
                "ratings_replaced": written.ratings_replaced if written else 0,
                "watchlist_added": written.watchlist_added if written else 0,
                "already": written.already if written else 0, "unmatched": self.unmatched,
                "rating_note": self.rating_note,
                "unmatched_file": self.unmatched_filename if self.unmatched_file else None,
                "refused": self.refused, "reason": self.reason, "problems": self.problems}
