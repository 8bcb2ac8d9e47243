"""/help: every command, one line each, grouped as the features declare."""
from __future__ import annotations

from bot.core.context import Context
from bot.core.interface import Actor, Reply, command
from bot.core.results import HelpResult


class MetaService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @command("help")
    async def help(self, actor: Actor) -> Reply:
        return Reply(HelpResult(self.ctx.command_index), ephemeral=True)
