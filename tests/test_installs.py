"""Where each command can be used, as the synced definitions say (issue 13, part 1)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from discord import app_commands

from bot.core.settings import load_settings
from bot.discord.client import MarqueeBot
from bot.discord.installs import context_name

SERVER_ONLY = {"movienight", "settings", "catalog"}


@pytest.fixture
async def bot(app):
    instance = MarqueeBot(load_settings({}), app, serving=False)
    await instance.load_cogs()
    yield instance
    await instance.http.close()


async def test_personal_commands_work_everywhere_and_server_commands_only_in_servers(bot: MarqueeBot) -> None:
    definitions = {c.name: c.to_dict(bot.tree) for c in bot.tree.get_commands()}
    assert SERVER_ONLY <= set(definitions)
    for name, definition in definitions.items():
        if name in SERVER_ONLY:
            assert (definition["contexts"], definition["integration_types"]) == ([0], [0]), name
        else:
            assert (definition["contexts"], definition["integration_types"]) == ([0, 1, 2], [0, 1]), name
    for menu in (c for c in bot.tree.get_commands(type=None) if isinstance(c, app_commands.ContextMenu)):
        definition = menu.to_dict(bot.tree)
        assert (definition["contexts"], definition["integration_types"]) == ([0, 1, 2], [0, 1]), menu.name


def test_guild_only_alone_would_leave_dms_open_under_the_tree_defaults() -> None:
    # Why server-only commands set every field: discord.py merges field by field with the tree's defaults.
    tree_default = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
    guild_only = app_commands.AppCommandContext(guild=True)
    assert tree_default._merge_to_array(guild_only) == [0, 1, 2]


@pytest.mark.parametrize(("context", "guild_id", "expected"), [
    (app_commands.AppCommandContext(guild=True), 5, "guild"),
    (app_commands.AppCommandContext(dm_channel=True), None, "dm"),
    (app_commands.AppCommandContext(private_channel=True), None, "private"),
    (app_commands.AppCommandContext(), 5, "guild"),  # an old payload without `context`
])
def test_the_actor_knows_where_it_is(context: app_commands.AppCommandContext, guild_id: int | None,
                                     expected: str) -> None:
    assert context_name(SimpleNamespace(context=context, guild_id=guild_id)) == expected  # type: ignore[arg-type]
