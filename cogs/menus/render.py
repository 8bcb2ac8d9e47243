"""A compact card per film found in a message, "is it like …?" buttons between them; picks for a member."""
from __future__ import annotations

from bot.core.interface import custom_id
from bot.core.message import Button, Container, Embed, Message, Section, Separator, Text, Thumbnail
from bot.core.rendering import renderer
from bot.core.text import safe

from .results import FilmsInMessage, SpottedFilm, TheirPicks


def _compact(spotted: SpottedFilm) -> list[str]:
    film = spotted.film
    facts = [f"**{safe(film.title)}** ({film.year or '?'})"]
    if film.directors:
        facts.append(safe(", ".join(film.directors[:2])))
    if film.runtime:
        facts.append(f"{film.runtime} min")
    lines = [" · ".join(facts)]
    if film.pitch:
        lines.append(f"*{safe(film.pitch)}*")
    elif film.genres:
        lines.append(safe(", ".join(film.genres[:3])))
    notes = []
    if spotted.written.casefold() != film.title.casefold():
        notes.append(f"written “{safe(spotted.written)}”")
    if spotted.others:
        notes.append("also called that: " + ", ".join(f"{safe(o.title)} ({o.year or '?'})" for o in spotted.others))
    if notes:
        lines.append("-# " + " · ".join(notes))
    return ["\n".join(lines)]


@renderer.register
def _films_in_message(result: FilmsInMessage) -> Message:
    count = len(result.films)
    blocks: list = [Text(f"## 🎞️ Films in this message\n{count} {'film' if count == 1 else 'films'} named, in order")]
    for n, spotted in enumerate(result.films):
        blocks.append(Separator())
        card = Button("Card", custom_id("menucard", result.token, n), "secondary")
        accessory = Thumbnail(spotted.poster_url, spotted.film.title) if spotted.poster_url else card
        blocks.append(Section(_compact(spotted), accessory))
        if spotted.poster_url:
            blocks.append([card])
    if result.pairs:
        blocks.append(Separator())
        blocks.append(Text("Is it like …?"))
        films = [s.film for s in result.films]
        titles = [f.title for f in films]
        # Two films of one name ("Ballerina" and "Ballerina") are told apart by their years.
        names = [f"{f.title} ({f.year or '?'})" if titles.count(f.title) > 1 else f.title for f in films]
        buttons = [Button(f"{names[a]} ↔ {names[b]}", custom_id("likepair", result.token, a, b))
                   for a, b in result.pairs]
        blocks.extend(buttons[i:i + 5] for i in range(0, len(buttons), 5))
    return Message(layout=[Container(blocks)])


@renderer.register
def _their_picks(result: TheirPicks) -> Message:
    name = "you" if result.is_self else safe(result.member_name)
    title = "🎁 What would you like?" if result.is_self else f"🎁 What would {result.member_name} like?"
    whose = "your" if result.is_self else f"{name}'s"
    embed = Embed(title=title, description=f"From {whose} watchlist and the films {name} rate"
                                           f"{'' if result.is_self else 's'} highly; nothing else is shown.")
    for n, pick in enumerate(result.picks, start=1):
        reasons = "\n".join(f"• {safe(r)}" for r in pick.reasons[:3])
        embed.add(f"{n}. {pick.film.title} ({pick.film.year or '?'})", reasons)
    return Message(embeds=[embed])
