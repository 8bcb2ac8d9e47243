"""Marquee where people already are: installed by a user as well as by servers, in DMs, group DMs and
servers the bot is not in (issue 13, part 1), through the stand-in and the real bot process. Its right-click
menus (part 2) are in shared_bot/test_discovery.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.standin import (ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral, message_text,
                           serving_bot)


V2 = 1 << 15
EVERYWHERE = ["watch", "islike", "similar", "film", "where", "watchlist", "seen", "rate", "prefs", "forgetme"]
SERVER_ONLY = ["movienight", "settings", "catalog"]


@pytest.fixture
async def global_bot(standin: DiscordStandIn, bot_db: Path):
    """The bot syncing its commands globally, as in production: only global commands exist outside servers."""
    async with serving_bot(standin, bot_db, {"DEV_GUILD_ID": None}, no_pings_at_all=True) as process:
        yield process


async def test_installed_by_a_user_it_answers_in_dms_group_dms_and_other_servers(standin: DiscordStandIn,
                                                                               global_bot: BotProcess) -> None:
    assert standin.commands(standin.guild_ids[0]) == []  # synced globally
    for name in EVERYWHERE:
        command = standin.command(name)
        assert command is not None and command["contexts"] == [0, 1, 2] and command["integration_types"] == [0, 1], name
    for name in SERVER_ONLY:
        command = standin.command(name)
        assert command is not None and command["contexts"] == [0] and command["integration_types"] == [0], name

    # The DM with the bot: the server's install reaches it.
    dm = standin.dm_channel_id(ALICE)
    picks = await (await standin.slash("watch", mood="tense", count=2, channel_id=dm)).answer()
    assert picks["channel_id"] == str(dm) and "What to watch" in message_text(picks)
    with pytest.raises(ValueError, match="not available in the DM"):
        await standin.slash("movienight start", channel_id=dm)

    # A group DM, through Alice's own install: the verdict card, and its buttons work there for anyone.
    standin.install_for(ALICE)
    group = standin.group_dm_id(ALICE, BOB)
    verdict = await (await standin.slash("islike", film="ballerina-2023", other="john-wick-2014",
                                         channel_id=group)).answer()
    assert verdict["flags"] & V2 and not is_ephemeral(verdict) and "/100" in message_text(verdict)
    more = await (await standin.click(verdict, "mq:sim:ballerina-2023", user=BOB)).answer()
    assert is_ephemeral(more) and "Films like Ballerina" in message_text(more)
    await (await standin.slash("watchlist add", film="heat-1995", channel_id=group)).answer()
    with pytest.raises(ValueError, match="not available in a group DM"):
        await standin.slash("settings", channel_id=group)

    # A server the bot is not in: answers come through the interaction; server-only commands are not offered.
    elsewhere = standin.add_foreign_guild()
    card = await (await standin.slash("film", title="heat-1995", guild_id=elsewhere)).answer()
    assert card["flags"] & V2 and "Michael Mann" in message_text(card)
    shown = await (await standin.slash("watchlist show", guild_id=elsewhere)).answer()
    assert "Heat" in message_text(shown)  # the same person's lists, wherever they ask
    for path in ("movienight start", "catalog stats"):
        with pytest.raises(ValueError, match="integration_types"):
            await standin.slash(path, guild_id=elsewhere)
    # A server that turned external apps off sees the answers privately (Discord's choice, not the bot's).
    closed = standin.add_foreign_guild(use_external_apps=False)
    private = await (await standin.slash("where", title="ballerina-2023", guild_id=closed)).answer()
    assert is_ephemeral(private) and "Netflix" in message_text(private)
