"""The choice of backend: kept apart from `backend` because both backends build on that interface."""
from __future__ import annotations

from pathlib import Path

from .backend import Backend, is_server_url


async def open_database(target: str | Path) -> Backend:
    """The database at `target`: a `postgresql://` URL, or the path of a SQLite file."""
    if is_server_url(target):
        from .postgres import PostgresDatabase

        return await PostgresDatabase.connect(str(target))
    from .db import Database

    return await Database.open(target)
