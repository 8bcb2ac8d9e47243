"""Numbers that are too big, too long or only look like digits get a clear answer that names the accepted
range, never an apology with a traceback: `in 9999999999 days` (OverflowError), `mq:mnap:1²` (`isdigit()`
says yes, `int()` says no), 5,000-digit integers (`int()` refuses more than 4,300 digits)."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.console import Console
from bot.core.app import Marquee
from bot.core.errors import ConfigError
from bot.core.interface import Actor
from bot.core.results import Disambiguation, Failure
from bot.core.settings import load_settings
from bot.discord.client import MarqueeBot
from bot.domain.when import WhenError, parse_duration, parse_when
from cogs.movienight.results import NightView

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)
HUGE = "9" * 5000


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("text", [
    "in 9999999999 days", "in 9999999999 weeks", "in 99999999999 hours", f"in {HUGE} minutes",
    "9999-12-31 23:59", "31 dec 9999 23:59", "dec 31 9999 11pm", "9999-12-31T23:59-12:00",
    f"<t:{HUGE}>", "<t:999999999999>",
])
def test_a_time_too_far_ahead_is_refused_with_the_range(text: str, zone: str) -> None:
    with pytest.raises(WhenError, match="within the next year"):
        parse_when(text, now=NOW, tz=ZoneInfo(zone))


@pytest.mark.parametrize("text", ["0001-01-01 00:00", "0001-01-01T00:00+14:00"])
def test_a_time_in_year_one_has_passed(text: str) -> None:
    with pytest.raises(WhenError, match="already passed"):
        parse_when(text, now=NOW, tz=ZoneInfo("Pacific/Kiritimati"))


def test_the_year_limit_still_allows_the_whole_next_year() -> None:
    assert parse_when("in 52 weeks", now=NOW, tz=timezone.utc).year == 2027
    assert parse_when("2027-12-01 20:00", now=NOW, tz=ZoneInfo("America/New_York")).year == 2027


@pytest.mark.parametrize("text", ["99999999999999999d", f"{HUGE}m", "99999999999 weeks", "1d 9999999999h"])
def test_an_absurd_duration_is_too_long_not_an_overflow(text: str) -> None:
    with pytest.raises(WhenError, match="longest allowed is 14 days"):
        parse_duration(text)


@pytest.mark.parametrize("options", [{"when": "in 9999999999 days"}, {"closes_in": "99999999999999999d"},
                                     {"when": "9999-12-31 23:59"}])
async def test_movienight_start_answers_absurd_times_with_the_range(app: Marquee, alice: Actor,
                                                                     options: dict[str, str]) -> None:
    reply = await app.dispatch_command(alice, "movienight start", options)
    assert isinstance(reply.result, Failure) and reply.ephemeral
    assert reply.result.title == "I couldn't use that time"
    assert "within the next year" in reply.result.message or "14 days" in reply.result.message


async def console_answers(app: Marquee, lines: list[str]) -> list[dict]:
    bot = MarqueeBot(load_settings({}), app, serving=False)
    await bot.load_cogs()
    out = io.StringIO()
    console = Console(app, bot.tree, user="console", as_json=True, out=out)
    try:
        for line in lines:
            await console.handle(line)
    finally:
        await bot.http.close()
    return [json.loads(line)["result"] for line in out.getvalue().splitlines()]


async def test_console_integers_name_their_range(app: Marquee) -> None:
    answers = await console_answers(app, [f"/movienight suggest count:{HUGE}", "/rate film:Heat stars:2²",
                                          "/movienight history count:１２", "/movienight suggest count:1_0"])
    assert [a["title"] for a in answers] == ["Out of range", "Not a number", "Not a number", "Not a number"]
    assert all(a.get("error_id") is None for a in answers)
    assert "from 1 to 10" in answers[0]["message"] and len(answers[0]["message"]) < 200
    assert "from 1 to 5" in answers[1]["message"]
    assert "from 1 to 25" in answers[2]["message"]


async def test_forged_numbers_in_custom_ids_and_select_values_are_stale_controls(app: Marquee, alice: Actor) -> None:
    started = await app.dispatch_command(alice, "movienight start", {})
    assert isinstance(started.result, NightView)
    night = started.result.night.id
    ranked = await app.dispatch_command(Actor(222, "bob", guild_id=900, channel_id=902), "movienight start",
                                        {"voting": "ranked"})
    assert isinstance(ranked.result, NightView)
    prompt = await app.dispatch_command(alice, "film", {"title": "Oldboy"})
    assert isinstance(prompt.result, Disambiguation) and prompt.result.choice_ids
    token = prompt.result.choice_ids[0].split(":")[2]
    presses = [
        (f"mq:mnap:{night}²", []),
        (f"mq:mnvote:{HUGE}", []),
        (f"mq:mnap:{night}", [HUGE]),  # a select value
        (f"mq:mnap:{night}", ["0²"]),
        (f"mq:mnrk:{ranked.result.night.id}:-", [HUGE]),
        (f"mq:rerun:{token}:{HUGE}", []),
        (f"mq:rerun:{token}:1²", []),
    ]
    for custom_id, values in presses:
        reply = await app.dispatch_component(alice, custom_id, values)
        assert isinstance(reply.result, Failure), (custom_id, reply.result)
        assert reply.result.title == "That control has expired", custom_id


@pytest.mark.parametrize("raw", ["1²", HUGE, "１２３"])
def test_a_dev_guild_id_that_only_looks_numeric_is_a_config_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="is not a Discord id"):
        load_settings({"DEV_GUILD_ID": raw})


@pytest.mark.parametrize("env", [{"SHARD_COUNT": HUGE}, {"SHARD_COUNT": "２"}, {"SHARD_COUNT": "4", "SHARD_IDS": f"0,{HUGE}"}])
def test_shard_numbers_that_are_not_a_few_ascii_digits_are_config_errors(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="SHARD_"):
        load_settings(env)
