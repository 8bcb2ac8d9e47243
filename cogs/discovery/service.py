"""Discovery: /watch, /islike, /similar, /film and /where — the engine's answers, with their reasons."""
from __future__ import annotations

import zlib
from typing import Any, Awaitable, Callable

from bot.core.checks import checked_range
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.interface import Actor, Reply, command, component
from bot.core.live import Freshness
from bot.core.results import Notice
from bot.domain.catalog import service_key
from bot.domain.eras import era_label, parse_era
from bot.domain.models import AVAILABILITY_KINDS, Availability, Film
from bot.domain.recommend import WatchQuery, recommend
from bot.domain.similarity import MAX_SIMILAR, PAGE_SIZE
from bot.storage.nights import NightStore

from .results import FilmCard, IsLikeAnswer, SimilarAnswer, StreamingOption, WatchAnswer, WhereAnswer

MAX_BATCHES = 20
WATCH_COUNT = (1, 5)
SIMILAR_COUNT = (1, 10)
MAX_MINUTES = (30, 600)
ANY_SERVICE = frozenset({"any", "any service", "all", "all services"})


class DiscoveryService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cat = ctx.catalogue
        self.nights = NightStore(ctx.db)

    # Helpers ------------------------------------------------------------------------------------------
    def streaming(self, film: Film, region: str) -> tuple[list[StreamingOption], list[str]]:
        here = sorted(film.streams_in(region), key=lambda a: (AVAILABILITY_KINDS.index(a.kind), a.service))
        options = [self._option(a) for a in here]
        elsewhere = sorted({a.region for a in film.availability} - {region})
        return options, elsewhere

    def _option(self, a: Availability) -> StreamingOption:
        return StreamingOption(a.service, self.cat.services.name_of(a.service), a.region, a.kind, a.checked, a.source)

    def checked_era(self, text: str) -> int:
        decade = parse_era(text)
        decades = self.cat.catalog.decades()
        if decade is None or decade not in decades:
            raise UserError(f"“{text[:20]}” is not a decade we have films from. Write it as 1990s, 90s or 1990; "
                            f"the catalogue spans the {era_label(decades[0])} to the {era_label(decades[-1])}.",
                            title="Unknown era")
        return decade

    # /watch ------------------------------------------------------------------------------------------
    @command("watch")
    async def watch(self, actor: Actor, mood: str | None = None, genre: str | None = None,
                    service: str | None = None, max_minutes: int | None = None, like: str | None = None,
                    country: str | None = None, era: str | None = None, region: str | None = None,
                    count: int = 3) -> Reply:
        checked_range("count", count, *WATCH_COUNT)
        if max_minutes is not None:
            checked_range("max_minutes", max_minutes, *MAX_MINUTES)
        vocabulary = self.cat.vocabulary
        if mood is not None and mood not in vocabulary.moods():
            raise UserError(f"“{mood[:30]}” is not a mood. Moods: {', '.join(vocabulary.moods())}.",
                            title="Unknown mood")
        if country is not None and country.casefold() not in {c.casefold() for c in self.cat.catalog.countries()}:
            raise UserError(f"No film in the catalogue comes from “{country[:40]}”. Pick a country from the list.",
                            title="Unknown country")
        where = await self.ctx.region_for(actor, region)
        explicit, services, services_from = await self.services_for(actor, service)
        state: dict[str, Any] = {
            "mood": mood, "genre": genre, "service": explicit, "services": list(services),
            "services_from": services_from,
            "max_minutes": max_minutes, "like": self.cat.find(like).id if like else None,
            "country": country, "era": self.checked_era(era) if era else None, "region": where, "count": count,
            "seed": zlib.crc32(str(actor.user_id).encode()), "batch": 0,
        }
        return await self._watch_answer(actor, state, token=None)

    async def services_for(self, actor: Actor, named: str | None) -> tuple[str | None, tuple[str, ...], str | None]:
        """(the service named, the saved services used instead, whose they are) for /watch.

        A named service wins; `any` means no service filter; otherwise the user's saved services, then the
        server's, are used (and the answer says so)."""
        if named is not None and named.strip().casefold() in ANY_SERVICE:
            return None, (), None
        if named:
            return self.cat.service(named).key, (), None
        prefs = await self.ctx.people.prefs(actor.user_id)
        if prefs.services:
            return None, prefs.services, "your"
        if actor.guild_id:
            settings = await self.ctx.people.guild_settings(actor.guild_id)
            if settings.services:
                return None, settings.services, "the server's"
        return None, (), None

    async def _watch_answer(self, actor: Actor, state: dict[str, Any], token: str | None) -> Reply:
        seen = frozenset(await self.ctx.people.seen_ids(actor.user_id))
        query = WatchQuery(**{k: state[k] for k in ("mood", "genre", "service", "max_minutes", "like", "country",
                                                     "era", "region", "count", "seed", "batch")},
                           services=tuple(state.get("services", ())), exclude=seen)
        result = recommend(self.cat.catalog, self.cat.similarity, query)
        if result.picks and state["batch"] < MAX_BATCHES:
            if token is None:
                token = await self.ctx.ui_state.put(actor.user_id, "watch", state)
            else:
                await self.ctx.ui_state.replace(token, state)
        else:
            token = None
        like = self.cat.catalog.get(state["like"]) if state["like"] else None
        shown = {
            "mood": state["mood"], "genre": state["genre"],
            "service": self.cat.services.name_of(state["service"]) if state["service"] else None,
            "max_minutes": f"{state['max_minutes']} min" if state["max_minutes"] else None,
            "like": like.label if like else None,
            "country": state["country"], "era": era_label(state["era"] // 10 * 10) if state["era"] else None,
        }
        night = await self.nights.open_in_channel(actor.channel_id) if actor.channel_id is not None else None
        saved = state.get("services") or []
        services_note = (f"on {state['services_from']} services: "
                         f"{', '.join(self.cat.services.name_of(k) for k in saved)} — use service: to change"
                         if saved else None)
        answer = WatchAnswer({k: str(v) for k, v in shown.items() if v}, state["region"], list(result.picks),
                             result.emptied_by, list(result.relaxations), result.matched, state["batch"], token,
                             night.id if night else None, services_note, state["count"])
        return Reply(answer, ephemeral=not result.picks)

    @component("more")
    async def another_batch(self, actor: Actor, token: str, *, values: list[str]) -> Reply:
        state = await self.ctx.owned_state(
            actor, token, "watch", expired="These picks have expired. Run /watch again.",
            not_yours="These picks belong to someone else's /watch. Run /watch for picks of your own.",
            not_yours_title="Not your picks")
        state["batch"] += 1
        reply = await self._watch_answer(actor, state, token)
        reply.update = bool(reply.result.picks)
        return reply

    @component("seenpick")
    async def seen_from_select(self, actor: Actor, *, values: list[str]) -> Reply:
        films = [f for v in values if (f := self.cat.catalog.get(v))]
        for film in films:
            if await self.ctx.people.mark_seen(actor.user_id, film.id):
                await self.ctx.live.activity.record(actor.guild_id, actor.user_id, film.id, "watched")
        names = ", ".join(f.title for f in films) or "nothing"
        return Reply(Notice("Marked as seen", f"{names}. /watch won't suggest them to you again."), ephemeral=True)

    @component("wlpick")
    async def watchlist_from_select(self, actor: Actor, *, values: list[str]) -> Reply:
        films = [f for v in values if (f := self.cat.catalog.get(v))]
        added = [f for f in films if await self.ctx.people.add_to_watchlist(actor.user_id, f.id)]
        await self.ctx.live.activity.record(actor.guild_id, actor.user_id, [f.id for f in added], "watchlist")
        text = f"Added: {', '.join(f.title for f in added)}." if added else "They were already on your watchlist."
        return Reply(Notice("Watchlist", text, ok=bool(added)), ephemeral=True)

    # /islike -----------------------------------------------------------------------------------------
    @command("islike")
    async def islike(self, actor: Actor, film: str, other: str) -> Reply:
        a = self.cat.find(film)
        b = self.cat.find(other)
        if a.id == b.id:
            raise UserError(f"That's the same film twice: {a.label}. Pick two different films.", title="Same film")
        return Reply(IsLikeAnswer(self.cat.similarity.compare(a.id, b.id)))

    # /similar ----------------------------------------------------------------------------------------
    @command("similar")
    async def similar(self, actor: Actor, film: str, count: int = 5, service: str | None = None,
                      region: str | None = None) -> Reply:
        checked_range("count", count, *SIMILAR_COUNT)
        chosen = self.cat.find(film)
        key = self.cat.service(service).key if service else None
        where = await self.ctx.region_for(actor, region) if (key or region) else None
        state = {"film": chosen.id, "service": key, "region": where, "start": 0, "count": count}
        return await self._similar_page(actor, state, token=None)

    @component("sim")
    async def similar_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        if self.cat.catalog.get(film_id) is None:
            raise UserError("That film is no longer in the catalogue.")
        state = {"film": film_id, "service": None, "region": None, "start": 0, "count": 5}
        reply = await self._similar_page(actor, state, token=None)
        reply.ephemeral = True
        return reply

    @component("simmore")
    async def similar_more(self, actor: Actor, token: str, *, values: list[str]) -> Reply:
        """The next page of a "more like" list, in place of the one shown (only for who asked for it)."""
        state = await self.ctx.owned_state(
            actor, token, "similar", expired="This list has expired. Run /similar again.",
            not_yours="This list belongs to someone else's /similar. Run /similar (or press “More like this” "
                      "on a film) for a list of your own.", not_yours_title="Not your list")
        if self.cat.catalog.get(state["film"]) is None:
            raise UserError("That film is no longer in the catalogue.")
        state["start"] += state["count"]
        state["count"] = PAGE_SIZE
        reply = await self._similar_page(actor, state, token)
        reply.update = True
        return reply

    async def _similar_page(self, actor: Actor, state: dict[str, Any], token: str | None) -> Reply:
        chosen = self.cat.catalog.films[state["film"]]
        key, where = state["service"], state["region"]
        allowed = self.cat.catalog.postings("service", service_key(key, where)) if key and where else None
        start = state["start"]
        count = min(state["count"], MAX_SIMILAR - start)
        # One more than shown says whether a further page exists.
        items = self.cat.similarity.similar(chosen.id, count + 1, allowed=allowed, skip=start)
        more = len(items) > count and start + count < MAX_SIMILAR
        items = items[:count]
        if more:
            if token is None:
                token = await self.ctx.ui_state.put(actor.user_id, "similar", state)
            else:
                await self.ctx.ui_state.replace(token, state)
        else:
            token = None
        name = self.cat.services.name_of(key) if key else None
        return Reply(SimilarAnswer(chosen, items, name, where, start, token), ephemeral=not items)

    # /film -------------------------------------------------------------------------------------------
    @command("film")
    async def film(self, actor: Actor, title: str, region: str | None = None) -> Reply:
        chosen = self.cat.find(title)
        where = await self.ctx.region_for(actor, region)
        return await self._live(chosen, lambda problem: self._card(actor, chosen.id, where, problem))

    async def _live(self, film: Film, answer: Callable[[str | None], Awaitable[Reply]]) -> Reply:
        """Answer at once, or, when the stored streaming data is older than the live-data age, after asking TMDB
        (the front end acknowledges first, so Discord's 3 s deadline is kept)."""
        if not await self.ctx.live.needs_check(film):
            return await answer(None)

        async def checked() -> Reply:
            return await answer(await self.ctx.live.check(film))

        return Reply(None, later=checked)

    async def _freshness(self, film: Film, region: str, problem: str | None) -> Freshness | None:
        freshness = await self.ctx.live.freshness(film, region)
        if freshness is not None and problem:
            freshness.problem = problem
        return freshness

    async def _card(self, actor: Actor, film_id: str, where: str, problem: str | None) -> Reply:
        chosen = self.cat.catalog.films[film_id]
        streaming, elsewhere = self.streaming(chosen, where)
        ratings = await self.ctx.people.ratings([actor.user_id])
        seen = chosen.id in await self.ctx.people.seen_ids(actor.user_id)
        card = FilmCard(chosen, where, streaming, elsewhere, self.cat.similarity.similar(chosen.id, 3),
                        {t: self.cat.vocabulary.facet_of(t) or "" for t in chosen.tags},
                        ratings.get((actor.user_id, chosen.id)), seen, await self.ctx.live.poster_url(chosen),
                        await self.ctx.live.chart_entry(chosen), await self._freshness(chosen, where, problem))
        return Reply(card)

    # /where ------------------------------------------------------------------------------------------
    @command("where")
    async def where(self, actor: Actor, title: str, region: str | None = None) -> Reply:
        chosen = self.cat.find(title)
        where = await self.ctx.region_for(actor, region)
        return await self._live(chosen, lambda problem: self._where_answer(chosen.id, where, problem))

    async def _where_answer(self, film_id: str, where: str, problem: str | None) -> Reply:
        chosen = self.cat.catalog.films[film_id]
        streaming, elsewhere = self.streaming(chosen, where)
        return Reply(WhereAnswer(chosen, where, streaming, elsewhere, await self._freshness(chosen, where, problem)))
