"""The context menus' handlers: the films a message names, and picks for a member from what they share."""
from __future__ import annotations

from itertools import combinations

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.interface import Actor, Reply, command, component
from bot.domain.group import Group, suggest_for_group
from bot.domain.recommend import qualities
from bot.domain.spotting import spot_titles

from .results import FilmsInMessage, SpottedFilm, TheirPick, TheirPicks

FILMS_IN_MESSAGE = "Films in this message"
WHAT_WOULD_THEY_LIKE = "What would they like?"
MAX_FILMS = 5
MAX_PAIRS = 10  # every pair of five films
TEXT_MAX = 6000  # a message is 2,000 characters; with its embeds' text, a little more
PICKS = 5


class MenusService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cat = ctx.catalogue

    # Films in this message ------------------------------------------------------------------------------
    @command(FILMS_IN_MESSAGE)
    async def films_in_message(self, actor: Actor, text: str = "") -> Reply:
        spots = spot_titles(text[:TEXT_MAX], self.cat.titles.named, limit=MAX_FILMS)
        if not spots:
            raise UserError("I found no film titles in that message. I look for titles written with their "
                            "capitals, like “Kill Bill” or “Mad Max: Fury Road”.", title="No films found")
        films = [SpottedFilm(s.film, s.written, list(s.others)[:3], await self.ctx.live.poster_url(s.film))
                 for s in spots]
        pairs = list(combinations(range(len(films)), 2))[:MAX_PAIRS]
        # Two film ids may not fit in a custom_id's 100 characters: the buttons carry positions in a list.
        token = await self.ctx.ui_state.put(actor.user_id, "spotted", {"films": [f.film.id for f in films]})
        return Reply(FilmsInMessage(films, pairs, token))

    async def _spotted(self, token: str, *positions: str) -> list[str]:
        stored = await self.ctx.ui_state.get(token, "spotted")
        if stored is None:
            raise UserError("These buttons have expired. Use the menu on the message again.",
                            title="That control has expired")
        films: list[str] = stored[1]["films"]
        if not all(p.isdecimal() and p.isascii() and int(p) < len(films) for p in positions):
            raise UserError("That control is not valid any more. Use the menu on the message again.")
        return [films[int(p)] for p in positions]

    @component("likepair")
    async def is_it_like(self, actor: Actor, token: str, a: str, b: str, *, values: list[str]) -> Reply:
        """An "is it like …?" button between two of the films: /islike's own verdict, for whoever pressed it."""
        film, other = await self._spotted(token, a, b)
        reply = await self.ctx.commands.run(actor, "islike", {"film": film, "other": other})
        reply.ephemeral = True
        return reply

    @component("menucard")
    async def card(self, actor: Actor, token: str, position: str, *, values: list[str]) -> Reply:
        (film_id,) = await self._spotted(token, position)
        reply = await self.ctx.commands.run(actor, "film", {"title": film_id})
        reply.ephemeral = True
        return reply

    # What would they like? ------------------------------------------------------------------------------
    @command(WHAT_WOULD_THEY_LIKE)
    async def what_would_they_like(self, actor: Actor, member: int, member_name: str = "They",
                                   member_is_bot: bool = False) -> Reply:
        is_self = member == actor.user_id
        name = "you" if is_self else member_name
        if member_is_bot:
            raise UserError(f"{member_name} is a bot, and bots keep no watchlist.", title="That's a bot")
        people, catalog = self.ctx.people, self.cat.catalog
        wanted = [e.film_id for e in await people.watchlist(member) if e.film_id in catalog]
        ratings = {key: stars for key, stars in (await people.ratings([member])).items() if key[1] in catalog}
        if not wanted and not any(stars >= 4 for stars in ratings.values()):
            whose = "your" if is_self else f"{member_name}'s"
            raise UserError(f"There's nothing to go on yet: {whose} watchlist is empty and no film has four stars "
                            "or more. `/watchlist add` and `/rate` fill them in.", title="Nothing to go on")
        seen = await people.seen_ids(member)
        # Their services and region are their own business: the asker's region says where things stream.
        region = await self.ctx.region_for(actor)
        group = Group([member], {film_id: {member} for film_id in wanted}, ratings, {}, seen, (), region)
        picks = suggest_for_group(catalog, self.cat.similarity, group, PICKS, who=lambda _: name,
                                  quality=qualities(catalog, self.cat.similarity.arrays))
        shown = [TheirPick(p.film, [_shareable(r, name) for r in p.reasons] or ["Well liked, and not seen yet"])
                 for p in picks]
        return Reply(TheirPicks(member, member_name, is_self, shown), ephemeral=True)


def _shareable(reason: str, name: str) -> str:
    """A reason that names a rating ("Like Heat, which Bob rated ★★★★★") says only that it is close to
    what they rate highly: the watchlist is theirs to show (`/watchlist show`), their ratings are not."""
    if " rated ★" in reason:
        return f"Close to the films {name} rate{'' if name == 'you' else 's'} highest"
    return reason.replace("you's", "your")
