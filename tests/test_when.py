"""Reading movie-night times: hand-worked examples with a fixed `now` in several zones."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.when import WhenError, discord_timestamp, parse_duration, parse_when

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")

# Friday 27 March 2026, 18:00 GMT (= 18:00 UTC). London's clocks go forward at 01:00 UTC on Sunday 29th.
LONDON_NOW = datetime(2026, 3, 27, 18, 0, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday 20:00", utc(2026, 3, 27, 20, 0)),  # today, still ahead
        ("fri 8pm", utc(2026, 3, 27, 20, 0)),
        ("Friday at 8 PM", utc(2026, 3, 27, 20, 0)),
        ("8pm friday", utc(2026, 3, 27, 20, 0)),
        ("friday 17:00", utc(2026, 4, 3, 16, 0)),  # passed today -> next week, now in BST (UTC+1)
        ("tomorrow 19:30", utc(2026, 3, 28, 19, 30)),
        ("today 21:00", utc(2026, 3, 27, 21, 0)),
        ("tonight", utc(2026, 3, 27, 20, 0)),
        ("tonight 9:30", utc(2026, 3, 27, 21, 30)),  # an evening hour
        ("21:00", utc(2026, 3, 27, 21, 0)),
        ("17:00", utc(2026, 3, 28, 17, 0)),  # passed today -> tomorrow
        ("8pm", utc(2026, 3, 27, 20, 0)),
        ("8:15 pm", utc(2026, 3, 27, 20, 15)),
        ("12am", utc(2026, 3, 28, 0, 0)),
        ("noon", utc(2026, 3, 28, 12, 0)),
        ("sunday 20:00", utc(2026, 3, 29, 19, 0)),  # after the change: 20:00 BST
        ("sat 20:00", utc(2026, 3, 28, 20, 0)),  # before the change: 20:00 GMT
        ("2026-12-05 21:00", utc(2026, 12, 5, 21, 0)),
        ("2026-12-05T21:00", utc(2026, 12, 5, 21, 0)),
        ("2026-07-05 21:00", utc(2026, 7, 5, 20, 0)),  # BST
        ("2026-07-05 9pm", utc(2026, 7, 5, 20, 0)),
        ("2026-07-05T21:00:30", utc(2026, 7, 5, 20, 0, 30)),
        ("2026-07-05T21:00+02:00", utc(2026, 7, 5, 19, 0)),  # an explicit offset wins over the zone
        ("2026-07-05T21:00Z", utc(2026, 7, 5, 21, 0)),
        ("5 dec 21:00", utc(2026, 12, 5, 21, 0)),
        ("dec 5th, 9pm", utc(2026, 12, 5, 21, 0)),
        ("5 march 21:00", utc(2027, 3, 5, 21, 0)),  # already passed this year -> next year
        ("2027-03-28 19:00", utc(2027, 3, 28, 18, 0)),  # exactly 366 days ahead: the last moment allowed
        ("in 3h", utc(2026, 3, 27, 21, 0)),
        ("in 90 minutes", utc(2026, 3, 27, 19, 30)),
        ("in 1h30m", utc(2026, 3, 27, 19, 30)),
        ("in an hour", utc(2026, 3, 27, 19, 0)),
        # Days follow the calendar (18:00 BST on Sunday), hours are elapsed time (19:00 BST).
        ("in 2 days", utc(2026, 3, 29, 17, 0)),
        ("in 48h", utc(2026, 3, 29, 18, 0)),
        ("1790000000", datetime.fromtimestamp(1790000000, UTC)),
        ("<t:1790000000:F>", datetime.fromtimestamp(1790000000, UTC)),
        ("<t:1790000000>", datetime.fromtimestamp(1790000000, UTC)),
    ],
)
def test_london_forms(text, expected):
    result = parse_when(text, now=LONDON_NOW, tz=LONDON)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_discord_mention_from_the_brief():
    # 1733432400 is Thursday 5 December 2024, 21:00 UTC.
    now = datetime(2024, 12, 1, 12, 0, tzinfo=UTC)
    assert parse_when("<t:1733432400:F>", now=now, tz=LONDON) == utc(2024, 12, 5, 21, 0)


def test_new_york_fall_back():
    # Saturday 31 October 2026, 12:00 EDT (16:00 UTC); at 02:00 EDT on Sunday clocks go back to 01:00 EST.
    now = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    assert parse_when("8pm", now=now, tz=NEW_YORK) == utc(2026, 11, 1, 0, 0)  # 20:00 EDT
    assert parse_when("sunday 20:00", now=now, tz=NEW_YORK) == utc(2026, 11, 2, 1, 0)  # 20:00 EST
    assert parse_when("sun 01:30", now=now, tz=NEW_YORK) == utc(2026, 11, 1, 5, 30)  # first 01:30, EDT
    assert parse_when("in 1 day", now=now, tz=NEW_YORK) == utc(2026, 11, 1, 17, 0)  # 12:00 EST
    assert parse_when("in 24h", now=now, tz=NEW_YORK) == utc(2026, 11, 1, 16, 0)  # 11:00 EST
    assert parse_when("2026-12-05 21:00", now=now, tz=NEW_YORK) == utc(2026, 12, 6, 2, 0)


def test_zone_without_summer_time_and_a_half_hour_offset():
    now = datetime(2026, 6, 10, 22, 0, tzinfo=KOLKATA)  # 16:30 UTC
    assert parse_when("21:00", now=now, tz=KOLKATA) == utc(2026, 6, 11, 15, 30)
    assert parse_when("wed 23:00", now=now, tz=KOLKATA) == utc(2026, 6, 10, 17, 30)  # today, still ahead


def test_fixed_offset_tzinfo_and_now_in_another_zone():
    minus_three = timezone(timedelta(hours=-3))
    now = datetime(2026, 3, 27, 18, 0, tzinfo=UTC)  # 15:00 at UTC-3
    assert parse_when("tonight", now=now, tz=minus_three) == utc(2026, 3, 27, 23, 0)
    assert parse_when("16:00", now=now, tz=minus_three) == utc(2026, 3, 27, 19, 0)


def test_skipped_hour_is_rejected():
    with pytest.raises(WhenError, match="01:30 doesn't exist on 2026-03-29 in Europe/London"):
        parse_when("sun 01:30", now=LONDON_NOW, tz=LONDON)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12/05 21:00", "day/month or month/day"),
        ("05.12.2026 21:00", "year-month-day"),
        ("today 17:00", "already passed"),
        ("2025-01-01 10:00", "already passed"),
        ("1733432400", "already passed"),
        ("2027-03-29 19:00", "more than a year away"),
        ("in 400 days", "more than a year away"),
        ("friday", "What time"),
        ("2026-12-05", "What time on 2026-12-05"),
        ("next friday 20:00", "ambiguous"),
        ("25:00", "not a real time"),
        ("13pm", "1 to 12"),
        ("2026-02-30 20:00", "not a real date"),
        ("feb 29 20:00", "not a real date in 2026"),
        ("20", "Try `friday 20:00`"),
        ("whenever", "Try `friday 20:00`"),
        ("", "Tell me when"),
        ("in a while", "in 3h"),
    ],
)
def test_rejections_explain_themselves(text, message):
    with pytest.raises(WhenError, match=message) as caught:
        parse_when(text, now=LONDON_NOW, tz=LONDON)
    assert isinstance(caught.value, ValueError)  # a domain error: the movie-night service answers it as a UserError


def test_tonight_after_eight_suggests_alternatives():
    late = datetime(2026, 3, 27, 21, 30, tzinfo=LONDON)
    with pytest.raises(WhenError, match="already passed. Try `tomorrow`"):
        parse_when("tonight", now=late, tz=LONDON)


def test_help_lists_forms_and_the_zone():
    with pytest.raises(WhenError) as caught:
        parse_when("soonish", now=LONDON_NOW, tz=LONDON)
    message = str(caught.value)
    for form in ("friday 20:00", "fri 8pm", "tomorrow 19:30", "in 3h", "2026-04-10 21:00", "<t:1733432400:F>"):
        assert form in message
    assert "Europe/London" in message


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_when("8pm", now=datetime(2026, 3, 27, 18, 0), tz=LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("45 minutes", timedelta(minutes=45)),
        ("1 hour and 30 minutes", timedelta(minutes=90)),
        ("an hour", timedelta(hours=1)),
        ("1.5h", timedelta(minutes=90)),
        ("2 weeks", timedelta(days=14)),
        ("5m", timedelta(minutes=5)),  # the shortest allowed
        ("14d", timedelta(days=14)),  # the longest allowed
        ("  3 HRS ", timedelta(hours=3)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4m", "too short"),
        ("14d1m", "too long"),
        ("3 weeks", "too long"),
        ("90", "couldn't read"),
        ("1h1h", "couldn't read"),
        ("2 fortnights", "couldn't read"),
        ("and 5m", "couldn't read"),
        ("", "Give a length of time"),
    ],
)
def test_parse_duration_rejections(text, message):
    with pytest.raises(WhenError, match=message):
        parse_duration(text)


def test_discord_timestamp():
    moment = utc(2024, 12, 5, 21, 0)
    assert discord_timestamp(moment) == "<t:1733432400:F>"
    assert discord_timestamp(moment.astimezone(NEW_YORK), "R") == "<t:1733432400:R>"
    assert parse_when(discord_timestamp(utc(2026, 4, 1, 19, 0)), now=LONDON_NOW, tz=LONDON) == utc(2026, 4, 1, 19, 0)
    with pytest.raises(ValueError):
        discord_timestamp(moment, "X")
    with pytest.raises(ValueError):
        discord_timestamp(datetime(2024, 12, 5, 21, 0))
