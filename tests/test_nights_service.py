"""Movie nights through the service and store, on a real SQLite file with the shipped catalogue."""
from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.core.app import Marquee
from bot.core.interface import Actor, Publisher
from bot.core.message import Text
from bot.core.rendering import render, render_text
from bot.core.results import Disambiguation, Failure
from cogs.movienight import jobs
from cogs.movienight.results import Announcement, GroupSuggestions, NightHistory, NightNotice, NightView, VoteBallot
from cogs.movienight.service import NightService


class Recorder(Publisher):
    """Keeps what the service posted and edited, and hands out message/event ids."""

    def __init__(self) -> None:
        self.posts: list[tuple[int | None, Any]] = []
        self.edits: list[tuple[int | None, int, Any]] = []
        self.events: list[dict] = []
        self.event_edits: list[tuple[int, dict]] = []

    async def post(self, channel_id, result):
        self.posts.append((channel_id, result))
        return 7000 + len(self.posts)

    async def edit(self, channel_id, message_id, result):
        self.edits.append((channel_id, message_id, result))

    async def create_event(self, guild_id, **fields):
        self.events.append({"guild_id": guild_id, **fields})
        return 555

    async def edit_event(self, guild_id, event_id, **fields):
        self.event_edits.append((event_id, {k: v for k, v in fields.items() if v is not None}))


def service(app: Marquee) -> NightService:
    return next(s for s in app.services if isinstance(s, NightService))


async def start_night(app: Marquee, host: Actor, **options) -> tuple[Recorder, NightView]:
    recorder = Recorder()
    app.attach_publisher(recorder)
    reply = await app.dispatch_command(host, "movienight start", options)
    assert isinstance(reply.result, NightView), reply.result
    await reply.on_sent(host.channel_id, 4242)
    await service(app).settle()
    return recorder, reply.result


async def press(app: Marquee, actor: Actor, custom_id: str, *values: str):
    return await app.dispatch_component(actor, custom_id, list(values))


async def latest_view(app: Marquee, recorder: Recorder) -> NightView:
    await service(app).settle()
    assert recorder.edits, "the ballot message was never refreshed"
    return recorder.edits[-1][2]


async def test_a_whole_approval_night(app: Marquee, alice: Actor, bob: Actor, admin: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Friday", when="in 3h")
    night_id = view.night.id
    assert recorder.events and recorder.events[0]["name"] == "Friday"
    assert abs(recorder.events[0]["start"] - (time.time() + 3 * 3600)) < 60
    assert view.night.closes_at == view.night.showtime  # votes stay open until the showtime by default
    assert "<t:" in render_text(render(view))

    # An ambiguous title asks which one; the pick button nominates.
    reply = await app.dispatch_command(alice, "movienight nominate", {"film": "Heat"})
    assert isinstance(reply.result, Disambiguation) and reply.ephemeral
    pick = render(reply.result).rows[0][0].custom_id
    assert pick == f"mq:mnp:heat-1995:{night_id}"
    reply = await press(app, alice, pick)
    assert isinstance(reply.result, NightNotice) and "Heat" in reply.result.text
    reply = await app.dispatch_command(bob, "movienight nominate", {"film": "alien-1979"})
    assert isinstance(reply.result, NightNotice)
    # A duplicate says who nominated it first.
    reply = await app.dispatch_command(bob, "movienight nominate", {"film": "heat-1995"})
    assert isinstance(reply.result, NightNotice) and "<@111> nominated it first" in reply.result.text
    assert reply.ephemeral and not reply.result.ok

    # Vote by button + select; bob changes his mind; a double submit changes nothing.
    ballot = await press(app, bob, f"mq:mnvote:{night_id}")
    assert isinstance(ballot.result, VoteBallot) and ballot.ephemeral
    assert render(ballot.result).rows[0].custom_id == f"mq:mnap:{night_id}"
    assert (await press(app, alice, f"mq:mnap:{night_id}", "0", "1")).update
    await press(app, bob, f"mq:mnap:{night_id}", "0")
    changed = await press(app, bob, f"mq:mnap:{night_id}", "1")
    assert "updated" in changed.result.status
    again = await press(app, bob, f"mq:mnap:{night_id}", "1")
    assert "already" in again.result.status
    await press(app, bob, f"mq:mnin:{night_id}")

    view = await latest_view(app, recorder)
    assert view.voters == 2 and view.attendees == 1
    assert {e.film_id: e.approvals for e in view.entries} == {"heat-1995": 1, "alien-1979": 2}

    # Only the host (or Manage Events) may close.
    refused = await press(app, bob, f"mq:mnclose:{night_id}")
    assert isinstance(refused.result, Failure) and "host" in refused.result.message and refused.ephemeral
    closed = await app.dispatch_command(alice, "movienight close", {})
    announcement = closed.result
    assert isinstance(announcement, Announcement) and not closed.ephemeral
    assert announcement.winner.film_id == "alien-1979"
    assert announcement.outcome["tally"] == {"heat-1995": 1, "alien-1979": 2}
    assert "Alien" in " ".join(announcement.outcome["explanation"])
    # The winner is marked seen for those who were in (bob), not for everyone.
    assert "alien-1979" in await app.ctx.people.seen_ids(bob.user_id)
    assert "alien-1979" not in await app.ctx.people.seen_ids(alice.user_id)
    await service(app).settle()
    assert recorder.event_edits[-1][0] == 555 and "Alien" in recorder.event_edits[-1][1]["name"]
    final = recorder.edits[-1][2]
    assert final.night.status == "closed" and render(final).rows == []  # no buttons on a closed ballot

    # Voting after the close is refused politely; history shows the night.
    late = await press(app, admin, f"mq:mnap:{night_id}", "0")
    assert isinstance(late.result, Failure) and late.ephemeral
    history = (await app.dispatch_command(bob, "movienight history", {})).result
    assert isinstance(history, NightHistory)
    assert history.entries[0].turnout.voters == 2 and "Alien" in history.entries[0].winner_title


async def test_ranked_ballot_is_built_shown_and_confirmed(app: Marquee, alice: Actor, bob: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Ranked", voting="ranked", closes_in="2h")
    night_id = view.night.id
    for film in ("heat-1995", "alien-1979", "jaws-1975"):
        await app.dispatch_command(alice, "movienight nominate", {"film": film})
    first = (await press(app, bob, f"mq:mnvote:{night_id}")).result
    assert isinstance(first, VoteBallot) and first.chosen == []
    rows = render(first).rows
    assert rows[0].custom_id == f"mq:mnrk:{night_id}:-"
    step = await press(app, bob, f"mq:mnrk:{night_id}:-", "2")
    step = await press(app, bob, f"mq:mnrk:{night_id}:2", "0")
    assert step.update and step.result.chosen == [2, 0] and not step.result.counted
    # Nothing counts before Confirm.
    assert await service(app).store.ballot_of(night_id, bob.user_id) is None
    undo = await press(app, bob, f"mq:mnru:{night_id}:20")
    assert undo.result.chosen == [2]
    confirmed = await press(app, bob, f"mq:mnrc:{night_id}:20")
    assert confirmed.result.counted and "counted" in confirmed.result.status
    stored = await service(app).store.ballot_of(night_id, bob.user_id)
    assert stored.choices == ("jaws-1975", "heat-1995")
    # The public ballot of a ranked night shows turnout, not a tally.
    view = await latest_view(app, recorder)
    assert view.voters == 1 and all(e.approvals is None for e in view.entries)

    await press(app, alice, f"mq:mnrc:{night_id}:21")
    announcement = (await press(app, alice, f"mq:mnclose:{night_id}")).result
    assert isinstance(announcement, Announcement)
    assert announcement.outcome["method"] == "schulze" and announcement.winner.film_id == "jaws-1975"


async def test_fifty_ballots_at_once_nothing_lost(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Crowd", when="in 5h")
    night_id = view.night.id
    for film in ("heat-1995", "alien-1979"):
        await app.dispatch_command(alice, "movienight nominate", {"film": film})
    voters = [Actor(user_id=10_000 + n, name=f"v{n}", guild_id=900, channel_id=901) for n in range(50)]
    # Every voter double-submits at the same instant; the first half approve Heat only.
    def click(n: int, voter: Actor):
        return press(app, voter, f"mq:mnap:{night_id}", "0" if n < 25 else "1")

    replies = await asyncio.gather(*(click(n, v) for n, v in enumerate(voters)),
                                   *(click(n, v) for n, v in enumerate(voters)))
    assert all(isinstance(r.result, VoteBallot) and r.result.counted for r in replies)
    ballots = await service(app).store.ballots(night_id)
    assert len(ballots) == 50
    view = await latest_view(app, recorder)
    assert view.voters == 50
    assert {e.film_id: e.approvals for e in view.entries} == {"heat-1995": 25, "alien-1979": 25}
    # A burst costs far fewer rebuilds than votes, and the last one shows the final state.
    assert len(recorder.edits) < 50


async def posted(recorder: Recorder, within: float = 2.0) -> list[Any]:
    """What the deadline loop posted, as soon as it posted something (empty if nothing came `within` seconds)."""
    for _ in range(int(within / 0.02)):
        if recorder.posts:
            break
        await asyncio.sleep(0.02)
    return list(recorder.posts)


async def test_deadline_closes_the_night_and_missed_deadlines_are_caught_up(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Timed", closes_in="10m")
    night_id = view.night.id
    await app.dispatch_command(alice, "movienight nominate", {"film": "heat-1995"})
    await press(app, alice, f"mq:mnap:{night_id}", "0")
    nights = service(app)
    assert await nights.close_due() == []  # not yet
    # Pretend the bot was down past the deadline: the loop processes it as soon as it starts.
    await app.ctx.db.execute("UPDATE nights SET closes_at = ? WHERE id = ?", (int(time.time()) - 60, night_id))
    loop = asyncio.create_task(nights.start_background())
    try:
        channel, announcement = (await posted(recorder))[0]
    finally:
        loop.cancel()
    assert channel == alice.channel_id and isinstance(announcement, Announcement)
    assert announcement.closed_by is None and announcement.winner.film_id == "heat-1995"
    assert "automatically" in render_text(render(announcement))
    assert (await nights.store.get(night_id)).status == "closed"


async def test_the_deadline_loop_wakes_for_a_night_started_later(app: Marquee, alice: Actor) -> None:
    nights = service(app)
    loop = asyncio.create_task(nights.start_background())
    try:
        recorder, view = await start_night(app, alice, title="Soon", closes_in="5m")
        await app.ctx.db.execute("UPDATE nights SET closes_at = ? WHERE id = ?", (int(time.time()), view.night.id))
        nights.closer.wake()
        posts = await posted(recorder)
        assert posts and "no winner" in render_text(render(posts[0][1]))
    finally:
        loop.cancel()


async def test_without_notifications_the_deadline_loop_still_sees_a_deadline_moved_elsewhere(
        app: Marquee, alice: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite cannot notify: a night another process sharing the file (the console) opened or moved wakes
    # nobody, so the loop looks again every POLL_DEADLINES_EVERY seconds instead of sleeping until the next
    # deadline it knew of (five minutes here).
    assert not await app.ctx.db.listen(jobs.DEADLINE_CHANNEL, lambda _: None)
    monkeypatch.setattr(jobs, "POLL_DEADLINES_EVERY", 0.05)
    nights = service(app)
    recorder, view = await start_night(app, alice, title="Moved", closes_in="5m")
    loop = asyncio.create_task(nights.start_background())
    try:
        await asyncio.sleep(0.2)  # the loop has looked, and sleeps
        await app.ctx.db.execute("UPDATE nights SET closes_at = ? WHERE id = ?", (int(time.time()), view.night.id))
        posts = await posted(recorder)
        assert posts and "no winner" in render_text(render(posts[0][1]))
    finally:
        loop.cancel()


async def test_closing_with_no_ballots_says_so_and_cancels_the_event(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Quiet", when="tomorrow 20:00")
    await app.dispatch_command(alice, "movienight nominate", {"film": "heat-1995"})
    announcement = (await app.dispatch_command(alice, "movienight close", {})).result
    assert isinstance(announcement, Announcement) and announcement.winner is None
    assert "No ballots were cast" in render_text(render(announcement))
    await service(app).settle()
    assert recorder.event_edits[-1] == (555, {"status": "cancelled"})


async def test_cancel_is_for_the_host_or_manage_events(app: Marquee, alice: Actor, bob: Actor, admin: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Maybe", when="in 2 days")
    refused = await app.dispatch_command(bob, "movienight cancel", {})
    assert isinstance(refused.result, Failure) and refused.result.title == "Not allowed"
    done = await app.dispatch_command(admin, "movienight cancel", {})
    assert isinstance(done.result, NightNotice) and not done.ephemeral
    await service(app).settle()
    assert recorder.event_edits[-1] == (555, {"status": "cancelled"})
    again = await app.dispatch_command(alice, "movienight nominate", {"film": "heat-1995"})
    assert isinstance(again.result, Failure) and "no open movie night" in again.result.message.lower()


async def test_one_open_night_per_channel_and_a_twenty_film_limit(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice)
    second = await app.dispatch_command(alice, "movienight start", {"title": "Another"})
    assert isinstance(second.result, Failure) and "still open" in second.result.message
    films = app.catalogue.catalog.ranked_ids()[:21]
    for film_id in films[:20]:
        reply = await app.dispatch_command(alice, "movienight nominate", {"film": film_id})
        assert isinstance(reply.result, NightNotice), reply.result
    full = await app.dispatch_command(alice, "movienight nominate", {"film": films[20]})
    assert isinstance(full.result, Failure) and "20" in full.result.message
    view = await latest_view(app, recorder)
    (card,) = render(view).layout  # the ballot is a Components V2 card
    nominees = [b for b in card.blocks if isinstance(b, Text) and b.content[:3] in {f"**{n}" for n in range(1, 10)}]
    assert len(nominees) == 20
    buttons = next(b for b in card.blocks if isinstance(b, list))
    assert next(b for b in buttons if b.label == "Nominate").disabled


async def test_forged_foreign_and_stale_controls_are_answered_politely(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, voting="ranked", closes_in="1h")
    night_id = view.night.id
    await app.dispatch_command(alice, "movienight nominate", {"film": "heat-1995"})
    stranger = Actor(user_id=999, name="elsewhere", guild_id=12345, channel_id=1)
    for actor, custom_id, values in [
        (alice, "mq:mnvote:999999", []),
        (alice, "mq:mnvote:abc", []),
        (stranger, f"mq:mnvote:{night_id}", []),  # another server's night
        (alice, f"mq:mnrk:{night_id}:zz", ["0"]),
        (alice, f"mq:mnrk:{night_id}:-", ["7"]),  # a film that is not on the ballot
        (alice, f"mq:mnap:{night_id}", ["0"]),  # approval control on a ranked night
        (alice, f"mq:mnrc:{night_id}", []),  # missing argument
    ]:
        reply = await press(app, actor, custom_id, *values)
        assert isinstance(reply.result, Failure) and reply.ephemeral, (custom_id, reply.result)
    assert await service(app).store.ballots(night_id) == []


async def test_user_text_is_shown_safely(app: Marquee, alice: Actor) -> None:
    title = "@everyone <@&42> **loud** " + "x" * 60
    recorder, view = await start_night(app, alice, title=title, when="in 3h")
    message = render(view)
    text = render_text(message)
    assert "@everyone" not in text.replace("@\u200beveryone", "") and "<@&42>" not in text
    assert "\\*\\*loud\\*\\*" in text
    too_long = await app.dispatch_command(alice, "movienight cancel", {})
    assert isinstance(too_long.result, NightNotice) and "@everyone" not in too_long.result.text.replace("@\u200b", "")


async def test_showtime_uses_the_servers_time_zone(app: Marquee, alice: Actor) -> None:
    from bot.storage.people import GuildSettings

    await app.ctx.people.save_guild_settings(GuildSettings(900, timezone="Asia/Tokyo"))
    recorder, view = await start_night(app, alice, when="2027-01-15 21:00")
    # 21:00 in Tokyo (UTC+9, no summer time) is 12:00 UTC.
    assert view.night.showtime == int(datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc).timestamp())
    refused = await app.dispatch_command(alice, "movienight start", {"when": "yesterday"})
    assert isinstance(refused.result, Failure)


async def test_suggestions_favour_the_groups_watchlists_and_one_click_nominates(app: Marquee, alice: Actor,
                                                                               bob: Actor) -> None:
    recorder, view = await start_night(app, alice, when="in 3h")
    night_id = view.night.id
    await press(app, bob, f"mq:mnin:{night_id}")
    await app.ctx.people.add_to_watchlist(bob.user_id, "heat-1995")
    await app.ctx.people.mark_seen(bob.user_id, "alien-1979")
    result = (await app.dispatch_command(alice, "movienight suggest", {"count": 5})).result
    assert isinstance(result, GroupSuggestions) and result.group_size == 1
    assert result.picks[0].film.id == "heat-1995"
    assert any("watchlist" in reason for reason in result.picks[0].reasons)
    assert all(p.film.id != "alien-1979" for p in result.picks)  # someone in the group has seen it
    select = render(result).rows[0]
    assert select.custom_id == f"mq:mnsug:{night_id}"
    nominated = await press(app, alice, select.custom_id, select.options[0].value)
    assert isinstance(nominated.result, NightNotice)
    assert [n.film_id for n in await service(app).store.nominees(night_id)] == ["heat-1995"]
    # The ballot's Nominate button offers the same suggestions privately.
    offered = await press(app, alice, f"mq:mnnom:{night_id}")
    assert isinstance(offered.result, GroupSuggestions) and offered.ephemeral
    assert all(p.film.id != "heat-1995" for p in offered.result.picks)  # already nominated


async def test_rendered_messages_fit_discord(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, title="y" * 100, when="in 3h")
    for film_id in app.catalogue.catalog.ranked_ids()[:20]:
        await app.dispatch_command(alice, "movienight nominate", {"film": film_id})
    view = await latest_view(app, recorder)
    message = render(view)
    assert sum(len(e.title or "") + len(e.description or "") + len(e.footer or "")
               + sum(len(f.name) + len(f.value) for f in e.fields) for e in message.embeds) <= 6000
    ballot = (await press(app, alice, f"mq:mnvote:{view.night.id}")).result
    rows = render(ballot).rows
    assert len(rows[0].options) == 20 and all(len(o.label) <= 100 for o in rows[0].options)
    assert dataclasses.asdict(view.night)["title"] == "y" * 100


async def test_discord_publisher_coalesces_edits_and_shows_the_final_state() -> None:
    from bot.core.results import Notice
    from bot.discord.publisher import DiscordPublisher

    sent: list[tuple[int, str]] = []

    class FakeMessage:
        def __init__(self, message_id: int) -> None:
            self.message_id = message_id

        async def edit(self, **kwargs) -> None:
            sent.append((self.message_id, kwargs["embeds"][0].title))

    class FakeChannel:
        def get_partial_message(self, message_id: int) -> FakeMessage:
            return FakeMessage(message_id)

    class FakeBot:
        def get_partial_messageable(self, channel_id: int) -> FakeChannel:
            return FakeChannel()

    publisher = DiscordPublisher(FakeBot(), min_edit_interval=0.2)  # type: ignore[arg-type]
    for n in range(30):
        await publisher.edit(1, 10, Notice(f"state {n}"))
        await publisher.edit(1, 11, Notice(f"other {n}"))
        await asyncio.sleep(0.01)
    await publisher.flush()
    for message_id, last in ((10, "state 29"), (11, "other 29")):
        titles = [t for m, t in sent if m == message_id]
        assert 2 <= len(titles) <= 4, titles  # ~0.3 s of updates at one edit per 0.2 s
        assert titles[-1].endswith(last)


async def test_watch_offers_to_nominate_its_picks_while_a_night_is_open(app: Marquee, alice: Actor) -> None:
    recorder, view = await start_night(app, alice, title="Picks night")
    answer = (await app.dispatch_command(alice, "watch", {"genre": "Action", "count": 2})).result
    assert answer.open_night_id == view.night.id
    message = render(answer)
    select = next(row for row in message.rows if not isinstance(row, list) and row.custom_id.startswith("mq:mnpick:"))
    film_id = select.options[0].value
    reply = await press(app, alice, select.custom_id, film_id)
    assert isinstance(reply.result, NightNotice) and reply.result.title == "Nominated", reply.result
    assert [n.film_id for n in await service(app).store.nominees(view.night.id)] == [film_id]
    await service(app).settle()


async def test_suggestions_follow_the_nominees_and_reach_past_known_streaming(app: Marquee, alice: Actor) -> None:
    # A revenge night: the review found Finding Nemo, Toy Story 3 and Up offered here, because only films
    # with known streaming were drawn from and the nominees were ignored.
    recorder, view = await start_night(app, alice, title="Revenge night", when="in 3h")
    for film_id in ("kill-bill-volume-1-2003", "oldboy-2003", "john-wick-2014"):
        await app.dispatch_command(alice, "movienight nominate", {"film": film_id})
    result = (await app.dispatch_command(alice, "movienight suggest", {"count": 5})).result
    assert isinstance(result, GroupSuggestions) and len(result.picks) == 5
    catalog = app.catalogue.catalog
    family = {"finding-nemo-2003", "toy-story-3-2010", "up-2009"}
    assert not family & {p.film.id for p in result.picks}
    revenge = [p for p in result.picks if "revenge" in catalog.films[p.film.id].tags]
    assert len(revenge) >= 3, [(p.film.id, p.reasons) for p in result.picks]
    assert any("like" in reason.casefold() for p in result.picks for reason in p.reasons)
    # Streaming is a ranking hint, not a filter: films with no known streaming are suggested too.
    assert any(not catalog.films[p.film.id].availability for p in result.picks)
