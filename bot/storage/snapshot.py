"""A start-up snapshot of the built catalogue engine, so a warm start reads one file instead of rebuilding.

Building the engine (reading 20,000 films from SQLite, indexing titles, laying out the similarity arrays)
takes about two seconds; reading the objects back takes a third of that. The snapshot sits beside the
database (`marquee.db.engine`) and is only a cache: it is used when its key matches the database's
catalogue revision, the shipped data version and this code, and it is rebuilt otherwise.

The file is a pickle, so it is signed: an HMAC-SHA256 with a random secret kept in the database. A file
that does not carry the right signature (written by someone without the database, or damaged) is never
unpickled; the engine is rebuilt from the database instead.
"""
from __future__ import annotations

import gc
import hashlib
import hmac
import logging
import os
import pickle
import platform
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

MAGIC = b"MARQUEE-ENGINE-SNAPSHOT-1\n"
_DIGEST = hashlib.sha256().digest_size
# The code whose objects are pickled: a change to any of it makes old snapshots unusable.
_CODE_DIRS = ("domain",)


def path_for(database: Path | str) -> Path | None:
    """Where the snapshot of this database lives (None for an in-memory database)."""
    text = str(database)
    if not text or text == ":memory:" or text.startswith("file:"):
        return None
    return Path(text + ".engine")


def code_fingerprint() -> str:
    """Python and numpy versions plus the source of the pickled classes."""
    import numpy

    digest = hashlib.sha256(f"{platform.python_version()}|{numpy.__version__}".encode())
    root = Path(__file__).resolve().parent.parent
    for name in _CODE_DIRS:
        for source in sorted((root / name).glob("*.py")):
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def key_for(*parts: str) -> bytes:
    return hashlib.sha256("|".join((code_fingerprint(), *parts)).encode()).digest()


def read_key(path: Path) -> bytes | None:
    """The key a snapshot was written for (None: no snapshot), without reading the rest."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(MAGIC) + _DIGEST)
    except OSError:
        return None
    return head[len(MAGIC):] if head.startswith(MAGIC) and len(head) == len(MAGIC) + _DIGEST else None


def read(path: Path, key: bytes, secret: bytes) -> Any | None:
    """The snapshot's objects, or None when there is none, it is for another key, or it is not signed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("Engine snapshot %s could not be read (%s); rebuilding", path, error)
        return None
    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + len(key) + _DIGEST:
        log.info("Engine snapshot %s is not one of ours; rebuilding", path)
        return None
    stored_key = data[head:head + len(key)]
    signature = data[head + len(key):head + len(key) + _DIGEST]
    body = memoryview(data)[head + len(key) + _DIGEST:]
    if stored_key != key:
        log.info("Engine snapshot %s is out of date; rebuilding", path)
        return None
    signer = hmac.new(secret, key, hashlib.sha256)
    signer.update(body)
    expected = signer.digest()
    if not hmac.compare_digest(signature, expected):
        log.warning("Engine snapshot %s has a bad signature (not written by this database); ignoring it", path)
        return None
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects: collecting while they are created only costs time
    try:
        return pickle.loads(body)  # noqa: S301 - signed by this database's secret, checked above
    except Exception as error:  # a signed file that still fails to load (e.g. a class renamed): rebuild
        log.warning("Engine snapshot %s could not be loaded (%s); rebuilding", path, error)
        return None
    finally:
        if enabled:
            gc.enable()


class _SigningFile:
    """A file that signs what is written to it (pickle writes straight through: no second copy in memory)."""

    def __init__(self, handle: BinaryIO, signer: hmac.HMAC) -> None:
        self.handle = handle
        self.signer = signer
        self.size = 0

    def write(self, data: Any) -> int:  # bytes, or a PickleBuffer for a large array
        view = memoryview(data)
        self.signer.update(view)
        self.size += view.nbytes
        return self.handle.write(view)


def write(path: Path, key: bytes, secret: bytes, objects: Any) -> int:
    """Write the snapshot atomically (a reader sees the old file or the new one); its size in bytes."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(MAGIC + key + bytes(_DIGEST))  # the signature goes here once the body is written
            body = _SigningFile(handle, hmac.new(secret, key, hashlib.sha256))
            pickle.dump(objects, body, protocol=pickle.HIGHEST_PROTOCOL)
            handle.seek(len(MAGIC) + len(key))
            handle.write(body.signer.digest())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return body.size
