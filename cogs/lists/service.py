"""Personal lists and preferences (/watchlist, /seen, /unseen, /rate, /prefs, /forgetme) and server
settings (/settings). They feed /watch (seen films are skipped) and movie-night suggestions."""
from __future__ import annotations

from dataclasses import replace

from bot.core.checks import checked_range, checked_region, checked_timezone
from bot.core.context import Context
from bot.core.errors import NotAllowed, UserError
from bot.core.interface import Actor, Reply, command, component
from bot.core.results import Notice
from bot.domain.models import Film
from bot.storage.people import UserPrefs

from .results import ForgetDone, ForgetPrompt, PrefsView, SettingsView, WatchlistView

STARS = (1, 5)


class ListsService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.people = ctx.people
        self.cat = ctx.catalogue

    def _film(self, text: str) -> Film:
        return self.cat.find(text)

    def _known(self, film_id: str) -> Film:
        film = self.cat.catalog.get(film_id)
        if film is None:
            raise UserError("That film is no longer in the catalogue.")
        return film

    # Watchlist ---------------------------------------------------------------------------------------
    @command("watchlist add")
    async def watchlist_add(self, actor: Actor, film: str) -> Reply:
        return await self._add(actor, self._film(film))

    async def _add(self, actor: Actor, film: Film) -> Reply:
        added = await self.people.add_to_watchlist(actor.user_id, film.id)
        if added:
            await self.ctx.live.activity.record(actor.guild_id, actor.user_id, film.id, "watchlist")
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
        films = [f for e in entries if (f := self.cat.catalog.get(e.film_id)) is not None]
        seen = await self.people.seen_ids(owner)
        is_self = owner == actor.user_id
        name = actor.name if is_self else (member_name or "This member")
        return Reply(WatchlistView(owner, name, is_self, films, seen), ephemeral=is_self)

    @component("wl")
    async def watchlist_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        return await self._add(actor, self._known(film_id))

    # Seen and ratings -------------------------------------------------------------------------------
    @command("seen")
    async def seen(self, actor: Actor, film: str) -> Reply:
        return await self._mark_seen(actor, self._film(film))

    async def _mark_seen(self, actor: Actor, film: Film) -> Reply:
        added = await self.people.mark_seen(actor.user_id, film.id)
        if added:
            await self.ctx.live.activity.record(actor.guild_id, actor.user_id, film.id, "watched")
        text = ("Marked as seen: /watch won't suggest it to you again." if added
                else "You had already marked it as seen.")
        return Reply(Notice(film.label, text, ok=bool(added)), ephemeral=True)

    @component("seen")
    async def seen_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        return await self._mark_seen(actor, self._known(film_id))

    @command("unseen")
    async def unseen(self, actor: Actor, film: str) -> Reply:
        chosen = self._film(film)
        removed = await self.people.unmark_seen(actor.user_id, chosen.id)
        text = "No longer marked as seen." if removed else "It wasn't marked as seen."
        return Reply(Notice(chosen.label, text, ok=removed), ephemeral=True)

    @command("rate")
    async def rate(self, actor: Actor, film: str, stars: int) -> Reply:
        checked_range("stars", stars, *STARS)
        chosen = self._film(film)
        previous = await self.people.rate(actor.user_id, chosen.id, stars)
        await self.ctx.live.activity.record(actor.guild_id, actor.user_id, chosen.id, "rated")
        if await self.people.mark_seen(actor.user_id, chosen.id):
            await self.ctx.live.activity.record(actor.guild_id, actor.user_id, chosen.id, "watched")
        was = f" (was {'★' * previous})" if previous and previous != stars else ""
        return Reply(Notice(chosen.label, f"Your rating: {'★' * stars}{'☆' * (5 - stars)}{was}"), ephemeral=True)

    # Preferences ------------------------------------------------------------------------------------
    @command("prefs")
    async def prefs(self, actor: Actor, region: str | None = None, services: str | None = None,
                    clear: bool = False) -> Reply:
        current = await self.people.prefs(actor.user_id)
        changed = clear or region is not None or services is not None
        if clear:
            current = UserPrefs(actor.user_id)
        if region is not None:
            current = replace(current, region=checked_region(region))
        if services is not None:
            current = replace(current, services=self.cat.services_in(services))
        if changed:
            await self.people.save_prefs(current)
        effective = await self.ctx.region_for(actor)
        return Reply(PrefsView(current.region, self.cat.service_names(current.services), effective, changed),
                     ephemeral=True)

    # Forget me --------------------------------------------------------------------------------------
    @command("forgetme")
    async def forgetme(self, actor: Actor) -> Reply:
        return Reply(ForgetPrompt(actor.user_id), ephemeral=True)

    @component("forget")
    async def forget_confirmed(self, actor: Actor, user_id: str, *, values: list[str]) -> Reply:
        if user_id != str(actor.user_id):
            raise NotAllowed("Only the person who asked can confirm deleting their own data.")
        forgotten = await self.people.forget(actor.user_id)
        return Reply(ForgetDone(forgotten.counts, forgotten.anonymised), ephemeral=True, update=True)

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
            current = replace(current, region=checked_region(region))
        if services is not None:
            current = replace(current, services=self.cat.services_in(services))
        if channel is not None:
            current = replace(current, night_channel_id=channel)
        if timezone is not None:
            current = replace(current, timezone=checked_timezone(timezone))
        if changed:
            await self.people.save_guild_settings(current)
        return Reply(SettingsView(current.region, self.cat.service_names(current.services), current.night_channel_id,
                                  current.timezone, changed), ephemeral=True)
