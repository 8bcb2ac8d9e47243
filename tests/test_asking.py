"""Asking in plain words (issue 13, part 3): the same handler call as the slash command, the reading shown
with an Adjust button, per-user rate limits, and which messages Marquee answers at all."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord

from bot.composition import FEATURES
from bot.core.app import Marquee
from bot.core.interface import Actor
from bot.core.message import Container, Text
from bot.core.rendering import render, render_text, to_json
from bot.core.results import Failure, Notice
from bot.discord.messages import addressed_to, question_of
from bot.domain.ratelimit import SlidingWindow
from cogs.ask.results import AskAdjust, AskAnswer, SlowDown
from cogs.ask.service import AskService, slash_command


def _without_tokens(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_tokens(v) for k, v in value.items() if k not in ("token", "choice_ids")}
    if isinstance(value, list):
        return [_without_tokens(v) for v in value]
    return value


async def test_a_sentence_runs_the_same_handler_call_as_the_slash_command(app: Marquee, alice: Actor) -> None:
    asked = await app.dispatch_message(alice, "something like Kill Bill but under two hours on Netflix")
    assert asked is not None and isinstance(asked.result, AskAnswer)
    slash = await app.dispatch_command(alice, "watch", {"like": "Kill Bill", "max_minutes": 120, "service": "netflix"})
    assert _without_tokens(to_json(asked.result.answer)) == _without_tokens(to_json(slash.result))
    assert asked.result.reading == "like Kill Bill · ≤ 120 min · Netflix"
    verdict = await app.dispatch_message(alice, "is ballerina-2023 like John Wick?")
    assert verdict is not None
    same = await app.dispatch_command(alice, "islike", {"film": "ballerina-2023", "other": "John Wick"})
    assert to_json(verdict.result.answer) == to_json(same.result)


async def test_the_answer_says_how_it_read_the_question_and_offers_to_adjust(app: Marquee, alice: Actor) -> None:
    asked = await app.dispatch_message(alice, "a tense korean thriller, no horror")
    assert asked is not None
    message = render(asked.result)
    assert message.content is not None and message.content.startswith("I read this as: **tense · Thriller · South Korea**")
    assert "Left out: not horror" in message.content
    adjust = next(b for row in message.rows if isinstance(row, list) for b in row if b.label == "Adjust")
    view = (await app.dispatch_component(alice, adjust.custom_id, [])).result
    assert isinstance(view, AskAdjust) and [key for key, _ in view.parts] == ["mood", "genre", "country"]
    assert view.slash == '/watch mood:tense genre:Thriller country:"South Korea"'
    refused = (await app.dispatch_component(Actor(user_id=5, name="bob"), adjust.custom_id, [])).result
    assert isinstance(refused, Failure) and refused.title == "Not your question"
    dropped = await app.dispatch_component(alice, f"mq:askdrop:{view.token}:country", [])
    assert dropped.ephemeral and dropped.update
    assert dropped.result.reading == "tense · Thriller" and "country" not in dropped.result.answer.filters
    # A card keeps the reading as its first text and the Adjust button among its own controls.
    card = render((await app.dispatch_message(alice, "is ballerina-2023 like john-wick-2014")).result)
    (container,) = [item for item in card.layout or [] if isinstance(item, Container)]
    assert isinstance(card.layout[0], Text) and card.layout[0].content.startswith("I read this as")
    assert any(b.label == "Adjust" for row in container.blocks if isinstance(row, list) for b in row)


async def test_nothing_typed_can_ping_anyone(app: Marquee, alice: Actor) -> None:
    asked = await app.dispatch_message(alice, "something like <@&42> @everyone <@123>")
    assert asked is not None
    text = render_text(render(asked.result))
    assert "@everyone" not in text.replace("@\u200beveryone", "") and "<@&42>" not in text and "<@123>" not in text


async def test_help_and_a_clear_answer_when_charts_are_missing(app: Marquee, alice: Actor, db_path: Any) -> None:
    helped = await app.dispatch_message(alice, "hi!")
    assert helped is not None and helped.result.command == "help" and helped.result.token is None
    assert "just ask me" in render_text(render(helped.result))
    charts = await app.dispatch_message(alice, "what's popular")
    assert charts is not None and type(charts.result.answer).__name__ == "PopularAnswer"
    commands = app.ctx.commands
    try:
        without_charts = Marquee(app.ctx, [f for f in FEATURES if f.name != "popular"])
        popular = await without_charts.dispatch_message(alice, "what's popular")
    finally:
        app.ctx.commands = commands
    assert popular is not None and isinstance(popular.result.answer, Notice)
    assert "no /popular" in popular.result.answer.text


async def test_each_person_gets_five_questions_a_minute_then_one_word_then_silence(app: Marquee, alice: Actor,
                                                                                bob: Actor) -> None:
    now = [1000.0]
    service = app.service(AskService)
    service.clock = lambda: now[0]
    answers = [await app.dispatch_message(alice, "a comedy") for _ in range(7)]
    assert all(isinstance(a.result, AskAnswer) for a in answers[:5] if a)
    assert answers[5] is not None and isinstance(answers[5].result, SlowDown) and answers[5].result.retry_after == 60
    assert answers[6] is None
    assert await app.dispatch_message(bob, "a comedy") is not None  # someone else is not held up
    now[0] += 61
    assert isinstance((await app.dispatch_message(alice, "a comedy")).result, AskAnswer)


def test_the_sliding_window_forgets_the_longest_idle_people_first() -> None:
    window = SlidingWindow(limit=1, window=10, max_keys=2)
    assert window.check(1, 0).allowed and window.check(2, 0).allowed and window.check(3, 0).allowed
    assert window.check(1, 1).allowed  # 1 was forgotten when 3 came
    refused = window.check(3, 1)
    assert not refused.allowed and refused.warn and refused.retry_after == 9
    assert not window.check(3, 2).warn


def test_the_same_request_as_a_slash_command_line() -> None:
    assert slash_command("watch", {"service": "netflix", "like": "Kill Bill", "max_minutes": 120}) == \
        '/watch like:"Kill Bill" max_minutes:120 service:netflix'


def _message(**fields: Any) -> Any:
    base = {"author": SimpleNamespace(bot=False, id=7), "webhook_id": None, "type": discord.MessageType.default,
            "guild": SimpleNamespace(id=1), "mentions": [], "content": ""}
    return SimpleNamespace(**{**base, **fields})


def test_only_people_who_mention_marquee_or_write_to_it_are_answered() -> None:
    me = SimpleNamespace(id=99)
    mentioned = _message(mentions=[me], content="<@99> a comedy")
    assert addressed_to(mentioned, me) and question_of(mentioned, me) == "a comedy"
    assert addressed_to(_message(guild=None, content="a comedy"), me)  # the DM
    assert not addressed_to(_message(content="a comedy"), me)  # not mentioned
    assert not addressed_to(_message(mentions=[SimpleNamespace(id=5)], content="@everyone"), me)
    assert not addressed_to(_message(mentions=[me], author=SimpleNamespace(bot=True, id=8)), me)  # a bot
    assert not addressed_to(_message(guild=None, author=SimpleNamespace(bot=True, id=99)), me)  # itself
    assert not addressed_to(_message(mentions=[me], webhook_id=3), me)
    assert not addressed_to(_message(mentions=[me], type=discord.MessageType.pins_add), me)
