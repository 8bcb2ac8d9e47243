"""/catalog through the Discord stand-in: who may change the shared catalogue, across restarts; and the helpers the
/catalog tests share. The edits, exports and imports themselves run on one bot: shared_bot/test_catalog_edits.py."""
from __future__ import annotations

import pytest

from tests.standin import ALICE, BOB, CAROL, BotProcess, DiscordStandIn, Perm, is_ephemeral, message_text

MANAGER = int(Perm.MANAGE_GUILD)
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
