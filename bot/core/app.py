"""`Marquee`: the application without Discord — the context, the feature services and the handler registry.

The composition root (`bot.composition`) opens one with the feature list; the Discord bot and the console
then call `dispatch_command` / `dispatch_component`. Nothing here knows a particular feature.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from pathlib import Path
from typing import Any, Iterable, TypeVar

from ..storage.connect import open_database
from .catalogue import Catalogue, normal_query
from .cluster import CatalogueWatcher
from .context import Context
from .errors import NeedsChoice, UserError
from .feature import Feature, RunsInBackground, Stoppable, handler_objects
from .interface import (
    CUSTOM_ID_MAX, Actor, Commands, Handler, Handlers, Publisher, Reply, component, custom_id, parse_custom_id,
)
from .live import LiveOptions
from .results import CommandInfo, Disambiguation, Failure

log = logging.getLogger(__name__)

S = TypeVar("S")

RERUN_INDEX_DIGITS = 2  # a "which one?" prompt offers a handful of films; a longer index is forged


class Marquee:
    def __init__(self, ctx: Context, features: Iterable[Feature]) -> None:
        self.ctx = ctx
        self.features = tuple(features)
        self.services: list[object] = [feature.build(ctx) for feature in self.features]
        # The app's own `rerun` prompt buttons too.
        self.handlers = Handlers().collect(self, *(obj for s in self.services for obj in handler_objects(s)))
        ctx.commands = _AppCommands(self)
        self._background: list[asyncio.Task[None]] = []

    @classmethod
    async def open(cls, database: Path | str, features: Iterable[Feature], *,
                   default_region: str = "US", live: LiveOptions | None = None) -> "Marquee":
        """The app over the database at `database`: a SQLite file path or a `postgresql://` URL."""
        db = await open_database(database)
        try:
            catalogue = await Catalogue.load(db)
            return cls(Context(db, catalogue, default_region=default_region, live=live), features)
        except BaseException:
            await db.close()
            raise

    @property
    def catalogue(self) -> Catalogue:
        return self.ctx.catalogue

    def service(self, kind: type[S]) -> S:
        """The running service of that class (typed), e.g. `app.service(DiscoveryService)`."""
        for service in self.services:
            if isinstance(service, kind):
                return service
        raise LookupError(f"no {kind.__name__} is loaded")

    def attach_publisher(self, publisher: Publisher) -> None:
        """Where services post public messages on their own (Discord channels, or the console)."""
        self.ctx.publisher = publisher

    async def start_background(self) -> None:
        # Catalogue edits made by other processes (or `marquee catalog` on the same database) reach this one.
        watcher = CatalogueWatcher(self.catalogue, self.ctx.db)
        self._background.append(asyncio.create_task(watcher.run(), name="catalogue watcher"))
        for service in self.services:
            if isinstance(service, RunsInBackground):
                task = asyncio.create_task(service.start_background(), name=f"{type(service).__name__} background")
                self._background.append(task)

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        for task in self._background:
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down anyway
                pass
        for service in self.services:
            if isinstance(service, Stoppable):
                await service.stop()
        await self.ctx.publisher.flush()
        await self.catalogue.close()
        await self.ctx.live.close()
        await self.ctx.db.close()

    # Dispatch ------------------------------------------------------------------------------------------
    async def dispatch_command(self, actor: Actor, name: str, options: dict[str, Any]) -> Reply:
        handler = self.handlers.commands.get(name)
        if handler is None:
            return self.failure_reply(f"`/{name}` is not a Marquee command. Try `/help`.",
                                      title="Unknown command")
        options = {k: v for k, v in options.items() if v is not None}
        reply = await self._call(handler, actor, **options)
        if isinstance(reply.result, Disambiguation) and not reply.result.choice_ids:
            await self._offer_rerun(actor, name, options, reply.result)
        return reply

    async def _offer_rerun(self, actor: Actor, name: str, options: dict[str, Any], prompt: Disambiguation) -> None:
        """Make the prompt's buttons re-run this command with the chosen film (state in ui_state).

        The prompt's query is the text as film lookup read it, so the option is found by reading the
        options the same way (`"Ballerina "` asked for "Ballerina")."""
        option = next((k for k, v in options.items() if isinstance(v, str) and normal_query(v) == prompt.query), None)
        state = {"command": name, "options": options, "option": option, "films": [f.id for f in prompt.candidates]}
        token = await self.ctx.ui_state.put(actor.user_id, "rerun", state)
        prompt.choice_ids = [custom_id("rerun", token, n) for n in range(len(prompt.candidates))]

    @component("rerun")
    async def rerun(self, actor: Actor, token: str, index: str, *, values: list[str]) -> Reply:
        """A disambiguation button: run the original command again with the chosen film."""
        stored = await self.ctx.ui_state.get(token, "rerun")
        if stored is None or not (index.isascii() and index.isdecimal()) or len(index) > RERUN_INDEX_DIGITS:
            return self.failure_reply("That choice has expired. Run the command again.",
                                      title="That control has expired")
        owner, state = stored
        if owner != actor.user_id:
            return self.failure_reply("This choice belongs to someone else's command. Run it yourself to choose.",
                                      title="Not your prompt")
        films = state["films"]
        if int(index) >= len(films) or not state.get("option"):
            return self.failure_reply("That choice is not valid any more. Run the command again.")
        options = dict(state["options"], **{state["option"]: films[int(index)]})
        reply = await self.dispatch_command(actor, state["command"], options)
        if reply.ephemeral:
            reply.update = True  # replace the prompt with the answer
        return reply

    async def dispatch_component(self, actor: Actor, custom_id: str, values: list[str]) -> Reply:
        parsed = parse_custom_id(custom_id)
        handler = self.handlers.components.get(parsed[0]) if parsed else None
        if parsed is None or handler is None:
            return self.failure_reply(
                "This button is from an older version of Marquee or no longer exists. "
                "Run the command again to get a fresh one.", title="That control has expired")
        _, args = parsed
        try:
            inspect.signature(handler).bind(actor, *args, values=values)
        except TypeError:
            # Wrong number of arguments: a forged or outdated custom_id.
            log.info("Malformed custom_id %r in guild %s", custom_id[:CUSTOM_ID_MAX], actor.guild_id)
            return self.failure_reply("That control is not valid any more. Run the command again.",
                                      title="That control has expired")
        return await self._call(handler, actor, *args, values=values)

    async def dispatch_message(self, actor: Actor, text: str) -> Reply | None:
        """A message written to Marquee in words (an @mention or a DM): the answer, or None to say nothing."""
        handler = self.handlers.message
        if handler is None:
            return None
        try:
            return await handler(actor, text)
        except UserError as error:
            return Reply(Failure(error.title, error.message, list(error.suggestions)), ephemeral=True)
        except NeedsChoice as choice:
            return Reply(choice.result, ephemeral=True)

    async def _call(self, handler: Handler, actor: Actor, *args: Any, **kwargs: Any) -> Reply:
        try:
            return await handler(actor, *args, **kwargs)
        except UserError as error:
            return Reply(Failure(error.title, error.message, list(error.suggestions)), ephemeral=True)
        except NeedsChoice as choice:
            return Reply(choice.result, ephemeral=True)

    # Answers every feature gives ------------------------------------------------------------------------
    @staticmethod
    def failure_reply(message: str, *, title: str = "That didn't work") -> Reply:
        return Reply(Failure(title, message), ephemeral=True)

    @staticmethod
    def apology(error: BaseException, context: str) -> Reply:
        error_id = uuid.uuid4().hex[:8]
        log.error("Error %s in %s", error_id, context, exc_info=error)
        return Reply(Failure("Something went wrong", "Sorry — that went wrong on our side. It has been logged.",
                             error_id=error_id), ephemeral=True)

    @property
    def command_index(self) -> dict[str, list[CommandInfo]]:
        return self.ctx.command_index

    @command_index.setter
    def command_index(self, index: dict[str, list[CommandInfo]]) -> None:
        self.ctx.command_index = index


class _AppCommands(Commands):
    """`Context.commands` of a running app: every loaded feature's command handlers."""

    def __init__(self, app: Marquee) -> None:
        self._app = app

    def handles(self, name: str) -> bool:
        return name in self._app.handlers.commands

    async def run(self, actor: Actor, name: str, options: dict[str, Any]) -> Reply:
        return await self._app.dispatch_command(actor, name, options)
