"""/help: every command, one line each, grouped as the features declare; with TMDB switched on, the
attribution TMDB's terms require wherever its data is used."""
from __future__ import annotations

from bot.core.context import Context
from bot.core.interface import Actor, Reply, command
from bot.sources.tmdb import PROVIDER_SOURCE, TMDB_NOTICE

from .results import CreditedHelp


class MetaService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @command("help")
    async def help(self, actor: Actor) -> Reply:
        credits = []
        # TMDB is switched on when TMDB_API_KEY is set (a key TMDB later refused still served data shown here).
        if self.ctx.live.tmdb is not None:
            credits += [TMDB_NOTICE, f"Streaming data: {PROVIDER_SOURCE}."]
        return Reply(CreditedHelp(self.ctx.command_index, credits), ephemeral=True)
