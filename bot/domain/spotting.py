"""Film titles named in a piece of prose: a review, a chat message.

`spot_titles(text, named)` walks the text sentence by sentence and looks up runs of up to eight words that
are written like a title (capitalised words, small words like "of" or "the" inside) with `named`, which
answers only exact names. The longest run that is a film's name wins. Ordinary capitalised words would
otherwise turn into films ("Revenge movies are all the rage"), so a one-word title counts only where it
cannot be the start of a sentence or part of a longer name ("Brandon Lee", "Movie Nation"), and a line in
title case (a headline) lends only its longer titles. When several films share the name, the one the text
points at by director or year is taken, else the best known.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import Film
from .search import fold

MAX_WORDS = 8
SMALL = frozenset("""a an and as at by de del der des di du el en for from in into la le les los of on or the
to vs with y""".split())
_WORD = re.compile(r"[^\s|/()\[\]{}\"“”«»]+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’']?$")
_POSSESSIVE = re.compile(r"['’]s$")
_TRAILING = re.compile(r"[,;:.!?…\"”’'»)]+$")
_LEADING = re.compile(r"^[\"“‘'«(]+")


@dataclass(frozen=True, slots=True)
class Spot:
    written: str  # as the text writes it
    film: Film  # the film meant
    others: tuple[Film, ...] = ()  # other films of exactly that name


@dataclass(slots=True)
class _Word:
    raw: str
    bare: str  # without surrounding punctuation or a possessive
    starts_sentence: bool
    ends_phrase: bool  # a comma, a full stop... after it: a title does not run on


def _words(line: str) -> list[_Word]:
    words: list[_Word] = []
    starts = True
    for match in _WORD.finditer(line):
        raw = match.group()
        bare = _POSSESSIVE.sub("", _TRAILING.sub("", _LEADING.sub("", raw)))
        ends = bool(re.search(r"[,;.!?…)\"”]$", raw)) or bool(_POSSESSIVE.search(_TRAILING.sub("", raw)))
        words.append(_Word(raw, bare, starts, ends))
        starts = bool(_SENTENCE_END.search(raw))
    return words


def _capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit())


def _title_like(words: Sequence[_Word]) -> bool:
    if not words or not _capitalised(words[0].bare) or not _capitalised(words[-1].bare):
        return False
    return all(_capitalised(w.bare) or w.bare.casefold() in SMALL for w in words)


def _headline(words: Sequence[_Word]) -> bool:
    content = [w for w in words if w.bare and w.bare.casefold() not in SMALL]
    return len(content) >= 4 and sum(_capitalised(w.bare) for w in content) >= 0.7 * len(content)


def spot_titles(text: str, named: Callable[[str], Sequence[Film]], *, limit: int = 5) -> list[Spot]:
    """The films `text` names, in the order it first names them, at most `limit`."""
    folded_text = fold(text)
    found: dict[str, Spot] = {}
    for line in text.splitlines():
        words = _words(line)
        headline = _headline(words)
        i = 0
        while i < len(words):
            match = _longest_at(words, i, named, headline=headline)
            if match is None:
                i += 1
                continue
            size, films = match
            chosen = _meant(films, folded_text)
            if chosen.id not in found and len(found) < limit:
                written = " ".join(w.raw for w in words[i:i + size])
                written = _POSSESSIVE.sub("", _TRAILING.sub("", _LEADING.sub("", written)))
                found[chosen.id] = Spot(written, chosen, tuple(f for f in films if f.id != chosen.id))
            i += size
    return list(found.values())


def _longest_at(words: Sequence[_Word], start: int, named: Callable[[str], Sequence[Film]], *,
                headline: bool) -> tuple[int, Sequence[Film]] | None:
    first = words[start]
    if not _capitalised(first.bare):
        return None
    most = 1
    while most < MAX_WORDS and start + most < len(words) and not words[start + most - 1].ends_phrase:
        most += 1
    for size in range(most, 0, -1):
        run = words[start:start + size]
        if not _title_like(run):
            continue
        if size == 1 and not _lone_word_counts(words, start, headline=headline):
            continue
        phrase = " ".join(w.raw for w in run)
        phrase = _POSSESSIVE.sub("", _TRAILING.sub("", _LEADING.sub("", phrase)))
        films = named(phrase)
        if films:
            return size, films
    return None


def _lone_word_counts(words: Sequence[_Word], i: int, *, headline: bool) -> bool:
    """A one-word title mid-sentence, not beside another capitalised word (a person's or a brand's name)."""
    word = words[i]
    if headline or word.starts_sentence or len(word.bare) < 3 or word.bare.isupper():
        return False
    before = words[i - 1] if i > 0 else None
    after = words[i + 1] if i + 1 < len(words) else None
    if before is not None and _capitalised(before.bare) and not before.ends_phrase:
        return False
    return not (after is not None and not word.ends_phrase and _capitalised(after.bare))


def _meant(films: Sequence[Film], folded_text: str) -> Film:
    """Of several films with the name, the one whose director (or year) the text mentions; else the first."""
    if len(films) == 1:
        return films[0]
    for film in films:
        if any(len(fold(d)) > 3 and fold(d) in folded_text for d in film.directors):
            return film
    for film in films:
        if film.year and re.search(rf"\b{film.year}\b", folded_text):
            return film
    return films[0]
