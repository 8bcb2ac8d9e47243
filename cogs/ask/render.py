"""A question in words is answered with the command's own message, the reading above it and an Adjust
button beside its controls; the adjust view offers to drop each part or to run the slash command."""
from __future__ import annotations

from bot.core.interface import custom_id
from bot.core.message import BUTTONS_PER_ROW, ROWS_MAX, Button, Container, Embed, Message
from bot.core.rendering import renderer
from bot.core.text import safe

from .results import AskAdjust, AskAnswer, SlowDown

EXAMPLES = ("“something like Kill Bill under two hours on Netflix”", "“is Ballerina like John Wick?”",
            "“a cosy 90s comedy”", "“what's popular”")


def _note(answer: AskAnswer) -> str:
    if answer.command == "help":
        lines = ["You can also just ask me, by mentioning me or in a DM: " + ", ".join(EXAMPLES) + "."]
    else:
        lines = [f"I read this as: **{safe(answer.reading)}**"]
    if answer.ignored:
        lines.append("-# Left out: " + "; ".join(safe(i) for i in answer.ignored[:4]))
    return "\n".join(lines)


def _add_button(message: Message, button: Button) -> None:
    """Beside the message's own controls: in the last row of buttons when there is room, else a new row."""
    if message.layout is not None:
        holder = next((item.blocks for item in reversed(message.layout) if isinstance(item, Container)),
                      message.layout)
        rows = [b for b in holder if isinstance(b, list)]
        if rows and len(rows[-1]) < BUTTONS_PER_ROW:
            rows[-1].append(button)
        else:
            holder.append([button])
        return
    rows = [r for r in message.rows if isinstance(r, list)]
    if rows and len(rows[-1]) < BUTTONS_PER_ROW:
        rows[-1].append(button)
    elif len(message.rows) < ROWS_MAX:
        message.rows.append([button])


@renderer.register
def _asked(answer: AskAnswer) -> Message:
    message = renderer(answer.answer)
    message.noted(_note(answer))
    if answer.token:
        _add_button(message, Button("Adjust", custom_id("askfix", answer.token), "secondary", emoji="✏️"))
    return message


@renderer.register
def _adjust(view: AskAdjust) -> Message:
    lines = [f"Run it yourself and change anything: `{view.slash}`"]
    if view.parts:
        lines.insert(0, "Drop a part of how I read it and I'll answer again:")
    if view.ignored:
        lines.append("Left out: " + "; ".join(safe(i) for i in view.ignored[:4]))
    message = Message(embeds=[Embed(title="✏️ Adjust", description="\n".join(lines))])
    return message.buttons(*(Button(f"✕ {label}", custom_id("askdrop", view.token, key)) for key, label in
                             view.parts[:ROWS_MAX * BUTTONS_PER_ROW]))


@renderer.register
def _slow_down(result: SlowDown) -> Message:
    text = f"That's a lot of questions in a minute. Ask me again in {result.retry_after} s."
    return Message(embeds=[Embed(title="One at a time", description=text)])
