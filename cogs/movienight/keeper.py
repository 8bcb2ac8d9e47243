"""Reading movie nights for every part of the feature: the night a command or control means, the server's
settings (zone, region), and the entries and views the renderers show."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import timezone, tzinfo
from typing import Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.interface import Actor
from bot.core.text import clip, safe
from bot.domain.models import INCLUDED_KINDS, Film
from bot.storage.nights import CANCELLED, Ballot, Night, NightStore, Nominee
from bot.storage.people import GuildSettings

from .results import APPROVAL, NightView, NomineeEntry

log = logging.getLogger(__name__)

NIGHT_ID_DIGITS = 18  # a night id in a custom_id is a small positive integer; anything longer is forged


def shown(text: str | None) -> str:
    """User-typed (or catalogue) text made safe to embed in a message composed here."""
    return safe(clip(text, 100))


def stale(text: str = "This movie-night control is not valid any more. "
                      "Run `/movienight vote` for a fresh one.") -> UserError:
    return UserError(text, title="That control has expired")


def parse_night_id(text: str) -> int | None:
    """A night id from a custom_id: ASCII digits only (`²` is a digit to `isdigit()` but not to `int()`)."""
    if not (text.isascii() and text.isdecimal()) or len(text) > NIGHT_ID_DIGITS:
        return None
    return int(text)


class NightKeeper:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.store = NightStore(ctx.db)

    def film(self, film_id: str) -> Film | None:
        return self.ctx.catalogue.catalog.get(film_id)

    async def settings(self, guild_id: int | None) -> GuildSettings:
        if guild_id is None:
            return GuildSettings(0)
        return await self.ctx.people.guild_settings(guild_id)

    @staticmethod
    def zone(settings: GuildSettings) -> tzinfo:
        if settings.timezone:
            try:
                return ZoneInfo(settings.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("Guild %s has an unknown time zone %r; using UTC", settings.guild_id, settings.timezone)
        return timezone.utc

    def region(self, settings: GuildSettings) -> str:
        return (settings.region or self.ctx.default_region).upper()

    async def region_of(self, night: Night) -> str:
        return self.region(await self.settings(night.guild_id))

    def streams(self, film: Film | None, region: str) -> str:
        """Where a film streams in the region, one short line ("" when unknown)."""
        if film is None:
            return ""
        name_of = self.ctx.catalogue.services.name_of
        included: list[str] = []
        paid: list[str] = []
        for availability in film.streams_in(region):
            name = name_of(availability.service)
            target = included if availability.kind in INCLUDED_KINDS else paid
            if name not in target:
                target.append(name)
        parts = []
        if included:
            parts.append(", ".join(included[:4]))
        paid = [n for n in paid if n not in included]
        if paid:
            parts.append("rent/buy: " + ", ".join(paid[:3]))
        return " · ".join(parts)

    async def entries(self, night: Night, region: str, ballots: list[Ballot] | None = None,
                      nominees: list[Nominee] | None = None) -> list[NomineeEntry]:
        nominees = nominees if nominees is not None else await self.store.nominees(night.id)
        tally: Counter[str] = Counter()
        if night.voting == APPROVAL and ballots is not None:
            for ballot in ballots:
                tally.update(set(ballot.choices))
        result = []
        for nominee in nominees:
            film = self.film(nominee.film_id)
            result.append(NomineeEntry(
                nominee.position, nominee.film_id, film.title if film else nominee.film_id, film,
                nominee.nominated_by, self.streams(film, region),
                tally[nominee.film_id] if night.voting == APPROVAL else None,
            ))
        return result

    async def view(self, night: Night) -> NightView:
        settings = await self.settings(night.guild_id)
        region = self.region(settings)
        ballots = await self.store.ballots(night.id)
        entries = await self.entries(night, region, ballots)
        attendees = await self.store.attendees(night.id)
        winner = next((e for e in entries if e.film_id == night.winner_film_id), None)
        return NightView(night, entries, len(ballots), len(attendees), region,
                         getattr(self.zone(settings), "key", "UTC"), winner)

    async def night_here(self, actor: Actor) -> Night:
        """The open night of this channel (or of the server's movie-night channel)."""
        if actor.guild_id is None:
            raise UserError("Movie nights happen in a server channel, not in direct messages.")
        night = await self.store.open_in_channel(actor.channel_id)
        if night is None:
            settings = await self.settings(actor.guild_id)
            if settings.night_channel_id and settings.night_channel_id != actor.channel_id:
                night = await self.store.open_in_channel(settings.night_channel_id)
        if night is None:
            raise UserError("There is no open movie night in this channel. Start one with `/movienight start`.",
                            title="No movie night here")
        return night

    async def night_from_control(self, actor: Actor, night_id: str, *, must_be_open: bool = True) -> Night:
        """The night a button or select names, checked: a forged, foreign or stale id gets a polite no."""
        number = parse_night_id(night_id)
        if number is None:
            raise stale()
        night = await self.store.get(number)
        if night is None or night.guild_id != actor.guild_id:
            raise stale("That movie night doesn't exist (any more).")
        if must_be_open and not night.is_open:
            raise UserError(f"Voting for “{shown(night.title)}” has "
                            f"{'been cancelled' if night.status == CANCELLED else 'closed'}.",
                            title="This movie night is over")
        return night

    @staticmethod
    def may_manage(actor: Actor, night: Night) -> bool:
        return actor.user_id == night.host_id or actor.can_manage_events


class ShownTitles(Mapping[str, str]):
    """Film id -> title as shown in a count's explanation, looked up in the catalogue on demand."""

    def __init__(self, keeper: NightKeeper):
        self.keeper = keeper

    def __getitem__(self, film_id: str) -> str:
        film = self.keeper.film(film_id)
        return safe(film.title) if film else film_id

    def __iter__(self) -> Iterator[str]:
        return iter(self.keeper.ctx.catalogue.catalog.films)

    def __len__(self) -> int:
        return len(self.keeper.ctx.catalogue.catalog)
