"""/forgetme against a database where the person touched every table that can hold a person's id.

The tables are read from sqlite_master, so a new table (or column) holding a user id fails this test until
/forgetme handles it and this test makes the person touch it.
"""
from __future__ import annotations

import re

from bot.core.app import Marquee
from bot.core.interface import Actor, Reply
from bot.core.rendering import render, render_text
from bot.core.results import Disambiguation
from bot.storage.live import ActivityStore
from bot.storage.nights import FORMER_MEMBER
from cogs.lists.results import ForgetDone, ForgetPrompt
from cogs.movienight.results import NightView
from cogs.movienight.service import NightService

# Long, distinctive ids, so a scan of every column cannot mistake a year or a count for them.
DANA = Actor(user_id=987654321012345678, name="dana", guild_id=900, channel_id=901)
ERIN = Actor(user_id=876543210987654321, name="erin", guild_id=900, channel_id=901)

# A column name that says it holds a person: user_id, host_id, nominated_by, owner_id, ... (`host` alone is
# a machine's name in cluster_members.)
PERSON_COLUMN = re.compile(r"(^|_)(user|member|owner|voter|author|person)(_id|_ids)?$|(^|_)host_id$|_by$")
PERSON_COLUMNS = {
    ("user_prefs", "user_id"), ("watchlist", "user_id"), ("seen", "user_id"), ("ratings", "user_id"),
    ("ballots", "user_id"), ("attendees", "user_id"), ("ui_state", "user_id"), ("nights", "host_id"),
    ("nominees", "nominated_by"), ("catalog_edits", "user_id"), ("activity_events", "user_id"),
}


def at(actor: Actor, channel_id: int) -> Actor:
    return Actor(actor.user_id, actor.name, actor.guild_id, channel_id)


async def command(app: Marquee, actor: Actor, name: str, **options: object) -> Reply:
    return await app.dispatch_command(actor, name, dict(options))


async def night_in(app: Marquee, host: Actor, channel_id: int) -> int:
    started = await command(app, at(host, channel_id), "movienight start")
    assert isinstance(started.result, NightView), started.result
    return started.result.night.id


async def take_part(app: Marquee, actor: Actor, channel_id: int, night_id: int, film: str) -> None:
    here = at(actor, channel_id)
    await command(app, here, "movienight nominate", film=film)
    await app.dispatch_component(here, f"mq:mnap:{night_id}", ["0"])  # the first nominee: theirs
    await app.dispatch_component(here, f"mq:mnin:{night_id}", [])


async def tables_and_columns(app: Marquee) -> dict[str, list[str]]:
    names = [r[0] for r in await app.ctx.db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {name: [c[1] for c in await app.ctx.db.fetchall(f"PRAGMA table_info({name})")] for name in names}


async def rows_naming(app: Marquee, user_id: int, tables: dict[str, list[str]]) -> dict[str, int]:
    """How many rows of each table hold the id anywhere: as a number, or inside text (JSON payloads)."""
    found = {}
    for table, columns in tables.items():
        where = " OR ".join(f"{c} = ? OR CAST({c} AS TEXT) LIKE ?" for c in columns)
        count = await app.ctx.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {where}",  # noqa: S608
                                        [p for _ in columns for p in (user_id, f"%{user_id}%")])
        if count:
            found[table] = count
    return found


async def test_forgetme_deletes_or_anonymises_every_row_that_names_the_person(app: Marquee) -> None:
    tables = await tables_and_columns(app)
    person_columns = {(t, c) for t, columns in tables.items() for c in columns if PERSON_COLUMN.search(c)}
    assert person_columns == PERSON_COLUMNS, (
        "A table gained (or lost) a column that holds a person's id: make /forgetme delete or anonymise it "
        "(bot/storage/people.py) and make dana touch it below.")

    # Dana touches everything: preferences, lists, ratings, a "which one?" prompt (ui_state)...
    await command(app, DANA, "prefs", region="GB", services="netflix")
    await command(app, DANA, "watchlist add", film="heat-1995")
    await command(app, DANA, "seen", film="oldboy-2003")
    await command(app, DANA, "rate", film="heat-1995", stars=4)
    assert isinstance((await command(app, DANA, "film", title="Oldboy")).result, Disambiguation)
    # ...a night Erin took part in, a night nobody else joined, and Erin's night...
    shared = await night_in(app, DANA, 901)
    await take_part(app, DANA, 901, shared, "heat-1995")
    await command(app, at(ERIN, 901), "movienight nominate", film="oldboy-2003")
    await app.dispatch_component(at(ERIN, 901), f"mq:mnap:{shared}", ["0", "1"])
    alone = await night_in(app, DANA, 903)
    await take_part(app, DANA, 903, alone, "heat-1995")
    erins = await night_in(app, ERIN, 902)
    await take_part(app, DANA, 902, erins, "kill-bill-volume-1-2003")
    # ...a server chart's activity (whether commands record it is another test's business)...
    await ActivityStore(app.ctx.db).record(900, DANA.user_id, "heat-1995", "watchlist")
    # ...and the catalogue's edit log (who may edit the catalogue is another test's business too).
    await app.ctx.db.execute("INSERT INTO catalog_edits(at, guild_id, user_id, op, payload) VALUES (?, ?, ?, ?, ?)",
                             ("2026-12-01T20:00:00Z", 900, DANA.user_id, "tag", '{"id": "heat-1995", "tags": []}'))
    for table, column in PERSON_COLUMNS:
        assert await app.ctx.db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?",  # noqa: S608
                                       (DANA.user_id,)), f"dana never touched {table}.{column}"
    erin_before = await rows_naming(app, ERIN.user_id, tables)

    prompt = await command(app, DANA, "forgetme")
    assert isinstance(prompt.result, ForgetPrompt)
    confirm = next(b.custom_id for row in render(prompt.result).rows for b in row  # type: ignore[union-attr]
                   if b.custom_id.startswith("mq:forget:"))
    done = await app.dispatch_component(DANA, confirm, [])

    assert await rows_naming(app, DANA.user_id, tables) == {}
    assert isinstance(done.result, ForgetDone)
    assert done.result.removed.pop("activity") >= 1  # more once commands record their activity themselves
    assert done.result.removed == {"preferences": 1, "watchlist": 1, "seen": 2, "ratings": 1, "ballots": 3,
                                   "rsvps": 3, "saved_controls": 1, "hosted_nights": 1}
    assert done.result.anonymised == {"hosted_nights": 1, "nominations": 2, "catalogue_edits": 1}
    said = render_text(render(done.result))
    assert "1 movie night you hosted that nobody else joined" in said and "3 movie-night ballots" in said
    assert "Kept for the others who took part, without your name" in said
    assert "2 nominations (the films stay on their ballots)" in said and "1 catalogue edit" in said

    # What others rely on is still there: the shared night (no host named), both its nominees, Erin's ballot
    # and everything else of Erin's; the catalogue edit. The night nobody else joined is gone.
    night = await app.ctx.db.fetchone("SELECT host_id, status FROM nights WHERE id = ?", (shared,))
    assert night is not None and night[0] == FORMER_MEMBER and night[1] == "open"
    assert await app.ctx.db.scalar("SELECT COUNT(*) FROM nominees WHERE night_id = ?", (shared,)) == 2
    assert await app.ctx.db.scalar("SELECT COUNT(*) FROM nights WHERE id = ?", (alone,)) == 0
    assert await app.ctx.db.scalar("SELECT COUNT(*) FROM nominees WHERE night_id = ?", (alone,)) == 0
    assert await rows_naming(app, ERIN.user_id, tables) == erin_before
    assert await app.ctx.db.scalar("SELECT COUNT(*) FROM catalog_edits WHERE user_id IS NULL") == 1
    nights = app.service(NightService)
    shared_night = await nights.store.get(shared)
    assert shared_night is not None
    board = render_text(render(await nights.keeper.view(shared_night)))
    assert "Host: a former member" in board and "nominated by a former member" in board and "<@0>" not in board

    again = await app.dispatch_component(DANA, confirm, [])
    assert "Nothing to delete" in render_text(render(again.result))
