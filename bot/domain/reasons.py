"""Reasons: the "because..." attached to every answer, and the words we use for tags.

A Reason is a claim about one or two films. Renderers show `text`; tests and
callers read `data`, which holds the exact facts the text was built from, so a
reason can always be checked against the films it talks about.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

REASON_KINDS = (
    "link", "series", "tag", "director", "writer", "cast", "genre", "era", "country", "language",
    "runtime", "service", "score", "mood", "like",
)


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # one of REASON_KINDS
    text: str  # one short line for people
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def tag_label(tag: str) -> str:
    """`stylised-violence` -> `stylised violence`: how a tag reads in a sentence."""
    return tag.replace("-", " ")


def join_words(words: Iterable[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    items = [w for w in words if w]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# What someone who wants this film is after, completing "Pick X if you want ...".
# Our own words; tags missing here fall back to facet_phrase().
TAG_PHRASES: dict[str, str] = {
    # plot-weight
    "style-over-substance": "bodies flying",
    "lore-heavy": "lore and world-building",
    "dialogue-light": "action doing the talking",
    "dialogue-driven": "sharp conversations",
    "simple-premise": "a one-line premise",
    "twisty": "twists you won't see coming",
    "character-study": "a deep dive into one person",
    "franchise-entry": "more of a saga you already love",
    "standalone": "a complete story with no homework",
    # pace
    "relentless": "wall-to-wall action",
    "fast": "a brisk ride",
    "steady": "a classic, even rhythm",
    "slow-burn": "a slow burn that pays off",
    "contemplative": "something to sit and think with",
    # mood
    "tense": "edge-of-your-seat suspense",
    "feel-good": "to leave in a good mood",
    "bleak": "something dark and unconsoling",
    "funny": "laughs",
    "heartfelt": "something sincere",
    "thrilling": "an adrenaline rush",
    "scary": "a proper scare",
    "romantic": "romance",
    "mind-bending": "something to untangle afterwards",
    "melancholy": "a wistful mood",
    "cathartic": "a big release at the end",
    "whimsical": "something playful",
    "uplifting": "to feel hopeful",
    "unsettling": "something that gets under your skin",
    "cosy": "low-stakes comfort",
    "epic": "scale and spectacle",
    # style
    "stylised-violence": "violence staged as spectacle",
    "choreographed-fights": "long, clean fight scenes",
    "practical-stunts": "real stunts",
    "car-action": "car chases",
    "gunplay": "elaborate gunfights",
    "long-takes": "long unbroken shots",
    "neon": "neon-soaked visuals",
    "black-and-white": "black-and-white photography",
    "hand-drawn": "hand-drawn animation",
    "computer-animated": "computer animation",
    "stop-motion": "stop-motion craft",
    "found-footage": "found-footage immediacy",
    "documentary-style": "a documentary feel",
    "non-linear": "a story told out of order",
    "visually-lavish": "gorgeous design",
    "musical-numbers": "songs",
    "practical-effects": "on-set creature effects",
    "one-location": "a single-location pressure cooker",
    "chapters": "a story told in chapters",
    "pastiche": "a love letter to old genre films",
    # protagonist
    "female-lead": "a woman leading the fight",
    "ensemble": "a big ensemble",
    "duo": "a double act",
    "child-lead": "a young hero",
    "antihero": "an antihero",
    "lone-wolf": "a lone wolf",
    "professional": "a pro at work",
    "animal-lead": "an animal hero",
    # theme (a few common ones; the rest use facet_phrase)
    "revenge": "a revenge story",
    "heist": "a heist",
    "coming-of-age": "a coming-of-age story",
    "found-family": "found family",
    "crime-underworld": "the criminal underworld",
    "assassins": "assassins at work",
    "martial-arts": "martial arts",
    "time-travel": "time-travel puzzles",
    "space": "space",
    "monsters": "monsters",
    "spies": "spycraft",
    "family-friendly": "something for the whole family",
}

# Which facets best describe what a viewer is choosing between, most telling first.
PICK_FACET_ORDER = ("plot-weight", "mood", "pace", "style", "theme", "protagonist")
# True of so many films, or so mild, that they make a poor headline for a choice.
WEAK_PICK_TAGS = frozenset({"standalone", "franchise-entry", "dialogue-light", "male-lead", "steady"})


def plural(count: int, word: str) -> str:
    """`1 film`, `17,681 films`: counts are shown with thousands separators everywhere."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def facet_phrase(tag: str, facet: str | None) -> str:
    if tag in TAG_PHRASES:
        return TAG_PHRASES[tag]
    label = tag_label(tag)
    if facet == "theme":
        return f"a {label} story"
    if facet == "mood":
        return f"something {label}"
    return label
