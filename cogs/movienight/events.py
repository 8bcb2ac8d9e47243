"""The Discord scheduled event that mirrors a movie night: created with a showtime, renamed for the
winner with the film's runtime, cancelled when the night is."""
from __future__ import annotations

import time
from datetime import timedelta

from bot.storage.nights import CANCELLED, CLOSED, Night

from .keeper import NightKeeper
from .results import NomineeEntry

EVENT_NAME_MAX = 100  # a scheduled event's name is at most 100 characters
EVENT_DESCRIPTION_MAX = 1000
EVENT_LENGTH_WITHOUT_FILM = timedelta(hours=3)
EVENT_SLACK = timedelta(minutes=15)  # trailers, snacks and arguing about subtitles
NOMINEES_IN_DESCRIPTION = 10


class EventKeeper:
    def __init__(self, keeper: NightKeeper) -> None:
        self.keeper = keeper

    @staticmethod
    def description(entries: list[NomineeEntry], winner: NomineeEntry | None) -> str:
        if winner is not None:
            year = f" ({winner.film.year})" if winner.film and winner.film.year else ""
            lines = [f"We're watching {winner.title}{year}."]
        elif entries:
            more = "…" if len(entries) > NOMINEES_IN_DESCRIPTION else ""
            lines = ["Nominees: " + ", ".join(e.title for e in entries[:NOMINEES_IN_DESCRIPTION]) + more]
        else:
            lines = ["Nominate films and vote in the channel with /movienight."]
        lines.append("Organised with Marquee.")
        return "\n".join(lines)[:EVENT_DESCRIPTION_MAX]

    async def create(self, night: Night) -> None:
        if night.showtime is None or night.guild_id is None or night.showtime <= time.time():
            return
        event_id = await self.keeper.ctx.publisher.create_event(
            night.guild_id, name=night.title[:EVENT_NAME_MAX], start=float(night.showtime),
            end=float(night.showtime + EVENT_LENGTH_WITHOUT_FILM.total_seconds()),
            description=self.description([], None), location="Movie night on Discord")
        if event_id is not None:
            await self.keeper.store.set_event(night.id, event_id)

    async def sync(self, night_id: int) -> None:
        """Bring the event in line with the night: nominees, winner and end time, or cancelled. One process at a
        time reads the night and edits its event, so the last edit shows the latest state."""
        async with self.keeper.ctx.cluster.exclusive(f"event:{night_id}"):
            await self._sync(night_id)

    async def _sync(self, night_id: int) -> None:
        store, publisher = self.keeper.store, self.keeper.ctx.publisher
        night = await store.get(night_id)
        if night is None or night.event_id is None or night.guild_id is None:
            return
        if night.status == CANCELLED or (night.status == CLOSED and night.winner_film_id is None):
            await publisher.edit_event(night.guild_id, night.event_id, status="cancelled")
            return
        entries = await self.keeper.entries(night, await self.keeper.region_of(night))
        winner = next((e for e in entries if e.film_id == night.winner_film_id), None)
        end = None
        name = None
        if winner is not None:
            runtime = (timedelta(minutes=winner.film.runtime) if winner.film and winner.film.runtime
                       else EVENT_LENGTH_WITHOUT_FILM)
            if night.showtime:
                end = float(night.showtime + (runtime + EVENT_SLACK).total_seconds())
            name = f"{night.title}: {winner.title}"[:EVENT_NAME_MAX]
        await publisher.edit_event(night.guild_id, night.event_id, name=name, end=end,
                                   description=self.description(entries, winner))
