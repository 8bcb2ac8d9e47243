"""The composition root: the one place that knows the list of features and puts the application together.

The bot, the console and the command-line tools all build Marquee here, so they load the same features
(`FEATURES`) in the same order. Nothing else in `bot/` imports a feature.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, TextIO

from cogs import ask, catalog, discovery, history, lists, menus, meta, movienight, popular

from .core.app import Marquee
from .core.feature import Feature
from .core.live import live_options
from .core.settings import Settings

if TYPE_CHECKING:
    from .discord.client import MarqueeBot

FEATURES: Sequence[Feature] = (discovery.FEATURE, lists.FEATURE, movienight.FEATURE, catalog.FEATURE, popular.FEATURE,
                               ask.FEATURE, menus.FEATURE, history.FEATURE, meta.FEATURE)


async def open_app(settings: Settings, features: Sequence[Feature] = FEATURES) -> Marquee:
    return await Marquee.open(settings.database, features, default_region=settings.default_region,
                              live=live_options(settings))


def build_bot(settings: Settings, app: Marquee, *, serving: bool = True) -> MarqueeBot:
    # discord.py is imported here, by what needs a bot (serving, the console's command tree), and not with
    # this module: `marquee catalog` and `marquee db` work on the app alone, and importing discord.py is a
    # quarter of a second of every such command.
    from .discord.client import MarqueeBot

    return MarqueeBot(settings, app, serving=serving)


async def run_console(settings: Settings, *, user: str, as_json: bool, member: bool = False,
                      stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """`marquee console`: the features' real command tree checks each line; the app answers it."""
    app = await open_app(settings)
    try:
        return await serve_console(settings, app, user=user, as_json=as_json, member=member, stdin=stdin, out=out)
    finally:
        await app.close()


async def serve_console(settings: Settings, app: Marquee, *, user: str, as_json: bool, member: bool = False,
                        stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """The console over an app already open (the caller closes it)."""
    from . import console  # with discord.py, as build_bot

    bot = build_bot(settings, app, serving=False)
    await bot.load_cogs()
    app.command_index = bot.command_index()
    return await console.serve(app, bot.tree, user=user, as_json=as_json, member=member, stdin=stdin, out=out)
