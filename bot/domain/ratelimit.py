"""How often one person may ask in words: a sliding window per person, with the clock passed in.

`check(user, now)` says whether to answer; past the limit the first refusal is worth a word ("slow down,
try again in 40 s"), the ones after it are not (silence, so a flood gets one answer, not fifty).
"""
from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    warn: bool = False  # refused, and the first refusal since the limit was reached: say so once
    retry_after: float = 0.0  # seconds until the next request would be allowed


class SlidingWindow:
    def __init__(self, limit: int = 5, window: float = 60.0, *, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: dict[int, float] = {}  # key -> the window end the warning was given for

    def check(self, key: int, now: float) -> Verdict:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            if len(self._hits) > self.max_keys:  # forget the longest-idle person first
                oldest, _ = self._hits.popitem(last=False)
                self._warned.pop(oldest, None)
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._warned.pop(key, None)
            return Verdict(True)
        until = hits[0] + self.window
        first = self._warned.get(key) != until
        self._warned[key] = until
        return Verdict(False, warn=first, retry_after=max(0.0, until - now))
