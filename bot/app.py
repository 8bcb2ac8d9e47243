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
from .interface import Actor, Handlers, Publisher, Reply, component, custom_id, parse_custom_id
from .services.results import CommandInfo, Disambiguation, Failure, HelpResult
from .storage.db import Database
from .storage.people import PeopleStore, UiStateStore

log = logging.getLogger(__name__)


def validate_region(text: str) -> str:
    from .domain.dataset import REGIONS

    region = text.strip().upper()
    if region == "UK":
        region = "GB"
    if region not in REGIONS:
        raise UserError(f"“{text[:20]}” is not a region. Use a two-letter country code such as US, GB, DE, FR, KR or JP.",
                        title="Unknown region")
    return region


class Marquee:
    def __init__(self, db: Database, *, default_region: str = "US") -> None:
        self.db = db
        self.default_region = default_region
        self.people = PeopleStore(db)
        self.ui_state = UiStateStore(db)
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
            app.handlers.collect(app, *app.services)  # the app's own `rerun` prompt buttons too
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
        options = {k: v for k, v in options.items() if v is not None}
        reply = await self._call(handler, actor, **options)
        if isinstance(reply.result, Disambiguation) and not reply.result.choice_ids:
            await self._offer_rerun(actor, name, options, reply.result)
        return reply

    async def _offer_rerun(self, actor: Actor, name: str, options: dict[str, Any], prompt: Disambiguation) -> None:
        """Make the prompt's buttons re-run this command with the chosen film (state in ui_state)."""
        option = next((k for k, v in options.items() if v == prompt.query), None)
        state = {"command": name, "options": options, "option": option, "films": [f.id for f in prompt.candidates]}
        token = await self.ui_state.put(actor.user_id, "rerun", state)
        prompt.choice_ids = [custom_id("rerun", token, n) for n in range(len(prompt.candidates))]

    @component("rerun")
    async def rerun(self, actor: Actor, token: str, index: str, *, values: list[str]) -> Reply:
        """A disambiguation button: run the original command again with the chosen film."""
        stored = await self.ui_state.get(token, "rerun")
        if stored is None or not index.isdigit():
            return self.failure_reply("That choice has expired. Run the command again.", title="That control has expired")
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
        if handler is None:
            return self.failure_reply(
                "This button is from an older version of Marquee or no longer exists. "
                "Run the command again to get a fresh one.", title="That control has expired")
        _, args = parsed
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

    # Context shared by the features ------------------------------------------------------------------
    async def region_for(self, actor: Actor, explicit: str | None = None) -> str:
        """The region to answer for: given explicitly, else the user's, else the server's, else the default."""
        if explicit:
            return validate_region(explicit)
        prefs = await self.people.prefs(actor.user_id)
        if prefs.region:
            return prefs.region
        if actor.guild_id:
            settings = await self.people.guild_settings(actor.guild_id)
            if settings.region:
                return settings.region
        return self.default_region

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
