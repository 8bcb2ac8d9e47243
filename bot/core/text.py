"""Text helpers for anything shown on Discord or the console: clip to a limit, show user text literally."""
from __future__ import annotations

import re


def clip(text: str | None, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis (never cut a Discord limit)."""
    text = text or ""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


_MARKDOWN = re.compile(r"([\\*_`~|\[\]]|^[#>-])")
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")


def safe(text: str | None) -> str:
    """User-typed text, shown literally: markdown escaped and mentions defused.

    allowed_mentions already stops pings; this also stops `@everyone` from *looking* like a mention and
    keeps a title like `**x**` from restyling the message.
    """
    text = (text or "").replace("\r", " ").replace("\n", " ")
    return defuse(_MARKDOWN.sub(r"\\\1", text)) or ""


_EVERYONE = re.compile(r"@(everyone|here)")


def defuse(text: str | None) -> str | None:
    """Make @everyone/@here and raw mention syntax inert (they show, but never look like or act as pings)."""
    if not text:
        return text
    return _MENTION.sub(lambda m: m.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), text)


def defuse_everyone(text: str | None) -> str | None:
    return _EVERYONE.sub("@\u200b\\1", text) if text else text


