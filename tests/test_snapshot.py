"""The engine snapshot: a warm start reads it; any catalogue write, another data version, other code or a
file not signed by this database makes the start rebuild from the database instead."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_data import film_toml, make_data_dir  # noqa: E402

from bot.core.catalogue import Catalogue  # noqa: E402
from bot.domain.models import Link  # noqa: E402
from bot.storage import snapshot  # noqa: E402
from bot.storage.db import Database  # noqa: E402


async def load(db_path: Path, paths, caplog: pytest.LogCaptureFixture) -> tuple[Catalogue, bool]:
    """The catalogue, and whether it came from the snapshot."""
    caplog.clear()
    db = await Database.open(db_path)
    with caplog.at_level(logging.INFO, logger="bot.core.catalogue"):
        catalogue = await Catalogue.load(db, paths)
        await catalogue.close()
    catalogue._test_db = db  # type: ignore[attr-defined]
    return catalogue, any("read from its snapshot" in r.getMessage() for r in caplog.records)


async def close(catalogue: Catalogue) -> None:
    await catalogue._test_db.close()  # type: ignore[attr-defined]


@pytest.fixture
def paths(tmp_path: Path):
    return make_data_dir(tmp_path, {"films.toml": film_toml("kill-bill-volume-1-2003") + film_toml("oldboy-2003")})


async def test_a_warm_start_reads_the_snapshot_and_answers_the_same(tmp_path: Path, paths, caplog) -> None:
    db_path = tmp_path / "marquee.db"
    first, from_snapshot = await load(db_path, paths, caplog)
    assert not from_snapshot and snapshot.path_for(db_path).is_file()
    before = [(f.id, f.title, f.tags) for f in first.catalog.films.values()]
    similar = [(s.film.id, s.score) for s in first.similarity.similar("kill-bill-volume-1-2003", 3)]
    await close(first)
    again, from_snapshot = await load(db_path, paths, caplog)
    assert from_snapshot
    assert [(f.id, f.title, f.tags) for f in again.catalog.films.values()] == before
    assert [(s.film.id, s.score) for s in again.similarity.similar("kill-bill-volume-1-2003", 3)] == similar
    assert again.titles.resolve("Oldboy").film.id == "oldboy-2003"
    await close(again)


async def test_a_catalogue_write_makes_the_snapshot_stale(tmp_path: Path, paths, caplog) -> None:
    db_path = tmp_path / "marquee.db"
    first, _ = await load(db_path, paths, caplog)
    await first.store.save_link(Link("kill-bill-volume-1-2003", "oldboy-2003", "Both revenge."),
                                edit=(None, None, "link", {}))
    await close(first)
    again, from_snapshot = await load(db_path, paths, caplog)
    assert not from_snapshot  # rebuilt from the database, which has the link
    assert again.catalog.link_between("kill-bill-volume-1-2003", "oldboy-2003") is not None
    await close(again)
    third, from_snapshot = await load(db_path, paths, caplog)
    assert from_snapshot and third.catalog.link_between("kill-bill-volume-1-2003", "oldboy-2003") is not None
    await close(third)


async def test_a_file_not_signed_by_this_database_is_never_unpickled(tmp_path: Path, paths, caplog) -> None:
    db_path = tmp_path / "marquee.db"
    first, _ = await load(db_path, paths, caplog)
    await close(first)
    where = snapshot.path_for(db_path)
    data = bytearray(where.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte in the body
    where.write_bytes(bytes(data))
    again, from_snapshot = await load(db_path, paths, caplog)
    assert not from_snapshot and len(again.catalog) == len(first.catalog)
    await close(again)
    # Someone else's snapshot with a valid layout but another secret: refused the same way.
    snapshot.write(where, snapshot.read_key(where) or b"", b"not this database's secret", ("boom",))
    third, from_snapshot = await load(db_path, paths, caplog)
    assert not from_snapshot
    assert any("bad signature" in r.getMessage() for r in caplog.records)
    await close(third)
    fourth, from_snapshot = await load(db_path, paths, caplog)  # the rebuild wrote a good one again
    assert from_snapshot
    await close(fourth)


def test_the_key_covers_the_code_and_the_parts() -> None:
    assert snapshot.key_for("v1", "r1") != snapshot.key_for("v1", "r2") != snapshot.key_for("v2", "r1")
    assert snapshot.key_for("v1", "r1") == snapshot.key_for("v1", "r1")
    assert snapshot.path_for(":memory:") is None
