"""Personal lists and preferences (/watchlist, /seen, /unseen, /rate, /prefs, /forgetme) and server
settings (/settings). They feed /watch (seen films are skipped) and movie-night suggestions."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..app import validate_region
from ..domain.models import Film
from ..errors import NotAllowed, UserError
from ..interface import Actor, Reply, command, component
from ..storage.people import UserPrefs
from .results import Notice

if TYPE_CHECKING:
    from ..app import Marquee

MAX_SERVICES = 15


@dataclass(slots=True)
class WatchlistView:
    owner_id: int
    owner_name: str
    is_self: bool
    films: list[Film]
    seen: set[str] = field(default_factory=set)


@dataclass(slots=True)
class PrefsView:
    region: str | None
    services: list[str]  # display names
    effective_region: str
    changed: bool


@dataclass(slots=True)
class ForgetPrompt:
    user_id: int


@dataclass(slots=True)
class ForgetDone:
    removed: dict[str, int]


@dataclass(slots=True)
class SettingsView:
    region: str | None
    services: list[str]
    night_channel_id: int | None
    timezone: str | None
    changed: bool


class ListsService:
    def __init__(self, app: "Marquee") -> None:
        self.app = app
        self.people = app.people

    def _film(self, text: str) -> Film:
        return self.app.catalog.find(text)

    # Watchlist ---------------------------------------------------------------------------------------
    @command("watchlist add")
    async def watchlist_add(self, actor: Actor, film: str) -> Reply:
        chosen = self._film(film)
        return await self._add(actor, chosen)

    async def _add(self, actor: Actor, film: Film) -> Reply:
        added = await self.people.add_to_watchlist(actor.user_id, film.id)
        text = "Added to your watchlist." if added else "It was already on your watchlist."
        return Reply(Notice(film.label, text, ok=added), ephemeral=True)

    @command("watchlist remove")
    async def watchlist_remove(self, actor: Actor, film: str) -> Reply:
        chosen = self._film(film)
        removed = await self.people.remove_from_watchlist(actor.user_id, chosen.id)
        text = "Removed from your watchlist." if removed else "It wasn't on your watchlist."
        return Reply(Notice(chosen.label, text, ok=removed), ephemeral=True)

    @command("watchlist show")
    async def watchlist_show(self, actor: Actor, member: int | None = None, member_name: str | None = None) -> Reply:
        owner = member or actor.user_id
        entries = await self.people.watchlist(owner)
        films = [f for e in entries if (f := self.app.catalog.catalog.get(e.film_id)) is not None]
        seen = await self.people.seen_ids(owner)
        name = actor.name if owner == actor.user_id else (member_name or "They")
        return Reply(WatchlistView(owner, name, owner == actor.user_id, films, seen), ephemeral=owner == actor.user_id)

    @component("wl")
    async def watchlist_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        film = self.app.catalog.catalog.get(film_id)
        if film is None:
            raise UserError("That film is no longer in the catalogue.")
        return await self._add(actor, film)

    # Seen and ratings -------------------------------------------------------------------------------
    @command("seen")
    async def seen(self, actor: Actor, film: str) -> Reply:
        return await self._mark_seen(actor, self._film(film))

    async def _mark_seen(self, actor: Actor, film: Film) -> Reply:
        added = await self.people.mark_seen(actor.user_id, film.id)
        text = ("Marked as seen: /watch won't suggest it to you again." if added
                else "You had already marked it as seen.")
        return Reply(Notice(film.label, text, ok=bool(added)), ephemeral=True)

    @component("seen")
    async def seen_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        film = self.app.catalog.catalog.get(film_id)
        if film is None:
            raise UserError("That film is no longer in the catalogue.")
        return await self._mark_seen(actor, film)

    @command("unseen")
    async def unseen(self, actor: Actor, film: str) -> Reply:
        chosen = self._film(film)
        removed = await self.people.unmark_seen(actor.user_id, chosen.id)
        text = "No longer marked as seen." if removed else "It wasn't marked as seen."
        return Reply(Notice(chosen.label, text, ok=removed), ephemeral=True)

    @command("rate")
    async def rate(self, actor: Actor, film: str, stars: int) -> Reply:
        if not 1 <= stars <= 5:
            raise UserError("Stars go from 1 to 5.", title="Out of range")
        chosen = self._film(film)
        previous = await self.people.rate(actor.user_id, chosen.id, stars)
        await self.people.mark_seen(actor.user_id, chosen.id)
        was = f" (was {'★' * previous})" if previous and previous != stars else ""
        return Reply(Notice(chosen.label, f"Your rating: {'★' * stars}{'☆' * (5 - stars)}{was}"), ephemeral=True)

    # Preferences ------------------------------------------------------------------------------------
    def parse_services(self, text: str) -> tuple[str, ...]:
        """'netflix, prime video' -> ('netflix', 'prime-video'); unknown names get the list of known ones."""
        keys: list[str] = []
        unknown: list[str] = []
        for part in [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]:
            service = self.app.catalog.services.resolve(part)
            if service is None:
                unknown.append(part)
            elif service.key not in keys:
                keys.append(service.key)
        if unknown:
            known = ", ".join(s.name for s in self.app.catalog.services.values())
            raise UserError(f"I don't know the service(s) {', '.join(repr(u[:30]) for u in unknown)}. Known services: {known}.",
                            title="Unknown service")
        if len(keys) > MAX_SERVICES:
            raise UserError(f"That's more than {MAX_SERVICES} services; list the ones you use most.")
        return tuple(keys)

    def service_names(self, keys: tuple[str, ...]) -> list[str]:
        services = self.app.catalog.services
        return [services[k].name if k in services else k for k in keys]

    @command("prefs")
    async def prefs(self, actor: Actor, region: str | None = None, services: str | None = None,
                    clear: bool = False) -> Reply:
        current = await self.people.prefs(actor.user_id)
        changed = clear or region is not None or services is not None
        if clear:
            current = UserPrefs(actor.user_id)
        if region is not None:
            current = replace(current, region=validate_region(region))
        if services is not None:
            current = replace(current, services=self.parse_services(services))
        if changed:
            await self.people.save_prefs(current)
        effective = await self.app.region_for(actor)
        return Reply(PrefsView(current.region, self.service_names(current.services), effective, changed), ephemeral=True)

    # Forget me --------------------------------------------------------------------------------------
    @command("forgetme")
    async def forgetme(self, actor: Actor) -> Reply:
        return Reply(ForgetPrompt(actor.user_id), ephemeral=True)

    @component("forget")
    async def forget_confirmed(self, actor: Actor, user_id: str, *, values: list[str]) -> Reply:
        if user_id != str(actor.user_id):
            raise NotAllowed("Only the person who asked can confirm deleting their own data.")
        forgotten = await self.people.forget(actor.user_id)
        return Reply(ForgetDone(forgotten.counts), ephemeral=True, update=True)

    @component("forget_cancel")
    async def forget_cancelled(self, actor: Actor, *, values: list[str]) -> Reply:
        return Reply(Notice("Nothing deleted", "Your data is untouched.", ok=False), ephemeral=True, update=True)

    # Server settings --------------------------------------------------------------------------------
    @command("settings")
    async def settings(self, actor: Actor, region: str | None = None, services: str | None = None,
                       channel: int | None = None, timezone: str | None = None) -> Reply:
        if actor.guild_id is None:
            raise UserError("Server settings only make sense inside a server.")
        current = await self.people.guild_settings(actor.guild_id)
        changed = any(v is not None for v in (region, services, channel, timezone))
        if changed and not actor.can_manage_guild:
            raise NotAllowed("Only members with the Manage Server permission can change Marquee's server settings. "
                             "Run /settings without options to see them.")
        if region is not None:
            current = replace(current, region=validate_region(region))
        if services is not None:
            current = replace(current, services=self.parse_services(services))
        if channel is not None:
            current = replace(current, night_channel_id=channel)
        if timezone is not None:
            current = replace(current, timezone=validate_timezone(timezone))
        if changed:
            await self.people.save_guild_settings(current)
        return Reply(SettingsView(current.region, self.service_names(current.services), current.night_channel_id,
                                  current.timezone, changed), ephemeral=True)


def validate_timezone(text: str) -> str:
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"“{name[:40]}” is not a time zone. Use an IANA name such as Europe/London, "
                        "America/New_York or Asia/Seoul.", title="Unknown time zone") from None
    return name
