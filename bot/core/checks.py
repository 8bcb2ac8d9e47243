"""Checks of what users type that several features share: regions, time zones, months, kinds, name lists.

Each rule exists once, so `/prefs region:uk`, `/settings region:uk` and `/catalog stream region:uk` all
mean the same thing and answer a mistake with the same words.
"""
from __future__ import annotations

import re
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.dataset import normalise_region
from ..domain.records import valid_month
from ..domain.models import AVAILABILITY_KINDS
from .errors import UserError

REGION_HELP = "Use a two-letter country code such as US, GB, DE, FR, KR or JP."


def checked_region(text: str | None) -> str:
    """The ISO code for a region a user typed (UK is accepted as GB), or a UserError."""
    region = normalise_region(text or "")
    if region is None:
        raise UserError(f"“{(text or '').strip()[:20]}” is not a region. {REGION_HELP}", title="Unknown region")
    return region


def checked_timezone(text: str) -> str:
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"“{name[:40]}” is not a time zone. Use an IANA name such as Europe/London, "
                        "America/New_York or Asia/Seoul.", title="Unknown time zone") from None
    return name


def checked_kind(text: str | None) -> str:
    kind = (text or "").strip().lower()
    if kind not in AVAILABILITY_KINDS:
        raise UserError(f"Kind must be one of {', '.join(AVAILABILITY_KINDS)}.", title="Unknown kind")
    return kind


def checked_month(text: str | None) -> str:
    """YYYY-MM; this month when not given."""
    month = (text or "").strip() or time.strftime("%Y-%m", time.gmtime())
    if not valid_month(month):
        raise UserError(f"“{month[:20]}” is not a month like 2026-11.", title="Bad date")
    return month


def split_names(text: str | None) -> list[str]:
    """`Lana Wachowski, Lilly Wachowski` -> two names (also accepts `|`)."""
    return list(dict.fromkeys(p.strip() for p in re.split(r"[,|]", text or "") if p.strip()))


def out_of_range(name: str, low: int, high: int) -> UserError:
    """The one answer for a number outside its range: it names the range."""
    return UserError(f"`{name}` must be between {low} and {high}.", title="Out of range")


def checked_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise out_of_range(name, low, high)
    return value
