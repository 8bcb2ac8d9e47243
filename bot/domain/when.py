"""Reading the times people type for a movie night ("fri 8pm", "in 2 days", "<t:1733432400:F>").

Pure standard-library Python. `parse_when` reads a moment and returns it in UTC; `parse_duration`
reads how long a vote stays open; `discord_timestamp` formats a moment so every Discord client shows
it in its reader's own time zone.

Rules worth knowing:
* Clock forms ("21:00", "friday 8pm", "tomorrow 19:30", "5 dec 21:00") are wall-clock times in the
  server's zone `tz`; summer time is handled by zoneinfo. A time skipped when clocks go forward is
  rejected; a time that happens twice when clocks go back means the first (summer-time) one.
* A bare time or weekday means its next occurrence: today if that time is still ahead, otherwise
  tomorrow / the same weekday next week. A month and day without a year means the next such date.
* "tonight" is 20:00 today; "tonight 9:30" means 21:30 (an hour from 1 to 11 is taken as evening).
* "in ..." counts from `now`: hours and minutes as elapsed time, days and weeks by the calendar, so
  "in 2 days" keeps the same clock time across a summer-time change while "in 48h" does not.
* Day/month with slashes or dots (12/05) is rejected: 12/05 is 5 December to some readers and
  12 May to others. ISO dates (2026-12-05) and month names (5 dec, dec 5) are unambiguous.
* The result must lie after `now` and no more than MAX_AHEAD later. Numbers too big for a date (a year
  9999, "in 9999999999 days", a 5,000-digit timestamp) get that answer too, never an overflow.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo

__all__ = [
    "WhenError",
    "parse_when",
    "parse_duration",
    "discord_timestamp",
    "MAX_AHEAD",
    "MIN_DURATION",
    "MAX_DURATION",
    "TONIGHT",
]

MAX_AHEAD = timedelta(days=366)  # "a year ahead", with room for the same date next year
MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(days=14)
TONIGHT = time(20, 0)
TIMESTAMP_STYLES = "tTdDfFR"  # Discord's <t:unix:style> formats

# Unix seconds: 9-11 digits covers 1973 .. 5138; shorter numbers are more likely a typo'd time.
_UNIX = re.compile(r"^\d{9,11}$")
# A Discord timestamp longer than this is beyond any date Python can hold (and int() refuses 4,300+ digits).
_UNIX_DIGITS_MAX = 12
_MENTION = re.compile(r"^<t:(-?\d+)(?::([tTdDfFR]))?>$")
_SLASHED_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?(?:\s|$)")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[t\s]+(.*)$)")

_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first so "fri" can't eat "friday"


_DAY_WORD = rf"(?P<word>{_alternatives([*_WEEKDAYS, *_RELATIVE_DAYS])})"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_MONTH = rf"(?P<dm_day>\d{{1,2}}){_ORDINAL}\s+(?P<dm_month>{_alternatives(_MONTHS)})(?:\s+(?P<dm_year>\d{{4}}))?"
_MONTH_DAY = rf"(?P<md_month>{_alternatives(_MONTHS)})\s+(?P<md_day>\d{{1,2}}){_ORDINAL}(?:\s+(?P<md_year>\d{{4}}))?"
_DAY = rf"(?:{_DAY_WORD}|{_DAY_MONTH}|{_MONTH_DAY})"
# A time needs minutes or am/pm: a lone "9" could be a date, an hour or a typo.
_TIME = (r"(?P<time>noon"
         r"|(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
         r"|(?P<h24>\d{1,2}):(?P<m24>\d{2}))")
_DAY_THEN_TIME = re.compile(rf"^(?:{_DAY}\s+)?(?:at\s+)?{_TIME}$")
_TIME_THEN_DAY = re.compile(rf"^{_TIME}\s+(?:on\s+)?{_DAY}$")
_DAY_ONLY = re.compile(rf"^{_DAY}$")

_DURATION_UNITS = {
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "d": "days", "day": "days", "days": "days",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
}
_DURATION_PART = re.compile(
    rf"(?:(?P<number>\d+(?:\.\d+)?)\s*|\b(?P<article>an?)\s+)(?P<unit>{_alternatives(_DURATION_UNITS)})(?![a-z])"
)
_DURATION_FILLER = re.compile(r"^[\s,]*(?:and[\s,]+)?$")
_UNIT_SECONDS = {"weeks": 7 * 86400, "days": 86400, "hours": 3600, "minutes": 60}


class WhenError(ValueError):
    """A time or duration we could not read, or one outside the allowed range. The message is written for
    the person who typed it; the movie-night service answers with it."""


# ---------------------------------------------------------------------------------------------------
# Public API


def parse_when(text: str, *, now: datetime, tz: tzinfo) -> datetime:
    """Read a movie-night start time and return it as an aware UTC datetime."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join(text.strip().split())
    if not raw:
        raise WhenError(f"Tell me when. {_accepted_forms(now, tz)}")
    moment = _read_moment(raw, now, tz)
    return _check_range(moment, raw, now, tz)


def parse_duration(text: str) -> timedelta:
    """Read how long something lasts ("2h", "90m", "1d", "1h30m", "45 minutes"): 5 minutes .. 14 days."""
    raw = " ".join(text.strip().split())
    parts = _duration_parts(raw)
    if parts is None:
        raise WhenError(
            f"I couldn't read “{raw}” as a length of time. Try `2h`, `90m`, `1d`, `1h30m` or `45 minutes`."
            if raw else "Give a length of time, like `2h`, `90m`, `1d`, `1h30m` or `45 minutes`."
        )
    # Compared in float seconds before a timedelta exists: timedelta(days=9999999999) overflows.
    if _seconds(parts) > MAX_DURATION.total_seconds():
        raise WhenError(f"“{raw}” is too long: the longest allowed is 14 days.")
    duration = timedelta(**parts)
    if duration < MIN_DURATION:
        raise WhenError(f"“{raw}” is too short: the shortest allowed is 5 minutes.")
    return duration


def discord_timestamp(dt: datetime, style: str = "F") -> str:
    """`<t:unix:style>`: Discord shows it in each reader's own zone and language."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("dt must be timezone-aware")
    if style not in TIMESTAMP_STYLES or len(style) != 1:
        raise ValueError(f"style must be one of {', '.join(TIMESTAMP_STYLES)}")
    return f"<t:{int(dt.timestamp())}:{style}>"


# ---------------------------------------------------------------------------------------------------
# Reading moments


def _read_moment(raw: str, now: datetime, tz: tzinfo) -> datetime:
    if match := _MENTION.match(raw):
        return _from_unix(match.group(1), raw)
    if _UNIX.match(raw):
        return _from_unix(raw, raw)

    text = raw.lower().replace(",", " ")
    text = " ".join(text.split())
    if text.startswith("in "):
        return _read_relative(text[3:], raw, now, tz)
    if _SLASHED_DATE.match(text):
        raise WhenError(
            f"“{raw}” could be read as day/month or month/day. Write the date as year-month-day, "
            f"like `{_example_date(now, tz)} 21:00`, or with the month's name, like `5 dec 21:00`."
        )
    if match := _ISO_DATE.match(text):
        return _read_iso(match, raw, tz, now)
    if text.startswith("next "):
        day = text[5:].split(" ")[0]
        raise WhenError(
            f"“{raw}” is ambiguous (this coming one, or the one after?). Say just the day, like "
            f"`{day} 20:00` for the coming one, or give a date like `{_example_date(now, tz)} 21:00`."
        )

    local_now = now.astimezone(tz)
    match = _DAY_THEN_TIME.match(text) or _TIME_THEN_DAY.match(text)
    if match is None:
        if day_only := _DAY_ONLY.match(text):
            if day_only.group("word") == "tonight":
                return _localize(datetime.combine(local_now.date(), TONIGHT), tz, raw)
            raise WhenError(f"What time on “{raw}”? Add one, like `{raw} 20:00` or `{raw} 8pm`.")
        raise WhenError(f"I couldn't read “{raw}” as a time. {_accepted_forms(now, tz)}")

    clock = _clock(match, raw, evening=match.group("word") == "tonight")
    return _on_day(match, clock, raw, local_now, tz)


def _from_unix(seconds: str, raw: str) -> datetime:
    try:
        if len(seconds.lstrip("-")) > _UNIX_DIGITS_MAX:
            raise OverflowError(seconds)
        return datetime.fromtimestamp(int(seconds), timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise WhenError(f"“{raw}” is not a usable Unix timestamp. Pick a time within the next year.") from None


def _read_relative(rest: str, raw: str, now: datetime, tz: tzinfo) -> datetime:
    parts = _duration_parts(rest)
    if parts is None:
        raise WhenError(
            f"I couldn't read “{raw}”. Relative times look like `in 3h`, `in 90 minutes`, `in 2 days` "
            f"or `in 1h30m`."
        )
    if _seconds(parts) > (MAX_AHEAD + timedelta(days=1)).total_seconds():  # a day's slack for clock changes
        raise WhenError(f"“{raw}” is more than a year away. Pick a time within the next year.")
    calendar_days = parts.get("weeks", 0) * 7 + parts.get("days", 0)
    elapsed = timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0))
    # Aware datetimes sharing a tzinfo add wall-clock time; go through UTC so "in 48h" is 48 real hours.
    moment = now.astimezone(timezone.utc)
    if calendar_days:
        if calendar_days != int(calendar_days):
            # Half a day on the calendar has no obvious meaning across a clock change: count it as time.
            moment += timedelta(days=calendar_days)
        else:
            local = now.astimezone(tz).replace(tzinfo=None) + timedelta(days=int(calendar_days))
            moment = _localize(local, tz, raw, skipped_ok=True)
    return (moment + elapsed).astimezone(timezone.utc).replace(microsecond=0)


def _read_iso(match: re.Match, raw: str, tz: tzinfo, now: datetime) -> datetime:
    year, month, day, rest = match.groups()
    try:
        on = date(int(year), int(month), int(day))
    except ValueError:
        raise WhenError(f"“{raw}” is not a real date.") from None
    _check_year(on.year, raw, now)
    if not rest:
        raise WhenError(f"What time on {on.isoformat()}? Add one, like `{on.isoformat()} 21:00`.")
    # Full ISO 8601, possibly with an explicit offset ("2026-12-05T21:00+01:00", "...Z").
    try:
        explicit = datetime.fromisoformat(raw.strip().upper().replace(" ", "T", 1))
    except ValueError:
        explicit = None
    if explicit is not None and explicit.tzinfo is not None:
        return explicit.astimezone(timezone.utc)
    clock_match = re.match(rf"^(?:at\s+)?{_TIME}$", rest.strip())
    if clock_match is None:
        seconds = re.match(r"^(\d{1,2}):(\d{2}):(\d{2})$", rest.strip())
        if seconds is None:
            raise WhenError(f"I couldn't read the time in “{raw}”. Try `{on.isoformat()} 21:00`.")
        clock = _make_time(int(seconds[1]), int(seconds[2]), raw, second=int(seconds[3]))
    else:
        clock = _clock(clock_match, raw, evening=False)
    return _localize(datetime.combine(on, clock), tz, raw)


def _clock(match: re.Match, raw: str, *, evening: bool) -> time:
    if match.group("time") == "noon":
        return time(12, 0)
    if match.group("h12") is not None:
        hour, minute = int(match.group("h12")), int(match.group("m12") or 0)
        if not 1 <= hour <= 12:
            raise WhenError(f"“{raw}”: with am/pm the hour must be 1 to 12.")
        pm = match.group("ampm").startswith("p")
        hour = hour % 12 + (12 if pm else 0)
        return _make_time(hour, minute, raw)
    hour, minute = int(match.group("h24")), int(match.group("m24"))
    if evening and 1 <= hour <= 11:
        hour += 12  # "tonight 9:30" is not breakfast time
    return _make_time(hour, minute, raw)


def _make_time(hour: int, minute: int, raw: str, second: int = 0) -> time:
    try:
        return time(hour, minute, second)
    except ValueError:
        raise WhenError(f"“{raw}” is not a real time of day (hours 0-23, minutes 0-59).") from None


def _on_day(match: re.Match, clock: time, raw: str, local_now: datetime, tz: tzinfo) -> datetime:
    today = local_now.date()
    word = match.group("word")

    def ahead(day: date) -> bool:
        return _localize(datetime.combine(day, clock), tz, raw, skipped_ok=True) > local_now

    if word in _RELATIVE_DAYS:
        day = today + timedelta(days=_RELATIVE_DAYS[word])
    elif word in _WEEKDAYS:
        day = today + timedelta(days=(_WEEKDAYS[word] - today.weekday()) % 7)
        if not ahead(day):
            day += timedelta(days=7)
    elif (day_text := match.group("dm_day") or match.group("md_day")) is not None:
        month = _MONTHS[match.group("dm_month") or match.group("md_month")]
        year_text = match.group("dm_year") or match.group("md_year")
        if year_text:
            _check_year(int(year_text), raw, local_now)
        day = _dated(int(year_text) if year_text else today.year, month, int(day_text), raw)
        if year_text is None and not ahead(day):
            day = _dated(today.year + 1, month, int(day_text), raw)
    else:  # a time alone: its next occurrence
        day = today if ahead(today) else today + timedelta(days=1)
    return _localize(datetime.combine(day, clock), tz, raw)


def _dated(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError(f"“{raw}” is not a real date in {year}.") from None


def _check_year(year: int, raw: str, now: datetime) -> None:
    """Refuse a year that cannot hold a valid answer before converting it: year 9999 in a zone west of UTC
    is year 10000 in UTC, which datetime cannot represent."""
    if year < now.year - 1:
        raise WhenError(f"“{raw}” has already passed. Pick a time within the next year.")
    if year > now.year + 1:
        raise WhenError(f"“{raw}” is more than a year away. Pick a time within the next year.")


def _localize(local: datetime, tz: tzinfo, raw: str, *, skipped_ok: bool = False) -> datetime:
    """Attach `tz` to a wall-clock time; reject times the clocks skip unless `skipped_ok`."""
    aware = local.replace(tzinfo=tz, fold=0)  # fold=0: of a repeated hour, the first occurrence
    if not skipped_ok:
        round_trip = aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
        if round_trip != local:
            raise WhenError(
                f"{local:%H:%M} doesn't exist on {local:%Y-%m-%d} in {_zone_name(tz)}: the clocks go "
                f"forward then. Pick another time."
            )
    return aware.astimezone(timezone.utc)


def _check_range(moment: datetime, raw: str, now: datetime, tz: tzinfo) -> datetime:
    moment = moment.astimezone(timezone.utc)
    shown = _describe(moment, tz)
    if moment <= now:
        hint = ""
        if raw.lower().startswith(("today", "tonight")):
            hint = " Try `tomorrow` with the time, or `in 30m`."
        raise WhenError(f"“{raw}” is {shown}, which has already passed.{hint}")
    if moment - now > MAX_AHEAD:
        raise WhenError(f"“{raw}” is {shown}, more than a year away. Pick a time within the next year.")
    return moment


def _describe(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname() or _zone_name(tz)}"


def _zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _example_date(now: datetime, tz: tzinfo) -> str:
    return (now.astimezone(tz) + timedelta(days=14)).date().isoformat()


def _accepted_forms(now: datetime, tz: tzinfo) -> str:
    return (
        "Try `friday 20:00`, `fri 8pm`, `tomorrow 19:30`, `tonight`, `21:00`, `in 3h`, `in 1h30m`, "
        f"`in 2 days`, `{_example_date(now, tz)} 21:00`, `5 dec 21:00` or a Discord timestamp like "
        "`<t:1733432400:F>`. Times are in the server's zone "
        f"({_zone_name(tz)})."
    )


# ---------------------------------------------------------------------------------------------------
# Reading durations


def _duration_parts(text: str) -> dict[str, float] | None:
    """{"hours": 1, "minutes": 30} from "1h30m" / "1 hour and 30 minutes"; None if unreadable."""
    text = text.lower()
    parts: dict[str, float] = {}
    position = 0
    for match in _DURATION_PART.finditer(text):
        gap = text[position:match.start()]
        if not _DURATION_FILLER.match(gap) or (position == 0 and gap.strip()):  # "and" only between parts
            return None
        unit = _DURATION_UNITS[match.group("unit")]
        if unit in parts:
            return None
        parts[unit] = float(match.group("number") or 1)  # "an hour"
        position = match.end()
    if not parts or text[position:].strip(" ,"):
        return None
    return parts


def _seconds(parts: Mapping[str, float]) -> float:
    """How long the parts last, in seconds: float arithmetic, so an absurd number is inf, never an overflow."""
    return sum(value * _UNIT_SECONDS[unit] for unit, value in parts.items())
