"""Giving memory back to the operating system after start-up.

Building the catalogue engine allocates and frees a few hundred megabytes of short-lived objects; the C
allocator keeps much of the freed space, so the process looks 20-30 MB bigger than what it uses. glibc's
`malloc_trim` returns it. Elsewhere (macOS, musl, Windows) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
from typing import Any

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
