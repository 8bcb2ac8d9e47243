"""Self-tests of the stand-in's sharding: READY per shard with that shard's guilds, IDENTIFY buckets
(max_concurrency) with INVALID_SESSION when a bucket identifies too soon, one session per shard, 4010 for a
shard that does not exist, and the IDENTIFY count."""
from __future__ import annotations

from typing import Any

import aiohttp
import discord

from .server import DiscordStandIn

GUILD_A = 1250000000000000101  # one guild on each shard of two: ids 1 << 22 apart
GUILD_B = GUILD_A + (1 << 22)
INTENTS = discord.Intents.default().value


async def identify(ws: aiohttp.ClientWebSocketResponse, standin: DiscordStandIn, shard: list[int]) -> dict[str, Any]:
    """Send IDENTIFY; the first frame back (READY, or INVALID_SESSION)."""
    await ws.send_json({"op": 2, "d": {"token": standin.token, "intents": INTENTS, "shard": shard}})
    return await ws.receive_json(timeout=5)


async def connect(session: aiohttp.ClientSession, standin: DiscordStandIn) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"{standin.gateway_url}?v=10&encoding=json")
    assert (await ws.receive_json())["op"] == 10  # HELLO
    return ws


async def test_each_shard_gets_its_own_guilds_and_a_bucket_identifies_once_per_interval() -> None:
    guilds = [GUILD_A, GUILD_B]
    async with DiscordStandIn(guild_ids=guilds, shard_count=2, max_concurrency=1, identify_interval=5.0) as standin:
        by_shard = {standin.shard_of(g): g for g in guilds}
        assert set(by_shard) == {0, 1}
        async with aiohttp.ClientSession() as session:
            first = await connect(session, standin)
            ready = await identify(first, standin, [0, 2])
            assert ready["t"] == "READY" and ready["d"]["shard"] == [0, 2]
            assert [g["id"] for g in ready["d"]["guilds"]] == [str(by_shard[0])]
            # Shard 1 is in the same bucket (1 % max_concurrency 1 == 0): too soon.
            second = await connect(session, standin)
            refused = await identify(second, standin, [1, 2])
            assert refused["op"] == 9 and refused["d"] is False
            assert standin.identify_count == 1 and [s for s, _ in standin.identifies] == [0]
            assert "INVALID_SESSION" in standin.rejections[-1].message
            assert standin.live_shards() == {0}
            await first.close()
            await second.close()
    # With max_concurrency 2 the shards are in buckets 0 and 1: both may identify at once.
    async with DiscordStandIn(guild_ids=guilds, shard_count=2, max_concurrency=2, identify_interval=5.0) as standin:
        async with aiohttp.ClientSession() as session:
            sockets = [await connect(session, standin) for _ in range(2)]
            frames = [await identify(ws, standin, [n, 2]) for n, ws in enumerate(sockets)]
            assert [f["t"] for f in frames] == ["READY", "READY"] and standin.rejections == []
            assert standin.identify_count == 2 and standin.live_shards() == {0, 1}
            for ws in sockets:
                await ws.close()


async def test_a_shard_runs_in_one_place_and_a_shard_that_does_not_exist_is_closed_with_4010() -> None:
    async with DiscordStandIn(guild_ids=[GUILD_A, GUILD_B], shard_count=2) as standin:
        async with aiohttp.ClientSession() as session:
            old = await connect(session, standin)
            assert (await identify(old, standin, [1, 2]))["t"] == "READY"
            await old.receive_json(timeout=5)  # its GUILD_CREATE
            new = await connect(session, standin)
            assert (await identify(new, standin, [1, 2]))["t"] == "READY"
            # The older session of shard 1 is over: INVALID_SESSION, not resumable.
            ended = await old.receive_json(timeout=5)
            assert ended["op"] == 9 and ended["d"] is False
            wrong = await connect(session, standin)
            await wrong.send_json({"op": 2, "d": {"token": standin.token, "intents": INTENTS, "shard": [2, 2]}})
            closing = await wrong.receive(timeout=5)
            assert closing.data == 4010
            for ws in (old, new):
                await ws.close()
