"""/help with credits: the shared command list (bot.core.rendering), the attributions as its footer."""
from __future__ import annotations

from bot.core.message import Message
from bot.core.rendering import renderer
from bot.core.results import HelpResult

from .results import CreditedHelp


@renderer.register
def _credited_help(result: CreditedHelp) -> Message:
    message = renderer.dispatch(HelpResult)(result)
    if result.credits and message.embeds:
        message.embeds[-1].footer = " ".join(result.credits)
    return message
