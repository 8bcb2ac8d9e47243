"""`PrivateDataFilter` on records the end-to-end run rarely produces: tracebacks, request bodies, bad args."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.core.logs import PrivateDataFilter

BOT_TOKEN = "MTI1MDAwMDAwMDAwMDAwMDAwMQ.GqW3xZ.q7Vd1-2bN4fK8sLm0pRt5uYw9zXc3eHj6aBiQoTs"


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(PrivateDataFilter([BOT_TOKEN]))
    logger = logging.getLogger("discord.http.test-private-data")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)


def test_a_request_body_is_dropped_and_the_webhook_token_masked(logged) -> None:
    logger, out = logged
    logger.name = "discord.http"  # the filter recognises discord.py's own format strings by logger
    logger.debug("%s %s with %s has returned %s", "POST", "http://x/api/v10/webhooks/12/itok_abc-DEF/messages/9",
                 {"content": "for <@910000000000000001>"}, 200)
    assert out.getvalue() == "POST http://x/api/v10/webhooks/12/<token>/messages/9 has returned 200\n"


def test_a_traceback_is_masked_too(logged) -> None:
    logger, out = logged
    try:
        raise RuntimeError(f"POST /interactions/1/itok_secret/callback failed, Authorization: Bot {BOT_TOKEN}")
    except RuntimeError:
        logger.exception("failed")
    assert "itok_secret" not in out.getvalue() and BOT_TOKEN not in out.getvalue()
    assert "/interactions/1/<token>/callback" in out.getvalue()


def test_arguments_that_do_not_fit_the_format_do_not_raise_in_the_caller() -> None:
    # logging reports such a record itself, when it formats it; the filter must not raise first.
    record = logging.LogRecord("bot", logging.DEBUG, __file__, 1, "%s %s", (1,), None)
    assert PrivateDataFilter().filter(record) is True
