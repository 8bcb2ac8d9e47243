"""The command tree as Discord receives it: every definition limit, and every command wired to a handler."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from discord import app_commands

from bot.core.feature import Feature
from bot.core.settings import load_settings
from bot.discord.client import MarqueeBot
from cogs import meta

NAME = re.compile(r"^[-_\w]{1,32}$")
SUBCOMMAND, GROUP = 1, 2


@pytest.fixture
async def bot(app):
    instance = MarqueeBot(load_settings({}), app, serving=False)
    await instance.load_cogs()
    assert not instance.failed_cogs, instance.failed_cogs
    yield instance
    await instance.http.close()


def _text_size(payload: dict) -> int:
    """Discord counts names, descriptions, choice names and values towards the 8000-character limit."""
    size = len(payload.get("name", "")) + len(payload.get("description", ""))
    for choice in payload.get("choices", []) or []:
        size += len(choice["name"]) + len(str(choice["value"]))
    for option in payload.get("options", []) or []:
        size += _text_size(option)
    return size


def _check_options(path: str, options: list[dict], problems: list[str]) -> None:
    if len(options) > 25:
        problems.append(f"{path}: {len(options)} options")
    seen_optional = False
    for option in options:
        where = f"{path} {option['name']}"
        if not NAME.match(option["name"]) or option["name"] != option["name"].lower():
            problems.append(f"{where}: bad name")
        if not 1 <= len(option.get("description", "")) <= 100:
            problems.append(f"{where}: description length {len(option.get('description', ''))}")
        if len(option.get("choices", []) or []) > 25:
            problems.append(f"{where}: too many choices")
        for choice in option.get("choices", []) or []:
            if not 1 <= len(choice["name"]) <= 100 or len(str(choice["value"])) > 100:
                problems.append(f"{where}: choice {choice['name']!r} too long")
        if option.get("choices") and option.get("autocomplete"):
            problems.append(f"{where}: choices and autocomplete together")
        if option["type"] in (SUBCOMMAND, GROUP):
            _check_options(where, option.get("options", []) or [], problems)
        else:
            if option.get("required") and seen_optional:
                problems.append(f"{where}: required option after an optional one")
            seen_optional = seen_optional or not option.get("required")


async def test_every_definition_respects_discords_limits(bot: MarqueeBot) -> None:
    payloads = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    assert 0 < len(payloads) <= 100
    problems: list[str] = []
    for payload in payloads:
        name = payload["name"]
        if payload.get("type", 1) == 1 and (not NAME.match(name) or name != name.lower()):
            problems.append(f"{name}: bad name")
        if payload.get("type", 1) == 1 and not 1 <= len(payload["description"]) <= 100:
            problems.append(f"{name}: description length")
        if payload.get("type", 1) != 1 and (payload.get("description") or not 1 <= len(name) <= 32):
            problems.append(f"{name}: a context menu has a name of 1-32 characters and no description")
        if _text_size(payload) > 8000:
            problems.append(f"{name}: {_text_size(payload)} characters in all")
        _check_options(name, payload.get("options", []) or [], problems)
    assert problems == []
    json.dumps(payloads)  # serialisable as sync sends it


async def test_every_command_has_a_handler_taking_its_options(bot: MarqueeBot, app) -> None:
    handlers = app.handlers.commands
    commands = [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]
    missing = [c.qualified_name for c in commands if c.qualified_name not in handlers]
    assert missing == []
    for command in commands:
        accepted = set(inspect.signature(handlers[command.qualified_name]).parameters) - {"actor"}
        options = {p.name for p in command.parameters}
        assert options <= accepted, f"/{command.qualified_name}: handler lacks {options - accepted}"


async def test_every_command_has_an_end_to_end_test(bot: MarqueeBot) -> None:
    e2e = Path(__file__).parent / "e2e"
    text = "\n".join(p.read_text() for p in e2e.rglob("test_*.py"))
    untested = [c.qualified_name for c in bot.tree.walk_commands()
                if isinstance(c, app_commands.Command) and f'"{c.qualified_name}"' not in text]
    assert untested == []


async def test_a_cog_that_fails_to_load_is_logged_and_skipped(app, caplog: pytest.LogCaptureFixture) -> None:
    broken = Feature(name="broken", help_group="Broken", build=lambda ctx: object(), extension="cogs.no_such_cog")
    app.features = (broken, meta.FEATURE)
    instance = MarqueeBot(load_settings({}), app, serving=False)
    try:
        await instance.load_cogs()
        assert list(instance.failed_cogs) == ["cogs.no_such_cog"]
        assert "Meta" in instance.cogs  # the cogs after the broken one still load
        assert "Skipping cog cogs.no_such_cog" in caplog.text
    finally:
        await instance.http.close()
