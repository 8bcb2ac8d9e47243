"""Movie-night messages: the public ballot, a voter's own ballot, the announcement, suggestions, history."""
from __future__ import annotations

from bot.core.interface import custom_id
from bot.core.message import COLOUR, ERROR_COLOUR, Button, Embed, Message, Select, SelectOption
from bot.core.rendering import renderer
from bot.core.text import clip, safe
from bot.domain import voting
from bot.storage.nights import CANCELLED, CLOSED, MAX_NOMINEES, Night

from .results import (
    APPROVAL, TIE_RULE, Announcement, GroupSuggestions, NightHistory, NightNotice, NightView, NomineeEntry, VoteBallot,
    encode_order, mention,
)

_BAR = 10  # width of the tally bar in characters
CLOSED_COLOUR = 0x5B8C5A


def _ts(seconds: int, style: str = "F") -> str:
    return f"<t:{int(seconds)}:{style}>"


def _film_line(entry: NomineeEntry) -> str:
    film = entry.film
    year = f" ({film.year})" if film and film.year else ""
    return f"{safe(entry.title)}{year}"


def _details(entry: NomineeEntry) -> str:
    film = entry.film
    parts = []
    if film and film.runtime:
        parts.append(f"{film.runtime} min")
    if entry.streams:
        parts.append(entry.streams)
    return " · ".join(parts)


def _schedule_lines(night: Night) -> list[str]:
    lines = []
    if night.showtime:
        lines.append(f"🎬 Showtime: {_ts(night.showtime)} ({_ts(night.showtime, 'R')})")
    if night.status == CLOSED:
        lines.append(f"🔒 Voting closed {_ts(night.closed_at or night.created_at, 'R')}")
    elif night.status == CANCELLED:
        lines.append("🚫 Cancelled")
    elif night.closes_at:
        lines.append(f"🗳️ Voting closes {_ts(night.closes_at, 'R')} ({_ts(night.closes_at, 'f')})")
    else:
        lines.append("🗳️ Voting stays open until the host closes it")
    return lines


@renderer.register
def _night(view: NightView) -> Message:
    night = view.night
    how = ("Approval vote: pick every film you'd happily watch." if night.voting == APPROVAL
           else "Ranked vote: order the films you'd watch, favourite first (counted with the Schulze method).")
    lines = [*_schedule_lines(night), f"Host: {mention(night.host_id)}", how]
    if view.winner is not None:
        lines.insert(0, f"🏆 **Winner: {_film_line(view.winner)}**")
    elif night.status == CLOSED:
        lines.insert(0, "No ballots were cast, so there is no winner.")
    embed = Embed(title=f"🍿 {safe(clip(night.title, 200))}", description="\n".join(lines),
                  colour=COLOUR if night.is_open else CLOSED_COLOUR if night.status == CLOSED else ERROR_COLOUR)
    if not view.entries:
        embed.add("Nominees", "None yet: press **Nominate** or use `/movienight nominate`.")
    top = max((e.approvals or 0 for e in view.entries), default=0)
    for entry in view.entries:
        value = []
        if entry.approvals is not None:
            filled = round(_BAR * entry.approvals / top) if top else 0
            value.append(f"`{'█' * filled}{'░' * (_BAR - filled)}` {entry.approvals} "
                         f"{'vote' if entry.approvals == 1 else 'votes'}")
        if details := _details(entry):
            value.append(details)
        value.append(f"nominated by {mention(entry.nominated_by)}")
        embed.add(f"{entry.position + 1}. {clip(_film_line(entry), 200)}", "\n".join(value))
    embed.footer = (f"{view.voters} voted · {view.attendees} in · {len(view.entries)}/{MAX_NOMINEES} nominees · "
                    f"region {view.region} · times in your own zone · night #{night.id}")
    message = Message(embeds=[embed])
    if night.is_open:
        message.buttons(
            Button("Nominate", custom_id("mnnom", night.id), "secondary", disabled=view.full, emoji="➕"),
            Button("Vote", custom_id("mnvote", night.id), "primary", emoji="🗳️"),
            Button("I'm in", custom_id("mnin", night.id), "success", emoji="🙋"),
            Button("Close", custom_id("mnclose", night.id), "danger"),
        )
    # The public ballot as a Components V2 card. Every state of the night (open, closed, cancelled) is one:
    # Discord never lets an edit take the IS_COMPONENTS_V2 flag off the message again.
    return message.as_card()


def _option(entry: NomineeEntry, *, default: bool = False) -> SelectOption:
    return SelectOption(label=clip(f"{entry.position + 1}. {entry.title}"
                                   + (f" ({entry.film.year})" if entry.film and entry.film.year else ""), 100),
                        value=str(entry.position), description=clip(_details(entry), 100) or None, default=default)


@renderer.register
def _ballot(ballot: VoteBallot) -> Message:
    night = ballot.night
    by_position = {e.position: e for e in ballot.entries}
    lines = []
    if ballot.status:
        lines.append(ballot.status)
    message = Message()
    if night.voting == APPROVAL:
        lines.append("Pick every film you'd happily watch; you can change your ballot until voting closes.")
        chosen = [by_position[p] for p in ballot.chosen if p in by_position]
        lines.append("Your ballot: " + (", ".join(_film_line(e) for e in chosen) if chosen
                                        else "no films" if ballot.counted else "not cast yet"))
        message.rows.append(Select(custom_id("mnap", night.id), [_option(e, default=e.position in ballot.chosen)
                                                                  for e in ballot.entries],
                                   placeholder="Every film you'd watch", min_values=0,
                                   max_values=len(ballot.entries)))
    else:
        order = [by_position[p] for p in ballot.chosen if p in by_position]
        ranking = "\n".join(f"{n}. {_film_line(e)}" for n, e in enumerate(order, start=1)) or "(nothing yet)"
        if ballot.counted:
            lines.append(f"Your ranking, as it counts:\n{ranking}")
            lines.append("Films you leave out count as tied below the ones you ranked.")
            message.buttons(Button("Change my ranking", custom_id("mnrr", night.id), "secondary"))
        else:
            lines.append("Build your ranking: pick your favourite first, then the next, and so on. "
                         "Films you leave out count as tied below the ones you rank. "
                         "Nothing counts until you press **Confirm**.")
            lines.append(f"Your ranking so far:\n{ranking}")
            encoded = encode_order(ballot.chosen)
            remaining = [e for e in ballot.entries if e.position not in ballot.chosen]
            if remaining:
                message.rows.append(Select(custom_id("mnrk", night.id, encoded), [_option(e) for e in remaining],
                                           placeholder=f"Your choice #{len(order) + 1}"))
            message.buttons(
                Button("Confirm", custom_id("mnrc", night.id, encoded), "success", disabled=not order),
                Button("Undo last", custom_id("mnru", night.id, encoded), "secondary", disabled=not order),
                Button("Start over", custom_id("mnrr", night.id), "secondary", disabled=not order),
            )
    message.embeds.append(Embed(title=f"🗳️ Your ballot: {safe(clip(night.title, 200))}", description="\n\n".join(lines)))
    return message


@renderer.register
def _announcement(result: Announcement) -> Message:
    night = result.night
    outcome = result.outcome
    if result.winner is None:
        embed = Embed(title=f"🍿 {safe(clip(night.title, 200))}: no winner",
                      # Explanation lines are built from titles the service already escaped.
                      description="\n".join(outcome.get("explanation") or ["Nobody voted."]),
                      colour=ERROR_COLOUR)
        if not outcome.get("voters"):
            embed.description = ("No ballots were cast, so there is no winner. "
                                 "Start a new night with `/movienight start` when people are around.")
    else:
        winner = result.winner
        details = _details(winner)
        lines = [f"🏆 We're watching **{_film_line(winner)}**" + (f"\n{details}" if details else "")]
        if night.showtime:
            lines.append(f"🎬 {_ts(night.showtime)} ({_ts(night.showtime, 'R')})")
        embed = Embed(title=f"🍿 {safe(clip(night.title, 200))}: the votes are in", description="\n".join(lines),
                      colour=CLOSED_COLOUR)
        method = "Approval" if outcome.get("method") == voting.APPROVAL else "Ranked, Schulze method"
        embed.add(f"How it was counted ({method}, {outcome.get('voters', 0)} "
                  f"{'voter' if outcome.get('voters') == 1 else 'voters'})",
                  "\n".join(outcome.get("explanation") or []))
        tie = outcome.get("tie")
        if tie:
            embed.add(f"Tie rule applied ({tie.get('step', 'tie')})", TIE_RULE)
        if result.marked_seen or result.attendees:
            embed.add("Marked as seen", f"for the {result.attendees} "
                      f"{'person' if result.attendees == 1 else 'people'} who said they're in.")
    who = (f"Closed by {safe(clip(result.closed_by, 80))}" if result.closed_by
           else "Closed automatically at the deadline")
    embed.footer = f"{who} · night #{night.id}"
    return Message(embeds=[embed])


@renderer.register
def _suggestions(result: GroupSuggestions) -> Message:
    night = result.night
    lines = []
    if result.note:
        lines.append(result.note)
    people = "you" if result.group_size == 1 else f"the {result.group_size} of you who are in or voted"
    where = ("films on your services rank first" if result.services_known
             else "films streaming in the server's region rank first (save your services with `/prefs` for a "
                  "closer fit)")
    lines.append(f"Picked for {people} from the nominees so far, your ratings and watchlists: nobody has "
                 f"marked them seen; {where}.")
    embed = Embed(title=f"💡 Suggestions for {safe(clip(night.title, 200))}", description="\n".join(lines))
    for n, pick in enumerate(result.picks, start=1):
        film = pick.film
        runtime = f" · {film.runtime} min" if film.runtime else ""
        embed.add(f"{n}. {clip(safe(film.label), 200)}{runtime}", "\n".join(f"• {r}" for r in pick.reasons))
    message = Message(embeds=[embed])
    if result.picks and night.is_open:
        message.rows.append(Select(custom_id("mnsug", night.id), [
            SelectOption(clip(f"{n}. {p.film.title}" + (f" ({p.film.year})" if p.film.year else ""), 100), p.film.id)
            for n, p in enumerate(result.picks, start=1)], placeholder="Nominate one of these"))
    return message


@renderer.register
def _history(result: NightHistory) -> Message:
    embed = Embed(title="📜 Past movie nights")
    if not result.entries:
        embed.description = "No movie night has finished in this server yet."
    for entry in result.entries:
        night = entry.night
        when = night.showtime or night.closed_at or night.created_at
        if night.status == CANCELLED:
            outcome = "cancelled"
        elif entry.winner_title:
            outcome = f"🏆 {safe(entry.winner_title)}"
        else:
            outcome = "no ballots, no winner"
        turnout = (f"{entry.turnout.voters} {'voter' if entry.turnout.voters == 1 else 'voters'}, "
                   f"{entry.turnout.attendees} in")
        embed.add(f"{safe(clip(night.title, 150))} · #{night.id}", f"{_ts(when, 'D')} · {outcome} · {turnout}")
    return Message(embeds=[embed])


@renderer.register
def _night_notice(result: NightNotice) -> Message:
    embed = Embed(title=("✅ " if result.ok else "ℹ️ ") + result.title, description=result.text or None)
    message = Message(embeds=[embed])
    message.buttons(*(Button(a.label, a.custom_id, a.style) for a in result.actions))
    return message
