"""Giving memory back to the operating system after start-up, and keeping the garbage collector from
stalling the event loop while a bulk change builds a new engine.

Building the catalogue engine allocates and frees a few hundred megabytes of short-lived objects; the C
allocator keeps much of the freed space, so the process looks 20-30 MB bigger than what it uses. glibc's
`malloc_trim` returns it. Elsewhere (macOS, musl, Windows) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import sys
from contextlib import contextmanager
from typing import Any, Iterator

log = logging.getLogger(__name__)


@functools.cache
def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> None:
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


_pauses = 0
_collecting_before = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk change runs (an import building a new engine). A full
    collection walks every object made since start-up froze the rest (`gc.freeze`): over a freshly built
    engine it takes a few hundred milliseconds, and it holds the interpreter, so even from a thread it
    stalls the event loop. Use on the event loop; nested and overlapping pauses end with the last one."""
    global _pauses, _collecting_before
    if _pauses == 0:
        _collecting_before = gc.isenabled()
        gc.disable()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _pauses == 0 and _collecting_before:
            gc.enable()


def keep_out_of_collections() -> None:
    """Leave what exists now (a new engine, meant to live until the next one) out of later collections,
    as start-up does: what becomes garbage of it is still freed by reference counting."""
    gc.freeze()


def free_gradually(work: list[Any]) -> None:
    """Let go of what `work` holds a piece at a time; run it in a thread, with `work` the only reference.

    Freeing a big structure at once is one C call that holds the interpreter until it is done: a quarter
    of a second for a 70,000-film engine or an import's 50,000 rows, during which the event loop waits
    even though the call runs in another thread. Emptying the containers an item at a time lets the loop
    in between. Only what nobody else holds is taken apart (containers are emptied, objects only let go),
    so a film still in the catalogue, or an engine someone still reads, is left as it is."""
    while work:
        item = work.pop()
        if sys.getrefcount(item) > 2:  # more than `item` and getrefcount's own argument: someone holds it
            continue
        if isinstance(item, dict):
            while item:
                work.append(item.popitem()[1])
        elif isinstance(item, (list, set)):
            while item:
                work.append(item.pop())
        elif isinstance(item, tuple):
            work.extend(item)  # freed when `item` is next rebound, before its parts are looked at
        else:
            names = [*getattr(item, "__dict__", ()),
                     *(name for cls in type(item).__mro__ for name in getattr(cls, "__slots__", ()))]
            parts = [getattr(item, name, None) for name in names]
            del item  # the object goes now; its parts then belong to `work` alone
            work.extend(parts)
