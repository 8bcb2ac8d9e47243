"""/movienight: start a night, nominate, vote (approval or ranked), suggest for the group, close fairly.

State lives in the database (bot/storage/nights.py); every control's custom_id carries the night id
(`mq:mn…:<night_id>`), so the ballot message keeps working after a restart. The public ballot message is
refreshed through `app.publisher` by one refresher per night: however many votes arrive at once, the
view is rebuilt after the last of them, so the final state is always the one shown.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain import voting
from ..domain.catalog import service_key
from ..domain.models import Film
from ..domain.when import discord_timestamp, parse_duration, parse_when
from ..errors import NotAllowed, UserError
from ..interface import Actor, Reply, command, component
from ..storage.nights import (CANCELLED, CLOSED, MAX_NOMINEES, Ballot, Night, NightStore, Nominee,
                              Turnout)
from ..storage.people import GuildSettings

if TYPE_CHECKING:
    from ..app import Marquee

log = logging.getLogger(__name__)

APPROVAL, RANKED = "approval", "ranked"
DEFAULT_TITLE = "Movie night"
TITLE_MAX = 100  # a scheduled event's name is at most 100 characters
EVENT_LENGTH_WITHOUT_FILM = timedelta(hours=3)
EVENT_SLACK = timedelta(minutes=15)  # trailers, snacks and arguing about subtitles
CHECK_DEADLINES_AT_LEAST_EVERY = 300.0  # seconds; guards against clock jumps and missed wake-ups
TIE_RULE = ("Ties are broken by a fixed rule, never by chance: head-to-head first (ranked votes), then most first "
            "choices (ranked) or split support (approval: each ballot's vote shared among the films it approves), "
            "then the earliest nomination.")

# Ranked ballots under construction travel in the custom_id: one character per nominee position.
_POSITION_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_EMPTY_ORDER = "-"


# ---------------------------------------------------------------------------------------------------
# Results (rendered by bot/render/nights.py)


@dataclass(slots=True)
class NomineeEntry:
    position: int
    film_id: str
    title: str  # catalogue title (or the id when the film left the catalogue)
    film: Film | None
    nominated_by: int
    streams: str  # where it streams in the server's region, one short line ("" when unknown)
    approvals: int | None = None  # live tally, approval nights only


@dataclass(slots=True)
class NightView:
    """The public ballot message."""

    night: Night
    entries: list[NomineeEntry]
    voters: int
    attendees: int
    region: str
    timezone: str
    winner: NomineeEntry | None = None

    @property
    def full(self) -> bool:
        return len(self.entries) >= MAX_NOMINEES


@dataclass(slots=True)
class VoteBallot:
    """A voter's own (ephemeral) ballot: the approval select, or the ranked builder."""

    night: Night
    entries: list[NomineeEntry]
    chosen: list[int]  # positions: approved films, or the ranking being built (favourite first)
    counted: bool = False  # the ranking shown is the one that counts
    status: str = ""  # what just happened ("Counted", "Nothing changed")


@dataclass(slots=True)
class Announcement:
    """Posted in the channel when a night closes."""

    night: Night
    winner: NomineeEntry | None
    outcome: dict[str, Any]
    attendees: int
    marked_seen: int
    closed_by: str | None = None  # None: the deadline closed it


@dataclass(slots=True)
class Suggestion:
    film: Film
    reasons: list[str]


@dataclass(slots=True)
class GroupSuggestions:
    night: Night
    picks: list[Suggestion]
    group_size: int
    note: str = ""
    services_known: bool = False  # ranked by the services the group has (not just the region)


@dataclass(slots=True)
class HistoryEntry:
    night: Night
    winner_title: str | None
    turnout: Turnout


@dataclass(slots=True)
class NightHistory:
    entries: list[HistoryEntry]


@dataclass(slots=True)
class NightAction:
    label: str
    custom_id: str
    style: str = "secondary"


@dataclass(slots=True)
class NightNotice:
    """A short (usually ephemeral) answer about a night, with optional follow-up buttons."""

    title: str
    text: str
    actions: list[NightAction] = field(default_factory=list)
    ok: bool = True


# ---------------------------------------------------------------------------------------------------


class _Titles(Mapping[str, str]):
    """Film id -> title as shown in a count's explanation, looked up in the catalogue on demand."""

    def __init__(self, service: "NightService"):
        self.service = service

    def __getitem__(self, film_id: str) -> str:
        from ..render.base import safe  # imported late: bot.render imports this module

        film = self.service.film(film_id)
        return safe(film.title) if film else film_id

    def __iter__(self) -> Iterator[str]:
        return iter(self.service.app.catalog.catalog.films)

    def __len__(self) -> int:
        return len(self.service.app.catalog.catalog)


def encode_order(positions: list[int]) -> str:
    return "".join(_POSITION_DIGITS[p] for p in positions) or _EMPTY_ORDER


def decode_order(text: str) -> list[int] | None:
    """Positions from a custom_id, or None when it was not written by us."""
    if text == _EMPTY_ORDER:
        return []
    positions = []
    for char in text:
        position = _POSITION_DIGITS.find(char)
        if position < 0 or position >= MAX_NOMINEES or position in positions:
            return None
        positions.append(position)
    return positions


def stale(text: str = "This movie-night control is not valid any more. Run `/movienight vote` for a fresh one.") -> UserError:
    return UserError(text, title="That control has expired")


class NightService:
    def __init__(self, app: "Marquee") -> None:
        self.app = app
        self.store = NightStore(app.db)
        self._wake = asyncio.Event()
        self._dirty: set[int] = set()
        self._refreshers: dict[int, asyncio.Task] = {}
        self._side_tasks: set[asyncio.Task] = set()

    # Helpers ---------------------------------------------------------------------------------------
    def film(self, film_id: str) -> Film | None:
        return self.app.catalog.catalog.get(film_id)

    async def settings(self, guild_id: int | None) -> GuildSettings:
        if guild_id is None:
            return GuildSettings(0)
        return await self.app.people.guild_settings(guild_id)

    def zone(self, settings: GuildSettings) -> tzinfo:
        if settings.timezone:
            try:
                return ZoneInfo(settings.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("Guild %s has an unknown time zone %r; using UTC", settings.guild_id, settings.timezone)
        return timezone.utc

    def region(self, settings: GuildSettings) -> str:
        return (settings.region or self.app.default_region).upper()

    def streams(self, film: Film | None, region: str) -> str:
        if film is None:
            return ""
        names = self.app.catalog.services
        included, paid = [], []
        for availability in film.streams_in(region):
            service = names.get(availability.service)
            name = service.name if service else availability.service
            target = included if availability.kind in ("subscription", "free") else paid
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
        if not night_id.isdigit() or len(night_id) > 18:
            raise stale()
        night = await self.store.get(int(night_id))
        if night is None or night.guild_id != actor.guild_id:
            raise stale("That movie night doesn't exist (any more).")
        if must_be_open and not night.is_open:
            raise UserError(f"Voting for “{_s(night.title)}” has {'been cancelled' if night.status == CANCELLED else 'closed'}.",
                            title="This movie night is over")
        return night

    def may_manage(self, actor: Actor, night: Night) -> bool:
        return actor.user_id == night.host_id or actor.can_manage_events

    # Background work -------------------------------------------------------------------------------
    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_task_done)

    def _side_task_done(self, task: asyncio.Task) -> None:
        self._side_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Movie-night background step failed", exc_info=task.exception())

    def refresh_later(self, night_id: int) -> None:
        """Bring the public ballot message up to date soon. Many calls in a burst cost one rebuild."""
        self._dirty.add(night_id)
        running = self._refreshers.get(night_id)
        if running is None or running.done():
            self._refreshers[night_id] = asyncio.create_task(self._refresher(night_id))

    async def _refresher(self, night_id: int) -> None:
        try:
            # The flag is cleared before the view is read, so a vote committed during a rebuild
            # triggers one more: the last edit always shows the final state.
            while night_id in self._dirty:
                self._dirty.discard(night_id)
                night = await self.store.get(night_id)
                if night is None or night.message_id is None:
                    continue
                await self.app.publisher.edit(night.channel_id, night.message_id, await self.view(night))
        except Exception:  # noqa: BLE001 - a failed refresh must not kill later ones
            log.exception("Refreshing the ballot of night %s failed", night_id)
        finally:
            if self._refreshers.get(night_id) is asyncio.current_task():
                del self._refreshers[night_id]

    async def settle(self) -> None:
        """Wait for pending ballot refreshes and event updates (tests, shutdown)."""
        while self._refreshers or self._side_tasks:
            await asyncio.gather(*self._refreshers.values(), *self._side_tasks, return_exceptions=True)

    async def stop(self) -> None:
        await self.settle()
        if flush := getattr(self.app.publisher, "flush", None):
            await flush()

    async def start_background(self) -> None:
        """Close nights at their deadline: sleep until the next one; on start, catch up on missed ones."""
        try:
            # A refresh queued just before a restart died with the old process: redraw open ballots once.
            for night_id in await self.store.open_ids():
                self.refresh_later(night_id)
        except Exception:  # noqa: BLE001 - cosmetic; the deadline loop matters more
            log.exception("Redrawing open ballots at start failed")
        while True:
            self._wake.clear()
            next_deadline = None
            try:
                await self.close_due()
                next_deadline = await self.store.next_deadline()
            except Exception:  # noqa: BLE001 - keep the loop alive; try again shortly
                log.exception("Closing due movie nights failed")
                next_deadline = time.time() + 30
            delay = CHECK_DEADLINES_AT_LEAST_EVERY
            if next_deadline is not None:
                delay = min(delay, max(0.0, next_deadline - time.time()))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass

    async def close_due(self, now: float | None = None) -> list[int]:
        """Close every open night whose deadline has passed and announce it. Returns their ids."""
        closed = []
        for night in await self.store.due(time.time() if now is None else now):
            announcement = await self._close(night, closed_by=None)
            if announcement is None:
                continue  # someone closed it by hand a moment ago
            closed.append(night.id)
            if night.channel_id is not None:
                await self.app.publisher.post(night.channel_id, announcement)
        return closed

    # Event keeping ---------------------------------------------------------------------------------
    def _event_text(self, night: Night, entries: list[NomineeEntry], winner: NomineeEntry | None) -> str:
        if winner is not None:
            lines = [f"We're watching {winner.title}" + (f" ({winner.film.year})" if winner.film and winner.film.year else "") + "."]
        elif entries:
            lines = ["Nominees: " + ", ".join(e.title for e in entries[:10]) + ("…" if len(entries) > 10 else "")]
        else:
            lines = ["Nominate films and vote in the channel with /movienight."]
        lines.append("Organised with Marquee.")
        return "\n".join(lines)[:1000]

    async def _create_event(self, night: Night) -> None:
        if night.showtime is None or night.guild_id is None or night.showtime <= time.time():
            return
        event_id = await self.app.publisher.create_event(
            night.guild_id, name=night.title[:TITLE_MAX], start=float(night.showtime),
            end=float(night.showtime + EVENT_LENGTH_WITHOUT_FILM.total_seconds()),
            description=self._event_text(night, [], None), location="Movie night on Discord")
        if event_id is not None:
            await self.store.set_event(night.id, event_id)

    async def _sync_event(self, night_id: int) -> None:
        night = await self.store.get(night_id)
        if night is None or night.event_id is None or night.guild_id is None:
            return
        settings = await self.settings(night.guild_id)
        if night.status == CANCELLED or (night.status == CLOSED and night.winner_film_id is None):
            await self.app.publisher.edit_event(night.guild_id, night.event_id, status="cancelled")
            return
        entries = await self.entries(night, self.region(settings))
        winner = next((e for e in entries if e.film_id == night.winner_film_id), None)
        end = None
        name = None
        if winner is not None:
            runtime = timedelta(minutes=winner.film.runtime) if winner.film and winner.film.runtime else EVENT_LENGTH_WITHOUT_FILM
            if night.showtime:
                end = float(night.showtime + (runtime + EVENT_SLACK).total_seconds())
            name = f"{night.title}: {winner.title}"[:TITLE_MAX]
        await self.app.publisher.edit_event(night.guild_id, night.event_id, name=name, end=end,
                                            description=self._event_text(night, entries, winner))

    # Commands --------------------------------------------------------------------------------------
    @command("movienight start")
    async def start(self, actor: Actor, title: str | None = None, when: str | None = None,
                    voting: str = APPROVAL, closes_in: str | None = None) -> Reply:
        if actor.guild_id is None:
            raise UserError("Movie nights happen in a server channel, not in direct messages.")
        voting = (voting or APPROVAL).lower()
        if voting not in (APPROVAL, RANKED):
            raise UserError("`voting` is `approval` (pick every film you'd watch) or `ranked` (order your choices).")
        name = " ".join((title or "").split()) or DEFAULT_TITLE
        if len(name) > TITLE_MAX:
            raise UserError(f"Keep the title to {TITLE_MAX} characters (that one has {len(name)}).")
        settings = await self.settings(actor.guild_id)
        now = datetime.now(timezone.utc)
        showtime = parse_when(when, now=now, tz=self.zone(settings)) if when and when.strip() else None
        closes_at = showtime
        if closes_in and closes_in.strip():
            closes_at = now + parse_duration(closes_in)
            if showtime is not None and closes_at > showtime:
                raise UserError(f"Voting would close after the showtime ({discord_timestamp(showtime, 'F')}). "
                                "Pick a shorter `closes_in`, or leave it out to vote until the showtime.",
                                title="Voting would outlast the night")
        channel_id = settings.night_channel_id or actor.channel_id
        night = await self.store.create(
            guild_id=actor.guild_id, channel_id=channel_id, host_id=actor.user_id, title=name,
            showtime=int(showtime.timestamp()) if showtime else None,
            closes_at=int(math.ceil(closes_at.timestamp())) if closes_at else None, voting=voting)
        if night is None:
            existing = await self.store.open_in_channel(channel_id)
            raise UserError(f"“{_s(existing.title) if existing else 'A movie night'}” is still open in "
                            f"{'this channel' if channel_id == actor.channel_id else f'<#{channel_id}>'}. "
                            "Close or cancel it first.", title="A movie night is already open")
        self._wake.set()  # the deadline loop may need to wake earlier now

        view = await self.view(night)
        if channel_id != actor.channel_id:
            # The server keeps its movie nights in one channel: post the ballot there.
            message_id = await self.app.publisher.post(channel_id, view)
            if message_id is not None:
                await self.store.set_message(night.id, channel_id, message_id)
            self._spawn(self._create_event(night))
            return Reply(NightNotice("Movie night started", f"The ballot is in <#{channel_id}>."), ephemeral=True)

        async def remember(channel: int | None, message_id: int) -> None:
            await self.store.set_message(night.id, channel or channel_id, message_id)
            self._spawn(self._create_event(night))

        return Reply(view, on_sent=remember)

    @command("movienight nominate")
    async def nominate(self, actor: Actor, film: str) -> Reply:
        night = await self.night_here(actor)
        chosen = self.app.catalog.find(film, pick_action="mnp", pick_context=[str(night.id)])
        return await self._nominate(actor, night, chosen)

    @component("mnp")
    async def pick_nominee(self, actor: Actor, film_id: str, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        film = self.film(film_id)
        if film is None:
            raise stale("That film is no longer in the catalogue. Try `/movienight nominate` again.")
        return await self._nominate(actor, night, film)

    async def _nominate(self, actor: Actor, night: Night, film: Film) -> Reply:
        result = await self.store.nominate(night.id, film.id, actor.user_id)
        if result.status == "closed":
            raise UserError(f"Voting for “{_s(night.title)}” has closed.", title="This movie night is over")
        if result.status == "full":
            raise UserError(f"“{_s(night.title)}” already has {MAX_NOMINEES} nominees, the most a ballot can hold.",
                            title="The ballot is full")
        if result.status == "duplicate":
            assert result.nominee is not None
            # A notice, not an error: error texts defuse mentions, and this one names a member.
            who = "you" if result.nominee.nominated_by == actor.user_id else f"<@{result.nominee.nominated_by}>"
            return Reply(NightNotice("Already nominated", f"{_s(film.label)} is already on the ballot: {who} "
                                     "nominated it first.", [NightAction("Vote", f"mq:mnvote:{night.id}", "primary")],
                                     ok=False), ephemeral=True)
        self.refresh_later(night.id)
        self._spawn(self._sync_event(night.id))
        settings = await self.settings(night.guild_id)
        streams = self.streams(film, self.region(settings))
        where = f"\nStreams in {self.region(settings)}: {streams}" if streams else ""
        runtime = f" · {film.runtime} min" if film.runtime else ""
        return Reply(NightNotice("Nominated", f"{_s(film.label)}{runtime} is on the ballot for “{_s(night.title)}”.{where}",
                                 [NightAction("Vote now", f"mq:mnvote:{night.id}", "primary")]), ephemeral=True)

    @command("movienight vote")
    async def vote(self, actor: Actor) -> Reply:
        return await self._ballot_for(actor, await self.night_here(actor))

    @component("mnvote")
    async def vote_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        return await self._ballot_for(actor, await self.night_from_control(actor, night_id))

    async def _ballot_for(self, actor: Actor, night: Night, *, update: bool = False, status: str = "") -> Reply:
        settings = await self.settings(night.guild_id)
        entries = await self.entries(night, self.region(settings))
        if not entries:
            raise UserError("Nothing is nominated yet. Add a film with `/movienight nominate`.", title="No nominees yet")
        ballot = await self.store.ballot_of(night.id, actor.user_id)
        positions = {e.film_id: e.position for e in entries}
        chosen = [positions[f] for f in (ballot.choices if ballot else ()) if f in positions]
        return Reply(VoteBallot(night, entries, chosen, counted=ballot is not None, status=status),
                     ephemeral=True, update=update)

    async def _cast(self, actor: Actor, night: Night, positions: list[int]) -> tuple[Night, list[NomineeEntry], str]:
        nominees = await self.store.nominees(night.id)
        by_position = {n.position: n.film_id for n in nominees}
        if any(p not in by_position for p in positions):
            raise stale()
        write = await self.store.cast(night.id, actor.user_id, [by_position[p] for p in positions])
        if write.status == "closed":
            raise UserError(f"Voting for “{_s(night.title)}” closed before your ballot arrived, so it was not counted.",
                            title="This movie night is over")
        if write.status != "unchanged":
            self.refresh_later(night.id)
        settings = await self.settings(night.guild_id)
        entries = await self.entries(night, self.region(settings), nominees=nominees)
        status = {"new": "✅ Your ballot is counted.", "changed": "✅ Your ballot is updated.",
                  "unchanged": "✅ Your ballot was already exactly this; it still counts."}[write.status]
        return night, entries, status

    @component("mnap")
    async def approve(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        if night.voting != APPROVAL:
            raise stale()
        if any(not v.isdigit() for v in values):
            raise stale()
        positions = list(dict.fromkeys(int(v) for v in values))
        night, entries, status = await self._cast(actor, night, positions)
        if not positions:
            status = "✅ You approved no film: your ballot counts as an abstention."
        return Reply(VoteBallot(night, entries, sorted(positions), counted=True, status=status), ephemeral=True, update=True)

    async def _ranked_builder(self, actor: Actor, night_id: str, order: str) -> tuple[Night, list[NomineeEntry], list[int]]:
        night = await self.night_from_control(actor, night_id)
        positions = decode_order(order)
        if night.voting != RANKED or positions is None:
            raise stale()
        settings = await self.settings(night.guild_id)
        entries = await self.entries(night, self.region(settings))
        known = {e.position for e in entries}
        if any(p not in known for p in positions):
            raise stale()
        return night, entries, positions

    @component("mnrk")
    async def rank_add(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, entries, positions = await self._ranked_builder(actor, night_id, order)
        for value in values:
            if not value.isdigit() or int(value) not in {e.position for e in entries}:
                raise stale()
            if int(value) not in positions:
                positions.append(int(value))
        return Reply(VoteBallot(night, entries, positions), ephemeral=True, update=True)

    @component("mnru")
    async def rank_undo(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, entries, positions = await self._ranked_builder(actor, night_id, order)
        return Reply(VoteBallot(night, entries, positions[:-1]), ephemeral=True, update=True)

    @component("mnrr")
    async def rank_reset(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night, entries, _ = await self._ranked_builder(actor, night_id, _EMPTY_ORDER)
        return Reply(VoteBallot(night, entries, []), ephemeral=True, update=True)

    @component("mnrc")
    async def rank_confirm(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, _, positions = await self._ranked_builder(actor, night_id, order)
        if not positions:
            raise UserError("Pick at least your favourite before confirming.", title="Nothing ranked yet")
        night, entries, status = await self._cast(actor, night, positions)
        return Reply(VoteBallot(night, entries, positions, counted=True, status=status), ephemeral=True, update=True)

    @component("mnin")
    async def im_in(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        joined = await self.store.join(night.id, actor.user_id)
        if joined is None:
            raise UserError(f"“{_s(night.title)}” is over.", title="This movie night is over")
        if joined:
            self.refresh_later(night.id)
        when = f" See you {discord_timestamp(_utc(night.showtime), 'F')}." if night.showtime else ""
        text = ("You're in." if joined else "You were already in.") + when
        return Reply(NightNotice("You're in", text, [NightAction("Vote", f"mq:mnvote:{night.id}", "primary"),
                                                    NightAction("I can't make it", f"mq:mnout:{night.id}")]),
                     ephemeral=True)

    @component("mnout")
    async def im_out(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        if await self.store.leave(night.id, actor.user_id):
            self.refresh_later(night.id)
        return Reply(NightNotice("You're out", "Maybe next time. Your ballot, if you voted, still counts.",
                                 [NightAction("I'm in after all", f"mq:mnin:{night.id}", "success")]),
                     ephemeral=True, update=True)

    @component("mnnom")
    async def nominate_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        suggestions = await self._suggest(actor, night, 5)
        suggestions.note = ("Type `/movienight nominate film:` to nominate any film, or pick one of these. "
                            + suggestions.note).strip()
        return Reply(suggestions, ephemeral=True)

    @command("movienight suggest")
    async def suggest(self, actor: Actor, count: int = 5) -> Reply:
        night = await self.night_here(actor)
        return Reply(await self._suggest(actor, night, max(1, min(count, 10))))

    @component("mnsug")
    async def nominate_suggestion(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.night_from_control(actor, night_id)
        if len(values) != 1 or (film := self.film(values[0])) is None:
            raise stale("That suggestion is not in the catalogue any more. Try `/movienight suggest` again.")
        return await self._nominate(actor, night, film)

    @command("movienight close")
    async def close(self, actor: Actor) -> Reply:
        return await self._close_by(actor, await self.night_here(actor))

    @component("mnclose")
    async def close_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        return await self._close_by(actor, await self.night_from_control(actor, night_id))

    async def _close_by(self, actor: Actor, night: Night) -> Reply:
        if not self.may_manage(actor, night):
            raise NotAllowed("Only the host who started it or someone with the Manage Events permission "
                             "can close this movie night.")
        announcement = await self._close(night, closed_by=actor.name)
        if announcement is None:
            raise UserError(f"“{_s(night.title)}” was already closed.", title="Already closed")
        return Reply(announcement)

    @command("movienight cancel")
    async def cancel(self, actor: Actor) -> Reply:
        night = await self.night_here(actor)
        if not self.may_manage(actor, night):
            raise NotAllowed("Only the host who started it or someone with the Manage Events permission "
                             "can cancel this movie night.")
        cancelled = await self.store.cancel(night.id)
        if cancelled is None:
            raise UserError(f"“{_s(night.title)}” was already closed.", title="Already closed")
        self.refresh_later(night.id)
        self._spawn(self._sync_event(night.id))
        return Reply(NightNotice("Movie night cancelled", f"“{_s(night.title)}” was cancelled by {_s(actor.name)}. "
                                 "No winner was picked.", ok=False))

    @command("movienight history")
    async def history(self, actor: Actor, count: int = 10) -> Reply:
        if actor.guild_id is None:
            raise UserError("Movie nights happen in a server channel, not in direct messages.")
        nights = await self.store.history(actor.guild_id, max(1, min(count, 25)))
        turnout = await self.store.turnout([n.id for n in nights])
        entries = []
        for night in nights:
            film = self.film(night.winner_film_id) if night.winner_film_id else None
            title = film.label if film else night.winner_film_id
            entries.append(HistoryEntry(night, title, turnout[night.id]))
        return Reply(NightHistory(entries))

    # Closing ---------------------------------------------------------------------------------------
    async def _close(self, night: Night, *, closed_by: str | None) -> Announcement | None:
        titles = _Titles(self)

        def decide(nominees: list[Nominee], ballots: list[Ballot]) -> tuple[str | None, dict]:
            candidates = [voting.Nominee(n.film_id, n.position) for n in nominees]
            choices = [b.choices for b in ballots]
            if night.voting == RANKED:
                outcome = voting.count_schulze(candidates, choices, titles=titles)
            else:
                outcome = voting.count_approval(candidates, choices, titles=titles)
            return outcome.winner, outcome_record(outcome)

        finished = await self.store.finish(night.id, decide)
        if finished is None:
            return None
        closed, nominees, _ = finished
        settings = await self.settings(closed.guild_id)
        entries = await self.entries(closed, self.region(settings), nominees=nominees)
        winner = next((e for e in entries if e.film_id == closed.winner_film_id), None)
        attendees = await self.store.attendees(closed.id)
        marked = 0
        if winner is not None and attendees:
            # "The winner is marked seen for those who were in": their future suggestions skip it.
            marked = await self.app.people.mark_seen(attendees, winner.film_id)
        self.refresh_later(closed.id)
        self._spawn(self._sync_event(closed.id))
        return Announcement(closed, winner, closed.outcome or {}, len(attendees), marked, closed_by)

    # Group suggestions -----------------------------------------------------------------------------
    async def _suggest(self, actor: Actor, night: Night, count: int) -> GroupSuggestions:
        group = sorted(set(await self.store.attendees(night.id)) | set(await self.store.voters(night.id)))
        note = ""
        if not group:
            group = [actor.user_id]
            note = "Nobody has said they're in or voted yet, so these fit you; press I'm in to count yourself in."
        settings = await self.settings(night.guild_id)
        region = self.region(settings)
        catalog = self.app.catalog.catalog
        prefs = await self.app.people.prefs_of(group)
        member_services = {p.user_id: set(p.services) for p in prefs if p.services}
        if not member_services and settings.services:
            # Nobody said which services they have: assume the server's.
            member_services = {u: set(settings.services) for u in group}
        seen = await self.app.people.seen_by_any(group)
        watchlists = await self.app.people.watchlists(group)
        ratings = await self.app.people.ratings(group)
        nominated = {n.film_id for n in await self.store.nominees(night.id)}
        excluded = nominated | set(seen)

        candidates: dict[str, float] = {}
        reasons: dict[str, list[str]] = {}

        def consider(film_id: str, score: float, reason: str | None) -> None:
            if film_id in excluded or film_id not in catalog:
                return
            candidates[film_id] = candidates.get(film_id, 0.0) + score
            if reason:
                reasons.setdefault(film_id, []).append(reason)

        size = len(group)
        for film_id, who in watchlists.items():
            names = _who(who, size)
            consider(film_id, 2.0 * len(who) / size, f"On {names} watchlist")
        loved = sorted(((stars, film_id, user) for (user, film_id), stars in ratings.items() if stars >= 4),
                       key=lambda item: (-item[0], item[1]))[:8]
        for stars, film_id, user in loved:
            if film_id not in catalog:
                continue
            source = catalog.get(film_id)
            for similar in self.app.catalog.similarity.similar(film_id, 6, exclude=excluded):
                consider(similar.film.id, 1.2 * similar.score / 100,
                         f"Like {_s(source.title)}, which <@{user}> rated {'★' * stars}")
        services = Counter(s for have in member_services.values() for s in have)
        on_services: set[str] = set()
        for service in services:
            on_services |= set(catalog.postings("service", service_key(service, region)))
        pool = [fid for fid in catalog.ranked_ids()[:3000] if not member_services or fid in on_services][:400]
        for film_id in pool:
            consider(film_id, 0.0, None)

        try:
            from ..domain.recommend import quality
        except ImportError:  # the /watch engine is optional here: fall back to the popularity prior
            def quality(catalog, film):  # type: ignore[no-redef]
                return min(1.0, catalog.prior(film.id) / 1.35)

        scored = []
        for film_id, score in candidates.items():
            film = catalog.get(film_id)
            why = list(reasons.get(film_id, []))
            coverage, where = self._coverage(film, region, member_services, size)
            if member_services:
                score += 1.5 * coverage
                if where:
                    why.append(where)
            elif where:
                score += 0.5
                why.append(where)
            score += 0.8 * quality(catalog, film)
            scored.append((score, film_id, why))
        scored.sort(key=lambda item: (-item[0], item[1]))
        picks = []
        for score, film_id, why in scored[:count]:
            film = catalog.get(film_id)
            if not why:
                why.append("Well liked, and nobody here has marked it seen")
            if film.pitch:
                why.append(film.pitch)
            picks.append(Suggestion(film, why[:4]))
        if not picks:
            note = (note + " I found nothing on your services that nobody has seen; widen your services with "
                    "`/settings`.").strip()
        return GroupSuggestions(night, picks, len(group), note, bool(member_services))

    def _coverage(self, film: Film, region: str, member_services: dict[int, set[str]], size: int) -> tuple[float, str]:
        """How much of the group can stream `film` in `region`, and a line saying where."""
        included = {a.service for a in film.streams_in(region) if a.kind in ("subscription", "free")}
        if not included:
            return 0.0, ""
        names = self.app.catalog.services

        def name(key: str) -> str:
            service = names.get(key)
            return service.name if service else key

        if not member_services:
            return 0.0, f"Streams on {', '.join(sorted(name(s) for s in included)[:3])} ({region})"
        able = sum(1 for have in member_services.values() if have & included)
        if able == 0:
            return 0.0, ""
        shared = sorted(included & set().union(*member_services.values()), key=name)
        whom = "all of you" if able == size else f"{able} of {size} of you"
        return able / size, f"On {', '.join(name(s) for s in shared[:3])} ({region}): {whom} can watch it"


def _s(text: str | None) -> str:
    """User-typed (or catalogue) text made safe to embed in a message we compose here."""
    from ..render.base import clip, safe  # late: importing bot.render imports this module

    return safe(clip(text, 100))


def _who(users: set[int], size: int) -> str:
    if len(users) == 1:
        return f"<@{next(iter(users))}>'s"
    if len(users) == size:
        return "everyone's"
    return f"{len(users)} people's"


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def outcome_record(outcome: voting.Outcome) -> dict[str, Any]:
    """What a closed night keeps about its count (JSON), enough to announce it and show it in history."""
    return {
        "method": outcome.method,
        "winner": outcome.winner,
        "ranking": list(outcome.ranking),
        "tally": dict(outcome.tally),
        "voters": outcome.voters,
        "abstentions": outcome.abstentions,
        "no_votes": outcome.no_votes,
        "explanation": list(outcome.explanation),
        "tie": None if outcome.tie is None else {"step": outcome.tie.step, "detail": outcome.tie.detail},
    }
