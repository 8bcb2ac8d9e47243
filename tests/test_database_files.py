"""A database file that is not SQLite, is damaged, or belongs to another program stops the real command line
with one paragraph saying what is wrong and what to do, a non-zero exit code, and the file byte for byte
as it was (before, `journal_mode=WAL` alone rewrote its header, then a traceback followed)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.db import Database

REPO = Path(__file__).resolve().parent.parent
PAGE = 4096


async def marquee_schema(path: Path) -> bytes:
    """A database with Marquee's schema and no catalogue yet (opening one is enough to create it)."""
    db = await Database.open(path)
    await db.close()
    return path.read_bytes()


async def not_sqlite(path: Path) -> str:
    path.write_text("DISCORD_TOKEN=abc\nDEFAULT_REGION=GB\n" * 100)  # DATABASE_PATH=.env, say
    return "is not a SQLite database"


async def malformed(path: Path) -> str:
    data = bytearray(await marquee_schema(path))
    data[PAGE:PAGE + 64] = b"\xab" * 64  # page 2, a table's root: its b-tree header is now nonsense
    path.write_bytes(bytes(data))
    return "database disk image is malformed"


async def misreported_pages(path: Path) -> str:
    await marquee_schema(path)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # everything in the one file, none of it in a -wal beside it
        with conn:
            conn.executemany("INSERT INTO watchlist VALUES (?, ?, ?)", [(n, f"film-{n}", n) for n in range(3000)])
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    start = (pages - 3) * PAGE + 1000  # inside a leaf's cells: SQLite can open the file, quick_check objects
    data[start:start + 50] = bytes(50)
    path.write_bytes(bytes(data))
    return "is damaged"


async def foreign(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        with conn:  # user_version 0, and tables Marquee also has
            conn.execute("CREATE TABLE films (id TEXT, title TEXT)")
            conn.execute("CREATE TABLE nights (id INTEGER)")
    finally:
        conn.close()
    return "not Marquee's: it has tables (films, nights)"


def run_cli(args: list[str], database: Path) -> subprocess.CompletedProcess[str]:
    # cwd is the test's folder, so no .env is read; stdin is empty, so the console ends at once if it starts.
    env = {**os.environ, "DATABASE_PATH": str(database), "PYTHONPATH": str(REPO), "LOG_LEVEL": "INFO"}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=database.parent, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


CASES = [(make, args) for make in (not_sqlite, malformed, foreign)
         for args in (["console"], ["catalog", "stats"], ["catalog", "rebuild"])]
CASES.append((misreported_pages, ["console"]))  # one front end is enough for the second kind of damage


@pytest.mark.parametrize(("make", "args"), CASES, ids=[f"{m.__name__}-{'-'.join(a)}" for m, a in CASES])
async def test_an_unusable_database_stops_the_cli_with_one_paragraph_and_is_not_touched(
        tmp_path: Path, make, args: list[str]) -> None:
    database = tmp_path / "marquee.db"
    expected = await make(database)
    before = database.read_bytes()
    siblings = sorted(tmp_path.iterdir())

    result = run_cli(args, database)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    said = " ".join(result.stderr.split())  # one paragraph, wrapped at 100 columns
    assert said.startswith("Marquee could not start:"), output
    assert expected in said
    assert "The file was not changed." in said and "DATABASE_PATH" in said
    assert database.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == siblings  # no -wal, -shm or engine snapshot beside it either
