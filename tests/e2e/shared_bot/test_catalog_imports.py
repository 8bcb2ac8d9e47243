"""/catalog import and export attacked through the Discord stand-in (issue 11): a decompression bomb, deep
nesting and an infinite popularity get a clear answer, a formula title is exported as text, and a replace
row keeps a curated film's curation."""
from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from tests.e2e.test_catalog import admin, text
from tests.standin import BotProcess, DiscordStandIn

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


async def test_hostile_imports_get_clear_answers(standin: DiscordStandIn, bot: BotProcess) -> None:
    # 200 KB of gzip that unpack to 200 MiB, more than a JSON import may hold.
    bomb = standin.add_attachment("films.json.gz", gzip.compress(b"\0" * 2**20, 9) * 200)
    refused = await admin(standin, "catalog import", file=bomb, format="json")
    assert "192 MiB" in text(refused) and "limit" in text(refused), text(refused)

    deep = standin.add_attachment("films.json", ("[" * 150_000 + "]" * 150_000).encode())
    nested = await admin(standin, "catalog import", file=deep, format="json")
    assert "nest too deeply" in text(nested), text(nested)

    infinite = standin.add_attachment("films.json", b'[{"id": "x-2020", "title": "X", "popularity": Infinity}]')
    bad = await admin(standin, "catalog import", file=infinite)
    assert "Nothing imported" in text(bad) and "popularity" in text(bad), text(bad)

    heat = json.dumps([{"id": "heat-1995", "title": "Heat", "year": 1995, "runtime_minutes": 171,
                        "directors": ["Michael Mann"]}])
    kept = await admin(standin, "catalog import", file=standin.add_attachment("heat.json", heat.encode()))
    assert "Curation kept" in text(kept) and "replace_curated" in text(kept), text(kept)


async def test_a_formula_title_is_exported_as_text(standin: DiscordStandIn, bot: BotProcess) -> None:
    title = '=HYPERLINK("http://evil.example","Click")'
    added = await admin(standin, "catalog add", title=title, year=2026, directors="Ann Example")
    assert "Added" in text(added), text(added)
    exported = await admin(standin, "catalog export", format="csv")
    [attachment] = exported["attachments"]
    data = standin.file_bytes(attachment)
    if attachment["filename"].endswith(".gz"):
        data = gzip.decompress(data)
    titles = [row[1] for row in csv.reader(io.StringIO(data.decode()))]
    assert "'" + title in titles and title not in titles
