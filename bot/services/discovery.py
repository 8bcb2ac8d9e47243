"""Discovery: /watch, /islike, /similar, /film and /where — the engine's answers, with their reasons."""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.models import Availability, Film
from ..domain.recommend import Pick, Relaxation, WatchQuery, recommend
from ..domain.similarity import SimilarFilm, Verdict
from ..errors import UserError
from ..interface import Actor, Reply, command, component
from .results import Notice

if TYPE_CHECKING:
    from ..app import Marquee

KIND_ORDER = ("subscription", "free", "rent", "buy")
MAX_BATCHES = 20


@dataclass(slots=True)
class StreamingOption:
    service: str  # key
    service_name: str
    region: str
    kind: str
    checked: str
    source: str | None = None


@dataclass(slots=True)
class WatchAnswer:
    filters: dict[str, str]  # what was asked, as shown to the user
    region: str
    picks: list[Pick]
    emptied_by: str | None
    relaxations: list[Relaxation]
    matched: int
    batch: int
    token: str | None = None  # ui_state key behind "another batch"
    open_night_id: int | None = None
    service_names: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SimilarAnswer:
    film: Film
    items: list[SimilarFilm]
    service: str | None = None
    region: str | None = None


@dataclass(slots=True)
class FilmCard:
    film: Film
    region: str
    streaming: list[StreamingOption]
    other_regions: list[str]
    similar: list[SimilarFilm]
    tag_facets: dict[str, str]
    your_rating: int | None = None
    seen: bool = False


@dataclass(slots=True)
class WhereAnswer:
    film: Film
    region: str
    streaming: list[StreamingOption]
    other_regions: list[str]


@dataclass(slots=True)
class IsLikeAnswer:
    verdict: Verdict


class DiscoveryService:
    def __init__(self, app: "Marquee") -> None:
        self.app = app
        self.cat = app.catalog

    # Helpers ------------------------------------------------------------------------------------------
    def streaming(self, film: Film, region: str) -> tuple[list[StreamingOption], list[str]]:
        here = sorted(film.streams_in(region), key=lambda a: (KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else 9, a.service))
        options = [self._option(a) for a in here]
        elsewhere = sorted({a.region for a in film.availability} - {region})
        return options, elsewhere

    def _option(self, a: Availability) -> StreamingOption:
        service = self.cat.services.get(a.service)
        return StreamingOption(a.service, service.name if service else a.service, a.region, a.kind, a.checked, a.source)

    def service_key(self, text: str) -> str:
        service = self.cat.services.resolve(text)
        if service is None:
            known = ", ".join(s.name for s in self.cat.services.values())
            raise UserError(f"I don't know the service “{text[:40]}”. Known services: {known}.", title="Unknown service")
        return service.key

    def _service_names(self) -> dict[str, str]:
        return {key: s.name for key, s in self.cat.services.items()}

    # /watch ------------------------------------------------------------------------------------------
    @command("watch")
    async def watch(self, actor: Actor, mood: str | None = None, genre: str | None = None,
                    service: str | None = None, max_minutes: int | None = None, like: str | None = None,
                    country: str | None = None, era: int | None = None, region: str | None = None,
                    count: int = 3) -> Reply:
        if not 1 <= count <= 5:
            raise UserError("`count` must be between 1 and 5.", title="Out of range")
        if max_minutes is not None and not 30 <= max_minutes <= 600:
            raise UserError("`max_minutes` must be between 30 and 600.", title="Out of range")
        vocabulary = self.cat.vocabulary
        if mood is not None and mood not in vocabulary.moods():
            raise UserError(f"“{mood[:30]}” is not a mood. Moods: {', '.join(vocabulary.moods())}.", title="Unknown mood")
        if era is not None and not 1900 <= era <= 2030:
            raise UserError("`era` is a decade such as 1990 (for the 1990s).", title="Out of range")
        if country is not None and country.casefold() not in {c.casefold() for c in self.cat.catalog.countries()}:
            raise UserError(f"No film in the catalogue comes from “{country[:40]}”. Pick a country from the list.",
                            title="Unknown country")
        where = await self.app.region_for(actor, region)
        state = {
            "mood": mood, "genre": genre, "service": self.service_key(service) if service else None,
            "max_minutes": max_minutes, "like": self.cat.find(like).id if like else None,
            "country": country, "era": era, "region": where, "count": count,
            "seed": zlib.crc32(str(actor.user_id).encode()), "batch": 0,
        }
        return await self._watch_answer(actor, state, token=None)

    async def _watch_answer(self, actor: Actor, state: dict, token: str | None) -> Reply:
        seen = frozenset(await self.app.people.seen_ids(actor.user_id))
        query = WatchQuery(**{k: state[k] for k in ("mood", "genre", "service", "max_minutes", "like", "country",
                                                     "era", "region", "count", "seed", "batch")}, exclude=seen)
        result = recommend(self.cat.catalog, self.cat.similarity, query)
        if result.picks and state["batch"] < MAX_BATCHES:
            if token is None:
                token = await self.app.ui_state.put(actor.user_id, "watch", state)
            else:
                await self.app.ui_state.replace(token, state)
        else:
            token = None
        shown = {
            "mood": state["mood"], "genre": state["genre"],
            "service": self.cat.services[state["service"]].name if state["service"] in self.cat.services else state["service"],
            "max_minutes": f"{state['max_minutes']} min" if state["max_minutes"] else None,
            "like": self.cat.catalog.get(state["like"]).label if state["like"] and self.cat.catalog.get(state["like"]) else None,
            "country": state["country"], "era": f"{state['era'] // 10 * 10}s" if state["era"] else None,
        }
        night = await self._open_night(actor)
        answer = WatchAnswer({k: str(v) for k, v in shown.items() if v}, state["region"], list(result.picks),
                             result.emptied_by, list(result.relaxations), result.matched, state["batch"], token,
                             night, self._service_names())
        return Reply(answer, ephemeral=not result.picks)

    async def _open_night(self, actor: Actor) -> int | None:
        nights = getattr(self.app, "nights", None)
        if nights is None or actor.channel_id is None:
            return None
        finder = getattr(nights, "open_night_id", None)
        return await finder(actor) if finder else None

    @component("more")
    async def another_batch(self, actor: Actor, token: str, *, values: list[str]) -> Reply:
        stored = await self.app.ui_state.get(token, "watch")
        if stored is None:
            raise UserError("These picks have expired. Run /watch again.", title="That control has expired")
        _, state = stored
        state["batch"] += 1
        reply = await self._watch_answer(actor, state, token)
        reply.update = bool(reply.result.picks)
        return reply

    @component("seenpick")
    async def seen_from_select(self, actor: Actor, *, values: list[str]) -> Reply:
        films = [f for v in values if (f := self.cat.catalog.get(v))]
        for film in films:
            await self.app.people.mark_seen(actor.user_id, film.id)
        names = ", ".join(f.title for f in films) or "nothing"
        return Reply(Notice("Marked as seen", f"{names}. /watch won't suggest them to you again."), ephemeral=True)

    @component("wlpick")
    async def watchlist_from_select(self, actor: Actor, *, values: list[str]) -> Reply:
        films = [f for v in values if (f := self.cat.catalog.get(v))]
        added = [f.title for f in films if await self.app.people.add_to_watchlist(actor.user_id, f.id)]
        text = f"Added: {', '.join(added)}." if added else "They were already on your watchlist."
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
        if not 1 <= count <= 10:
            raise UserError("`count` must be between 1 and 10.", title="Out of range")
        chosen = self.cat.find(film)
        key = self.service_key(service) if service else None
        where = await self.app.region_for(actor, region) if (key or region) else None
        predicate = None
        if key:
            def predicate(f: Film, key=key, where=where) -> bool:
                return any(a.service == key and a.region == where for a in f.availability)
        items = self.cat.similarity.similar(chosen.id, count, predicate=predicate)
        name = self.cat.services[key].name if key else None
        return Reply(SimilarAnswer(chosen, items, name, where), ephemeral=not items)

    @component("sim")
    async def similar_button(self, actor: Actor, film_id: str, *, values: list[str]) -> Reply:
        film = self.cat.catalog.get(film_id)
        if film is None:
            raise UserError("That film is no longer in the catalogue.")
        return Reply(SimilarAnswer(film, self.cat.similarity.similar(film.id, 5)), ephemeral=True)

    # /film -------------------------------------------------------------------------------------------
    @command("film")
    async def film(self, actor: Actor, title: str, region: str | None = None) -> Reply:
        chosen = self.cat.find(title)
        where = await self.app.region_for(actor, region)
        streaming, elsewhere = self.streaming(chosen, where)
        ratings = await self.app.people.ratings([actor.user_id])
        seen = chosen.id in await self.app.people.seen_ids(actor.user_id)
        card = FilmCard(chosen, where, streaming, elsewhere, self.cat.similarity.similar(chosen.id, 3),
                        {t: self.cat.vocabulary.facet_of(t) or "" for t in chosen.tags},
                        ratings.get((actor.user_id, chosen.id)), seen)
        return Reply(card)

    # /where ------------------------------------------------------------------------------------------
    @command("where")
    async def where(self, actor: Actor, title: str, region: str | None = None) -> Reply:
        chosen = self.cat.find(title)
        where = await self.app.region_for(actor, region)
        streaming, elsewhere = self.streaming(chosen, where)
        return Reply(WhereAnswer(chosen, where, streaming, elsewhere))
