"""/help."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..interface import Actor, Reply, command

if TYPE_CHECKING:
    from ..app import Marquee


class MetaService:
    def __init__(self, app: "Marquee") -> None:
        self.app = app

    @command("help")
    async def help(self, actor: Actor) -> Reply:
        return Reply(self.app.help(), ephemeral=True)
