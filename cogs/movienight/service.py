"""/movienight: start a night, nominate, suggest for the group, close fairly, look back.

State lives in the database (bot/storage/nights.py); every control's custom_id carries the night id
(`mq:mn…:<night_id>`), so the ballot message keeps working after a restart. Voting is in `ballot.py`,
the background work (ballot refreshes, deadlines) in `jobs.py`, the scheduled event in `events.py`.
"""
from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime, timezone
from typing import Any

from bot.core.context import Context
from bot.core.errors import NotAllowed, UserError
from bot.core.interface import Actor, Reply, command, component, custom_id
from bot.domain import voting
from bot.domain.group import Group, suggest_for_group
from bot.domain.models import Film
from bot.domain.recommend import qualities
from bot.domain.when import WhenError, discord_timestamp, parse_duration, parse_when
from bot.storage.nights import MAX_NOMINEES, Ballot, Night, Nominee

from .ballot import Ballots
from .events import EventKeeper
from .jobs import BallotRefresher, DeadlineCloser, Tasks
from .keeper import NightKeeper, ShownTitles, shown, stale
from .results import (
    APPROVAL, RANKED, Announcement, GroupSuggestions, HistoryEntry, NightAction, NightHistory, NightNotice, Suggestion,
    mention,
)

log = logging.getLogger(__name__)

DEFAULT_TITLE = "Movie night"
TITLE_MAX = 100  # a scheduled event's name is at most 100 characters
SUGGEST_COUNT = (1, 10)
HISTORY_COUNT = (1, 25)
SUGGESTIONS_ON_NOMINATE = 5
REASONS_SHOWN = 4
DEADLINES_LEASE = "movienight:deadlines"


class NightService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.keeper = NightKeeper(ctx)
        self.store = self.keeper.store
        self.refresher = BallotRefresher(self.keeper)
        self.closer = DeadlineCloser(self.keeper, self._close)
        self.events = EventKeeper(self.keeper)
        self.ballots = Ballots(self.keeper, self.refresher)
        self.tasks = Tasks()
        # The objects whose @command/@component methods are this feature's handlers.
        self.parts: tuple[object, ...] = (self, self.ballots)

    # Lifecycle ------------------------------------------------------------------------------------
    async def start_background(self) -> None:
        # However many processes serve, one closes nights at their deadline (and redraws the open ballots when
        # it takes over, since the refreshes a dead process had queued died with it).
        await self.ctx.cluster.singleton(DEADLINES_LEASE, self._deadlines)

    async def _deadlines(self) -> None:
        try:
            await self.refresher.redraw_open()
        except Exception:  # noqa: BLE001 - cosmetic; the deadline loop matters more
            log.exception("Redrawing open ballots at start failed")
        await self.closer.run()

    async def close_due(self, now: float | None = None) -> list[int]:
        return await self.closer.close_due(now)

    async def settle(self) -> None:
        """Wait for pending ballot refreshes and event updates (tests, shutdown)."""
        while pending := self.refresher.pending() + self.tasks.pending():
            await asyncio.gather(*pending, return_exceptions=True)

    async def stop(self) -> None:
        await self.settle()

    # Starting -------------------------------------------------------------------------------------
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
        settings = await self.keeper.settings(actor.guild_id)
        now = datetime.now(timezone.utc)
        try:
            showtime = parse_when(when, now=now, tz=self.keeper.zone(settings)) if when and when.strip() else None
            closes_at = now + parse_duration(closes_in) if closes_in and closes_in.strip() else showtime
        except WhenError as error:
            raise UserError(str(error), title="I couldn't use that time") from None
        if closes_in and closes_in.strip() and showtime is not None and closes_at and closes_at > showtime:
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
            where = "this channel" if channel_id == actor.channel_id else f"<#{channel_id}>"
            raise UserError(f"“{shown(existing.title) if existing else 'A movie night'}” is still open in {where}. "
                            "Close or cancel it first.", title="A movie night is already open")
        self.closer.wake()  # the deadline loop may need to wake earlier now
        view = await self.keeper.view(night)
        if channel_id != actor.channel_id:
            # The server keeps its movie nights in one channel: post the ballot there.
            message_id = await self.ctx.publisher.post(channel_id, view)
            if message_id is not None:
                await self.store.set_message(night.id, channel_id, message_id)
            self.tasks.spawn(self.events.create(night))
            return Reply(NightNotice("Movie night started", f"The ballot is in <#{channel_id}>."), ephemeral=True)

        async def remember(channel: int | None, message_id: int) -> None:
            await self.store.set_message(night.id, channel or channel_id, message_id)
            self.tasks.spawn(self.events.create(night))

        return Reply(view, on_sent=remember)

    # Nominating -----------------------------------------------------------------------------------
    @command("movienight nominate")
    async def nominate(self, actor: Actor, film: str) -> Reply:
        night = await self.keeper.night_here(actor)
        chosen = self.ctx.catalogue.find(film, pick_action="mnp", pick_context=[str(night.id)])
        return await self._nominate(actor, night, chosen)

    @component("mnp")
    async def pick_nominee(self, actor: Actor, film_id: str, night_id: str, values: list[str]) -> Reply:
        """A "which one?" button of /movienight nominate."""
        night = await self.keeper.night_from_control(actor, night_id)
        film = self.keeper.film(film_id)
        if film is None:
            raise stale("That film is no longer in the catalogue. Try `/movienight nominate` again.")
        return await self._nominate(actor, night, film)

    @component("mnpick")
    async def nominate_from_picks(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        """The "Nominate for movie night…" select under /watch picks."""
        return await self._nominate_chosen(actor, night_id, values, "Try `/watch` again.")

    @component("mnsug")
    async def nominate_suggestion(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        return await self._nominate_chosen(actor, night_id, values, "Try `/movienight suggest` again.")

    async def _nominate_chosen(self, actor: Actor, night_id: str, values: list[str], retry: str) -> Reply:
        night = await self.keeper.night_from_control(actor, night_id)
        if len(values) != 1 or (film := self.keeper.film(values[0])) is None:
            raise stale(f"That film is not in the catalogue any more. {retry}")
        return await self._nominate(actor, night, film)

    async def _nominate(self, actor: Actor, night: Night, film: Film) -> Reply:
        result = await self.store.nominate(night.id, film.id, actor.user_id)
        if result.status == "closed":
            raise UserError(f"Voting for “{shown(night.title)}” has closed.", title="This movie night is over")
        if result.status == "full":
            raise UserError(f"“{shown(night.title)}” already has {MAX_NOMINEES} nominees, the most a ballot can hold.",
                            title="The ballot is full")
        vote = NightAction("Vote", custom_id("mnvote", night.id), "primary")
        if result.status == "duplicate":
            assert result.nominee is not None
            # A notice, not an error: error texts defuse mentions, and this one names a member.
            who = "you" if result.nominee.nominated_by == actor.user_id else mention(result.nominee.nominated_by)
            return Reply(NightNotice("Already nominated", f"{shown(film.label)} is already on the ballot: {who} "
                                     "nominated it first.", [vote], ok=False), ephemeral=True)
        await self.ctx.live.activity.record(night.guild_id, actor.user_id, film.id, "nominated")
        self.refresher.refresh_later(night.id)
        self.tasks.spawn(self.events.sync(night.id))
        region = await self.keeper.region_of(night)
        streams = self.keeper.streams(film, region)
        where = f"\nStreams in {region}: {streams}" if streams else ""
        runtime = f" · {film.runtime} min" if film.runtime else ""
        return Reply(NightNotice("Nominated", f"{shown(film.label)}{runtime} is on the ballot for "
                                 f"“{shown(night.title)}”.{where}",
                                 [NightAction("Vote now", vote.custom_id, "primary")]), ephemeral=True)

    @component("mnnom")
    async def nominate_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.keeper.night_from_control(actor, night_id)
        suggestions = await self._suggest(actor, night, SUGGESTIONS_ON_NOMINATE)
        suggestions.note = ("Type `/movienight nominate film:` to nominate any film, or pick one of these. "
                            + suggestions.note).strip()
        return Reply(suggestions, ephemeral=True)

    # Attending ------------------------------------------------------------------------------------
    @component("mnin")
    async def im_in(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.keeper.night_from_control(actor, night_id)
        joined = await self.store.join(night.id, actor.user_id)
        if joined is None:
            raise UserError(f"“{shown(night.title)}” is over.", title="This movie night is over")
        if joined:
            self.refresher.refresh_later(night.id)
        when = f" See you {discord_timestamp(_utc(night.showtime), 'F')}." if night.showtime else ""
        text = ("You're in." if joined else "You were already in.") + when
        return Reply(NightNotice("You're in", text, [NightAction("Vote", custom_id("mnvote", night.id), "primary"),
                                                    NightAction("I can't make it", custom_id("mnout", night.id))]),
                     ephemeral=True)

    @component("mnout")
    async def im_out(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.keeper.night_from_control(actor, night_id)
        if await self.store.leave(night.id, actor.user_id):
            self.refresher.refresh_later(night.id)
        return Reply(NightNotice("You're out", "Maybe next time. Your ballot, if you voted, still counts.",
                                 [NightAction("I'm in after all", custom_id("mnin", night.id), "success")]),
                     ephemeral=True, update=True)

    # Suggesting -----------------------------------------------------------------------------------
    @command("movienight suggest")
    async def suggest(self, actor: Actor, count: int = 5) -> Reply:
        night = await self.keeper.night_here(actor)
        return Reply(await self._suggest(actor, night, max(SUGGEST_COUNT[0], min(count, SUGGEST_COUNT[1]))))

    async def _suggest(self, actor: Actor, night: Night, count: int) -> GroupSuggestions:
        people = self.ctx.people
        members = sorted(set(await self.store.attendees(night.id)) | set(await self.store.voters(night.id)))
        note = ""
        if not members:
            members = [actor.user_id]
            note = "Nobody has said they're in or voted yet, so these fit you; press I'm in to count yourself in."
        settings = await self.keeper.settings(night.guild_id)
        services = {p.user_id: set(p.services) for p in await people.prefs_of(members) if p.services}
        if not services and settings.services:
            # Nobody said which services they have: assume the server's.
            services = {u: set(settings.services) for u in members}
        group = Group(members, await people.watchlists(members), await people.ratings(members), services,
                      set(await people.seen_by_any(members)), [n.film_id for n in await self.store.nominees(night.id)],
                      self.keeper.region(settings))
        catalogue = self.ctx.catalogue
        picks = suggest_for_group(catalogue.catalog, catalogue.similarity, group, count, who=mention,
                                  quality=qualities(catalogue.catalog, catalogue.similarity.arrays))
        suggestions = []
        for pick in picks:
            why = pick.reasons or ["Well liked, and nobody here has marked it seen"]
            if pick.film.pitch:
                why.append(pick.film.pitch)
            suggestions.append(Suggestion(pick.film, why[:REASONS_SHOWN]))
        if not suggestions:
            note = (note + " I found nothing on your services that nobody has seen; widen your services with "
                    "`/settings`.").strip()
        return GroupSuggestions(night, suggestions, len(members), note, bool(services))

    # Closing and cancelling -----------------------------------------------------------------------
    @command("movienight close")
    async def close(self, actor: Actor) -> Reply:
        return await self._close_by(actor, await self.keeper.night_here(actor))

    @component("mnclose")
    async def close_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        return await self._close_by(actor, await self.keeper.night_from_control(actor, night_id))

    async def _close_by(self, actor: Actor, night: Night) -> Reply:
        if not self.keeper.may_manage(actor, night):
            raise NotAllowed("Only the host who started it or someone with the Manage Events permission "
                             "can close this movie night.")
        announcement = await self._close(night, closed_by=actor.name)
        if announcement is None:
            raise UserError(f"“{shown(night.title)}” was already closed.", title="Already closed")
        return Reply(announcement)

    async def _close(self, night: Night, *, closed_by: str | None) -> Announcement | None:
        titles = ShownTitles(self.keeper)

        def decide(nominees: list[Nominee], ballots: list[Ballot]) -> tuple[str | None, dict[str, Any]]:
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
        entries = await self.keeper.entries(closed, await self.keeper.region_of(closed), nominees=nominees)
        winner = next((e for e in entries if e.film_id == closed.winner_film_id), None)
        attendees = await self.store.attendees(closed.id)
        marked = 0
        if winner is not None and attendees:
            # "The winner is marked seen for those who were in": their future suggestions skip it.
            marked = await self.ctx.people.mark_seen(attendees, winner.film_id)
            for attendee in attendees:
                await self.ctx.live.activity.record(closed.guild_id, attendee, winner.film_id, "watched")
        self.refresher.refresh_later(closed.id)
        self.tasks.spawn(self.events.sync(closed.id))
        return Announcement(closed, winner, closed.outcome or {}, len(attendees), marked, closed_by)

    @command("movienight cancel")
    async def cancel(self, actor: Actor) -> Reply:
        night = await self.keeper.night_here(actor)
        if not self.keeper.may_manage(actor, night):
            raise NotAllowed("Only the host who started it or someone with the Manage Events permission "
                             "can cancel this movie night.")
        cancelled = await self.store.cancel(night.id)
        if cancelled is None:
            raise UserError(f"“{shown(night.title)}” was already closed.", title="Already closed")
        self.refresher.refresh_later(night.id)
        self.tasks.spawn(self.events.sync(night.id))
        return Reply(NightNotice("Movie night cancelled", f"“{shown(night.title)}” was cancelled by "
                                 f"{shown(actor.name)}. No winner was picked.", ok=False))

    # Looking back ---------------------------------------------------------------------------------
    @command("movienight history")
    async def history(self, actor: Actor, count: int = 10) -> Reply:
        if actor.guild_id is None:
            raise UserError("Movie nights happen in a server channel, not in direct messages.")
        nights = await self.store.history(actor.guild_id, max(HISTORY_COUNT[0], min(count, HISTORY_COUNT[1])))
        turnout = await self.store.turnout([n.id for n in nights])
        entries = []
        for night in nights:
            film = self.keeper.film(night.winner_film_id) if night.winner_film_id else None
            title = film.label if film else night.winner_film_id
            entries.append(HistoryEntry(night, title, turnout[night.id]))
        return Reply(NightHistory(entries))


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
