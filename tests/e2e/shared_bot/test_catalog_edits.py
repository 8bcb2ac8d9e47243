"""/catalog through the Discord stand-in on one bot for the module (conftest.py): the bot's owner edits, exports
and imports; members without Manage Server cannot even send the commands. Who counts as an owner, across
restarts, is tests/e2e/test_catalog.py."""
from __future__ import annotations

import gzip

import pytest

from tests.e2e.test_catalog import MANAGER, STREAMING, admin, text
from tests.standin import ALICE, BOB, BotProcess, DiscordStandIn, is_ephemeral
from tests.standin.server import DEFERRED_CHANNEL_MESSAGE

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one bot for the module (conftest.py)


async def test_a_manager_edits_the_catalogue(standin: DiscordStandIn, bot: BotProcess) -> None:
    choices = await standin.autocomplete("catalog tag", "tag", "heis", user=ALICE, permissions=MANAGER)
    assert choices[0]["value"] == "heist"
    films = await standin.autocomplete("catalog tag", "film", "heat 19", user=ALICE, permissions=MANAGER)
    assert "heat-1995" in [c["value"] for c in films]
    services = await standin.autocomplete("catalog stream", "service", "prim", user=ALICE, permissions=MANAGER)
    assert services[0]["value"] == "Prime Video"  # a name the handler resolves, like typed text

    sent = await standin.slash("catalog tag", user=ALICE, permissions=MANAGER, film="heat-1995", tag="cathartic")
    # Acknowledged before the edit is written and re-indexed, which on a busy machine outlasts Discord's 3 s.
    assert (await sent.response()).type == DEFERRED_CHANNEL_MESSAGE
    tagged = await sent.answer(timeout=30)
    assert is_ephemeral(tagged) and "Tagged" in text(tagged) and "cathartic" in text(tagged)
    untagged = await admin(standin, "catalog untag", film="heat-1995", tag="cathartic")
    assert "Removed: cathartic" in text(untagged)
    bad = await admin(standin, "catalog tag", film="heat-1995", tag="heists")
    assert "Unknown tag" in text(bad) and "heist" in text(bad)
    streaming = await admin(standin, "catalog stream", film="heat-1995", service=services[0]["value"], region="GB",
                            kind="rent", checked="2026-10")
    assert "Prime Video in GB (rent)" in text(streaming)
    gone = await admin(standin, "catalog unstream", film="heat-1995", service="prime-video", region="GB")
    assert "Removed Prime Video in GB" in text(gone)
    added = await admin(standin, "catalog add", title="A Marquee Test Film", year=2026, directors="Ann Example",
                        runtime=95, tags="heist, tense")
    assert "a-marquee-test-film-2026" in text(added)
    edited = await admin(standin, "catalog edit", film="a-marquee-test-film-2026", pitch="Made up for a test.")
    assert "Made up for a test." in text(edited)
    linked = await admin(standin, "catalog link", film="a-marquee-test-film-2026", other="heat-1995",
                         reason="Careful crews, one last job.")
    assert "Linked" in text(linked)
    unlinked = await admin(standin, "catalog unlink", film="a-marquee-test-film-2026", other="heat-1995")
    assert "Unlinked" in text(unlinked)
    stats = await admin(standin, "catalog stats")
    assert "Edits made here" in text(stats)


async def test_members_without_manage_server_cannot_use_it(standin: DiscordStandIn, bot: BotProcess) -> None:
    # default_member_permissions hides /catalog from them: the Discord client will not even send it.
    with pytest.raises(ValueError, match="lacks the permissions"):
        await standin.slash("catalog tag", user=BOB, film="heat-1995", tag="heist")
    with pytest.raises(ValueError, match="lacks the permissions"):
        await standin.slash("catalog export", user=BOB)


async def test_export_sends_a_file_and_import_reads_an_attachment(standin: DiscordStandIn, bot: BotProcess) -> None:
    exported = await admin(standin, "catalog export", format="csv")
    assert "Catalogue export" in text(exported)
    [attachment] = exported["attachments"]
    # The whole catalogue as CSV is larger than Discord's upload limit, so it arrives gzipped (import reads
    # it back as it is).
    assert attachment["filename"].endswith((".csv", ".csv.gz"))
    data = standin.file_bytes(attachment)
    if attachment["filename"].endswith(".gz"):
        assert "gzipped" in text(exported)
        data = gzip.decompress(data)
    assert data.startswith(b"id,title,year,runtime_minutes,") and b"\nheat-1995,Heat,1995," in data

    upload = standin.add_attachment("netflix_titles.csv", STREAMING.encode())
    checked = await admin(standin, "catalog import", file=upload, service="netflix", region="US",
                          date="2021-12", dry_run=True)
    assert "Would change: 1 updated" in text(checked)
    imported = await admin(standin, "catalog import", file=upload, service="netflix", region="US", date="2021-12")
    assert "Imported: 1 updated" in text(imported) and "1 TV shows" in text(imported)
    missing = await admin(standin, "catalog import", file=upload)
    assert "service" in text(missing)
