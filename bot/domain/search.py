"""Finding films by what people type: autocomplete and title resolution.

Titles and aliases are folded (accents, case, punctuation), split into tokens
and indexed three ways: token -> films (postings), a sorted token list (prefix
search while typing) and character trigrams -> tokens (typo tolerance). A query
only ever touches the films reachable from its tokens, so cost follows the
query, not the catalogue size. Prefixes too short to narrow anything ("t",
"sha") are answered from lists of their most popular films, built bottom-up
with the index and kept in step with catalogue edits. Short words, which share
too few trigrams with their typos, have every one-edit variant looked up.

Resolution never swaps films: only a film's exact name (title, original title
or alias, folded as above) answers; text that merely resembles names gets
suggestions, ranked exactly as autocomplete ranks them.
"""
from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from bot.domain.catalog import Catalog
from bot.domain.models import Film

STOPWORDS = frozenset({"the", "a", "an", "of", "and", "in", "on", "to",
                       "la", "le", "les", "el", "il", "der", "die", "das"})
# Sequel numbering: "Rocky II" and "Rocky 2" are the same query. Single letters
# (i, v, x) stay letters: "I, Robot", "V for Vendetta", "Malcolm X".
ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}

EXACT, PREFIX, FUZZY = 1.0, 0.9, 0.75
STOPWORD_WEIGHT, NUMBER_WEIGHT = 0.3, 0.6  # how much a query word counts ("the", "2"; other words 1)
PREFIX_EXPANSION_CAP = 400  # more completions than this: the prefix is too short to narrow anything
MAX_SCORED = 150  # candidates fully scored per query (a few more when exact words match)
# Kept per broad prefix; the slack over MAX_SCORED lets removals shorten a list without recomputing it.
POPULAR_KEPT = 2 * MAX_SCORED
# Catalogue changes bigger than this (films) re-sort the token list once rather than insert token by token.
BULK_BATCH = 64
MAX_CANDIDATES = 10  # films in a "which one?" prompt
MAX_SUGGESTIONS = 5  # films in a "did you mean...?" prompt
SUGGESTION_WORDS = 0.5  # average word match a film needs to be suggested at all (see Match.words)
FUZZY_VERIFY = 60  # tokens checked by edit distance per query word
FUZZY_VERIFY_WITH_MATCHES = 15  # fewer when the word already matches as typed

_SEQUEL_NUMBER = re.compile(r"^\d{1,2}$")
_EDIT_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`]")
_INNER_DOTS = re.compile(r"\.(?=\w)")  # L.A. -> LA
_NON_WORD = re.compile(r"[\W_]+")
_LABEL = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*(?:[·•|-]\s*(?P<director>.+))?$")
_TRAILING_YEAR = re.compile(r"^(?P<title>.+?)\s+(?P<year>(?:18|19|20)\d{2})$")


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: 'Amélie!' -> 'amelie'."""
    if not text.isascii():  # most titles: nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    text = _INNER_DOTS.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def tokenize(text: str) -> list[str]:
    tokens = fold(text).split()
    return [ROMAN.get(t, t) if i else t for i, t in enumerate(tokens)]


def _trigrams(token: str) -> list[str]:
    padded = f"${token}$"
    return [padded[i:i + 3] for i in range(len(padded) - 2)]


def _add_grams(index: dict[str, array[int]], token: str, token_id: int) -> None:
    for gram in dict.fromkeys(_trigrams(token)):
        ids = index.get(gram)
        if ids is None:
            index[gram] = array("i", (token_id,))
        else:
            ids.append(token_id)


_NO_TOKENS: array[int] = array("i")  # the tokens of a trigram no token has (never added to)


def _after_prefix(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (bisect bound)."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (typos incl. swapped letters), > limit if over.

    Hyyrö's bit-vector algorithm (2003) for this distance: one Python int holds a column of the table, a
    bit per letter of `a`, so each letter of `b` costs a few integer operations instead of a row of
    Python-level cells (7 -> 2.5 us a pair; tests/test_search.py checks it against the table)."""
    m = len(a)
    if abs(m - len(b)) > limit:
        return limit + 1
    if m == 0:
        return len(b)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    vp, vn, d0, previous, score = full, 0, 0, 0, m
    for char in b:
        pm = masks.get(char, 0)
        tr = (((~d0) & pm) << 1) & previous  # two adjacent letters swapped: this one and the one before
        d0 = ((((pm & vp) + vp) ^ vp) | pm | vn | tr) & full
        hp = (vn | ~(d0 | vp)) & full
        hn = d0 & vp
        if hp & top:
            score += 1
        elif hn & top:
            score -= 1
        hp = ((hp << 1) | 1) & full
        hn = (hn << 1) & full
        vp = (hn | ~(d0 | hp)) & full
        vn = hp & d0
        previous = pm
    return score


@dataclass(slots=True)
class _Name:
    tokens: tuple[str, ...]
    joined: str  # tokens joined by spaces
    compact: str  # tokens joined without spaces: the key of an exact name ("Spider-Man" is "spiderman")
    searchable: frozenset[str]  # tokens + adjacent pairs glued ("old boy" -> "oldboy")
    content: int  # tokens that are not stopwords (at least 1)


def _make_name(text: str) -> _Name | None:
    tokens = tuple(tokenize(text))
    if not tokens:
        return None
    glued = {tokens[i] + tokens[i + 1] for i in range(len(tokens) - 1)}
    content = sum(1 for t in tokens if t not in STOPWORDS) or len(tokens)
    return _Name(tokens, " ".join(tokens), "".join(tokens), frozenset(tokens) | glued, content)


@dataclass(slots=True)
class _QueryToken:
    text: str
    weight: float
    matches: dict[str, float]  # index token -> match quality
    broad: bool  # too many completions to enumerate: checked per film instead
    counted: bool = True  # counts towards coverage (not a stopword)
    # The tokens of `matches` as a set, for intersecting with a name's tokens: frozenset & frozenset uses
    # the hashes both sets store, where dict keys & a frozenset reads each token's string (a cache miss per
    # token at 200,000 films). Taken when the word is made, so `matches` must be complete by then.
    matched: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.matched = frozenset(self.matches)

    def score(self, tokens: frozenset[str], taken: set[str] | frozenset[str] = frozenset()) -> tuple[float, str]:
        """The best match quality among the name's tokens, and the token that gave it. Of equally good
        tokens, one that no earlier typed word took (`taken`: "moving m" covers Moving Midway's two words,
        not "moving" twice), then the alphabetically first: never whichever a frozenset yields first, which
        changes with each process's hash seed (the same query once ranked films differently after a restart)."""
        best, matched = 0.0, ""
        # A word that is not broad scores only on the tokens in its matches: one intersection in C finds
        # those few (most names have one or none) instead of a Python-level look-up per token of the name.
        for token in tokens if self.broad else tokens & self.matched:
            value = self.matches.get(token, 0.0)
            if value == 0.0 and self.broad and token.startswith(self.text):
                value = PREFIX - 0.1 * max(0, 3 - len(self.text))
            if value > best or (value == best and value > 0.0
                                and ((token in taken, token) < (matched in taken, matched))):
                best, matched = value, token
                if best >= EXACT:  # only the typed word itself is exact: no tie to settle
                    break
        return best, matched


@dataclass(slots=True)
class _Query:
    words: list[_QueryToken]
    joined: str  # the query's tokens joined by spaces
    compact: str  # ... and without spaces, as exact names are keyed
    total_weight: float
    content: int  # words that count towards coverage


@dataclass(slots=True)
class _Ranking:
    """The catalogue's popularity order in film numbers, for one catalogue version and numbering."""

    version: int  # the catalogue's
    numbered: int  # films numbered when it was made
    place_of: npt.NDArray[np.intp]  # film number -> place in the popularity order, for ranking many films in numpy
    places: list[int]  # the same as Python ints, for sort keys
    number_at: list[int]  # place -> film number (-1: a film without a name, never indexed)
    prior_of: list[float]  # film number -> the catalogue's prior


@dataclass(slots=True)
class Match:
    film: Film
    text_score: float  # how well the words match, 0-~1.2, independent of popularity
    rank: float  # text_score plus a popularity nudge
    words: float = 0.0  # average quality of the query words' best matches, 0-1


@dataclass(slots=True)
class Resolution:
    """What typed text names: one film (`film`), several films with exactly that name (`candidates`, most
    popular first), or, when no film has exactly that name, the films it resembles (`suggestions`, best
    first). Resemblance never yields `film` or `candidates`."""

    film: Film | None = None
    candidates: list[Film] = field(default_factory=list)
    suggestions: list[Film] = field(default_factory=list)

    @property
    def is_exact(self) -> bool:
        return self.film is not None

    @property
    def is_ambiguous(self) -> bool:
        return self.film is None and bool(self.candidates)

    @property
    def is_missing(self) -> bool:
        return self.film is None and not self.candidates


class TitleIndex:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        # Films are numbered as the index meets them (a film removed and added again keeps its number), and
        # postings, exact names and popular lists hold numbers: a query reaches thousands of films, and at
        # 200,000 films each look-up by string id (its hash, the dict's table, the entry, the value) was a
        # chain of cache misses where a number indexes a list or a numpy array.
        self._film_numbers: dict[str, int] = {}
        self._film_ids: list[str] = []  # film number -> film id
        self._names: list[list[_Name]] = []  # film number -> the film's names (none once removed)
        self._film_tokens: dict[str, frozenset[str]] = {}
        # Most tokens name one film: a 1-tuple costs a quarter of a set, so postings start as one.
        self._postings: dict[str, set[int] | tuple[int]] = {}
        self._by_name: dict[str, set[int]] = {}  # compact name -> films of exactly that name
        self._sorted_tokens: list[str] = []
        # Trigram -> ids of the tokens containing it (`_id_tokens`), in typed arrays: counted in numpy by the
        # typo matching, and half the size of lists. Each token is appended once per distinct gram, and
        # removals are rare. Built by the first typo that needs it (`_grams`), not at start-up: most
        # lookups are exact or prefixes.
        self._trigram_tokens: dict[str, array[int]] | None = None
        self._token_ids: dict[str, int] = {}
        self._id_tokens: list[str] = []
        # Ids below this were given in token order (the index was built from the sorted tokens), so
        # comparing two of them compares the tokens; tokens added later get ids above it.
        self._ordered_ids = 0
        # Broad prefix -> its most popular films, best first (see _popular_with_prefix).
        self._popular: dict[str, list[int]] | None = None
        self._popular_truncated: set[str] = set()
        self._popular_anchor: tuple[str, float] | None = None
        self._ranking: _Ranking | None = None
        self._stopword_popular: dict[tuple[str, int], set[int]] = {}
        self._stopword_version = -1
        for film in catalog:
            self._add(film, bulk=True)
        self._sorted_tokens = sorted(self._postings)
        self._build_popular()
        catalog.add_listener(self)

    # ------------------------------------------------------------------ index upkeep

    def films_changed(self, removed: Sequence[Film], added: Sequence[Film]) -> None:
        """Keep the index in step with a batch of catalogue changes (see `Catalog.apply_changes`). A big
        batch sorts the token list once instead of inserting into it token by token."""
        bulk = len(removed) + len(added) > BULK_BATCH
        for film in removed:
            self._film_removed(film, bulk=bulk)
        for film in added:
            self._film_added(film, bulk=bulk)
        if bulk:
            self._sorted_tokens = sorted(self._postings)

    def _film_added(self, film: Film, *, bulk: bool) -> None:
        self._add(film, bulk=bulk)
        tokens = self._film_tokens.get(film.id)
        if self._popular is None or tokens is None:
            return
        if not self._anchor_holds():
            self._popular = None  # every prior was rescaled: rebuilt on the next broad query
            return
        priors, film_ids = self.catalog.priors(), self._film_ids

        def key(number: int) -> tuple[float, str]:  # the catalogue's popularity order
            fid = film_ids[number]
            return -priors.get(fid, 0.0), fid

        if self._popular_anchor is None and film.popularity > 0:
            self._popular_anchor = (film.id, priors[film.id])
        number = self._film_numbers[film.id]
        for prefix in self._cached_prefixes(tokens):
            films = self._popular[prefix]
            if number in films:
                continue
            if len(films) >= POPULAR_KEPT and key(number) > key(films[-1]):
                continue
            bisect.insort(films, number, key=key)
            if len(films) > POPULAR_KEPT:
                films.pop()
                self._popular_truncated.add(prefix)

    def _film_removed(self, film: Film, *, bulk: bool) -> None:
        number = self._film_numbers.get(film.id)
        if number is None:  # never indexed (no name)
            return
        names, self._names[number] = self._names[number], []
        tokens = self._film_tokens.pop(film.id, frozenset())
        if self._popular is not None:
            if self._popular_anchor is not None and self._popular_anchor[0] == film.id:
                self._popular_anchor = self._pick_anchor(exclude=film.id)
            for prefix in self._cached_prefixes(tokens):
                films = self._popular[prefix]
                if number in films:
                    films.remove(number)
                    if len(films) < MAX_SCORED and prefix in self._popular_truncated:
                        del self._popular[prefix]  # the films below the cut are unknown: recomputed when asked
                        self._popular_truncated.discard(prefix)
        for name in names:
            ids = self._by_name.get(name.compact)
            if ids is not None:
                ids.discard(number)
                if not ids:
                    del self._by_name[name.compact]
        for token in tokens:
            posting = self._postings.get(token)
            if posting is None:
                continue
            if isinstance(posting, set):
                posting.discard(number)
                if len(posting) == 1:
                    self._postings[token] = (next(iter(posting)),)
                continue
            if posting[0] != number:
                continue
            del self._postings[token]
            if not bulk:  # a bulk batch sorts the token list again once it is done
                i = bisect.bisect_left(self._sorted_tokens, token)
                if i < len(self._sorted_tokens) and self._sorted_tokens[i] == token:
                    del self._sorted_tokens[i]
            token_id = self._token_ids.get(token)
            if self._trigram_tokens is not None and token_id is not None:
                for gram in dict.fromkeys(_trigrams(token)):
                    grams = self._trigram_tokens.get(gram)
                    if grams is not None and token_id in grams:
                        grams.remove(token_id)
                        if not grams:
                            del self._trigram_tokens[gram]

    def _add(self, film: Film, *, bulk: bool) -> None:
        names: list[_Name] = []
        seen: set[str] = set()
        for text in (film.title, film.original_title, *film.aliases):
            if not text:
                continue
            name = _make_name(text)
            if name is None or name.joined in seen:
                continue
            seen.add(name.joined)
            names.append(name)
        if not names:
            return
        fid = film.id
        fid_number = self._film_numbers.get(fid)
        if fid_number is None:
            fid_number = self._film_numbers[fid] = len(self._film_ids)
            self._film_ids.append(fid)
            self._names.append(names)
        else:
            self._names[fid_number] = names
        tokens = names[0].searchable if len(names) == 1 else frozenset().union(*(n.searchable for n in names))
        self._film_tokens[fid] = tokens
        for name in names:
            self._by_name.setdefault(name.compact, set()).add(fid_number)
        postings = self._postings
        trigram_tokens = self._trigram_tokens
        for token in tokens:
            ids = postings.get(token)
            if ids is None:
                postings[token] = (fid_number,)
                if not bulk:
                    bisect.insort(self._sorted_tokens, token)
                if trigram_tokens is not None:
                    _add_grams(trigram_tokens, token, self._token_id(token))
            elif isinstance(ids, set):
                ids.add(fid_number)
            elif ids[0] != fid_number:
                postings[token] = {ids[0], fid_number}

    @property
    def typo_index_built(self) -> bool:
        return self._trigram_tokens is not None

    def prepare(self) -> None:
        """Build now what the first typo would otherwise build on the spot (the trigram index, a quarter of a
        second for the shipped catalogue): for an index built in a thread to replace a running one."""
        self._grams()

    def _grams(self) -> dict[str, array[int]]:
        """Trigram -> ids of the index tokens containing it, for typo matching (built on first use)."""
        if self._trigram_tokens is None:
            grams: dict[str, array[int]] = {}
            tokens = self._id_tokens = list(self._sorted_tokens)
            self._token_ids = {token: i for i, token in enumerate(tokens)}
            self._ordered_ids = len(tokens)
            for token_id, token in enumerate(tokens):
                _add_grams(grams, token, token_id)
            self._trigram_tokens = grams
        return self._trigram_tokens

    def _token_id(self, token: str) -> int:
        """The id of a token for the trigram index: a token removed and added again keeps its id."""
        token_id = self._token_ids.get(token)
        if token_id is None:
            token_id = self._token_ids[token] = len(self._id_tokens)
            self._id_tokens.append(token)
        return token_id

    # ------------------------------------------------------------------ popular films per broad prefix

    def _rank(self) -> _Ranking:
        """The catalogue's popularity order and priors by film number, remade when the catalogue changes
        (or films were numbered since)."""
        ranking = self._ranking
        if ranking is None or ranking.version != self.catalog.version or ranking.numbered != len(self._film_ids):
            ranked, numbers, film_ids = self.catalog.ranked_ids(), self._film_numbers, self._film_ids
            number_at = [numbers.get(fid, -1) for fid in ranked]
            places = [len(ranked)] * len(film_ids)  # films no longer in the catalogue: after every other
            for place, number in enumerate(number_at):
                if number >= 0:
                    places[number] = place
            priors = self.catalog.priors()
            ranking = self._ranking = _Ranking(
                self.catalog.version, len(film_ids), np.array(places, dtype=np.intp), places, number_at,
                [priors.get(fid, 0.0) for fid in film_ids])
        return ranking

    def _pick_anchor(self, exclude: str = "") -> tuple[str, float] | None:
        """A film whose prior moves whenever the catalogue rescales popularity (None: no film to rescale)."""
        films, priors = self.catalog.films, self.catalog.priors()
        for fid in self.catalog.ranked_ids():
            if fid != exclude and fid in films and films[fid].popularity > 0:
                return fid, priors[fid]
        return None

    def _anchor_holds(self) -> bool:
        """False when the catalogue's priors were rescaled (a new most popular film), reordering everyone."""
        anchor = self._popular_anchor
        return anchor is None or self.catalog.priors().get(anchor[0]) == anchor[1]

    def _build_popular(self) -> dict[str, list[int]]:
        """Top films of every prefix too broad to enumerate, bottom-up so each posting is read once."""
        popular: dict[str, list[int]] = {}
        self._popular = popular
        self._popular_truncated = set()
        self._popular_anchor = self._pick_anchor()
        tokens = self._sorted_tokens
        positions = self._rank().places
        lo = 0
        while lo < len(tokens):
            first = tokens[lo][0]
            hi = bisect.bisect_left(tokens, _after_prefix(first), lo)
            self._fill_popular(popular, first, lo, hi, positions)
            lo = hi
        return popular

    def _fill_popular(self, popular: dict[str, list[int]], prefix: str, lo: int, hi: int,
                      positions: list[int]) -> list[int]:
        """Most popular films with a token in tokens[lo:hi] (all starting with `prefix`), kept in `popular`
        (the cache `self._popular`) if broad. `positions`: film number -> place in the popularity order."""
        tokens, postings = self._sorted_tokens, self._postings
        ids: set[int] = set()
        broad = hi - lo > PREFIX_EXPANSION_CAP
        if not broad:
            ids = self._films_with(tokens[lo:hi])
        else:
            if tokens[lo] == prefix:
                ids.update(postings[prefix])
                lo += 1
            depth = len(prefix)
            while lo < hi:
                child = tokens[lo][:depth + 1]
                end = bisect.bisect_left(tokens, _after_prefix(child), lo, hi)
                ids.update(self._fill_popular(popular, child, lo, end, positions))
                lo = end
        ranked = heapq.nsmallest(POPULAR_KEPT, ids, key=positions.__getitem__) if len(ids) > POPULAR_KEPT \
            else sorted(ids, key=positions.__getitem__)
        if broad:
            popular[prefix] = ranked
            if len(ids) > POPULAR_KEPT:
                self._popular_truncated.add(prefix)
        return ranked

    def _cached_prefixes(self, tokens: frozenset[str]) -> set[str]:
        popular = self._popular or {}
        return {token[:n] for token in tokens for n in range(1, len(token) + 1) if token[:n] in popular}

    def _popular_with_prefix(self, prefix: str) -> list[int]:
        popular = self._popular
        if popular is None or not self._anchor_holds():
            popular = self._build_popular()
        films = popular.get(prefix)
        if films is None:
            tokens = self._sorted_tokens
            lo = bisect.bisect_left(tokens, prefix)
            hi = bisect.bisect_left(tokens, _after_prefix(prefix), lo)
            films = self._fill_popular(popular, prefix, lo, hi, self._rank().places)
        return films[:MAX_SCORED]

    # ------------------------------------------------------------------ queries

    def autocomplete(self, text: str, limit: int = 25) -> list[Film]:
        return [m.film for m in self.search(text, limit)]

    def search(self, text: str, limit: int = 25) -> list[Match]:
        """Best matches for typed text, best first, with their scores."""
        films = self.catalog.films
        text = text.strip()
        if not text:
            return [Match(films[fid], 0.0, 0.0) for fid in self.catalog.ranked_ids()[:limit]]
        tokens = tokenize(text)
        if not tokens:
            return []
        query = [self._expand(token, last=(i == len(tokens) - 1)) for i, token in enumerate(tokens)]
        shape = _Query(query, " ".join(tokens), "".join(tokens), sum(q.weight for q in query),
                       sum(1 for q in query if q.counted))
        candidates = self._candidates(query, shape.compact)
        film_ids, priors = self._film_ids, self._rank().prior_of
        # Ranked as plain tuples (best rank, then title, then id: ids differ, so nothing after them is ever
        # compared), sorted without a key function; only the `limit` shown become Matches.
        ranked: list[tuple[float, str, str, float, float, Film]] = []
        for number in candidates:
            film = films.get(film_ids[number])
            if film is None:
                continue
            text_score, words = self._score(number, shape)
            if text_score <= 0.0:
                continue
            ranked.append((-(text_score + 0.08 * priors[number]), film.title, film.id, text_score, words, film))
        if text in films:  # a pasted film id
            pasted = films[text]
            ranked = [r for r in ranked if r[2] != text]
            ranked.append((-3.0, pasted.title, pasted.id, 2.0, 1.0, pasted))
        ranked.sort()
        return [Match(film, text_score, -rank, words) for rank, _, _, text_score, words, film in ranked[:limit]]

    def _expand(self, token: str, *, last: bool) -> _QueryToken:
        # A sequel number says less than a word: "creed 2" is about Creed before it is about any sequel.
        weight = STOPWORD_WEIGHT if token in STOPWORDS else NUMBER_WEIGHT if _SEQUEL_NUMBER.match(token) else 1.0
        matches: dict[str, float] = {}
        broad = False
        if token in self._postings:
            matches[token] = EXACT
        # Completions: every query token may be a prefix (people abbreviate: "kil bil").
        if len(token) >= 2 or last:
            # One or two typed letters narrow little: never enough to "find" a film.
            prefix_quality = PREFIX - 0.1 * max(0, 3 - len(token))
            tokens = self._sorted_tokens
            lo = bisect.bisect_left(tokens, token)
            hi = bisect.bisect_left(tokens, _after_prefix(token), lo)
            if hi - lo > PREFIX_EXPANSION_CAP:
                broad = True  # scored per film by QueryToken.score instead
            else:  # the typed word itself, if a token, comes first and stays exact
                matches = dict.fromkeys(tokens[lo:hi], prefix_quality) | matches
        if len(token) >= 3 and not broad:
            self._fuzzy(token, last, matches)
        return _QueryToken(token, weight, matches, broad, weight > STOPWORD_WEIGHT)

    def _fuzzy(self, token: str, last: bool, matches: dict[str, float]) -> None:
        limit = 1 if len(token) <= 5 else 2
        # A short word shares few trigrams with its one-typo neighbours ("jon" and "john" share one of
        # three, "raod" and "road" none), so the trigram cut below can miss them however many it verifies:
        # every one-edit variant of a short word is looked up instead. Only a last word, perhaps not typed
        # to its end, still needs the trigrams, for completions with a typo ("balerin").
        enumerated = limit == 1 and token.isascii()
        if enumerated and not last:
            self._one_edit(token, matches)
            return
        grams = _trigrams(token)
        index = self._grams()
        lists = sorted((index.get(g, _NO_TOKENS) for g in grams), key=len)
        # Very common trigrams cost more than they narrow; skipping them lowers the bar.
        usable = [ids for ids in lists if len(ids) <= 5000] or lists[:1]
        skipped = len(lists) - len(usable)
        # Each edit breaks at most 3 trigrams; a token still being typed lacks its end gram.
        needed = max(1, len(grams) - 3 * limit - skipped - (1 if last else 0))
        # Verify only the tokens sharing the most trigrams: the edit distance is the costly part.
        verify = FUZZY_VERIFY_WITH_MATCHES if matches else FUZZY_VERIFY
        for candidate in self._sharing_most(usable, needed, verify):
            if candidate in matches and matches[candidate] >= PREFIX - 0.2:
                continue
            distance = _distance(token, candidate, limit)
            if last and distance > limit and len(candidate) > len(token):
                distance = min(_distance(token, candidate[:len(token)], limit),
                               _distance(token, candidate[:len(token) + 1], limit))
            if distance <= limit:
                quality = FUZZY * (1 - distance / (len(token) + 1))
                if quality > matches.get(candidate, 0.0):
                    matches[candidate] = quality
        if enumerated:
            self._one_edit(token, matches)

    def _sharing_most(self, lists: list[array[int]], needed: int, verify: int) -> list[str]:
        """The tokens in at least `needed` of `lists` (token ids, one list per trigram of a typed word), or,
        when more than `verify` are, the `verify` in most of them, ties going to the greater token.

        Counted in numpy: at 200,000 films a trigram can name thousands of tokens, and counting them in a
        Counter was most of a typo's cost. Counted by sorting the few thousand ids the lists hold, not by
        a count per token of the vocabulary (bincount): that touched 370,000 counters per typed word, at
        0.5 of the 0.6 ms it took."""
        joined: array[int] = array("i")
        for ids in lists:
            joined.extend(ids)  # a copy of our own: numpy reads it while the index may grow
        if not joined:
            return []
        # Each token id once, ascending, with how many of the lists name it.
        token_ids, shares = np.unique(np.frombuffer(joined, dtype=np.intc), return_counts=True)
        most = int(shares.max())
        tokens_sharing = np.bincount(shares, minlength=most + 1)[1:].tolist()  # tokens in 1, 2, ... lists
        # Raise the bar to the share count of the verify-th best token (ties kept): tens of thousands can
        # pass `needed` at 200,000 films.
        bar = needed
        if len(token_ids) > verify:
            at_least = 0
            for shared in range(most, needed - 1, -1):
                at_least += tokens_sharing[shared - 1]
                if at_least >= verify:
                    bar = shared
                    break
        kept = shares >= bar
        passing = token_ids[kept]
        names = self._id_tokens
        if len(passing) <= verify:
            return [names[i] for i in passing.tolist()]
        # Over the bar: fewer than `verify` share more than it (all kept); those sharing exactly the bar fill
        # the rest, the greatest tokens first, so the choice never depends on the order tokens were added.
        # Ids given in token order compare as their tokens do: only the best of those, and any token
        # added since, need comparing as text.
        passing_shares = shares[kept]
        above = [names[i] for i in passing[passing_shares > bar].tolist()]
        room = verify - len(above)
        tied = passing[passing_shares == bar]
        in_order = tied[tied < self._ordered_ids][-room:]
        added = tied[tied >= self._ordered_ids]
        return above + heapq.nlargest(room, [names[i] for i in in_order.tolist() + added.tolist()])

    def _one_edit(self, token: str, matches: dict[str, float]) -> None:
        """Match the index tokens one deletion, insertion, substitution or swap of adjacent letters from
        `token` (a short ASCII word), as a fuzzy match at distance 1."""
        quality = FUZZY * (1 - 1 / (len(token) + 1))
        splits = [(token[:i], token[i:]) for i in range(len(token) + 1)]
        variants = [head + tail[1:] for head, tail in splits if tail]
        variants += [head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1]
        for head, tail in splits:
            variants += [head + c + tail for c in _EDIT_ALPHABET]
            if tail:
                rest = tail[1:]
                variants += [head + c + rest for c in _EDIT_ALPHABET]
        found = self._postings.keys() & variants
        for candidate in sorted(found):
            if len(candidate) >= 3 and candidate != token and quality > matches.get(candidate, 0.0):
                matches[candidate] = quality  # ("kil" is no typo of "il": shorter tokens are left out)

    def _films_with(self, tokens: Iterable[str]) -> set[int]:
        """The numbers of the films with any of `tokens` (all indexed): one union, in C, for however many
        tokens (a prefix can match hundreds)."""
        return set().union(*map(self._postings.__getitem__, tokens))

    def _candidates(self, query: list[_QueryToken], compact: str) -> set[int]:
        """The numbers of the films worth scoring for the query."""
        exact_names = self._by_name.get(compact, set())
        generators = [q for q in query if q.matches and not q.broad]
        content = [q for q in generators if q.weight == 1.0]
        if not content and any(q.broad for q in query):
            # Only stopwords besides a short prefix ("a p"): the prefix's popular films compete with
            # the stopwords' popular films ("A Prophet"), not with every film that has an "a".
            found = set(exact_names) | self._scan_broad(query)
            for q in generators:
                found |= self._popular_for_stopword(q)
            return found
        content = content or generators
        if not content:
            return set(exact_names)
        per_token = []
        for q in content:
            # A word typed for a stopword ("hte") scores against it, but does not pull in every film
            # with a "the": the other words find the films.
            finding = q.matches.keys() - STOPWORDS
            if q.text in STOPWORDS and q.text in q.matches:
                finding.add(q.text)
            ids = self._films_with(finding)
            if ids:
                per_token.append(ids)
        if not per_token:  # only typos of stopwords: their most popular films, as for stopwords alone
            found = set(exact_names)
            for q in content:
                found |= self._popular_for_stopword(q)
            return found
        per_token.sort(key=len)
        pool = set(per_token[0])
        for ids in per_token[1:]:
            narrowed = pool & ids
            if not narrowed:
                break  # one word matches nothing together with the others: likely a typo
            pool = narrowed
        if len(pool) < MAX_SCORED:
            # Not enough films match every word: let films matching some words compete.
            union = set().union(*per_token)
            pool |= self._most_popular(union, MAX_SCORED * 4)
        pool |= exact_names
        if len(pool) > MAX_SCORED:
            pool = self._shortlist(pool, query, exact_names)
        return pool

    def _shortlist(self, pool: set[int], query: list[_QueryToken], exact_names: set[int]) -> set[int]:
        """Too many films to score: keep exact names, whole-word matches, then the popular."""
        exact_tokens = [self._postings[q.text] for q in query if q.weight == 1.0 and q.text in self._postings]
        whole: set[int] = pool.intersection(*exact_tokens) if exact_tokens else set()
        return (exact_names & pool) | self._most_popular(whole, MAX_SCORED // 2) | self._most_popular(pool, MAX_SCORED)

    def _popular_for_stopword(self, query_token: _QueryToken) -> set[int]:
        # Cached per catalogue version: "a" or "the" can name a third of the catalogue.
        if self._stopword_version != self.catalog.version:
            self._stopword_popular.clear()
            self._stopword_version = self.catalog.version
        key = (query_token.text, len(query_token.matches))  # a last word also matches its completions
        found = self._stopword_popular.get(key)
        if found is None:
            ids = self._films_with(query_token.matches)
            found = self._stopword_popular[key] = self._most_popular(ids, MAX_SCORED)
        return found

    def _most_popular(self, ids: set[int], count: int) -> set[int]:
        """The `count` most popular of the films numbered `ids`."""
        if len(ids) <= count:
            return ids
        ranking = self._rank()
        ranked = ranking.number_at
        if 4 * len(ids) * len(ids) > count * len(ranked):
            # Many films ("a" names a third of them): their `count` most popular usually come early in the
            # popularity order, so walking it from the top (in C) beats ranking every one of them. The walk
            # stops at 8 times its expected length (films that are all obscure), then they are ranked.
            expected = count * len(ranked) // len(ids)
            found = list(islice(filter(ids.__contains__, islice(ranked, 8 * expected)), count))
            if len(found) == count:
                return set(found)
        # The `count` smallest places, in no order, by numpy's partition (linear): a whole sort of the places
        # as Python ints cost a fifth more for 600 films, heapq.nsmallest (a Python loop) three times more.
        places = ranking.place_of[np.fromiter(ids, dtype=np.intp, count=len(ids))]
        return {ranked[i] for i in np.partition(places, count - 1)[:count].tolist()}

    def _scan_broad(self, query: list[_QueryToken]) -> set[int]:
        """Only very short prefixes ('t'): the most popular films with a word starting so."""
        broad = [q.text for q in query if q.broad]
        if not broad:
            return set()
        found = self._popular_with_prefix(min(broad, key=len))
        rest = [b for b in broad if b != min(broad, key=len)]
        film_tokens, film_ids = self._film_tokens, self._film_ids
        return {number for number in found
                if all(any(t.startswith(b) for t in film_tokens.get(film_ids[number], ())) for b in rest)}

    def _score(self, number: int, query: _Query) -> tuple[float, float]:
        """(text score, word match) of the best-matching name of the film numbered `number`."""
        best, best_words = 0.0, 0.0
        words, joined, compact, total_weight = query.words, query.joined, query.compact, query.total_weight
        for name in self._names[number]:
            matched = 0.0
            covered: set[str] = set()  # name tokens matched: two typed words on one ("kil bil": "oil") cover one
            for q in words:
                value, token = q.score(name.searchable, covered)
                matched += value * q.weight
                if value >= 0.5 and q.counted:
                    covered.add(token)
            match = matched / total_weight
            if match == 0.0:
                continue
            # Coverage is of both sides, the name's words and the query's. Against the name's words alone, a
            # one-word title matching one of two typed words ("Wicked" for "jon wick") counted as fully
            # covered and outranked a title matching that word exactly ("John Wick").
            coverage = min(1.0, len(covered) / max(name.content, query.content))
            score = 0.8 * match + 0.2 * coverage
            if name.compact == compact:
                score += 0.2
            elif name.joined.startswith(joined):
                score += 0.05
            if score > best:
                best, best_words = score, match
        return best, best_words

    # ------------------------------------------------------------------ resolution

    def resolve(self, text: str) -> Resolution:
        """Turn what a user typed or picked into one film, a short list to choose from, or suggestions.

        Only a film id or a film's exact name (title, original title or alias, folded like the index folds
        them, optionally narrowed by "(Year)", a trailing year or "· Director") gives a film or candidates.
        Text that only resembles names gives suggestions, ranked like autocomplete: never another film."""
        text = text.strip()
        if not text:
            return Resolution()
        film = self.catalog.get(text)
        if film is not None:
            return Resolution(film=film)
        title, year, director = text, None, None
        label = _LABEL.match(text)
        if label:
            title, year, director = label["title"], int(label["year"]), label["director"]
        elif (trailing := _TRAILING_YEAR.match(text)) and "".join(tokenize(text)) not in self._by_name:
            # "Heat 1995" names a year, "Blade Runner 2049" does not.
            title, year = trailing["title"], int(trailing["year"])
        named = self._films_named(title)
        chosen = self._narrow(named, year, director) if named else []
        if chosen:
            return self._outcome(chosen)
        return Resolution(suggestions=self._suggestions(title, year, director, named))

    def _suggestions(self, title: str, year: int | None, director: str | None, named: list[Film]) -> list[Film]:
        """The films `title` resembles, in autocomplete's order. With a year (or director) that no film of
        exactly that name has, the films of that name come first ("Heat (2001)": the Heats), then the
        resembling films of that year, then the rest."""
        films = [m.film for m in self.search(title, limit=40) if m.words >= SUGGESTION_WORDS]
        if year is not None or director:
            first = {f.id for f in named}
            first |= {f.id for f in self._narrow([f for f in films if f.id not in first], year, director)}
            films = [f for f in films if f.id in first] + [f for f in films if f.id not in first]
        return films[:MAX_SUGGESTIONS]

    def _narrow(self, films: list[Film], year: int | None, director: str | None) -> list[Film]:
        if year is not None:
            same = [f for f in films if f.year == year]
            films = same or [f for f in films if f.year is not None and abs(f.year - year) <= 1]
        if director and films:
            wanted = fold(director)
            by_director = [f for f in films if any(fold(d) == wanted for d in f.directors)]
            films = by_director or films
        return films

    def named(self, text: str) -> list[Film]:
        """Every film whose title, original title or alias is exactly `text` (folded as the index folds),
        best known first. No suggestions, no years: a cheap question for text scanned word by word."""
        return self._by_prior(self._films_named(text))

    def _films_named(self, text: str) -> list[Film]:
        """The catalogue's films whose exact name is `text` (folded as the index folds), in no order."""
        films = self.catalog.films
        named = (self._film_ids[number] for number in self._by_name.get("".join(tokenize(text)), ()))
        return [films[fid] for fid in named if fid in films]

    def _by_prior(self, films: list[Film]) -> list[Film]:
        priors = self.catalog.priors()
        return sorted(films, key=lambda f: (-priors.get(f.id, 0.0), -(f.year or 0), f.id))

    def _outcome(self, films: list[Film]) -> Resolution:
        if len(films) == 1:
            return Resolution(film=films[0])
        return Resolution(candidates=self._by_prior(films)[:MAX_CANDIDATES])
