"""Questions in plain words: read by `bot.domain.phrasing` into the slash command they mean, answered by that
command's own handler (through `Context.commands`), with how the question was read and a way to adjust it."""
from __future__ import annotations

import time
from typing import Any, Callable

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.interface import Actor, Reply, component, message_handler
from bot.core.results import Notice
from bot.domain.phrasing import ISLIKE, POPULAR, WATCH, Lexicon, Request, read
from bot.domain.ratelimit import SlidingWindow

from .results import AskAdjust, AskAnswer, SlowDown

# One person's questions: five a minute, then one "slow down", then silence until the minute has passed.
ASKS_PER_MINUTE = 5
MAX_TEXT = 1000  # characters of a message read (Discord allows 2,000; a question is a sentence)
# /watch's own ranges (cogs/discovery): the parser keeps numbers inside them and says when it had to.
WATCH_COUNT = (1, 5)
WATCH_MINUTES = (30, 600)
SLASH_ORDER = ("like", "max_minutes", "service", "mood", "genre", "country", "era", "count", "film", "other")


class AskService:
    def __init__(self, ctx: Context, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ctx = ctx
        self.cat = ctx.catalogue
        self.clock = clock
        self.limit = SlidingWindow(ASKS_PER_MINUTE, 60.0)
        self._lexicon: tuple[tuple[int, int], Lexicon] | None = None

    def lexicon(self) -> Lexicon:
        """What the parser may recognise, from the catalogue in use (rebuilt when the catalogue changes)."""
        catalog = self.cat.catalog
        key = (id(catalog), catalog.version)
        if self._lexicon is None or self._lexicon[0] != key:
            services = {}
            for service in self.cat.services.values():
                for name in (service.key, service.name, *service.aliases):
                    services[name.casefold()] = service.key
            titles = self.cat.titles

            def is_title(text: str) -> bool:  # exact names only: cheap enough to ask word by word
                return bool(titles.named(text))

            lexicon = Lexicon(
                moods=tuple(self.cat.vocabulary.moods()), genres=tuple(catalog.genres()), services=services,
                service_names={s.key: s.name for s in self.cat.services.values()},
                countries=tuple(catalog.countries()), decades=tuple(catalog.decades()), is_title=is_title,
                count_range=WATCH_COUNT, minutes_range=WATCH_MINUTES)
            self._lexicon = (key, lexicon)
        return self._lexicon[1]

    # A message to Marquee -------------------------------------------------------------------------------
    @message_handler
    async def ask(self, actor: Actor, text: str) -> Reply | None:
        verdict = self.limit.check(actor.user_id, self.clock())
        if not verdict.allowed:
            return Reply(SlowDown(max(1, round(verdict.retry_after)))) if verdict.warn else None
        request = read(text[:MAX_TEXT], self.lexicon())
        return await self._answer(actor, request, finish=True)

    async def _answer(self, actor: Actor, request: Request, *, finish: bool, private: bool = False) -> Reply:
        """Run the command the request stands for and wrap its result with the reading. `finish` awaits work
        the command left for later (a message reply has no 3-second window; an interaction hands it on).
        `private`: the answer replaces the asker's own adjust view."""
        if request.command == POPULAR and not self.ctx.commands.handles("popular"):
            inner = Reply(Notice("Charts aren't available", "This Marquee has no /popular: ask for films by mood, "
                                 "genre, decade or likeness instead (“a tense 90s thriller”).", ok=False))
        else:
            inner = await self.ctx.commands.run(actor, request.command, dict(request.options))
        adjustable = request.command in (WATCH, ISLIKE, POPULAR)
        token = None
        if adjustable:
            state = {"command": request.command, "options": request.options, "parts": request.parts,
                     "ignored": request.ignored}
            token = await self.ctx.ui_state.put(actor.user_id, "ask", state)

        def wrap(done: Reply) -> Reply:
            answer = AskAnswer(request.command, request.reading, list(request.ignored), done.result, token)
            return Reply(answer, ephemeral=done.ephemeral or private, update=done.update or private,
                         on_sent=done.on_sent)

        later = inner.later
        if later is None:
            return wrap(inner)
        if finish:
            return wrap(await later())

        async def finished() -> Reply:
            return wrap(await later())

        return Reply(inner.result, ephemeral=inner.ephemeral or private, later=finished)

    # Adjusting how it was read ----------------------------------------------------------------------------
    async def _state(self, actor: Actor, token: str) -> dict[str, Any]:
        return await self.ctx.owned_state(
            actor, token, "ask", expired="That question has expired. Ask me again.",
            not_yours="Only the person who asked can change how I read their question. Ask me yourself!",
            not_yours_title="Not your question")

    @component("askfix")
    async def adjust(self, actor: Actor, token: str, *, values: list[str]) -> Reply:
        state = await self._state(actor, token)
        options: dict[str, Any] = state["options"]
        parts = list(zip(_ordered(options), state["parts"], strict=False)) if state["command"] == WATCH else []
        return Reply(AskAdjust(token, state["command"], parts, slash_command(state["command"], options),
                               list(state["ignored"])), ephemeral=True)

    @component("askdrop")
    async def drop(self, actor: Actor, token: str, option: str, *, values: list[str]) -> Reply:
        """Run the question again without one of the parts it was read with (in place of the adjust view)."""
        state = await self._state(actor, token)
        options = {k: v for k, v in state["options"].items() if k != option}
        if state["command"] != WATCH or option not in state["options"]:
            raise UserError("That part is not in the question any more. Ask me again.")
        parts = [p for key, p in zip(_ordered(state["options"]), state["parts"], strict=False) if key != option]
        request = Request(WATCH, options, parts=parts or ["anything good"], ignored=list(state["ignored"]))
        return await self._answer(actor, request, finish=False, private=True)


def _ordered(options: dict[str, Any]) -> list[str]:
    return [key for key in SLASH_ORDER if key in options]


def slash_command(command: str, options: dict[str, Any]) -> str:
    """The same request as a slash command line: `/watch like:Kill Bill max_minutes:120 service:netflix`."""
    words = [f"/{command}"]
    for key in _ordered(options):
        value = str(options[key])
        words.append(f'{key}:"{value}"' if " " in value else f"{key}:{value}")
    return " ".join(words)

