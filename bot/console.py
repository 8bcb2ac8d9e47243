"""`python -m bot console`: the same commands, services and database as the bot, without Discord.

One command per line in Discord's own shape (`/similar film:"Kill Bill" count:5`); `press <custom_id>
[value ...]` clicks a button or picks select values from an earlier answer. The command definitions come
from the real cogs' command tree, so option names, types, ranges and choices are checked exactly as
Discord checks them.
"""
from __future__ import annotations

import json
import shlex
import sys
import zlib
from dataclasses import dataclass
from typing import Any, TextIO

from discord import AppCommandOptionType, app_commands

from .app import Marquee
from .config import Settings
from .interface import Actor, Publisher, Reply
from .render import render, render_text, to_json

CONSOLE_GUILD_ID = 1
CONSOLE_CHANNEL_ID = 1


class ConsoleInputError(ValueError):
    pass


@dataclass(slots=True)
class ParsedLine:
    kind: str  # "command" or "press"
    name: str
    options: dict[str, Any]
    values: list[str]


def user_id_for(name: str) -> int:
    """A stable id per console user name, so `--as alice` is the same person every time."""
    return 1000 + zlib.crc32(name.encode())


def find_command(tree: app_commands.CommandTree, path: list[str]) -> app_commands.Command | None:
    if not path:
        return None
    node: Any = tree.get_command(path[0])
    for part in path[1:]:
        if not isinstance(node, app_commands.Group):
            return None
        node = node.get_command(part)
    return node if isinstance(node, app_commands.Command) else None


def command_names(tree: app_commands.CommandTree) -> list[str]:
    names = []
    for cmd in tree.walk_commands():
        if isinstance(cmd, app_commands.Command):
            names.append(cmd.qualified_name)
    return sorted(names)


def parse_line(line: str, tree: app_commands.CommandTree) -> ParsedLine:
    line = line.strip()
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ConsoleInputError(f"Couldn't read that line: {error} (check your quotes).") from error
    if tokens and tokens[0] == "press":
        if len(tokens) < 2:
            raise ConsoleInputError("Usage: press <custom_id> [value ...]")
        return ParsedLine("press", tokens[1], {}, tokens[2:])
    if not tokens or not tokens[0].startswith("/"):
        raise ConsoleInputError("Commands start with a slash, e.g. /help or /similar film:\"Kill Bill\".")
    tokens[0] = tokens[0][1:]
    path = []
    while tokens and ":" not in tokens[0]:
        path.append(tokens.pop(0).lower())
    command = find_command(tree, path)
    if command is None:
        known = ", ".join(f"/{n}" for n in command_names(tree))
        raise ConsoleInputError(f"`/{' '.join(path)}` is not a Marquee command. Commands: {known}")
    raw: dict[str, str] = {}
    for token in tokens:
        key, _, value = token.partition(":")
        raw[key.strip().lower()] = value
    return ParsedLine("command", command.qualified_name, convert_options(command, raw), [])


def convert_options(command: app_commands.Command, raw: dict[str, str]) -> dict[str, Any]:
    """Check and convert option values the way the Discord client does before it sends a command."""
    parameters = {p.display_name: p for p in command.parameters}
    unknown = sorted(set(raw) - set(parameters))
    if unknown:
        allowed = ", ".join(parameters) or "none"
        raise ConsoleInputError(f"/{command.qualified_name} has no option {', '.join(unknown)}. Options: {allowed}.")
    result: dict[str, Any] = {}
    for name, param in parameters.items():
        if name not in raw:
            if param.required:
                raise ConsoleInputError(f"/{command.qualified_name} needs `{name}` ({param.description}).")
            continue
        value = raw[name]
        result[param.name] = _convert(command, param, value)
    return result


def _convert(command: app_commands.Command, param: app_commands.Parameter, value: str) -> Any:
    label = f"`{param.display_name}`"
    kind = param.type
    if kind is AppCommandOptionType.integer or kind is AppCommandOptionType.number:
        try:
            number: float | int = int(value) if kind is AppCommandOptionType.integer else float(value)
        except ValueError:
            raise ConsoleInputError(f"{label} must be a {'whole ' if kind is AppCommandOptionType.integer else ''}number.") from None
        low, high = param.min_value, param.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            raise ConsoleInputError(f"{label} must be between {low} and {high}.")
        converted: Any = number
    elif kind is AppCommandOptionType.boolean:
        lowered = value.lower()
        if lowered not in ("true", "false", "yes", "no"):
            raise ConsoleInputError(f"{label} must be true or false.")
        converted = lowered in ("true", "yes")
    elif kind is AppCommandOptionType.string:
        low, high = param.min_value, param.max_value
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            raise ConsoleInputError(f"{label} must be {low or 0}-{high} characters long.")
        converted = value
    elif kind is AppCommandOptionType.user:
        converted = user_id_for(value.lstrip("@"))
    else:
        raise ConsoleInputError(f"{label} can't be given in the console.")
    if param.choices:
        allowed = {str(c.value): c.value for c in param.choices} | {c.name.lower(): c.value for c in param.choices}
        key = str(converted) if str(converted) in allowed else str(converted).lower()
        if key not in allowed:
            raise ConsoleInputError(f"{label} must be one of: {', '.join(c.name for c in param.choices)}.")
        converted = allowed[key]
    return converted


class Console:
    def __init__(self, app: Marquee, tree: app_commands.CommandTree, *, user: str, as_json: bool, out: TextIO):
        self.app = app
        self.tree = tree
        self.actor = Actor(user_id=user_id_for(user), name=user, guild_id=CONSOLE_GUILD_ID,
                           channel_id=CONSOLE_CHANNEL_ID, can_manage_guild=True, can_manage_events=True)
        self.as_json = as_json
        self.out = out
        self._next_message_id = 1

    async def handle(self, line: str) -> None:
        if not line.strip() or line.lstrip().startswith("#"):
            return
        try:
            parsed = parse_line(line, self.tree)
        except ConsoleInputError as error:
            self.emit(line, self.app.failure_reply(str(error), title="Unknown command or option"))
            return
        try:
            if parsed.kind == "press":
                reply = await self.app.dispatch_component(self.actor, parsed.name, parsed.values)
            else:
                reply = await self.app.dispatch_command(self.actor, parsed.name, parsed.options)
        except Exception as error:  # noqa: BLE001 - the console never dies on one bad command
            reply = self.app.apology(error, line)
        if reply.on_sent:
            await reply.on_sent(CONSOLE_CHANNEL_ID, self.next_message_id())
        self.emit(line, reply)

    def emit(self, line: str, reply: Reply) -> None:
        if self.as_json:
            payload = {"input": line.strip(), "ephemeral": reply.ephemeral, "result": to_json(reply.result)}
            self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            marker = " (only you can see this)" if reply.ephemeral else ""
            self.out.write(f"{render_text(render(reply.result))}{marker}\n\n")
        self.out.flush()

    def next_message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id - 1


class ConsolePublisher(Publisher):
    """Messages the bot posts on its own (announcements, ballot updates) are printed as they happen."""

    def __init__(self, console: Console):
        self.console = console

    async def post(self, channel_id: int | None, result: Any) -> int | None:
        self.console.emit("(posted by Marquee)", Reply(result))
        return self.console.next_message_id()

    async def edit(self, channel_id: int | None, message_id: int, result: Any) -> None:
        # Ballot edits are frequent and the console already shows every answer; print nothing.
        return None


async def run_console(settings: Settings, *, user: str, as_json: bool,
                      stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    from .client import MarqueeBot

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    app = await Marquee.open(settings.database_path, default_region=settings.default_region)
    bot = MarqueeBot(settings, app=app, serving=False)
    try:
        await bot.load_cogs()
        app.command_index = bot.command_index()
        console = Console(app, bot.tree, user=user, as_json=as_json, out=out)
        app.attach_publisher(ConsolePublisher(console))
        interactive = stdin.isatty() and out.isatty()
        if interactive:
            _enable_history()
            out.write("Marquee console — type /help, or Ctrl-D to leave.\n")
        while True:
            line = _read(stdin, interactive)
            if line is None:
                break
            await console.handle(line)
    finally:
        await app.close()
    return 0


def _read(stdin: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return input("marquee> ")
        except EOFError:
            return None
    line = stdin.readline()
    return line if line else None


def _enable_history() -> None:
    try:
        import readline  # noqa: F401 - importing it gives input() line editing and history
    except ImportError:
        pass
