"""A tiny discord.py bot used only by the stand-in's self-tests (the real bot is ``python -m bot``).

It connects the way the real bot must: discord.py pointed at DISCORD_API_BASE and
DISCORD_GATEWAY_URL, an AutoShardedBot, commands synced to DEV_GUILD_ID. Some commands
misbehave on purpose (oversized embed, late reply, double reply) so the tests can check that
the stand-in refuses them like Discord.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import sys

import discord
import yarl
from discord import app_commands
from discord.ext import commands

log = logging.getLogger("echo_bot")

EVERYWHERE = {"followups", "serveronly", "card"}  # also synced globally
FILMS = ["Kill Bill: Vol. 1", "Kill Bill: Vol. 2", "Killer Joe", "The Killing", "Jackie Brown", "Pulp Fiction"]


def point_discord_py_at_standin() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])


def report_http_error(where: str, exc: discord.HTTPException) -> None:
    # The self-tests read the stand-in's rejections; this line only helps a human reading the log.
    log.warning("ECHO-HTTP-ERROR %s status=%s code=%s text=%s", where, exc.status, exc.code, exc.text)


class AgainView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Again", custom_id="echo:again", style=discord.ButtonStyle.primary)
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"again by {interaction.user.name}", view=self)


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(
        custom_id="pick:genre", min_values=1, max_values=2,
        options=[discord.SelectOption(label=x.title(), value=x) for x in ("noir", "western", "comedy")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content="picked: " + ",".join(select.values), view=None)


class Feedback(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="What did you think?", custom_id="feedback:text", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class EchoBot(commands.AutoShardedBot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s between IDENTIFYs (Discord's max_concurrency of 1); the local
        # stand-in has no such limit and the self-tests should stay fast.
        return None

    async def setup_hook(self) -> None:
        self.add_view(AgainView())
        guild = discord.Object(int(os.environ["DEV_GUILD_ID"]))
        self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands", len(synced))
        # The commands meant for everywhere also globally: only global commands exist in DMs, group DMs
        # and servers the bot is not in (the others stay guild commands, found through the guild's copy).
        for command in list(self.tree.get_commands()):
            if command.name not in EVERYWHERE:
                self.tree.remove_command(command.name)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        """Answers a message that mentions it (or any DM) with a reply that pings nobody; ``reply to <id>``
        answers a message by id instead (to provoke the stand-in's reply checks)."""
        if message.author.bot or (message.guild is not None and self.user not in message.mentions):
            return
        text = message.content.replace(f"<@{self.user.id}>", "").strip()
        try:
            if text.startswith("reply to "):
                reference = discord.MessageReference(message_id=int(text.split()[-1]), channel_id=message.channel.id)
                await message.channel.send("a reply", reference=reference)
            else:
                await message.reply(f"you said: {text}", mention_author=False)
        except discord.HTTPException as exc:
            report_http_error("on_message", exc)


bot = EchoBot()


@bot.tree.command(description="Repeat some text")
async def echo(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, view=AgainView())


async def film_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    if current == "slow":
        await asyncio.sleep(0.5)  # leaves the test time to answer first with a wrong callback type
    words = current.lower().split()
    return [app_commands.Choice(name=f, value=f) for f in FILMS if all(w[:3] in f.lower() for w in words)][:25]


@bot.tree.command(description="Show a film")
@app_commands.autocomplete(title=film_autocomplete)
async def film(interaction: discord.Interaction, title: str) -> None:
    await interaction.response.send_message(embed=discord.Embed(title=title, description="A film."))


@bot.tree.command(description="Count to n")
@app_commands.choices(mode=[app_commands.Choice(name="Up", value="up"), app_commands.Choice(name="Down", value="down")])
async def count(interaction: discord.Interaction, n: app_commands.Range[int, 1, 10], mode: str = "up") -> None:
    numbers = range(1, n + 1) if mode == "up" else range(n, 0, -1)
    await interaction.response.send_message(" ".join(map(str, numbers)))


@bot.tree.command(description="Send an embed with a long description")
async def big(interaction: discord.Interaction, size: int) -> None:
    try:
        await interaction.response.send_message(embed=discord.Embed(title="big", description="x" * size))
    except discord.HTTPException as exc:
        report_http_error("big", exc)


@bot.tree.command(description="Answer after a delay")
async def slow(interaction: discord.Interaction, seconds: float) -> None:
    await asyncio.sleep(seconds)
    try:
        await interaction.response.send_message("finally")
    except discord.HTTPException as exc:
        report_http_error("slow", exc)


@bot.tree.command(description="Answer twice with initial responses")
async def twice(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("one")
    # discord.py refuses a second response itself; go around it the way a buggy bot could.
    interaction.response._response_type = None
    try:
        await interaction.response.send_message("two")
    except discord.HTTPException as exc:
        report_http_error("twice", exc)


@bot.tree.command(description="Pick genres")
async def pick(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pick some", view=PickView(), ephemeral=True)


@bot.tree.command(description="Echo an uploaded file back")
async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    reply = discord.File(fp=__import__("io").BytesIO(data[::-1]), filename="reversed.txt")
    await interaction.response.send_message(f"{file.filename} {len(data)} bytes", file=reply)


@bot.tree.command(description="Defer, then follow up")
async def later(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True, ephemeral=True)
    await asyncio.sleep(0.2)
    await interaction.followup.send("done later")


@bot.tree.command(description="Reply, edit the reply, follow up and edit the followup")
async def edit(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("draft")
    await interaction.edit_original_response(content="final", embed=discord.Embed(title="Edited"))
    extra = await interaction.followup.send("extra", wait=True)
    await extra.edit(content="extra edited")


@bot.tree.command(description="Reply, then follow up after a pause")
async def slowfollow(interaction: discord.Interaction, pause: float) -> None:
    await interaction.response.send_message("first")
    await asyncio.sleep(pause)
    try:
        await interaction.followup.send("second")
    except discord.HTTPException as exc:
        report_http_error("slowfollow", exc)


@bot.tree.command(description="Post a poll in the channel")
async def poll(interaction: discord.Interaction, question: str) -> None:
    native = discord.Poll(question=question, duration=dt.timedelta(hours=1))
    native.add_answer(text="Alien")
    native.add_answer(text="Heat")
    try:
        await interaction.channel.send(poll=native)
    except discord.HTTPException as exc:
        report_http_error("poll", exc)
        await interaction.response.send_message(f"failed: {exc.code}", ephemeral=True)
        return
    await interaction.response.send_message("poll posted", ephemeral=True)


@bot.tree.command(description="Count the votes of a poll")
async def tally(interaction: discord.Interaction, message_id: str) -> None:
    message = await interaction.channel.fetch_message(int(message_id))
    parts = []
    for answer in message.poll.answers:
        voters = sorted([user.name async for user in answer.voters()])
        parts.append(f"{answer.text}={answer.vote_count}:{','.join(voters)}")
    await message.end_poll()
    await interaction.response.send_message(" ".join(parts))


@bot.tree.command(description="Create an external event")
async def event(interaction: discord.Interaction, name: str) -> None:
    start = discord.utils.utcnow() + dt.timedelta(days=1)
    try:
        created = await interaction.guild.create_scheduled_event(
            name=name, start_time=start, end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external, location="Living room",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    except discord.HTTPException as exc:
        report_http_error("event", exc)
        await interaction.response.send_message(f"failed: {exc.code}", ephemeral=True)
        return
    await interaction.response.send_message(f"event {created.id}")


@bot.tree.command(description="Open a feedback form")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(Feedback())


@bot.tree.command(description="Defer, then send n followups")
@app_commands.allowed_installs(guilds=True, users=True)
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
async def followups(interaction: discord.Interaction, n: app_commands.Range[int, 1, 10]) -> None:
    await interaction.response.defer(thinking=True)
    for number in range(1, n + 1):
        try:
            await interaction.followup.send(f"followup {number}")
        except discord.HTTPException as exc:
            report_http_error("followups", exc)
            return


@bot.tree.command(description="Only in servers that installed the app")
@app_commands.allowed_installs(guilds=True, users=False)
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
async def serveronly(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("in a server")


class Card(discord.ui.LayoutView):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        section = discord.ui.Section(discord.ui.TextDisplay("## Heat (1995)"), discord.ui.TextDisplay("Michael Mann"),
                                     accessory=discord.ui.Thumbnail("https://example.com/heat.jpg", description="Poster"))
        buttons = discord.ui.ActionRow(discord.ui.Button(label="More", custom_id="card:more"))
        self.add_item(discord.ui.Container(section, discord.ui.Separator(), discord.ui.TextDisplay("A heist film."),
                                           buttons, accent_colour=0xE8B64C))


@bot.tree.command(description="Send a Components V2 card (mode: ok, content, legacy_edit)")
@app_commands.allowed_installs(guilds=True, users=True)
@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
async def card(interaction: discord.Interaction, mode: str = "ok") -> None:
    try:
        if mode == "content":  # discord.py lets content through beside a LayoutView; Discord does not
            await interaction.response.send_message("hello", view=Card())
        else:
            await interaction.response.send_message(view=Card())
            if mode == "legacy_edit":  # the IS_COMPONENTS_V2 flag stays: an embed cannot come back
                await interaction.edit_original_response(embed=discord.Embed(title="old style"), view=None)
    except discord.HTTPException as exc:
        report_http_error("card", exc)


movienight = app_commands.Group(name="movienight", description="Movie nights")


@movienight.command(name="start", description="Start a movie night")
async def movienight_start(interaction: discord.Interaction, title: str) -> None:
    await interaction.response.send_message(f"night: {title}")
    posted = await interaction.channel.send(f"Tonight: {title} @everyone")
    fetched = await interaction.channel.fetch_message(posted.id)
    await fetched.edit(content=fetched.content + " (edited)")


bot.tree.add_command(movienight)


async def main() -> None:
    point_discord_py_at_standin()
    discord.utils.setup_logging(level=getattr(logging, os.environ.get("LOG_LEVEL", "INFO")), root=True)
    # Close through discord.py on SIGINT/SIGTERM instead of cancelling the main task: on Python
    # 3.11 asyncio.wait_for can swallow a cancellation that lands while a shard is connecting.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
