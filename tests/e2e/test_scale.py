"""Running at scale, end to end: bot processes as shard clusters over one database, through the stand-in.

The same scenario runs twice:
- PostgreSQL, two processes (shards 0 and 1 of 2), one guild on each shard;
- SQLite, one process running both shards (the embedded default, nothing shared).

In each: a movie night in both guilds; 50 voters (25 per guild), each clicking the ballot's select twice at
once; the process holding the deadline lease is SIGKILLed in the middle of the wave and started again;
voters whose click was never answered click again. Then the deadline is brought forward (as another process
would move it, through the database) and passes. Checked: every acknowledged ballot is in the database once,
each night closes once with one announcement, edits of each ballot message are at least a second apart across
processes, IDENTIFYs respected the bucket interval (the stand-in refuses one that comes too soon), and a
catalogue import by another process reaches every bot's memory.
The figures are written to the log (`-s` shows them) and quoted in the issue note.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.storage.connect import open_database
from tests.standin import ALICE, BotProcess, DiscordStandIn, InteractionFailed, User, is_ephemeral

from .test_movienight import buttons_of, night_id_of, text_of, wait_for

# Two guilds 1 << 22 apart: (id >> 22) % 2 puts one on each shard.
GUILDS = (1250000000000000101, 1250000000000000101 + (1 << 22))
VOTERS = 50
ANSWER = 8.0  # seconds to wait for an answer before counting the click as unanswered
# The nights open with a deadline far off, so that no retry, however slow the machine, comes after it; once the
# retries are in, the test moves it to now through the database, as another process would (PostgreSQL notifies
# the deadline loop; on SQLite it looks again every couple of seconds).
FAR_OFF = 3600
NEW_FILM = "id,title,year,runtime_minutes,tags\nmarquee-scale-test-2026,Marquee Scale Test,2026,101,heist\n"


@dataclass
class Figures:
    acknowledged: dict[int, set[int]] = field(default_factory=dict)  # night id -> voters told "counted"
    unanswered: int = 0
    in_flight_at_kill: int = 0  # voters of the second half still waiting on an answer when the process died
    counted: dict[int, int] = field(default_factory=dict)
    closes: dict[int, int] = field(default_factory=dict)  # night id -> announcements
    edits: dict[int, int] = field(default_factory=dict)  # ballot message -> edits
    min_gap: float = float("inf")  # smallest gap between two edits of one ballot message (seconds)
    edits_per_second: float = 0.0  # the busiest second of any ballot message
    identifies: list[int] = field(default_factory=list)

    def line(self) -> str:
        return json.dumps({"acknowledged": sum(map(len, self.acknowledged.values())), "unanswered": self.unanswered,
                           "in_flight_at_kill": self.in_flight_at_kill,
                           "counted": sum(self.counted.values()), "closes": sum(self.closes.values()),
                           "edits": sum(self.edits.values()), "min_edit_gap_s": round(self.min_gap, 2),
                           "max_edits_per_second": self.edits_per_second, "identifies": self.identifies})


def process(standin: DiscordStandIn, folder: Path, env: dict[str, Any]) -> BotProcess:
    folder.mkdir(parents=True, exist_ok=True)
    return BotProcess({"DEV_GUILD_ID": None, "SHARD_COUNT": "2", **env}, folder / "bot.db", standin)


async def vote(standin: DiscordStandIn, night_id: int, guild_id: int, user: User, values: list[str],
               figures: Figures) -> bool:
    """Open the private ballot and click its select twice at once; True when a click was acknowledged."""
    try:
        private = await (await standin.slash("movienight vote", user=user, guild_id=guild_id)).answer(timeout=ANSWER)
        clicks = [await standin.select(private, f"mq:mnap:{night_id}", values, user=user, guild_id=guild_id)
                  for _ in range(2)]
        answers = await asyncio.gather(*(c.answer(timeout=ANSWER) for c in clicks), return_exceptions=True)
    except (InteractionFailed, RuntimeError):
        figures.unanswered += 1
        return False
    good = [a for a in answers if isinstance(a, dict) and ("counted" in text_of(a) or "already" in text_of(a))]
    figures.unanswered += len(answers) - len(good)
    if good:
        figures.acknowledged.setdefault(night_id, set()).add(user.id)
    return bool(good)


async def import_reaches_every_bot(standin: DiscordStandIn, bot: BotProcess, tmp_path: Path) -> None:
    csv = tmp_path / "new.csv"
    csv.write_text(NEW_FILM)
    env = {**os.environ, **{k: v for k, v in bot.environment().items() if k.startswith(("DATABASE_",))}}
    # Not subprocess.run: the stand-in runs on this event loop and must keep answering meanwhile.
    importer = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "catalog", "import", str(csv),
                                                    env=env, cwd=bot.cwd, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(importer.communicate(), 120)
    assert importer.returncode == 0, (out, err)
    for guild in GUILDS:
        async def card_shows_it(guild: int = guild) -> bool:
            card = await (await standin.slash("film", title="marquee-scale-test-2026", user=ALICE,
                                              guild_id=guild)).answer(timeout=10)
            return "Marquee Scale Test" in text_of(card)

        deadline = time.monotonic() + 30
        while not await card_shows_it():
            assert time.monotonic() < deadline, f"the import never reached the bot serving guild {guild}"
            await asyncio.sleep(0.5)


async def bring_deadlines_forward(database: str | Path, night_ids: list[int]) -> None:
    db = await open_database(database)
    try:
        for night_id in night_ids:
            await db.execute("UPDATE nights SET closes_at = ? WHERE id = ?", (int(time.time()), night_id))
    finally:
        await db.close()


async def run_scenario(standin: DiscordStandIn, bots: list[BotProcess], victim: BotProcess,
                       database: str | Path, tmp_path: Path) -> Figures:
    figures = Figures()
    for n, bot in enumerate(bots):
        await bot.start(wait_sync=n == 0, timeout=60)
    began = time.time()
    showtime = int(began + FAR_OFF)
    nights: dict[int, tuple[dict[str, Any], int]] = {}
    for guild in GUILDS:
        ballot = await (await standin.slash("movienight start", user=ALICE, guild_id=guild, title=f"Night {guild}",
                                            when=f"<t:{showtime}:F>")).answer(timeout=10)
        assert not is_ephemeral(ballot), text_of(ballot)
        night_id = night_id_of(ballot)
        nights[guild] = (ballot, night_id)
        for film in ("heat-1995", "alien-1979"):
            answer = await (await standin.slash("movienight nominate", film=film, user=ALICE, guild_id=guild)).answer()
            assert "on the ballot" in text_of(answer), text_of(answer)

    voters = [(standin.add_user(f"voter{n}"), GUILDS[n % 2], ["0"] if n % 3 else ["0", "1"]) for n in range(VOTERS)]
    first, second = voters[:VOTERS // 2], voters[VOTERS // 2:]
    await asyncio.gather(*(vote(standin, nights[g][1], g, u, v, figures) for u, g, v in first))
    # The second half of the wave is in flight when the process holding the deadline lease dies.
    wave = [asyncio.create_task(vote(standin, nights[g][1], g, u, v, figures)) for u, g, v in second]
    while sum(t.done() for t in wave) < 3:  # under way, not over
        await asyncio.sleep(0.005)
    figures.in_flight_at_kill = sum(not t.done() for t in wave)
    print(f"scale: kill at {time.time() - began:.1f}s")
    await victim.kill()
    done = await asyncio.gather(*wave)
    await victim.start(timeout=60)
    # Whoever got no answer clicks again, as a person would.
    retry = [(u, g, v) for (u, g, v), ok in zip(second, done, strict=True) if not ok]
    for user, guild, values in retry:
        assert await vote(standin, nights[guild][1], guild, user, values, figures), "a retry went unanswered"

    print(f"scale: restarted and retried by {time.time() - began:.1f}s")
    # A catalogue import by yet another process (the command line) reaches every bot's in-memory catalogue.
    # Meanwhile the deadline passes, and each night closes once, with one announcement, whichever process
    # holds the lease now.
    await bring_deadlines_forward(database, [night_id for _, night_id in nights.values()])
    await asyncio.gather(import_reaches_every_bot(standin, bots[0], tmp_path),
                         *(standin.wait_for_channel_message(standin.channel_id(guild), timeout=30,
                                                            predicate=lambda m: "Closed automatically" in text_of(m))
                           for guild in GUILDS))
    print(f"scale: import seen and nights closed by {time.time() - began:.1f}s")
    await asyncio.sleep(2)  # a second closer, if there were one, would have announced by now
    db = await open_database(database)
    try:
        for guild, (ballot, night_id) in nights.items():
            announcements = [m for m in standin.channel_messages(standin.channel_id(guild))
                             if "Closed automatically" in text_of(m)]
            figures.closes[night_id] = len(announcements)
            night = await db.fetchone("SELECT status, outcome FROM nights WHERE id = ?", (night_id,))
            voters_in_db = {r[0] for r in await db.fetchall("SELECT user_id FROM ballots WHERE night_id = ?",
                                                            (night_id,))}
            figures.counted[night_id] = len(voters_in_db)
            assert night[0] == "closed" and json.loads(night[1])["voters"] == len(voters_in_db)
            assert figures.acknowledged[night_id] <= voters_in_db  # every acknowledged ballot is counted
            assert len(voters_in_db) == VOTERS // 2  # once each: 25 voters, 25 ballots, double clicks and all
            await wait_for(lambda b=ballot: not buttons_of(standin.message(b["id"])), 15, "the closed ballot")
            times = [r.at for r in standin.requests if r.method == "PATCH" and r.path.endswith(f"/{ballot['id']}")]
            figures.edits[int(ballot["id"])] = len(times)
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            figures.min_gap = min([figures.min_gap, *gaps])
            figures.edits_per_second = max(figures.edits_per_second,
                                           max((sum(1 for t in times if s <= t < s + 1) for s in times), default=0))
    finally:
        await db.close()
    figures.identifies = [shard for shard, _ in standin.identifies]
    return figures


def check(figures: Figures, standin: DiscordStandIn) -> None:
    print("scale figures:", figures.line())
    assert set(figures.closes.values()) == {1}
    assert figures.in_flight_at_kill > 0  # the kill fell in the middle of the wave
    assert figures.min_gap >= 0.9, figures.min_gap  # at most one edit a second per ballot message
    assert standin.rejections == [], [str(r) for r in standin.rejections]
    assert standin.unsafe_mentions() == []


@pytest.mark.slow
async def test_two_processes_on_postgresql_one_of_them_killed_mid_wave(tmp_path: Path, pg_database: str) -> None:
    async with DiscordStandIn(guild_ids=list(GUILDS), shard_count=2, max_concurrency=1,
                              identify_interval=5.0) as standin:
        assert {standin.shard_of(g) for g in GUILDS} == {0, 1}
        first = process(standin, tmp_path / "a", {"DATABASE_URL": pg_database, "SHARD_IDS": "0"})
        second = process(standin, tmp_path / "b", {"DATABASE_URL": pg_database, "SHARD_IDS": "1"})
        try:
            # The first process takes the deadline lease: it is the one killed.
            figures = await run_scenario(standin, [first, second], first, pg_database, tmp_path)
        finally:
            for bot in (first, second):
                await bot.stop()
        check(figures, standin)
        # Shard 0 identified twice (start, restart), shard 1 once; the stand-in refused none as too soon.
        assert sorted(figures.identifies) == [0, 0, 1]
        for bot in (first, second):
            assert "Traceback" not in bot.log_text(), bot.log_text()[-3000:]


@pytest.mark.slow
async def test_one_process_on_sqlite_killed_mid_wave(tmp_path: Path, bot_db: Path) -> None:
    async with DiscordStandIn(guild_ids=list(GUILDS), shard_count=2, max_concurrency=1,
                              identify_interval=5.0) as standin:
        only = process(standin, tmp_path / "a", {"DATABASE_PATH": str(bot_db)})
        try:
            figures = await run_scenario(standin, [only], only, bot_db, tmp_path)
        finally:
            await only.stop()
        check(figures, standin)
        assert sorted(figures.identifies) == [0, 0, 1, 1]  # both shards, twice: start and restart
        assert "Traceback" not in only.log_text(), only.log_text()[-3000:]
