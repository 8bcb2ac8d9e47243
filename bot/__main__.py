"""Command line: `python -m bot [run|sync|invite|console|catalog]` (also installed as `marquee`)."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import textwrap
from typing import TYPE_CHECKING

from cogs.catalog import cli as catalog_cli

from . import datacli
from . import ops
from .composition import build_bot, open_app, run_console
from .core.errors import ConfigError, StartupError
from .core.logs import configure_logging
from .core.settings import Settings, load_settings
from .storage.errors import DatabaseUnusable

if TYPE_CHECKING:
    from .discord.client import MarqueeBot

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marquee", description="Marquee, the movie-night Discord bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (the default)")
    sync = sub.add_parser("sync", help="sync application commands with Discord now")
    sync.add_argument("--guild", type=int, help="sync to this server only (instant) instead of globally")
    invite = sub.add_parser("invite", help="print the links that add Marquee to a server or to your account")
    invite.add_argument("--app-id", type=int, help="application id (otherwise read from Discord with the token)")
    console = sub.add_parser("console", help="answer commands locally, without Discord")
    console.add_argument("--as", dest="user", default="console", help="who is typing (default: console)")
    console.add_argument("--json", action="store_true", help="print each answer as one JSON object per line")
    console.add_argument("--member", action="store_true",
                         help="act as a plain member, without Manage Server or Manage Events (default: a manager)")
    catalog = sub.add_parser("catalog", help="inspect and maintain the film catalogue")
    catalog_cli.add_arguments(catalog)
    ops.add_status_arguments(sub.add_parser("status", help="the serving processes, shards, latency, database, leases"))
    ops.add_db_arguments(sub.add_parser("db", help="database tools (migrate-to: SQLite to PostgreSQL)"))
    data = sub.add_parser("data", help="fetch live data from outside services (Wikidata)")
    datacli.add_arguments(data)
    return parser


def fail(message: str, code: int) -> int:
    # Paths, URLs and commands in the message stay whole, so they can be copied.
    print(textwrap.fill(message, width=100, break_long_words=False, break_on_hyphens=False), file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings(read_dotenv=True)
        configure_logging(settings.log_level if command == "run" else min_level(settings.log_level),
                          secrets=[settings.token, settings.tmdb_api_key])
        for warning in settings.warnings():
            log.warning(warning)
        if command == "run":
            return asyncio.run(run_bot(settings))
        if command == "sync":
            return asyncio.run(sync_commands(settings, args.guild))
        if command == "invite":
            return asyncio.run(print_invite(settings, args.app_id))
        if command == "console":
            return asyncio.run(run_console(settings, user=args.user, as_json=args.json, member=args.member))
        if command == "catalog":
            return asyncio.run(catalog_cli.run_catalog(settings, args, lambda: open_app(settings)))
        if command == "status":
            asyncio.run(ops.status(settings, as_json=args.json))
            return 0
        if command == "db":
            return asyncio.run(ops.migrate_to(settings, args.url))
        if command == "data":
            return asyncio.run(datacli.run_data(settings, args, lambda: open_app(settings)))
    except ConfigError as error:
        return fail(f"Configuration problem: {error}", 2)
    except (StartupError, DatabaseUnusable) as error:
        return fail(f"Marquee could not start: {error}", 1)
    except KeyboardInterrupt:
        return 0
    return 0


def min_level(level: str) -> str:
    # Tools print their own output; only warnings from the library are worth showing there.
    return level if level in ("DEBUG", "WARNING", "ERROR", "CRITICAL") else "WARNING"


async def _login(settings: Settings, *, serving: bool = True) -> MarqueeBot:
    # discord.py only for the commands that talk to Discord (see composition.build_bot).
    import discord

    from .discord.client import point_at

    token = settings.require_token()
    point_at(settings)
    app = await open_app(settings)
    bot = build_bot(settings, app, serving=serving)
    try:
        await bot.login(token)
    except discord.LoginFailure as error:
        await bot.close()
        raise StartupError(
            f"Discord rejected the token in DISCORD_TOKEN, read from {settings.token_source or 'the environment'} "
            "(401 Unauthorized). It may have been reset or mistyped: "
            "open your application at https://discord.com/developers/applications, go to Bot, press 'Reset Token', "
            "and put the new token in .env as DISCORD_TOKEN=..."
        ) from error
    except (discord.HTTPException, OSError) as error:
        await bot.close()
        raise StartupError(f"Could not reach Discord to log in: {error}. Check the network and try again.") from error
    return bot


async def run_bot(settings: Settings) -> int:
    bot = await _login(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
        except NotImplementedError:  # Windows
            pass
    try:
        await bot.connect(reconnect=True)
    finally:
        if not bot.is_closed():
            await bot.close()
    log.info("Marquee stopped")
    return 0


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    bot = await _login(settings, serving=False)
    try:
        count = await bot.force_sync(guild_id or settings.dev_guild_id)
    finally:
        await bot.close()
    target = (f"server {guild_id or settings.dev_guild_id}" if (guild_id or settings.dev_guild_id)
              else "all servers (global)")
    print(f"Synced {count} commands to {target}.")
    return 0


async def print_invite(settings: Settings, app_id: int | None) -> int:
    from .discord.client import invite_url

    if app_id is None:
        bot = await _login(settings, serving=False)
        try:
            app_id = bot.application_id
        finally:
            await bot.close()
        if app_id is None:  # login() reads it from Discord, so this only happens if Discord did not say
            raise StartupError("Discord did not report the application id; pass it with --app-id")
    print("Add Marquee to a server (the bot, its commands and the permissions it uses):")
    print(invite_url(app_id))
    print("Add Marquee to your own account (its commands in any server, DM or group DM; no bot):")
    print(invite_url(app_id, user=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
