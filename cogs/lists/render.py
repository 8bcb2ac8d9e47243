"""Renderers for personal lists, preferences, /forgetme and server settings."""
from __future__ import annotations

from bot.core.interface import custom_id
from bot.core.message import Button, Embed, Message
from bot.core.rendering import renderer
from bot.core.text import safe

from .results import ForgetDone, ForgetPrompt, PrefsView, SettingsView, WatchlistView

# What /forgetme deleted, by kind: (one, several).
FORGOTTEN = {
    "preferences": ("set of preferences", "sets of preferences"),
    "watchlist": ("watchlist entry", "watchlist entries"),
    "seen": ("film marked seen", "films marked seen"),
    "ratings": ("rating", "ratings"),
    "ballots": ("movie-night ballot", "movie-night ballots"),
    "rsvps": ("movie-night RSVP", "movie-night RSVPs"),
    "saved_controls": ("saved button state", "saved button states"),
    "activity": ("server chart entry", "server chart entries"),
    "hosted_nights": ("movie night you hosted that nobody else joined",
                      "movie nights you hosted that nobody else joined"),
}
# What /forgetme kept for other people, with the person's id taken out: (one, several).
ANONYMISED = {
    "hosted_nights": ("movie night you hosted (it now has no named host)",
                      "movie nights you hosted (they now have no named host)"),
    "nominations": ("nomination (the film stays on its ballot)", "nominations (the films stay on their ballots)"),
    "catalogue_edits": ("catalogue edit (it stays in the catalogue)", "catalogue edits (they stay in the catalogue)"),
}


@renderer.register
def _watchlist(view: WatchlistView) -> Message:
    who = "Your" if view.is_self else f"{safe(view.owner_name)}'s"
    if not view.films:
        hint = " Add films with `/watchlist add` or the ➕ button on a film card." if view.is_self else ""
        return Message(embeds=[Embed(title=f"{who} watchlist is empty", description=hint.strip() or None)])
    lines = []
    for film in view.films[:50]:
        mark = " ✓ seen" if film.id in view.seen else ""
        runtime = f" · {film.runtime} min" if film.runtime else ""
        lines.append(f"• {safe(film.label)}{runtime}{mark}")
    more = f"\n…and {len(view.films) - 50} more" if len(view.films) > 50 else ""
    return Message(embeds=[Embed(title=f"{who} watchlist ({len(view.films)})", description="\n".join(lines) + more)])


@renderer.register
def _prefs(view: PrefsView) -> Message:
    embed = Embed(title="✅ Preferences saved" if view.changed else "Your preferences")
    embed.add("Region", view.region or f"not set (using {view.effective_region})", inline=True)
    embed.add("Services", ", ".join(view.services) or "not set", inline=True)
    embed.footer = "Change them with /prefs region:GB services:\"netflix, mubi\" — /watch uses them."
    return Message(embeds=[embed])


@renderer.register
def _forget_prompt(prompt: ForgetPrompt) -> Message:
    embed = Embed(
        title="Delete everything Marquee stores about you?",
        description="This removes your preferences, watchlist, seen films, ratings, movie-night ballots and "
                    "RSVPs, saved buttons, your part in server charts and the movie nights you hosted alone, in "
                    "every server. Movie nights and nominations other people took part in, and catalogue edits, "
                    "stay without your name. It cannot be undone.",
    )
    return Message(embeds=[embed]).buttons(
        Button("Yes, delete my data", custom_id("forget", prompt.user_id), style="danger"),
        Button("Cancel", custom_id("forget_cancel")),
    )


@renderer.register
def _forget_done(done: ForgetDone) -> Message:
    if not done.removed and not done.anonymised:
        return Message(embeds=[Embed(title="✅ Nothing to delete",
                                     description="Marquee had nothing stored about you.")])
    parts = []
    if done.removed:
        parts.append("Removed:\n" + _counted(done.removed, FORGOTTEN))
    if done.anonymised:
        parts.append("Kept for the others who took part, without your name:\n" + _counted(done.anonymised, ANONYMISED))
    return Message(embeds=[Embed(title="✅ Your data is deleted", description="\n\n".join(parts))])


def _counted(counts: dict[str, int], words: dict[str, tuple[str, str]]) -> str:
    return "\n".join(f"• {count:,} {words.get(kind, (kind, kind))[0 if count == 1 else 1]}"
                     for kind, count in counts.items())


@renderer.register
def _settings(view: SettingsView) -> Message:
    embed = Embed(title="✅ Server settings saved" if view.changed else "Server settings")
    embed.add("Default region", view.region or "not set (bot default)", inline=True)
    embed.add("Default services", ", ".join(view.services) or "not set", inline=True)
    embed.add("Movie-night channel",
              f"<#{view.night_channel_id}>" if view.night_channel_id else "the channel where a night starts",
              inline=True)
    embed.add("Time zone", view.timezone or "UTC", inline=True)
    return Message(embeds=[embed])
