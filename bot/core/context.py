"""`Context`: what a feature's service is given at construction, instead of the whole application.

It holds the shared parts every feature may use (database, the people and UI-state stores, the
catalogue, where to publish, the default region) and the lookups that combine them (the region in force
for someone). Nothing here knows any feature.
"""
from __future__ import annotations

from typing import Any

from ..storage.backend import Backend
from ..storage.people import PeopleStore, UiStateStore
from .catalogue import Catalogue
from .checks import checked_region
from .cluster import Coordinator
from .errors import NotAllowed, UserError
from .interface import Actor, Commands, Publisher
from .live import LiveData, LiveOptions
from .results import CommandInfo


class Context:
    def __init__(self, db: Backend, catalogue: Catalogue, *, default_region: str = "US",
                 live: LiveOptions | None = None) -> None:
        self.db = db
        self.catalogue = catalogue
        # Outside data (TMDB, when switched on) and the activity behind each server's chart.
        self.live = LiveData(db, catalogue, live)
        self.people = PeopleStore(db)
        self.ui_state = UiStateStore(db)
        # Leases and shared rate limits, for work that must happen once however many processes serve.
        self.cluster = Coordinator(db)
        self.default_region = default_region
        # Replaced by the front end that serves: the Discord bot or the console.
        self.publisher: Publisher = Publisher()
        # Commands by /help heading, filled in by the front end from its command definitions.
        self.command_index: dict[str, list[CommandInfo]] = {}
        # Every feature's commands, to run one as its slash command would (set by Marquee).
        self.commands: Commands = Commands()

    async def owned_state(self, actor: Actor, token: str, kind: str, *, expired: str, not_yours: str,
                          not_yours_title: str) -> dict[str, Any]:
        """The state saved behind a control (`ui_state`), for the person it belongs to: anyone else is told
        `not_yours` (it holds the owner's filters, region and place), and a state that is gone, `expired`."""
        stored = await self.ui_state.get(token, kind)
        if stored is None:
            raise UserError(expired, title="That control has expired")
        owner, state = stored
        if owner != actor.user_id:
            raise NotAllowed(not_yours, title=not_yours_title)
        return state

    async def region_for(self, actor: Actor, explicit: str | None = None) -> str:
        """The region to answer for: given explicitly, else the user's, else the server's, else the default."""
        if explicit:
            return checked_region(explicit)
        prefs = await self.people.prefs(actor.user_id)
        if prefs.region:
            return prefs.region
        if actor.guild_id:
            settings = await self.people.guild_settings(actor.guild_id)
            if settings.region:
                return settings.region
        return self.default_region
