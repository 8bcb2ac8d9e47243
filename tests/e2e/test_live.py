"""Live data end to end: `marquee data refresh` against the Wikidata stand-in through a 429 storm, then the
bot, switched on to the TMDB stand-in, answering through the Discord stand-in: the refreshed 2025 film's
card, /where from TMDB with JustWatch's credit (deferred past Discord's 3 s), /popular ranking what three
members did and surviving TMDB's rate limit, and a film card's poster and dated chart entry."""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.standin import ALICE, BOB, CAROL, REPO_ROOT, BotProcess, DiscordStandIn, is_ephemeral
from tests.standin.server import DEFERRED_CHANNEL_MESSAGE
from tests.standin.tmdb import TmdbStandIn
from tests.standin.wikidata import WikidataStandIn


def components(items: list[dict]) -> list[dict]:
    """Every component, nested ones (containers, sections, their accessories) included."""
    out = []
    for item in items or []:
        out.append(item)
        out += components(item.get("components") or [])
        if isinstance(item.get("accessory"), dict):
            out.append(item["accessory"])
    return out


def message_text(message: dict) -> str:
    """What a message says, as classic embeds or as Components V2 text displays (type 10)."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "", (embed.get("footer") or {}).get("text", "")]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    parts += [c["content"] for c in components(message.get("components") or []) if c.get("type") == 10]
    return "\n".join(parts)


def images(message: dict) -> list[str]:
    """Every image a message shows: embed thumbnails, or Components V2 thumbnails (type 11)."""
    return ([e["thumbnail"]["url"] for e in message.get("embeds") or [] if e.get("thumbnail")]
            + [c["media"]["url"] for c in components(message.get("components") or []) if c.get("type") == 11])


async def run_refresh(db: Path, wdqs: WikidataStandIn) -> str:
    env = dict(os.environ, DATABASE_PATH=str(db), WIKIDATA_SPARQL_URL=wdqs.url,
               WIKIDATA_CONTACT="https://example.org/marquee-tests", LOG_LEVEL="INFO")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "data", "refresh", "--since", "2025-01-01", "--until", "2026-01-01",
        "--no-updates", cwd=str(REPO_ROOT), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, output.decode()
    return output.decode()


@pytest.mark.slow
async def test_refresh_then_tmdb_streaming_posters_and_popular(standin: DiscordStandIn, bot_db: Path) -> None:
    wdqs = await WikidataStandIn().start()
    tmdb = await TmdbStandIn().start()
    try:
        wdqs.throttle(2, retry_after=1)  # a 429 storm: two in a row, each asking for a second's pause
        report = await run_refresh(bot_db, wdqs)
        assert "Added 2 films" in report and "+ Roofman (2025)" in report and "2 retried" in report
        assert wdqs.bans == [] and all(agent.startswith("MarqueeBot/") for agent in wdqs.agents)

        tmdb.delay("/movie/949/watch", 3.3)  # slower than Discord's 3 s: only a deferred answer survives
        bot = BotProcess({"TMDB_API_KEY": tmdb.key, "TMDB_API_BASE": tmdb.api_base}, bot_db, standin)
        await bot.start(wait_sync=True)
        try:
            card = await (await standin.slash("film", title="Roofman", user=ALICE)).answer(timeout=15)
            assert "Roofman (2025)" in message_text(card) and "Derek Cianfrance" in message_text(card)

            sent = await standin.slash("where", title="heat-1995", region="US", user=ALICE)
            where = await sent.answer(timeout=15)
            assert (await sent.response()).type == DEFERRED_CHANNEL_MESSAGE
            assert "Max" in message_text(where) and "JustWatch via TMDB" in message_text(where)

            for user in (ALICE, BOB, CAROL):
                added = await (await standin.slash("watchlist add", film="heat-1995", user=user)).answer()
                assert is_ephemeral(added)
            await (await standin.slash("seen", film="oldboy-2003", user=ALICE)).answer()
            await (await standin.slash("rate", film="oldboy-2003", stars=5, user=BOB)).answer()
            tmdb.rate_limit(2, retry_after=1)
            popular = await (await standin.slash("popular", service="Netflix", region="US", user=CAROL)).answer(timeout=20)
            here, trending, netflix = popular["embeds"]
            assert here["description"].startswith("1. **Heat** (1995) — 3 watchlist adds\n2. **Oldboy** (2003)")
            assert "1. Sinners (2025)" in trending["description"] and "8. Ballerina (2023)" in netflix["description"]
            assert "JustWatch via TMDB" in netflix["footer"]["text"] and tmdb.impatient == []

            ballerina = await (await standin.slash("film", title="ballerina-2023", user=BOB)).answer(timeout=15)
            assert images(ballerina) == ["https://image.tmdb.org/t/p/w342/ballerina2023.jpg"]
            assert "Ranked #8 in popular on Netflix in US (" in message_text(ballerina)
        finally:
            code = await bot.stop()
            log = bot.log_text()
            assert "Traceback" not in log, log[-4000:]
            assert code == 0, log[-4000:]
            assert tmdb.key not in log
        assert standin.rejections == [], [str(r) for r in standin.rejections]
        assert standin.unsafe_mentions() == []
    finally:
        await tmdb.stop()
        await wdqs.stop()
