"""/catalog through the Discord stand-in: server managers edit, export and import; others cannot."""
from __future__ import annotations

import gzip

import pytest

from tests.standin import ALICE, BOB, CAROL, BotProcess, DiscordStandIn, Perm, is_ephemeral, message_text

MANAGER = int(Perm.MANAGE_GUILD)
DEFERRED = 5  # interaction callback type: deferred channel message ("thinking…")
STREAMING = (
    "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,listed_in,description\n"
    's1,Movie,Heat,Michael Mann,"Al Pacino, Robert De Niro",United States," September 25, 2021",1995,R,170 min,'
    '"Dramas","A thief\nand a detective."\n'
    "s2,TV Show,Heat Wave,,,,\"April 1, 2020\",2019,TV-MA,2 Seasons,Docuseries,Hot.\n"
)


def text(message: dict) -> str:
    return message_text(message)


async def admin(standin: DiscordStandIn, path: str, **options) -> dict:
    message = await (await standin.slash(path, user=ALICE, permissions=MANAGER, **options)).answer(timeout=30)
    assert is_ephemeral(message), message
    return message


async def test_a_manager_edits_the_catalogue(standin: DiscordStandIn, bot: BotProcess) -> None:
    choices = await standin.autocomplete("catalog tag", "tag", "heis", user=ALICE, permissions=MANAGER)
    assert choices[0]["value"] == "heist"
    films = await standin.autocomplete("catalog tag", "film", "heat 19", user=ALICE, permissions=MANAGER)
    assert "heat-1995" in [c["value"] for c in films]
    services = await standin.autocomplete("catalog stream", "service", "prim", user=ALICE, permissions=MANAGER)
    assert services[0]["value"] == "Prime Video"  # a name the handler resolves, like typed text

    sent = await standin.slash("catalog tag", user=ALICE, permissions=MANAGER, film="heat-1995", tag="cathartic")
    # Acknowledged before the edit is written and re-indexed, which on a busy machine outlasts Discord's 3 s.
    assert (await sent.response()).type == DEFERRED
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


@pytest.mark.slow
async def test_only_the_bots_owners_change_the_catalogue(standin: DiscordStandIn, bot: BotProcess) -> None:
    """Issue 11, item 4: the stand-in's application belongs to Alice; Bob manages a server and is refused
    until OWNER_IDS names him, or the application's team makes him a developer (a read-only member is not)."""
    refused = await (await standin.slash("catalog tag", user=BOB, permissions=MANAGER, film="heat-1995",
                                         tag="heist")).answer()
    assert is_ephemeral(refused) and "Owners only" in text(refused) and "shared by every server" in text(refused)
    stats = await (await standin.slash("catalog stats", user=BOB, permissions=MANAGER)).answer()
    assert "Edits made here" in text(stats)  # seeing changes nothing

    bot.env_overrides["OWNER_IDS"] = str(BOB.id)
    await bot.restart()
    allowed = await (await standin.slash("catalog tag", user=BOB, permissions=MANAGER, film="heat-1995",
                                         tag="cathartic")).answer()
    assert "Tagged" in text(allowed)

    del bot.env_overrides["OWNER_IDS"]
    standin.team = [(CAROL, "admin"), (BOB, "developer"), (ALICE, "read_only")]
    await bot.restart()
    for user, allowed_to in ((BOB, True), (CAROL, True), (ALICE, False)):
        answer = await (await standin.slash("catalog untag", user=user, permissions=MANAGER, film="heat-1995",
                                            tag="cathartic")).answer()
        assert ("Owners only" not in text(answer)) is allowed_to, (user, text(answer))


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
