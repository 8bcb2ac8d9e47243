"""What /help answers beyond the command list: the credits the live data sources' terms ask for."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.rendering import to_json
from bot.core.results import HelpResult


@dataclass(slots=True)
class CreditedHelp(HelpResult):
    """The command list, and the attributions of the outside data this instance uses (shown as its footer)."""

    credits: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # Still a "help_result" to whoever reads the console's JSON; the credits are one more field.
        return {"type": "help_result", "groups": to_json(self.groups), "credits": list(self.credits)}
