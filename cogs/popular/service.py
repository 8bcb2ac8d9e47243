"""/popular: the films this server's members added to watchlists, nominated, watched and rated lately, and,
with TMDB switched on, trending films and what is popular on a service in the user's region."""
from __future__ import annotations

import time

from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.interface import Actor, Reply, command
from bot.domain.charts import WINDOWS, server_chart

from .results import PopularAnswer, ServerChartRow


class PopularService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cat = ctx.catalogue

    @command("popular")
    async def popular(self, actor: Actor, days: int = 7, service: str | None = None,
                      region: str | None = None) -> Reply:
        if days not in WINDOWS:
            raise UserError(f"Charts cover the last {' or '.join(map(str, WINDOWS))} days.", title="Unknown window")
        key = self.cat.service(service).key if service else None
        where = await self.ctx.region_for(actor, region)
        rows = await self._server_rows(actor, days)
        live = self.ctx.live
        if not live.tmdb_on:
            return Reply(PopularAnswer(days, actor.guild_id is not None, rows))

        async def with_tmdb() -> Reply:
            return Reply(await self._with_tmdb(actor, days, rows, key, where))

        # TMDB may take a few seconds: the front end acknowledges first.
        return Reply(None, later=with_tmdb)

    async def _server_rows(self, actor: Actor, days: int) -> list[ServerChartRow]:
        if actor.guild_id is None:
            return []
        since = int(time.time()) - days * 86400
        chart = server_chart(await self.ctx.live.activity.events(actor.guild_id, since), since=since)
        rows: list[ServerChartRow] = []
        for row in chart:
            film = self.cat.catalog.get(row.film_id)
            if film is not None:
                rows.append(ServerChartRow(len(rows) + 1, film, row.score, row.counts, row.members))
        return rows

    async def _with_tmdb(self, actor: Actor, days: int, rows: list[ServerChartRow], key: str | None,
                         where: str) -> PopularAnswer:
        live = self.ctx.live
        outside = []
        note = None
        trending = await live.trending()
        if trending is not None:
            outside.append(trending)
        if key is None:
            prefs = await self.ctx.people.prefs(actor.user_id)
            saved = prefs.services
            if not saved and actor.guild_id is not None:
                saved = (await self.ctx.people.guild_settings(actor.guild_id)).services
            key = saved[0] if saved else None
        if key is not None:
            chart = await live.popular_on(key, where)
            if chart is not None:
                outside.append(chart)
        else:
            note = "Name a service (or save yours with /prefs) to see what is popular on it in your region."
        return PopularAnswer(days, actor.guild_id is not None, rows, outside, True, note)
