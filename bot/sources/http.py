"""One careful GET: timeouts, a size limit, retries that honour Retry-After, a request budget, no secrets in logs.

`HttpSource.get` returns the body as bytes or raises `SourceError` with a `kind` the caller can act on:

| kind | when |
|---|---|
| `auth` | 401 or 403 (an invalid or suspended key, a banned client) |
| `not_found` | 404 |
| `rejected` | another 4xx: the request itself is wrong (a malformed query) |
| `rate_limited` | 429 still after the retries, or a Retry-After longer than this caller will wait |
| `unavailable` | 5xx still after the retries |
| `timeout` / `network` | no answer in time / no connection, after the retries |
| `too_large` | the body is bigger than the limit |
| `budget` | this source has used the requests it may make |
"""
from __future__ import annotations

import asyncio
import collections
import email.utils
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
Sleep = Callable[[float], Awaitable[None]]


class SourceError(Exception):
    def __init__(self, kind: str, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(slots=True)
class Budget:
    """At most `limit` requests (every attempt counts, retries too), in all or within any `window` seconds;
    None: no limit."""

    limit: int | None
    window: float | None = None
    used: int = 0
    _times: collections.deque[float] = field(default_factory=collections.deque)

    def take(self, source: str) -> None:
        if self.limit is None:
            return
        if self.window is not None:
            now = time.monotonic()
            while self._times and now - self._times[0] >= self.window:
                self._times.popleft()
            if len(self._times) >= self.limit:
                raise SourceError("budget", f"{source}: {self.limit} requests in {self.window:.0f}s is our limit")
            self._times.append(now)
        elif self.used >= self.limit:
            raise SourceError("budget", f"{source}: the request budget ({self.limit}) is used up")
        self.used += 1


@dataclass(slots=True)
class Stats:
    requests: int = 0
    retries: int = 0
    waited: float = 0.0  # seconds spent waiting before retries (Retry-After or backoff)
    statuses: dict[int, int] = field(default_factory=dict)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    # ASCII digits, and few: `²` passes isdigit() but not int(), and a server's 5,000 digits would make int()
    # raise; a wait of more than a year is nonsense either way.
    if value.isascii() and value.isdecimal():
        return float(int(value)) if len(value) <= 9 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpSource:
    """GETs to one outside service, one at a time per caller, polite and bounded.

    `secrets` are strings (a key, a token) that must never appear in a log line or an error message: they are
    replaced by `***` wherever this class writes text. `sleep` is how waits happen (tests pass a recorder).
    """

    def __init__(self, name: str, *, user_agent: str, timeout: float = 10.0, max_bytes: int = 2_000_000,
                 retries: int = 3, backoff: float = 1.0, max_wait: float = 60.0, budget: int | None = None,
                 budget_window: float | None = None, secrets: tuple[str, ...] = (),
                 sleep: Sleep = asyncio.sleep) -> None:
        self.name = name
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.budget = Budget(budget, budget_window)
        self.secrets = tuple(s for s in secrets if s)
        self.sleep = sleep
        self.stats = Stats()
        self._session: aiohttp.ClientSession | None = None

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        # aiohttp is imported on the first request, not with the module: it builds its TLS contexts on import
        # (a fifth of a second), which every command-line tool and console start would pay for nothing when
        # no live source is switched on.
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"User-Agent": self.user_agent},
                # No cookies: nothing an outside service sets is kept between requests.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def get(self, url: str, *, params: Mapping[str, str] | None = None,
                  headers: Mapping[str, str] | None = None, what: str = "") -> bytes:
        """The body of a 200 answer. `what` names the request in logs and errors (never the URL's query, which
        may hold a key)."""
        import aiohttp  # on first use, not with the module: see _client

        what = self.redact(what or url.split("?", 1)[0])
        attempt = 0
        while True:
            self.budget.take(self.name)
            self.stats.requests += 1
            try:
                status, body, retry_after = await self._once(url, params, headers)
            except asyncio.TimeoutError:
                failure = SourceError("timeout", f"{self.name} did not answer {what} within {self.timeout:g}s")
            except aiohttp.ClientError as error:
                failure = SourceError("network", f"{self.name} could not be reached for {what}: "
                                                 f"{self.redact(type(error).__name__ + ': ' + str(error))[:200]}")
            else:
                self.stats.statuses[status] = self.stats.statuses.get(status, 0) + 1
                if status == 200:
                    return body
                failure = self._failure(status, body, retry_after, what)
                if status not in RETRY_STATUSES:
                    raise failure
            if attempt >= self.retries:
                raise failure
            wait = failure.retry_after if failure.retry_after is not None else self.backoff * 2 ** attempt
            if wait > self.max_wait:
                raise SourceError("rate_limited", f"{self.name} asked us to wait {wait:.0f}s before {what}; "
                                                  f"more than the {self.max_wait:.0f}s this request may wait",
                                  status=failure.status, retry_after=wait)
            log.info("%s: %s; retrying in %.1fs", self.name, failure, wait)
            self.stats.retries += 1
            self.stats.waited += wait
            attempt += 1
            await self.sleep(wait)

    async def _once(self, url: str, params: Mapping[str, str] | None,
                    headers: Mapping[str, str] | None) -> tuple[int, bytes, float | None]:
        async with self._client().get(url, params=params, headers=headers, allow_redirects=False) as response:
            declared = response.content_length
            if response.status == 200 and declared is not None and declared > self.max_bytes:
                raise SourceError("too_large", f"{self.name} sent {declared:,} bytes; the limit is {self.max_bytes:,}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                body += chunk
                if len(body) > self.max_bytes:
                    raise SourceError("too_large", f"{self.name} sent more than {self.max_bytes:,} bytes")
            return response.status, bytes(body), retry_after_seconds(response.headers.get("Retry-After"))

    def _failure(self, status: int, body: bytes, retry_after: float | None, what: str) -> SourceError:
        detail = self.redact(body[:300].decode("utf-8", "replace").strip().replace("\n", " "))
        text = f"{self.name} answered HTTP {status} for {what}" + (f": {detail}" if detail else "")
        if status in (401, 403):
            return SourceError("auth", text, status=status)
        if status == 404:
            return SourceError("not_found", text, status=status)
        if status == 429:
            return SourceError("rate_limited", text, status=status, retry_after=retry_after)
        if status >= 500:
            return SourceError("unavailable", text, status=status, retry_after=retry_after)
        return SourceError("rejected", text, status=status)


def describe(error: SourceError) -> str:
    """What went wrong, for a person, after the service's name ("TMDB did not answer in time")."""
    return {
        "auth": "refused our key",
        "not_found": "does not know this film",
        "rejected": "refused the request",
        "rate_limited": "is rate-limiting us",
        "unavailable": "is having trouble",
        "timeout": "did not answer in time",
        "network": "could not be reached",
        "too_large": "sent too large an answer",
        "budget": "has had all the requests we allow ourselves for now",
        "bad_response": "sent an answer we could not read",
    }.get(error.kind, "failed")


def json_or_error(name: str, body: bytes, what: str) -> Any:
    """Decode a JSON body; a cut-off or non-JSON answer is a `bad_response` SourceError."""
    import json

    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise SourceError("bad_response", f"{name} sent something that is not JSON for {what} "
                                          f"({type(error).__name__} at byte {getattr(error, 'pos', '?')})") from None


def user_agent(contact: str | None = None) -> str:
    """`MarqueeBot/0.1.0 (contact) aiohttp/3.x`: the descriptive User-Agent Wikimedia's policy asks for."""
    import aiohttp

    from .. import __version__

    return f"MarqueeBot/{__version__}" + (f" ({contact})" if contact else "") + f" aiohttp/{aiohttp.__version__}"
