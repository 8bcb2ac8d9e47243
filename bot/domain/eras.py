"""Decades as people type them: "1990s", "90s", "'90s", "1990", "the 90s", "nineties"."""
from __future__ import annotations

import re

# "Twenties" and "tens" are left out on purpose: they name two decades a century apart.
_WORDS = {"thirties": 1930, "forties": 1940, "fifties": 1950, "sixties": 1960, "seventies": 1970,
          "eighties": 1980, "nineties": 1990, "noughties": 2000, "aughts": 2000}
_DECADE = re.compile(r"^(?:the\s+)?['’‘]?(\d{2}|\d{4})\s*['’]?s?$")


def parse_era(text: str) -> int | None:
    """The first year of the decade meant, or None when the text is not a decade.

    Two digits are read as the 1900s from 30 on and the 2000s below (so "20s" is the 2020s: a film bot in
    2026 is asked for recent films more than for the silent era)."""
    cleaned = " ".join(text.casefold().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _DECADE.match(cleaned)
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 2:
        year = int(digits) + (1900 if int(digits) >= 30 else 2000)
    else:
        year = int(digits)
    return year // 10 * 10


def era_label(decade: int) -> str:
    return f"{decade}s"
