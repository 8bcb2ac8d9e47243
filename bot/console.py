"""`python -m bot console`: the same commands, services and database as the bot, without Discord.

One command per line in Discord's own shape (`/similar film:"Kill Bill" count:5`); `press <custom_id>
[value ...]` clicks a button or picks select values from an earlier answer; `@Marquee <words>` asks in plain
words, as a message mentioning the bot does; `menu "<name>" <text or @user>` uses a right-click menu.
The command definitions come from the real cogs' command tree, so option names, types, ranges and
choices are checked exactly as Discord checks them.
"""
from __future__ import annotations

import json
import re
import shlex
import sys
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, TextIO

from discord import AppCommandOptionType, AppCommandType, app_commands

from .core.app import Marquee
from .core.interface import Actor, Publisher, Reply
from .core.rendering import render, render_text, to_json

CONSOLE_GUILD_ID = 1
MENTION = re.compile(r"^\s*@marquee\b[,:]?\s*", re.IGNORECASE)
CONSOLE_CHANNEL_ID = 1


class ConsoleInputError(ValueError):
    """A line the console could not turn into a command; `title` says which kind of mistake it was."""

    def __init__(self, message: str, title: str = "Unknown command or option") -> None:
        super().__init__(message)
        self.title = title


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
        raise ConsoleInputError(f"Couldn't read that line: {error} (check your quotes).",
                                title="Couldn't read that line") from error
    if tokens and tokens[0] == "press":
        if len(tokens) < 2:
            raise ConsoleInputError("Usage: press <custom_id> [value ...]", title="How to press")
        return ParsedLine("press", tokens[1], {}, tokens[2:])
    if tokens and tokens[0] == "menu":
        return _menu(tokens[1:], tree)
    if not tokens or not tokens[0].startswith("/"):
        raise ConsoleInputError("Commands start with a slash, e.g. /help or /similar film:\"Kill Bill\" "
                                "(or ask in words: @Marquee a cosy 90s comedy).", title="Not a command")
    tokens[0] = tokens[0][1:]
    path = []
    while tokens and ":" not in tokens[0]:
        path.append(tokens.pop(0).lower())
    command = find_command(tree, path)
    if command is None:
        known = ", ".join(f"/{n}" for n in command_names(tree))
        raise ConsoleInputError(f"`/{' '.join(path)}` is not a Marquee command. Commands: {known}",
                                title="Unknown command")
    raw: dict[str, str] = {}
    for token in tokens:
        key, _, value = token.partition(":")
        raw[key.strip().lower()] = value
    return ParsedLine("command", command.qualified_name, convert_options(command, raw), [])


def _menu(tokens: list[str], tree: app_commands.CommandTree) -> ParsedLine:
    """`menu "Films in this message" <the message's text>` or `menu "What would they like?" @bob`: a
    right-click menu, on a message typed after its name or on a console user."""
    usage = 'Usage: menu "<menu name>" <message text>, or menu "<menu name>" @user'
    if len(tokens) < 2:
        raise ConsoleInputError(usage, title="How to use a menu")
    name, rest = tokens[0], tokens[1:]
    for kind in (AppCommandType.message, AppCommandType.user):
        menu = tree.get_command(name, type=kind)
        if menu is None:
            continue
        if kind is AppCommandType.message:
            return ParsedLine("command", menu.name, {"text": " ".join(rest)}, [])
        who = rest[0].lstrip("@")
        return ParsedLine("command", menu.name, {"member": user_id_for(who), "member_name": who}, [])
    menus = ", ".join(f'"{m.name}"' for kind in (AppCommandType.message, AppCommandType.user)
                      for m in tree.get_commands(type=kind))
    raise ConsoleInputError(f"There is no menu called “{name}”. Menus: {menus or 'none'}.", title="Unknown menu")


def convert_options(command: app_commands.Command, raw: dict[str, str]) -> dict[str, Any]:
    """Check and convert option values the way the Discord client does before it sends a command."""
    parameters = {p.display_name: p for p in command.parameters}
    unknown = sorted(set(raw) - set(parameters))
    if unknown:
        allowed = ", ".join(parameters) or "none"
        raise ConsoleInputError(f"/{command.qualified_name} has no option {', '.join(unknown)}. Options: {allowed}.",
                                title="Unknown option")
    result: dict[str, Any] = {}
    for name, param in parameters.items():
        if name not in raw:
            if param.required:
                raise ConsoleInputError(f"/{command.qualified_name} needs `{name}` ({param.description}).",
                                        title="Missing option")
            continue
        value = raw[name]
        if param.type is AppCommandOptionType.attachment:
            # `file:@path`: the handler gets the file's bytes and name, as the cog passes an attachment's.
            result[param.name], result["filename"] = _attachment(f"`{param.display_name}`", value)
            continue
        result[param.name] = _convert(command, param, value)
    return result


ATTACHMENT_MAX = 10 * 1024 * 1024  # Discord's upload limit for a bot's users without Nitro: 10 MiB


def _attachment(label: str, value: str) -> tuple[bytes, str]:
    """A file on this machine standing in for an attachment: `file:@ratings.csv`."""
    if not value.startswith("@") or len(value) < 2:
        raise ConsoleInputError(f"{label} is a file: give its path after an @, e.g. {label[1:-1]}:@export.zip",
                                title="Attach a file")
    path = Path(value[1:]).expanduser()
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(str(path))
        if size > ATTACHMENT_MAX:
            raise ConsoleInputError(f"{path.name} is {size / 1024 / 1024:.1f} MiB; Discord takes attachments of "
                                    f"up to {ATTACHMENT_MAX // 1024 // 1024} MiB.", title="File too large")
        return path.read_bytes(), path.name
    except OSError as error:
        raise ConsoleInputError(f"Can't read {value[1:]!r}: {error.strerror or error}.", title="No such file") from None


def _convert(command: app_commands.Command, param: app_commands.Parameter, value: str) -> Any:
    label = f"`{param.display_name}`"
    kind = param.type
    if kind is AppCommandOptionType.integer or kind is AppCommandOptionType.number:
        converted: Any = _number(label, value, kind, param.min_value, param.max_value)
    elif kind is AppCommandOptionType.boolean:
        lowered = value.lower()
        if lowered not in ("true", "false", "yes", "no"):
            raise ConsoleInputError(f"{label} must be true or false.", title="Not true or false")
        converted = lowered in ("true", "yes")
    elif kind is AppCommandOptionType.string:
        low, high = param.min_value, param.max_value
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            raise ConsoleInputError(f"{label} must be {low or 0}-{high} characters long.", title="Out of range")
        converted = value
    elif kind is AppCommandOptionType.user:
        converted = user_id_for(value.lstrip("@"))
    else:
        raise ConsoleInputError(f"{label} can't be given in the console.", title="Not in the console")
    if param.choices:
        allowed = {str(c.value): c.value for c in param.choices} | {c.name.lower(): c.value for c in param.choices}
        key = str(converted) if str(converted) in allowed else str(converted).lower()
        if key not in allowed:
            raise ConsoleInputError(f"{label} must be one of: {', '.join(c.name for c in param.choices)}.",
                                    title="Not one of the choices")
        converted = allowed[key]
    return converted


# What Discord itself accepts for a number option that sets no range of its own.
DISCORD_NUMBER_RANGE = (-(2**53), 2**53)
_NUMBER = re.compile(r"[+-]?[0-9]{1,20}(?:\.[0-9]{1,20})?")  # ASCII digits, and few of them
_WHOLE = re.compile(r"[+-]?[0-9]{1,20}")


def _number(label: str, value: str, kind: AppCommandOptionType, low: float | None, high: float | None) -> float | int:
    """An integer or number option as the Discord client checks it: plain digits inside the option's range.

    The pattern comes first: int() takes `１２`, `1_000` and 4,000 digits, float() takes `inf` and `nan`."""
    low = DISCORD_NUMBER_RANGE[0] if low is None else low
    high = DISCORD_NUMBER_RANGE[1] if high is None else high
    whole = kind is AppCommandOptionType.integer
    text = value.strip()
    if not (_WHOLE if whole else _NUMBER).fullmatch(text):
        digits = text.lstrip("+-")
        title = "Out of range" if digits.isascii() and digits.isdecimal() else "Not a number"
        raise ConsoleInputError(f"{label} must be a {'whole ' if whole else ''}number from {low} to {high}.",
                                title=title)
    number = int(text) if whole else float(text)
    if not low <= number <= high:
        raise ConsoleInputError(f"{label} must be between {low} and {high}.", title="Out of range")
    return number


_TIMESTAMP = re.compile(r"<t:(-?\d{1,12})(?::([tTdDfFR]))?>")
_USER = re.compile(r"<@!?(\d{1,20})>")
_ROLE = re.compile(r"<@&(\d{1,20})>")
_CHANNEL = re.compile(r"<#(\d{1,20})>")
_FORMATS = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%Y-%m-%d", "D": "%d %B %Y", "f": "%d %B %Y %H:%M",
            "F": "%A %d %B %Y %H:%M"}


def humanise(text: str, *, names: dict[int, str], zone: tzinfo | None = None, now: float | None = None) -> str:
    """Discord markup as a person reads it in Discord: timestamps as dates in the viewer's zone, mentions as
    names (`@alice`), channels as `#channel`. The console's text mode shows this; `--json` keeps the raw."""

    def timestamp(match: re.Match[str]) -> str:
        seconds, style = int(match.group(1)), match.group(2) or "f"
        try:
            moment = datetime.fromtimestamp(seconds, zone or timezone.utc).astimezone(zone)
        except (OverflowError, OSError, ValueError):
            return match.group(0)
        if style == "R":
            return _relative(seconds - (time.time() if now is None else now))
        return moment.strftime(_FORMATS[style]) + ("" if style in ("d", "D") else f" {moment.strftime('%Z')}")

    text = _TIMESTAMP.sub(timestamp, text)
    text = _USER.sub(lambda m: "@" + names.get(int(m.group(1)), f"user {m.group(1)}"), text)
    text = _ROLE.sub(lambda m: f"@role {m.group(1)}", text)
    return _CHANNEL.sub(lambda m: "#this-channel" if int(m.group(1)) == CONSOLE_CHANNEL_ID
                                  else f"#channel {m.group(1)}",
                        text)


def _relative(delta: float) -> str:
    future = delta >= 0
    seconds = abs(delta)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            span = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {span}" if future else f"{span} ago"
    return "in a moment" if future else "just now"


class Console:
    def __init__(self, app: Marquee, tree: app_commands.CommandTree[Any], *, user: str, as_json: bool, out: TextIO,
                 member: bool = False, zone: tzinfo | None = None):
        """`member=True` acts as a plain member of the console's server: no Manage Server, no Manage Events,
        not an owner of the bot."""
        self.app = app
        self.tree = tree
        self.actor = Actor(user_id=user_id_for(user), name=user, guild_id=CONSOLE_GUILD_ID,
                           channel_id=CONSOLE_CHANNEL_ID, can_manage_guild=not member, can_manage_events=not member,
                           is_owner=not member)  # whoever runs the console on the bot's machine owns its data
        self.as_json = as_json
        self.out = out
        self.zone = zone  # the viewer's zone for dates in text mode (None: this machine's local zone)
        self.names = {self.actor.user_id: user}
        self._next_message_id = 1

    async def handle(self, line: str) -> None:
        if not line.strip() or line.lstrip().startswith("#"):
            return
        if MENTION.match(line):
            await self.ask(line)
            return
        try:
            parsed = parse_line(line, self.tree)
        except ConsoleInputError as error:
            self.emit(line, self.app.failure_reply(str(error), title=error.title))
            return
        try:
            if parsed.kind == "press":
                reply = await self.app.dispatch_component(self.actor, parsed.name, parsed.values)
            else:
                reply = await self.app.dispatch_command(self.actor, parsed.name, parsed.options)
            if reply.later is not None:
                reply = await reply.later()
        except Exception as error:  # noqa: BLE001 - the console never dies on one bad command
            reply = self.app.apology(error, line)
        if reply.on_sent:
            await reply.on_sent(CONSOLE_CHANNEL_ID, self.next_message_id())
        self.emit(line, reply)

    async def ask(self, line: str) -> None:
        """`@Marquee a cosy 90s comedy`: what a message mentioning the bot gets (a reply, never private)."""
        try:
            reply = await self.app.dispatch_message(self.actor, MENTION.sub("", line, count=1))
        except Exception as error:  # noqa: BLE001 - the console never dies on one bad line
            reply = self.app.apology(error, line)
        if reply is None:
            self.out.write("(Marquee says nothing)\n\n")
            self.out.flush()
            return
        reply.ephemeral = False
        self.emit(line, reply)

    def emit(self, line: str, reply: Reply) -> None:
        if self.as_json:
            payload = {"input": line.strip(), "ephemeral": reply.ephemeral, "result": to_json(reply.result)}
            self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            marker = " (only you can see this)" if reply.ephemeral else ""
            text = humanise(render_text(render(reply.result)), names=self.names, zone=self.zone)
            self.out.write(f"{text}{marker}\n\n")
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


async def serve(app: Marquee, tree: app_commands.CommandTree[Any], *, user: str, as_json: bool,
                member: bool = False, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Read commands until the input ends, answering each from `app` (which the caller opened and closes)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    console = Console(app, tree, user=user, as_json=as_json, out=out, member=member)
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
