"""Casting a vote: `/movienight vote` and the ballot's controls (approval select; ranked builder with
confirm). A ballot is written in one transaction before the voter is told it counts."""
from __future__ import annotations

from bot.core.errors import UserError
from bot.core.interface import Actor, Reply, command, component
from bot.storage.nights import MAX_NOMINEES, Night

from .jobs import BallotRefresher
from .keeper import NightKeeper, shown, stale
from .results import APPROVAL, EMPTY_ORDER, RANKED, NomineeEntry, VoteBallot, decode_order

CAST_STATUS = {"new": "✅ Your ballot is counted.", "changed": "✅ Your ballot is updated.",
               "unchanged": "✅ Your ballot was already exactly this; it still counts."}


POSITION_DIGITS = len(str(MAX_NOMINEES))


def positions_from(values: list[str]) -> list[int] | None:
    """Nominee positions a select sent back (a few ASCII digits), or None when they were not ours: `²` is a
    digit to isdigit() but not to int(), and int() refuses a 5,000-digit string."""
    if any(not (v.isascii() and v.isdecimal()) or len(v) > POSITION_DIGITS for v in values):
        return None
    return list(dict.fromkeys(int(v) for v in values))


class Ballots:
    def __init__(self, keeper: NightKeeper, refresher: BallotRefresher) -> None:
        self.keeper = keeper
        self.refresher = refresher

    @command("movienight vote")
    async def vote(self, actor: Actor) -> Reply:
        return await self._ballot_for(actor, await self.keeper.night_here(actor))

    @component("mnvote")
    async def vote_button(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        return await self._ballot_for(actor, await self.keeper.night_from_control(actor, night_id))

    async def _ballot_for(self, actor: Actor, night: Night) -> Reply:
        entries = await self.keeper.entries(night, await self.keeper.region_of(night))
        if not entries:
            raise UserError("Nothing is nominated yet. Add a film with `/movienight nominate`.",
                            title="No nominees yet")
        ballot = await self.keeper.store.ballot_of(night.id, actor.user_id)
        positions = {e.film_id: e.position for e in entries}
        chosen = [positions[f] for f in (ballot.choices if ballot else ()) if f in positions]
        return Reply(VoteBallot(night, entries, chosen, counted=ballot is not None), ephemeral=True)

    async def _cast(self, actor: Actor, night: Night, positions: list[int]) -> tuple[Night, list[NomineeEntry], str]:
        store = self.keeper.store
        nominees = await store.nominees(night.id)
        by_position = {n.position: n.film_id for n in nominees}
        if any(p not in by_position for p in positions):
            raise stale()
        write = await store.cast(night.id, actor.user_id, [by_position[p] for p in positions])
        if write.status == "closed":
            raise UserError(f"Voting for “{shown(night.title)}” closed before your ballot arrived, so it was not "
                            "counted.", title="This movie night is over")
        if write.status != "unchanged":
            self.refresher.refresh_later(night.id)
        entries = await self.keeper.entries(night, await self.keeper.region_of(night), nominees=nominees)
        return night, entries, CAST_STATUS[write.status]

    @component("mnap")
    async def approve(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night = await self.keeper.night_from_control(actor, night_id)
        positions = positions_from(values)
        if night.voting != APPROVAL or positions is None:
            raise stale()
        night, entries, status = await self._cast(actor, night, positions)
        if not positions:
            status = "✅ You approved no film: your ballot counts as an abstention."
        return Reply(VoteBallot(night, entries, sorted(positions), counted=True, status=status), ephemeral=True,
                     update=True)

    async def _ranked_builder(self, actor: Actor, night_id: str,
                              order: str) -> tuple[Night, list[NomineeEntry], list[int]]:
        night = await self.keeper.night_from_control(actor, night_id)
        positions = decode_order(order)
        if night.voting != RANKED or positions is None:
            raise stale()
        entries = await self.keeper.entries(night, await self.keeper.region_of(night))
        known = {e.position for e in entries}
        if any(p not in known for p in positions):
            raise stale()
        return night, entries, positions

    @component("mnrk")
    async def rank_add(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, entries, positions = await self._ranked_builder(actor, night_id, order)
        picked = positions_from(values)
        if picked is None or any(p not in {e.position for e in entries} for p in picked):
            raise stale()
        positions.extend(p for p in picked if p not in positions)
        return Reply(VoteBallot(night, entries, positions), ephemeral=True, update=True)

    @component("mnru")
    async def rank_undo(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, entries, positions = await self._ranked_builder(actor, night_id, order)
        return Reply(VoteBallot(night, entries, positions[:-1]), ephemeral=True, update=True)

    @component("mnrr")
    async def rank_reset(self, actor: Actor, night_id: str, values: list[str]) -> Reply:
        night, entries, _ = await self._ranked_builder(actor, night_id, EMPTY_ORDER)
        return Reply(VoteBallot(night, entries, []), ephemeral=True, update=True)

    @component("mnrc")
    async def rank_confirm(self, actor: Actor, night_id: str, order: str, values: list[str]) -> Reply:
        night, _, positions = await self._ranked_builder(actor, night_id, order)
        if not positions:
            raise UserError("Pick at least your favourite before confirming.", title="Nothing ranked yet")
        night, entries, status = await self._cast(actor, night, positions)
        return Reply(VoteBallot(night, entries, positions, counted=True, status=status), ephemeral=True, update=True)
