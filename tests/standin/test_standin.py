"""Self-tests of the Discord stand-in, driven through a real discord.py bot (``_echo_bot.py``).

One stand-in and one bot process serve the whole module (starting discord.py costs about a
second). Tests that provoke a rejection clear ``standin.rejections`` themselves; the others
assert it stays empty.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import discord
import pytest
import pytest_asyncio

from . import validate as v
from .process import BotProcess
from .server import ALICE, BOB, CAROL, DEFAULT_BOT_PERMISSIONS, DiscordStandIn, Perm, mention_pings

ECHO_BOT = Path(__file__).with_name("_echo_bot.py")
module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def standin():
    async with DiscordStandIn(token="test-token") as server:
        yield server


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bot(standin, tmp_path_factory):
    process = BotProcess({}, tmp_path_factory.mktemp("echo") / "bot.db", standin, argv=[sys.executable, str(ECHO_BOT)])
    await process.start(wait_sync=True, timeout=20)
    yield process
    assert await process.stop() == 0
    # Every failure the tests provoke is caught by the echo bot; anything else is a stand-in bug
    # (a payload discord.py could not parse shows up here as a traceback).
    assert "Traceback" not in process.log_text(), process.log_text()


@pytest.fixture(autouse=True)
def clean_rejections(request):
    if "standin" in request.fixturenames:
        request.getfixturevalue("standin").rejections.clear()


# --- gateway and login --------------------------------------------------------------------


@module_loop
async def test_bot_logs_in_gets_ready_and_syncs_valid_commands(standin, bot):
    assert standin.ready_count == 1 and standin.identify_count == 1
    guild_commands = {c["name"]: c for c in standin.commands(standin.guild_ids[0])}
    assert {"echo", "film", "movienight"} <= set(guild_commands)
    assert guild_commands["movienight"]["options"][0]["type"] == v.OPT_SUB_COMMAND
    assert standin.sync_counts[standin.guild_ids[0]] == 1
    assert "logging in using static token" in bot.log_text()
    assert standin.unhandled == [] and standin.rejections == []


@module_loop
async def test_wrong_token_is_refused_on_rest_and_gateway(standin):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{standin.api_base}/users/@me", headers={"Authorization": "Bot nope"}) as response:
            assert response.status == 401
            assert response.headers["Content-Type"] == "application/json"
            assert await response.json() == {"message": "401: Unauthorized", "code": 0}
        async with session.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": "nope", "intents": 0, "properties": {}}})
            closing = await ws.receive()
            assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4004

    # discord.py's own login turns the 401 into LoginFailure.
    old_base = discord.http.Route.BASE
    discord.http.Route.BASE = standin.api_base
    client = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.static_login("nope")
    finally:
        discord.http.Route.BASE = old_base
        await client.close()
    assert any(r.status == 401 for r in standin.rejections)


@module_loop
async def test_privileged_intent_not_enabled_is_closed_with_4014(standin):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws:
            await ws.receive_json()
            intents = discord.Intents.default()
            intents.message_content = True
            await ws.send_json({"op": 2, "d": {"token": standin.token, "intents": intents.value, "shard": [0, 1]}})
            closing = await ws.receive()
            assert closing.data == 4014


@module_loop
async def test_unknown_route_is_404_and_recorded(standin):
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {standin.token}"}
        async with session.get(f"{standin.api_base}/guilds/1/bans", headers=headers) as response:
            assert response.status == 404
            assert await response.json() == {"message": "404: Not Found", "code": 0}
    assert ("GET", "/api/v10/guilds/1/bans") in standin.unhandled
    standin.unhandled.clear()


@module_loop
async def test_bot_resumes_after_reconnect_request_and_keeps_working(standin, bot):
    resumes = standin.resume_count
    await standin.send_reconnect()
    await standin._wait_until(lambda: standin.resume_count > resumes, 10, "a RESUME")
    await standin.wait_for_ready()
    interaction = await standin.slash("echo", text="after resume")
    assert (await interaction.answer())["content"] == "after resume"
    assert standin.identify_count == 1  # resumed, not re-identified


# --- interactions -----------------------------------------------------------------------


@module_loop
async def test_command_round_trip(standin, bot):
    interaction = await standin.slash("echo", text="hello there", user=ALICE)
    callback = await interaction.response()
    assert callback.type == 4 and callback.at < 3.0 and not callback.ephemeral
    message = await interaction.answer()
    assert message["content"] == "hello there"
    assert message["components"][0]["components"][0]["custom_id"] == "echo:again"
    assert message in standin.channel_messages()
    # The bot was built with AllowedMentions.none(): recorded so tests can prove it never pings.
    record = next(m for m in standin.mentions if m.message_id == int(message["id"]))
    assert record.allowed_mentions == {"parse": []}
    assert standin.rejections == []


@module_loop
async def test_autocomplete_returns_choices(standin, bot):
    choices = await standin.autocomplete("film", "title", "kil bil")
    assert [c["value"] for c in choices] == ["Kill Bill: Vol. 1", "Kill Bill: Vol. 2"]
    with pytest.raises(ValueError, match="autocomplete"):
        await standin.autocomplete("echo", "text", "he")
    assert standin.rejections == []


@module_loop
async def test_button_click_updates_the_message(standin, bot):
    first = await standin.slash("echo", text="press me")
    message = await first.answer()
    click = await standin.click(message, "echo:again", user=BOB)
    assert (await click.response()).type == 7
    assert (await click.answer())["content"] == "again by bob"
    assert first.final_message()["content"] == "again by bob"
    with pytest.raises(ValueError, match="no component"):
        await standin.click(message, "echo:missing")
    assert standin.rejections == []


@module_loop
async def test_select_on_ephemeral_message(standin, bot):
    interaction = await standin.slash("pick", user=ALICE)
    message = await interaction.answer()
    assert (await interaction.response()).ephemeral
    assert message not in standin.channel_messages()
    with pytest.raises(ValueError, match="ephemeral"):
        await standin.select(message, "pick:genre", ["noir"], user=BOB)
    with pytest.raises(ValueError, match="does not offer"):
        await standin.select(message, "pick:genre", ["horror"], user=ALICE)
    with pytest.raises(ValueError, match="takes 1..2 values"):
        await standin.select(message, "pick:genre", ["noir", "western", "comedy"], user=ALICE)
    chosen = await standin.select(message, "pick:genre", ["noir", "comedy"], user=ALICE)
    updated = await chosen.answer()
    assert updated["content"] == "picked: noir,comedy" and updated["components"] == []
    assert standin.rejections == []


@module_loop
async def test_subcommand_and_channel_message_mentions(standin, bot):
    interaction = await standin.slash("movienight start", title="Friday")
    assert (await interaction.answer())["content"] == "night: Friday"
    posted = await standin.wait_for_channel_message(predicate=lambda m: m["content"].endswith("(edited)"))
    assert posted["content"] == "Tonight: Friday @everyone (edited)" and posted["edited_timestamp"]
    assert standin.unsafe_mentions() == []  # the text says @everyone, but nobody is pinged
    assert mention_pings("@everyone hi", None)[0]  # without allowed_mentions Discord would ping
    assert standin.rejections == []


@module_loop
async def test_attachment_option_and_file_upload(standin, bot):
    attachment = standin.add_attachment("hello.txt", b"hello")
    interaction = await standin.slash("upload", file=attachment)
    message = await interaction.answer()
    assert message["content"] == "hello.txt 5 bytes"
    assert message["attachments"][0]["filename"] == "reversed.txt"
    assert standin.file_bytes(message["attachments"][0]) == b"olleh"
    assert standin.rejections == []


@module_loop
async def test_edits_of_the_reply_and_of_a_followup(standin, bot):
    interaction = await standin.slash("edit")
    assert (await interaction.response()).content == "draft"
    await interaction.wait_edits(2)
    final = interaction.final_message()
    assert final["content"] == "final" and final["embeds"][0]["title"] == "Edited"
    (followup,) = await interaction.wait_followups(1)
    assert followup["content"] == "extra edited"
    assert [m["content"] for m in standin.channel_messages()][-2:] == ["final", "extra edited"]
    assert standin.rejections == []


@module_loop
async def test_followup_after_token_expiry_is_refused(standin, bot):
    standin.token_lifetime = 0.3
    try:
        interaction = await standin.slash("slowfollow", pause=0.6)
        rejection = await interaction.wait_rejection()
    finally:
        standin.token_lifetime = 15 * 60
    assert (rejection.status, rejection.code) == (401, 50027)
    assert [c.content for c in interaction.callbacks] == ["first"] and interaction.followup_ids == []


@module_loop
async def test_autocomplete_may_not_be_deferred(standin, bot):
    interaction = await standin.send_autocomplete("film", "title", "slow")
    async with aiohttp.ClientSession() as session:
        url = f"{standin.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        async with session.post(url, json={"type": 5}) as response:
            assert response.status == 400
            body = await response.json()
    assert body["code"] == 50035 and body["errors"]["type"]["_errors"][0]["code"] == "INTERACTION_RESPONSE_TYPE_INVALID"
    assert (await interaction.response()).type == 8  # the bot's own answer still counts
    standin.rejections.clear()


@module_loop
async def test_scheduled_event_edit_and_delete_over_rest(standin):
    guild_id = standin.guild_ids[0]
    base = f"{standin.api_base}/guilds/{guild_id}/scheduled-events"
    headers = {"Authorization": f"Bot {standin.token}"}
    start = "2099-01-01T20:00:00+00:00"
    event = {"name": "Night", "privacy_level": 2, "entity_type": 3, "scheduled_start_time": start,
             "scheduled_end_time": "2099-01-01T23:00:00+00:00", "entity_metadata": {"location": "Sofa"}}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(base, json={**event, "description": "d" * 1001}) as response:
            assert response.status == 400
            assert "description" in (await response.json())["errors"]
        async with session.post(base, json=event) as response:
            created = await response.json()
        async with session.patch(f"{base}/{created['id']}", json={"status": 3}) as response:
            assert response.status == 400  # scheduled -> completed skips "active"
        async with session.patch(f"{base}/{created['id']}", json={"status": 4}) as response:
            assert (await response.json())["status"] == 4
        async with session.delete(f"{base}/{created['id']}") as response:
            assert response.status == 204
        async with session.get(f"{base}/{created['id']}") as response:
            assert (await response.json())["code"] == 10070
    assert int(created["id"]) not in standin.scheduled_events
    standin.rejections.clear()


@module_loop
async def test_native_poll_votes_and_limits(standin, bot):
    refused = await standin.slash("poll", question="q" * 301)
    assert (await refused.answer())["content"] == "failed: 50035"
    assert [r.errors for r in standin.rejections] == [{"poll": {"question": {"text": {"_errors": [
        {"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 300 in length."}]}}}}]
    standin.rejections.clear()

    await (await standin.slash("poll", question="Friday?")).answer()
    posted = await standin.wait_for_channel_message(predicate=lambda m: "poll" in m)
    await standin.vote_poll(posted, [1], user=ALICE)
    await standin.vote_poll(posted, [1], user=BOB)
    with pytest.raises(ValueError, match="one answer per user"):
        await standin.vote_poll(posted, [2], user=BOB)
    tally = await standin.slash("tally", message_id=posted["id"])
    assert (await tally.answer())["content"] == "Alien=2:alice,bob Heat=0:"
    assert standin.message(posted["id"])["poll"]["results"]["is_finalized"]
    with pytest.raises(ValueError, match="ended"):
        await standin.vote_poll(posted, [2], user=CAROL)
    assert standin.rejections == []


@module_loop
async def test_deferral_then_followup_becomes_the_answer(standin, bot):
    interaction = await standin.slash("later")
    callback = await interaction.response()
    assert callback.type == 5 and callback.ephemeral
    message = await interaction.answer()
    assert message["content"] == "done later"
    assert message["flags"] & v.FLAG_EPHEMERAL and not message["flags"] & v.FLAG_LOADING
    assert standin.rejections == []


@module_loop
async def test_modal_submit(standin, bot):
    opened = await standin.slash("feedback")
    assert (await opened.response()).type == 9
    with pytest.raises(ValueError, match="no text input"):
        await standin.submit_modal(opened, {"nope": "x"})
    submitted = await standin.submit_modal(opened, {"feedback:text": "great"})
    assert (await submitted.answer())["content"] == "thanks: great"
    assert standin.rejections == []


@module_loop
async def test_scheduled_event_needs_manage_events(standin, bot):
    created = await standin.slash("event", name="Film club")
    content = (await created.answer())["content"]
    event_id = int(content.split()[1])
    event = standin.scheduled_events[event_id]
    assert event["entity_type"] == 3 and event["entity_metadata"] == {"location": "Living room"}
    assert standin.rejections == []

    await standin.set_bot_permissions(DEFAULT_BOT_PERMISSIONS & ~(Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS))
    try:
        refused = await standin.slash("event", name="Film club 2")
        assert (await refused.answer())["content"] == "failed: 50013"
        assert [(r.status, r.code) for r in standin.rejections] == [(403, 50013)]
    finally:
        await standin.set_bot_permissions(DEFAULT_BOT_PERMISSIONS)


# --- what Discord refuses -----------------------------------------------------------------


@module_loop
async def test_oversized_embed_is_refused_with_50035(standin, bot):
    interaction = await standin.slash("big", size=5000)
    rejection = await interaction.wait_rejection()
    assert (rejection.status, rejection.code) == (400, 50035)
    assert rejection.errors["data"]["embeds"]["0"]["description"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert interaction.callbacks == []


@module_loop
async def test_late_first_response_is_refused_with_10062(standin, bot):
    interaction = await standin.slash("slow", seconds=3.2)
    rejection = await interaction.wait_rejection(timeout=6)
    assert (rejection.status, rejection.code) == (404, 10062)
    assert interaction.callbacks == []


@module_loop
async def test_second_initial_response_is_refused_with_40060(standin, bot):
    interaction = await standin.slash("twice")
    rejection = await interaction.wait_rejection()
    assert (rejection.status, rejection.code) == (400, 40060)
    assert [c.content for c in interaction.callbacks] == ["one"]


@module_loop
async def test_options_are_checked_like_the_discord_client(standin, bot):
    bad_invocations = [
        ("nosuch", {}, "not a synced command"),
        ("count", {"n": 3, "colour": "red"}, "unknown option"),
        ("count", {"n": 11}, "must be <= 10"),
        ("count", {"n": 0}, "must be >= 1"),
        ("count", {"n": "3"}, "is an integer"),
        ("count", {"n": 3, "mode": "sideways"}, "must be one of"),
        ("count", {"mode": "up"}, "required option 'n'"),
        ("movienight", {"title": "x"}, "cannot be invoked directly"),
        ("movienight stop", {}, "no subcommand 'stop'"),
        ("echo", {"text": ""}, "cannot be empty"),
    ]
    for path, options, message in bad_invocations:
        with pytest.raises(ValueError, match=message):
            await standin.slash(path, options)
    sent_before = len(standin.interactions)
    for path, options, _message in bad_invocations[:2]:
        with pytest.raises(ValueError):
            await standin.slash(path, options)
    assert len(standin.interactions) == sent_before  # refused before anything reached the bot
    ok = await standin.slash("count", n=3, mode="down")
    assert (await ok.answer())["content"] == "3 2 1"


@module_loop
async def test_bot_restart_reconnects_with_a_new_session(standin, bot):
    readies, syncs = standin.ready_count, standin.sync_count
    await bot.restart(wait_sync=True, timeout=20)
    # Two syncs per start: the guild's commands and the global ones.
    assert bot.starts == 2 and standin.ready_count == readies + 1 and standin.sync_count == syncs + 2
    interaction = await standin.slash("echo", text="back")
    assert (await interaction.answer())["content"] == "back"


@module_loop
async def test_bot_stops_cleanly_on_sigint(standin, tmp_path):
    process = BotProcess({}, tmp_path / "bot.db", standin, argv=[sys.executable, str(ECHO_BOT)])
    await process.start(timeout=20)
    assert await process.stop() == 0
    assert "start #1" in process.log_text()


@module_loop
async def test_two_shards_route_each_guild_to_its_shard(tmp_path):
    first, second = 1250000000000000101, 1250000000000000101 + (1 << 22)  # shards 1 and 0 of 2
    async with DiscordStandIn(guild_ids=[first, second], shard_count=2) as sharded:
        process = BotProcess({"DEV_GUILD_ID": str(second)}, tmp_path / "bot.db", sharded,
                             argv=[sys.executable, str(ECHO_BOT)])
        await process.start(wait_sync=True, timeout=20)
        try:
            assert sharded.identify_count == 2
            with pytest.raises(ValueError, match="not a synced command"):
                await sharded.slash("echo", text="x", guild_id=first)
            interaction = await sharded.slash("echo", text="shard zero", guild_id=second)
            assert (await interaction.answer())["content"] == "shard zero"
            assert sharded.rejections == []
        finally:
            await process.stop()


# --- the validators on their own ----------------------------------------------------------


# --- where the app is: DMs, group DMs, user installs (Discord since 2024) ---------------------------------


@module_loop
async def test_commands_are_offered_only_where_their_definition_allows(standin, bot):
    await standin.wait_for_sync(count=1, guild_id=None)  # the global commands: the only ones outside servers
    dm = standin.dm_channel_id(CAROL)
    answer = await (await standin.slash("card", user=CAROL, channel_id=dm)).answer()
    assert answer["flags"] & v.FLAG_IS_COMPONENTS_V2 and answer["channel_id"] == str(dm)
    delivered = next(i for i in standin.interactions.values() if i.channel_id == dm)
    assert delivered.payload["context"] == 1 and "guild_id" not in delivered.payload and "user" in delivered.payload
    assert delivered.payload["authorizing_integration_owners"] == {"0": "0"}
    # A server-only command in the DM, or anything in a group DM without a user install: not offered.
    with pytest.raises(ValueError, match="not available in the DM"):
        await standin.slash("serveronly", user=CAROL, channel_id=dm)
    group = standin.group_dm_id(CAROL, BOB)
    with pytest.raises(ValueError, match="not installed here"):
        await standin.slash("followups", n=1, user=CAROL, channel_id=group)
    standin.install_for(CAROL)
    with pytest.raises(ValueError, match="not available in a group DM"):
        await standin.slash("serveronly", user=CAROL, channel_id=group)
    foreign = standin.add_foreign_guild()
    with pytest.raises(ValueError, match="integration_types"):
        await standin.slash("serveronly", user=CAROL, guild_id=foreign)
    with pytest.raises(ValueError, match="not a synced command"):
        await standin.slash("film", title="Heat", user=CAROL, guild_id=foreign)  # guild commands stay home
    card = await (await standin.slash("card", user=CAROL, guild_id=foreign)).answer()
    assert card["channel_id"] == str(standin._foreign_guild(foreign).text_channel_id)
    assert standin.rejections == []


@module_loop
async def test_an_app_there_only_through_a_user_install_sends_at_most_five_followups(standin, bot):
    standin.install_for(BOB)
    group = standin.group_dm_id(BOB, CAROL)
    capped = await standin.slash("followups", n=6, user=BOB, channel_id=group)
    rejection = await capped.wait_rejection()
    assert rejection.status == 400 and rejection.code == 40094
    assert len(capped.followup_ids) == 5
    standin.rejections.clear()
    # In a server that installed the app there is no such cap.
    free = await standin.slash("followups", n=6, user=BOB)
    assert len(await free.wait_followups(6)) == 6
    # And the bot cannot post where it is not: the group DM is out of its reach over REST.
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {standin.token}"}
        async with session.post(f"{standin.api_base}/channels/{group}/messages", json={"content": "hi"},
                                headers=headers) as response:
            assert response.status == 403 and (await response.json())["code"] == 50001
    standin.rejections.clear()


@module_loop
async def test_a_server_without_external_apps_gets_only_private_answers(standin, bot):
    standin.install_for(BOB)
    closed = standin.add_foreign_guild(use_external_apps=False)
    answer = await (await standin.slash("card", user=BOB, guild_id=closed)).answer()
    assert answer["flags"] & v.FLAG_EPHEMERAL
    opened = standin.add_foreign_guild()
    assert not (await (await standin.slash("card", user=BOB, guild_id=opened)).answer())["flags"] & v.FLAG_EPHEMERAL
    assert standin.rejections == []


@module_loop
async def test_components_v2_layouts_and_what_discord_refuses_beside_them(standin, bot):
    card = await (await standin.slash("card")).answer()
    assert card["flags"] & v.FLAG_IS_COMPONENTS_V2 and not card["content"] and not card["embeds"]
    container = card["components"][0]
    assert container["type"] == v.C_CONTAINER and container["accent_color"] == 0xE8B64C
    assert container["components"][0]["accessory"]["media"]["url"] == "https://example.com/heat.jpg"
    with_content = await standin.slash("card", mode="content")
    rejection = await with_content.wait_rejection()
    assert rejection.code == 50035 and "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2" in str(rejection.errors)
    standin.rejections.clear()
    downgraded = await standin.slash("card", mode="legacy_edit")
    rejection = await downgraded.wait_rejection()
    assert rejection.method == "PATCH" and "embeds" in rejection.errors
    assert downgraded.original_message()["flags"] & v.FLAG_IS_COMPONENTS_V2  # the flag stays
    standin.rejections.clear()


@module_loop
async def test_replies_to_a_mention_ping_nobody_and_must_point_at_a_real_message(standin, bot):
    asked = await standin.user_message("hello", user=ALICE, mention_bot=True)
    reply = await standin.wait_for_channel_message(
        predicate=lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"])
    assert reply["type"] == 19 and reply["content"] == "you said: hello"
    record = next(m for m in standin.mentions if m.message_id == int(reply["id"]))
    assert not record.pinged_replied_user and record.allowed_mentions["replied_user"] is False
    assert standin.pings() == []
    await standin.user_message("not for the bot", user=BOB)  # no mention: no content, no answer
    # A reply to a message that does not exist (fail_if_not_exists defaults to true) is refused.
    await standin.user_message("reply to 12345", user=ALICE, mention_bot=True)
    await standin._wait_until(lambda: standin.rejections, 5, "the refused reply")
    assert "MESSAGE_REFERENCE_UNKNOWN_MESSAGE" in str(standin.rejections[0].errors)
    standin.rejections.clear()
    # In the bot's DM every message arrives with its content, mention or not.
    dm = standin.dm_channel_id(ALICE)
    await standin.user_message("hi in private", user=ALICE, channel_id=dm)
    answer = await standin.wait_for_channel_message(dm, lambda m: m["author"]["id"] == str(standin.bot_user.id))
    assert answer["content"] == "you said: hi in private"
    assert mention_pings("<@1> hi", None)[2] == ["1"]  # without allowed_mentions a user mention pings
    assert standin.rejections == []


def _errors(check, *args, **kwargs) -> list:
    errors = v.FormErrors()
    check(*args, errors, **kwargs)
    return [(".".join(map(str, path)), code) for path, code, _ in errors.items]


def test_message_limits():
    assert _errors(v.validate_message, {"content": "x" * 2000}) == []
    assert _errors(v.validate_message, {"content": "x" * 2001}) == [("content", "BASE_TYPE_MAX_LENGTH")]
    assert ("embeds", "BASE_TYPE_MAX_LENGTH") in _errors(v.validate_message, {"embeds": [{"title": "t"}] * 11})
    field = {"name": "n", "value": "v" * 1024}
    six_thousand = [{"title": "t" * 256, "fields": [field] * 5}] * 2
    assert ("embeds", "MAX_EMBED_SIZE_EXCEEDED") in _errors(v.validate_message, {"embeds": six_thousand})
    assert _errors(v.validate_message, {"embeds": [{"fields": [{"name": "", "value": "v"}]}]}) == [
        ("embeds.0.fields.0.name", "BASE_TYPE_REQUIRED")]
    assert _errors(v.validate_message, {"embeds": [{"url": "ftp://x"}]}) == [("embeds.0.url", "URL_TYPE_INVALID_SCHEME")]


def test_component_limits():
    def button(i):
        return {"type": 2, "style": 1, "label": "b", "custom_id": f"b{i}"}

    def rows(*children_per_row):
        return {"components": [{"type": 1, "components": list(children)} for children in children_per_row]}

    assert _errors(v.validate_message, rows([button(i) for i in range(5)])) == []
    assert ("components", "BASE_TYPE_MAX_LENGTH") in _errors(v.validate_message, rows(*[[button(r)] for r in range(6)]))
    assert ("components.0.components", "BASE_TYPE_MAX_LENGTH") in _errors(
        v.validate_message, rows([button(i) for i in range(6)]))
    assert ("components.1.components.0.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED") in _errors(
        v.validate_message, rows([button(1)], [button(1)]))
    select = {"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}]}
    assert ("components.0.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED") in _errors(
        v.validate_message, rows([select, button(1)]))
    long_label = {**button(1), "label": "x" * 81}
    assert _errors(v.validate_message, rows([long_label])) == [("components.0.components.0.label", "BASE_TYPE_MAX_LENGTH")]
    many = {**select, "options": [{"label": str(i), "value": str(i)} for i in range(26)]}
    assert ("components.0.components.0.options", "BASE_TYPE_MAX_LENGTH") in _errors(v.validate_message, rows([many]))
    v2_text = {"flags": v.FLAG_IS_COMPONENTS_V2, "content": "legacy", "components": [{"type": 10, "content": "hi"}]}
    assert _errors(v.validate_message, v2_text) == [("content", "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2")]


def test_components_v2_limits():
    def v2(*components):
        return {"flags": v.FLAG_IS_COMPONENTS_V2, "components": list(components)}

    text = {"type": 10, "content": "hi"}
    assert _errors(v.validate_message, v2(text)) == []
    assert ("components.0.type", "UNION_TYPE_CHOICES") in _errors(v.validate_message, {"components": [text]})
    assert ("components", "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED") in _errors(
        v.validate_message, v2({"type": 17, "components": [text] * 40}))
    assert ("components", "COMPONENT_MAX_TOTAL_TEXT_EXCEEDED") in _errors(
        v.validate_message, v2(*[{"type": 10, "content": "x" * 1001}] * 4))
    thumb = {"type": 11, "media": {"url": "https://example.com/p.jpg"}, "description": "x" * 1025}
    section = {"type": 9, "components": [text], "accessory": thumb}
    assert _errors(v.validate_message, v2(section)) == [("components.0.accessory.description", "BASE_TYPE_MAX_LENGTH")]
    assert ("components.0.type", "COMPONENT_TYPE_INVALID") in _errors(v.validate_message, v2(thumb))  # accessory only
    assert _errors(v.validate_message, v2({"type": 14, "spacing": 3})) == [("components.0.spacing", "BASE_TYPE_CHOICES")]
    twice = v2({**text, "id": 7}, {"type": 17, "components": [{**text, "id": 7}]})
    assert _errors(v.validate_message, twice) == [("components.1.components.0.id", "COMPONENT_ID_DUPLICATED")]
    assert v.layout_texts([{"type": 17, "components": [text, section]}]) == ["hi", "hi"]


def test_command_definition_limits():
    def command(**extra):
        return {"name": "similar", "description": "Find similar films", "type": 1, **extra}

    assert not v.validate_command_list([command()])
    option = {"type": 3, "name": "film", "description": "A film"}
    checks = [
        ([command(name="Similar")], "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
        ([command(name="two words")], "0.name", "APPLICATION_COMMAND_INVALID_NAME"),
        ([command(description="")], "0.description", "BASE_TYPE_REQUIRED"),
        ([command(description="d" * 101)], "0.description", "BASE_TYPE_BAD_LENGTH"),
        ([command(options=[{**option, "name": f"o{i}"} for i in range(26)])], "0.options", "BASE_TYPE_MAX_LENGTH"),
        ([command(options=[option, {**option, "name": "count", "type": 4, "required": True}])],
         "0.options.1.required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"),
        ([command(options=[{**option, "choices": [{"name": str(i), "value": str(i)} for i in range(26)]}])],
         "0.options.0.choices", "BASE_TYPE_MAX_LENGTH"),
        ([command(options=[{"type": 1, "name": "a", "description": "a"}, option])],
         "0.options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"),
        ([command(options=[{"type": 2, "name": "g", "description": "g", "options": [{**option}]}])],
         "0.options.0.options.0.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
        ([command(), command()], "1.name", "APPLICATION_COMMANDS_DUPLICATE_NAME"),
        ([command(name=f"c{i}") for i in range(101)], "", "BASE_TYPE_MAX_LENGTH"),
    ]
    for commands, path, code in checks:
        found = [(".".join(map(str, p)), c) for p, c, _ in v.validate_command_list(commands).items]
        assert (path, code) in found, (path, code, found)
    choices = [{"name": "n" * 100, "value": "v" * 100} for _ in range(25)]
    subcommands = [{"type": 1, "name": f"s{i}", "description": "d" * 100,
                    "options": [{**option, "choices": choices}]} for i in range(2)]
    too_big = v.validate_command_list([command(options=subcommands)])
    assert [c for _, c, _ in too_big.items] == ["APPLICATION_COMMAND_TOO_LARGE"]


def test_autocomplete_modal_and_event_limits():
    choices = {"choices": [{"name": str(i), "value": str(i)} for i in range(26)]}
    assert _errors(v.validate_autocomplete_result, choices, option_type=v.OPT_STRING) == [("data.choices", "BASE_TYPE_MAX_LENGTH")]
    assert _errors(v.validate_autocomplete_result, {"choices": [{"name": "a", "value": "v" * 101}]}, option_type=v.OPT_STRING) == [
        ("data.choices.0.value", "BASE_TYPE_BAD_LENGTH")]
    modal = {"title": "t" * 46, "custom_id": "m",
             "components": [{"type": 1, "components": [{"type": 4, "custom_id": "x", "style": 1, "label": "l"}]}]}
    assert _errors(v.validate_modal, modal) == [("data.title", "BASE_TYPE_BAD_LENGTH")]
    now = v.parse_iso("2030-01-01T00:00:00+00:00")
    external = {"name": "n", "privacy_level": 2, "entity_type": 3, "scheduled_start_time": "2030-01-02T00:00:00+00:00"}
    found = _errors(v.validate_scheduled_event, external, now=now)
    assert ("entity_metadata.location", "BASE_TYPE_REQUIRED") in found and ("scheduled_end_time", "BASE_TYPE_REQUIRED") in found
    past = {**external, "scheduled_start_time": "2029-01-01T00:00:00Z", "scheduled_end_time": "2029-01-01T02:00:00Z",
            "entity_metadata": {"location": "here"}}
    assert _errors(v.validate_scheduled_event, past, now=now) == [("scheduled_start_time", "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST")]
