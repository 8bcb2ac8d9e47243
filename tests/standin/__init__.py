"""A local Discord stand-in for end-to-end tests of the bot.

    standin = DiscordStandIn(token="test-token")          # guild_ids=, bot_permissions=, ...
    await standin.start()                                 # standin.api_base, standin.gateway_url
    bot = BotProcess({}, tmp_path / "bot.db", standin)    # runs `python -m bot run` from the repo root
    await bot.start(wait_sync=True)

    i = await standin.slash("similar", film="Kill Bill", count=5, user=ALICE)
    message = await i.answer()            # what the user sees (reply, edited deferral, update...)
    callback = await i.response()         # the first accepted callback: .type .content .embeds .ephemeral
    choices = await standin.autocomplete("similar", "film", "kil bil")
    click = await standin.click(message, "vote:yes", user=BOB)
    assert not standin.rejections         # everything Discord would have refused is recorded here
    assert not standin.unsafe_mentions()  # nothing pinged @everyone/@here or a role
    await bot.stop()

Sending an interaction checks it against the synced command definitions like the Discord
client and raises ValueError instead of sending. See server.py for the full API (state:
``commands()``, ``channel_messages()``, ``scheduled_events``, ``sync_count``, ``mentions``,
``unhandled``; actions: ``select()``, ``submit_modal()``, ``context_menu()``, ``vote_poll()``,
``add_attachment()``, ``set_bot_permissions()``, ``send_reconnect()``) and validate.py for
the limits it enforces.
"""

from .process import REPO_ROOT, BotProcess, serving_bot
from .server import (
    ALICE, BOB, CAROL, DEFAULT_BOT_PERMISSIONS, DEFAULT_MEMBER_PERMISSIONS, Callback, DiscordStandIn, InteractionFailed,
    MentionRecord, Perm, Rejection, SentInteraction, User, find_component, is_ephemeral, iter_components, mention_pings,
    message_text,
)

__all__ = [
    "ALICE", "BOB", "CAROL", "DEFAULT_BOT_PERMISSIONS", "DEFAULT_MEMBER_PERMISSIONS", "REPO_ROOT", "BotProcess", "serving_bot",
    "Callback", "DiscordStandIn", "InteractionFailed", "MentionRecord", "Perm", "Rejection", "SentInteraction",
    "User", "find_component", "is_ephemeral", "iter_components", "mention_pings", "message_text",
]
