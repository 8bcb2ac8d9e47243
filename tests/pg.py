"""A real PostgreSQL server for the tests, started from the `pgserver` wheel (it ships the server binaries).

One server per test session: the pytest-xdist workers all call `pgserver.get_server` on the same data
folder, which starts the server once (an inter-process lock) and stops it when the last worker exits. Each
test gets its own database on it, created empty or copied from a template database (PostgreSQL's
`CREATE DATABASE ... TEMPLATE`, a file copy), and dropped afterwards.

The server listens on a Unix socket only (no TCP port to collide with), durability is switched off (a test
server loses nothing worth keeping).
"""
from __future__ import annotations

import itertools
import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset (CI)
    import pgserver

# Reloadable without a restart (a restart would cut off the other workers' connections).
SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class PostgresForTests:
    def __init__(self, data_dir: Path, worker: str) -> None:
        self.server = pgserver.get_server(data_dir, cleanup_mode="delete")
        self.worker = worker
        self._names = itertools.count(1)
        self.server.psql("".join(f"ALTER SYSTEM SET {k} = '{v}';" for k, v in SETTINGS.items())
                         + "SELECT pg_reload_conf();")

    def url(self, database: str) -> str:
        return self.server.get_uri(database)

    def new_name(self, kind: str = "t") -> str:
        return f"{kind}_{self.worker}_{os.getpid()}_{next(self._names)}"

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url("postgres"))

    async def create(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (empty, or a copy of `template`); its URL."""
        name = name or self.new_name()
        admin = await self._admin()
        try:
            await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            await admin.close()
        return self.url(name)

    async def drop(self, url: str) -> None:
        name = database_name(url)
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
