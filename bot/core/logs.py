"""Logging: one format for every front end, and no secrets or personal data in it, at any level.

At DEBUG the libraries underneath say too much: aiosqlite logs every query with its parameters (user ids,
ballots; 16 MB on a fresh start), discord.py logs every gateway event in full (members, messages, the
interaction token each interaction carries), every request and response body, and webhook URLs whose last
part is an interaction token (anyone holding one can answer as the bot for 15 minutes). So:

* aiosqlite stays at INFO, where it says nothing: Marquee's own storage logs what matters.
* `PrivateDataFilter`, on every handler, shortens discord.py's payload lines to what debugging needs (the
  event's name and sequence number, a request's method, route and status) and masks tokens anywhere in any
  line or traceback: the bot token, tokens in interaction and webhook URLs, `"token"` fields.

Marquee's own log lines name servers, channels and messages by id, never a person.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
TOKEN = "<token>"

# The routes that carry an interaction's token: /interactions/<id>/<token>/callback, /webhooks/<app>/<token>...
_TOKEN_IN_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s'\"?]+")
_TOKEN_FIELD = re.compile(r"""(['"](?:token|access_token|refresh_token)['"]\s*:\s*)(['"])[^'"]*\2""")
_AUTHORIZATION = re.compile(r"((?:Bot|Bearer)\s+)[A-Za-z0-9_.\-]{20,}")
# A bot token's shape: base64 of the bot's id, a timestamp, an HMAC.
_BOT_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{23,28}\.[A-Za-z0-9_\-]{6,7}\.[A-Za-z0-9_\-]{27,40}\b")
# discord.state's "...referencing an unknown member ID: 1234. Discarding."
_PERSON_ID = re.compile(r"\b((?:user|member) ID:?\s*)\d{15,20}\b", re.IGNORECASE)

_GATEWAY_EVENT = "For Shard ID %s: WebSocket Event: %s"
_HTTP_SENT = "%s %s with %s has returned %s"
_HTTP_RECEIVED = "%s %s has received %s"


def configure_logging(level: str, *, secrets: Iterable[str | None] = ()) -> None:
    """Log to standard error at `level`, through `PrivateDataFilter`; `secrets` (the bot token) are masked
    wherever they appear."""
    logging.basicConfig(level=getattr(logging, level, logging.INFO), format=LOG_FORMAT)
    private = PrivateDataFilter(secrets)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PrivateDataFilter) for f in handler.filters):
            handler.addFilter(private)
    # aiosqlite's DEBUG is one line per query with its parameters, and nothing else.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # discord.py is chatty at INFO about every gateway event; keep its noise down unless debugging.
    if level != "DEBUG":
        logging.getLogger("discord").setLevel(logging.WARNING)
        # ...but keep its login/connection errors. (Its voice-support warnings do not apply to Marquee.)
        logging.getLogger("discord.client").setLevel(logging.ERROR)


class PrivateDataFilter(logging.Filter):
    """Rewrites each record so that no token and no payload full of personal data reaches a log."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        # Short strings would mask ordinary words; real tokens are long.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("discord"):
            _summarise_payloads(record)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: logging reports that itself
            return True
        masked = self.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, TOKEN)
        text = _TOKEN_IN_URL.sub(rf"\1{TOKEN}", text)
        text = _TOKEN_FIELD.sub(rf"\1\2{TOKEN}\2", text)
        text = _AUTHORIZATION.sub(rf"\1{TOKEN}", text)
        text = _BOT_TOKEN.sub(TOKEN, text)
        return _PERSON_ID.sub(r"\1<id>", text)


def _summarise_payloads(record: logging.LogRecord) -> None:
    """discord.py's DEBUG lines that carry whole payloads, cut down to what says what happened."""
    args = record.args if isinstance(record.args, tuple) else ()
    if record.msg == _GATEWAY_EVENT and len(args) == 2:
        record.args = (args[0], _event_summary(args[1]))
    elif record.msg == _HTTP_SENT and len(args) == 4:
        method, url, _body, status = args
        record.msg, record.args = "%s %s has returned %s", (method, url, status)
    elif record.msg == _HTTP_RECEIVED and len(args) == 3:
        method, url, body = args
        record.msg, record.args = "%s %s has received %s", (method, url, _shape(body))


def _event_summary(event: Any) -> str:
    if not isinstance(event, Mapping):
        return _shape(event)
    parts = [f"op={event.get('op')}"]
    if event.get("t"):
        parts.append(f"t={event['t']}")
    if event.get("s") is not None:
        parts.append(f"s={event['s']}")
    data = event.get("d")
    if event.get("t") == "INTERACTION_CREATE" and isinstance(data, Mapping):
        # Which interaction it was, never who sent it or its token.
        inner = data.get("data")
        inner = inner if isinstance(inner, Mapping) else {}
        parts.append(f"interaction={data.get('id')} type={data.get('type')}")
        if inner.get("name"):
            parts.append(f"command={inner['name']}")
    return " ".join(parts) + ("" if data is None else f" (payload not logged: {_shape(data)})")


def _shape(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"an object of {len(value)} fields"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} of {len(str(value))} characters"
