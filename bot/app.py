"""`Marquee`: the application without Discord — database, catalogue, services and the handler registry.

The Discord bot and the console each build one and call `dispatch_command` / `dispatch_component`.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from pathlib import Path
from typing import Any

from .errors import NeedsChoice, UserError
from .interface import Actor, Handlers, Publisher, Reply, parse_custom_id
from .services.results import CommandInfo, Failure, HelpResult
from .storage.db import Database
from .storage.people import PeopleStore

log = logging.getLogger(__name__)


class Marquee:
    def __init__(self, db: Database, *, default_region: str = "US") -> None:
        self.db = db
        self.default_region = default_region
        self.people = PeopleStore(db)
        self.command_index: dict[str, list[CommandInfo]] = {}
        self.handlers = Handlers()
        self._background: list[asyncio.Task] = []
        self.services: list[object] = []
        self.publisher: Publisher = Publisher()

    @classmethod
    async def open(cls, database_path: Path | str, *, default_region: str = "US") -> "Marquee":
        from .services.catalog import CatalogService
        from .services.meta import MetaService

        db = await Database.open(database_path)
        try:
            app = cls(db, default_region=default_region)
            app.catalog = await CatalogService.load(db)
            app.meta = MetaService(app)
            app.services = [app.meta, app.catalog]
            app._install_feature_services()
            app.handlers.collect(*app.services)
        except BaseException:
            await db.close()
            raise
        return app

    def _install_feature_services(self) -> None:
        """Discovery, lists and movie nights build on the catalogue; each registers its handlers."""
        from .services import features

        self.services.extend(features.build(self))

    def attach_publisher(self, publisher: Publisher) -> None:
        """Where services post public messages on their own (Discord channels, or the console)."""
        self.publisher = publisher

    async def start_background(self) -> None:
        for service in self.services:
            if start := getattr(service, "start_background", None):
                self._background.append(asyncio.create_task(start(), name=f"{type(service).__name__} background"))

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
        for task in self._background:
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down anyway
                pass
        for service in self.services:
            if stop := getattr(service, "stop", None):
                await stop()
        await self.db.close()

    # Dispatch ------------------------------------------------------------------------------------------
    async def dispatch_command(self, actor: Actor, name: str, options: dict[str, Any]) -> Reply:
        handler = self.handlers.commands.get(name)
        if handler is None:
            return self.failure_reply(f"`/{name}` is not a Marquee command. Try `/help`.",
                                      title="Unknown command")
        return await self._call(handler, actor, **{k: v for k, v in options.items() if v is not None})

    async def dispatch_component(self, actor: Actor, custom_id: str, values: list[str]) -> Reply:
        parsed = parse_custom_id(custom_id)
        handler = self.handlers.components.get(parsed[0]) if parsed else None
        if handler is None:
            return self.failure_reply(
                "This button is from an older version of Marquee or no longer exists. "
                "Run the command again to get a fresh one.", title="That control has expired")
        action, args = parsed
        try:
            inspect.signature(handler).bind(actor, *args, values=values)
        except TypeError:
            # Wrong number of arguments: a forged or outdated custom_id.
            log.info("Malformed custom_id %r from user %s", custom_id, actor.user_id)
            return self.failure_reply("That control is not valid any more. Run the command again.",
                                      title="That control has expired")
        return await self._call(handler, actor, *args, values=values)

    async def _call(self, handler, actor: Actor, *args: Any, **kwargs: Any) -> Reply:
        try:
            return await handler(actor, *args, **kwargs)
        except UserError as error:
            return Reply(Failure(error.title, error.message, list(error.suggestions)), ephemeral=True)
        except NeedsChoice as choice:
            return Reply(choice.result, ephemeral=True)

    def failure_reply(self, message: str, *, title: str = "That didn't work") -> Reply:
        return Reply(Failure(title, message), ephemeral=True)

    @staticmethod
    def apology(error: BaseException, context: str) -> Reply:
        error_id = uuid.uuid4().hex[:8]
        log.error("Error %s in %s", error_id, context, exc_info=error)
        return Reply(Failure("Something went wrong", "Sorry — that went wrong on our side. It has been logged.",
                             error_id=error_id), ephemeral=True)

    def help(self) -> HelpResult:
        return HelpResult(self.command_index)
