"""Questions in plain words, read into the same command a slash command would run.

`read("something like Kill Bill but under two hours on Netflix", lexicon)` gives
`Request("watch", {"like": "Kill Bill", "max_minutes": 120, "service": "netflix"})`, and says how it read
it (`parts`: "like Kill Bill", "≤ 120 min", "Netflix") and what it could not use (`ignored`: "no horror" —
/watch has no way to leave a genre out). Other requests: `islike` ("is Ballerina like John Wick?"),
`popular` ("what's popular") and `help` ("help", "hi", or nothing it understood).

Pure: what the catalogue knows (moods, genres, services, countries, decades, whether a text is a film's
exact name) comes in a `Lexicon`; nothing here looks anything up itself. Words it does not know are left
alone: an unknown word never becomes a filter, and typos are forgiven only for English-looking words of
five letters or more, one slip off a vocabulary word.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .eras import era_label, parse_era
from .search import _distance as edit_distance  # the title index's typo distance (swaps count once)

WATCH, ISLIKE, POPULAR, HELP = "watch", "islike", "popular", "help"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """What the parser may recognise. Services map every spelling (lower case) to a service key."""

    moods: tuple[str, ...]
    genres: tuple[str, ...]
    services: Mapping[str, str]
    service_names: Mapping[str, str]  # key -> display name
    countries: tuple[str, ...]
    decades: tuple[int, ...]
    is_title: Callable[[str], bool] = lambda text: False
    count_range: tuple[int, int] = (1, 5)
    minutes_range: tuple[int, int] = (30, 600)


@dataclass(slots=True)
class Request:
    command: str
    options: dict[str, Any] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # how it read the request, in the order of the options
    ignored: list[str] = field(default_factory=list)  # what it could not use, each with why

    @property
    def reading(self) -> str:
        return " · ".join(self.parts)


# Words ---------------------------------------------------------------------------------------------------

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a couple of": 2,
                "a couple": 2, "couple of": 2, "a pair of": 2, "a few": 3, "few": 3, "several": 3, "a single": 1,
                "single": 1, "just one": 1, "half a dozen": 6}
_NUM = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + r")"

MOOD_WORDS = {
    "cosy": ("cosy", "cozy", "comfy", "comfort", "comforting", "snug", "cosiest", "coziest"),
    "feel-good": ("feel-good", "feel good", "feelgood", "cheerful", "wholesome", "lighthearted",
                  "light-hearted", "light hearted"),
    "funny": ("funny", "hilarious", "laugh", "laughs", "silly"),
    "scary": ("scary", "frightening", "terrifying", "spooky", "scare", "scares"),
    "tense": ("tense", "suspenseful", "gripping", "nail-biting", "nailbiting", "edge of my seat",
              "edge-of-your-seat", "suspense"),
    "bleak": ("bleak", "grim", "gloomy", "depressing"),
    "melancholy": ("melancholy", "melancholic", "sad", "tearjerker", "tear-jerker", "weepy"),
    "heartfelt": ("heartfelt", "heartwarming", "heart-warming", "touching", "moving", "tender"),
    "thrilling": ("thrilling", "exciting", "adrenaline", "action-packed", "action packed", "pulse-pounding"),
    "romantic": ("romantic", "date night", "date-night", "swoony"),
    "mind-bending": ("mind-bending", "mind bending", "mindbending", "mind-blowing", "mind blowing", "trippy",
                     "twisty", "mindfuck", "brainy", "cerebral"),
    "cathartic": ("cathartic",),
    "whimsical": ("whimsical", "magical", "dreamy", "fairytale"),
    "uplifting": ("uplifting", "inspiring", "inspirational", "hopeful"),
    "unsettling": ("unsettling", "creepy", "disturbing", "eerie", "uncanny"),
    "epic": ("epic", "sweeping", "grand"),
    "bittersweet": ("bittersweet",),
    "quirky": ("quirky", "offbeat", "oddball", "weird", "quirkiest"),
    "darkly-funny": ("darkly-funny", "darkly funny", "dark comedy", "black comedy", "dark humour", "dark humor",
                     "pitch-black comedy"),
}
GENRE_WORDS = {
    "Action": ("action", "actioner", "shoot-em-up", "shoot em up"),
    "Adventure": ("adventure", "adventures", "swashbuckler", "quest"),
    "Animation": ("animation", "animated", "anime", "cartoon", "cartoons", "pixar"),
    "Biography": ("biography", "biopic", "biopics", "true story", "based on a true story"),
    "Comedy": ("comedy", "comedies", "comedic", "rom-com", "rom com", "romcom", "sitcom", "standup"),
    "Crime": ("crime", "gangster", "gangsters", "mob", "mafia", "heist", "heists", "noir", "cop"),
    "Documentary": ("documentary", "documentaries", "doc", "docs", "docu"),
    "Drama": ("drama", "dramas", "dramatic"),
    "Family": ("family", "kids", "children", "childrens", "family-friendly", "family friendly"),
    "Fantasy": ("fantasy", "fantasies", "sword and sorcery"),
    "History": ("history", "historical", "period piece", "period drama", "costume drama"),
    "Horror": ("horror", "horrors", "slasher", "slashers", "zombie", "zombies", "gore"),
    "Musical": ("musical", "musicals", "sing-along", "singalong"),
    "Mystery": ("mystery", "mysteries", "whodunit", "whodunnit", "detective"),
    "Romance": ("romance", "romances", "love story", "love stories"),
    "Sci-Fi": ("sci-fi", "sci fi", "scifi", "science fiction", "science-fiction", "space opera",
               "cyberpunk"),
    "Sport": ("sport", "sports", "boxing", "football", "baseball"),
    "Thriller": ("thriller", "thrillers"),
    "War": ("war", "wartime", "ww2", "wwii", "world war"),
    "Western": ("western", "westerns", "cowboy", "cowboys"),
    "Music": ("music", "concert", "concerts"),
}
# A rom-com is a comedy that should feel romantic.
GENRE_MOODS = {"rom-com": "romantic", "rom com": "romantic", "romcom": "romantic"}
COUNTRY_WORDS = {
    "South Korea": ("korean", "south korean", "korea", "south korea", "k-drama", "kdrama"),
    "Japan": ("japanese", "japan"),
    "France": ("french", "france"),
    "United Kingdom": ("british", "uk", "u.k.", "england", "english-made", "brit", "scottish", "welsh",
                       "britain", "united kingdom"),
    "United States": ("american", "usa", "u.s.", "us-made", "hollywood", "united states", "america"),
    "India": ("indian", "india", "bollywood", "tollywood"),
    "Italy": ("italian", "italy"),
    "Germany": ("german", "germany"),
    "Spain": ("spanish", "spain"),
    "Mexico": ("mexican", "mexico"),
    "China": ("chinese", "china"),
    "Hong Kong": ("hong kong",),
    "Sweden": ("swedish", "sweden"),
    "Denmark": ("danish", "denmark"),
    "Norway": ("norwegian", "norway"),
    "Finland": ("finnish", "finland"),
    "Iceland": ("icelandic", "iceland"),
    "Ireland": ("irish", "ireland"),
    "Brazil": ("brazilian", "brazil"),
    "Argentina": ("argentinian", "argentine", "argentina"),
    "Australia": ("australian", "aussie", "australia"),
    "New Zealand": ("new zealand", "kiwi"),
    "Canada": ("canadian", "canada"),
    "Iran": ("iranian", "iran", "persian"),
    "Russia": ("russian", "russia"),
    "Poland": ("polish", "poland"),
    "Thailand": ("thai", "thailand"),
    "Taiwan": ("taiwanese", "taiwan"),
    "Belgium": ("belgian", "belgium"),
    "Netherlands": ("dutch", "netherlands", "holland"),
    "Turkey": ("turkish", "turkey"),
    "Greece": ("greek", "greece"),
    "Israel": ("israeli", "israel"),
    "South Africa": ("south african", "south africa"),
    "Egypt": ("egyptian", "egypt"),
    "Philippines": ("filipino", "philippine", "philippines"),
    "Indonesia": ("indonesian", "indonesia"),
    "Chile": ("chilean", "chile"),
    "Colombia": ("colombian", "colombia"),
    "Cuba": ("cuban", "cuba"),
    "Austria": ("austrian", "austria"),
    "Hungary": ("hungarian", "hungary"),
    "Romania": ("romanian", "romania"),
    "Czech Republic": ("czech",),
    "Switzerland": ("swiss", "switzerland"),
    "Portugal": ("portuguese", "portugal"),
    "Senegal": ("senegalese", "senegal"),
}
# Service names that are ordinary words: read only after "on"/"via"/"streaming on" ("Mad Max", "now").
COMMON_WORD_SERVICES = frozenset({"max", "stan", "binge", "sky", "crave", "prime", "amc"})
# Never a service on its own ("what's on now"): NOW is "now tv".
NEVER_ALONE = frozenset({"now"})
ANY_SERVICE_WORDS = ("any service", "any streaming service", "anywhere", "any platform", "whatever service")

# Words that end a film title typed after "like" when the title is not one the catalogue knows.
BOUNDARY = frozenset("""but under less shorter on from with without no not that which and in for set made about
please thanks or than max maximum tops at around only just so too very really streaming via
available nothing anything except if i we my our to tonight today this weekend""".split())
FUNCTION_WORDS = frozenset("""a an the some something anything any more one ones film films movie movies
stuff thing things kind sort type of""".split())
SMALL_TALK = frozenset("there how are you doing whats what's up good morning evening afternoon".split())
# "I'd like", "would like": wanting, not likeness.
_WANT_LIKE = re.compile(r"\b(?:i'?d|i would|we'?d|we would|would|i|we|you|they|kids|my \w+)\s+(?:really\s+)?like\s*$")
LIKE_CUE = re.compile(
    r"\b(?:similar to|in the (?:vein|style|spirit) of|along the lines of|reminiscent of|a la|à la|the likes of"
    r"|comparable to|like)\s+")
WATCH_WORDS = frozenset("""watch watching recommend recommendation recommendations suggest suggestion
suggestions pick picks film films movie movies something anything flick flicks tonight evening weekend
show give find need want looking see surprise""".split())
_HELP = re.compile(
    r"^(?:help|\?+|h[ae]llo+|hi+|hey+|yo|sup|howdy|greetings|commands?|menu|what can you do|what do you do"
    r"|how do (?:i|you) use (?:you|this|marquee)|how does (?:this|it) work|who are you|what are you"
    r"|what can i ask(?: you)?|usage|info|about)\b")
_POPULAR = re.compile(
    r"\b(?:popular|trending|what'?s hot|hot right now|(?:everyone|people|everybody)(?:'s| is| are)? watching"
    r"|most (?:watched|popular)"
    r"|top (?:films|movies|picks)|the charts?|chart)\b")
_FILLER = re.compile(r"\b(?:hey|hi|hello|yo|please|pls|plz|thanks|thank you|marquee|bot|can you|could you"
                     r"|would you|tell me|show me|give me|i want|i need|i'?m looking for|looking for|me)\b")

_NEGATION = re.compile(r"\b(?:no|not|nothing|without|except|avoid|skip|anything but|not a|no more|isn'?t|never)"
                       r"\s+(?:too\s+)?(?:more\s+)?(?:any\s+)?(?P<what>[\w+'-]+(?:\s+[\w+'-]+)?)")

_RUNTIME_CAP = re.compile(
    r"(?:under|less than|shorter than|at most|max(?:imum)?|tops|no (?:longer|more) than|not (?:longer|more) than"
    r"|not over|within|below|up to|<=?|≤|no more than|short of)\s*(?:about\s+|around\s+|roughly\s+)?"
    r"(?P<amount>\d[h:]\d{2}|an? hour and a half|hour and a half|half an?|" + _NUM + r"(?:\s+and\s+a\s+half)?)"
    r"\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|m\b|min)?(?:\s*(?P<more>\d{2})\s*(?:m\b|min|mins|minutes)?)?")
_RUNTIME_OR_LESS = re.compile(
    r"(?P<amount>\d[h:]\d{2}|an? hour and a half|" + _NUM + r"(?:\s+and\s+a\s+half)?)\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?|min)?\s*"
    r"(?:or less|or under|or shorter|max(?:imum)?|tops|at most|at the most)\b")
_RUNTIME_ADJECTIVE = re.compile(
    r"\b(?:(?P<amount>\d{2,3})[- ]?(?:minute|min)|(?P<hours>" + _NUM + r"(?:\.5)?)[- ](?:hour|hr)"
    r"(?=[- ](?:long\s+)?(?:movie|film|flick|thing)))\b")
_HOURS_MINUTES = re.compile(r"^(?P<h>\d)[h:](?P<m>\d{2})$")
_SHORT = re.compile(r"\b(?:short(?:ish|er)?|quick|not too long|not (?:a )?long|brief|snappy|bite-sized)\b")
_NOUNS = r"films?|movies?|picks?|suggestions?|options?|recommendations?|ideas?|titles?|flicks?|ones"
# A number of genre plurals ("2 cosy korean comedies") counts too; only the generic noun is read here.
_PLURALS = r"comedies|thrillers|westerns|documentaries|docs|musicals|dramas|romances|mysteries|biopics|horrors" \
           r"|adventures|fantasies|cartoons|epics|classics|animes|anime"
_COUNT = re.compile(
    r"\b(?:top\s+(?P<top>" + _NUM + r")\b|(?P<amount>" + _NUM + r")\s+(?:[\w'+-]+\s+){0,3}?"
    r"(?:(?P<noun>" + _NOUNS + r")|" + _PLURALS + r")\b"
    r"|(?P<some>a couple of|a couple|couple of|a few|a pair of)\s+(?P<any>\w+))")
_ERA = re.compile(
    r"(?:\b(?:from|in|of)\s+(?:the\s+)?|\bthe\s+)?(?<![\w])(?P<era>(?:19|20)\d0s|'?\d0s|(?:19|20)\d{2}"
    r"|thirties|forties|fifties|sixties|seventies|eighties|nineties|noughties|aughts)\b")
_SERVICE_CUE = r"(?:on|via|from|streaming on|available on|over on|in|with)\s+"


def _fold(text: str) -> str:
    """Lower case, accents off, curly quotes straight — the same length as `text`, so spans line up."""
    out = []
    for ch in text.lower():
        if ch in "’‘`´":
            out.append("'")
        elif ch in "“”«»":
            out.append('"')
        elif ch.isascii():
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)[:1]
            out.append(base if base.isascii() and base.isalpha() else ch)
    return "".join(out)


def number(text: str) -> float | None:
    text = text.strip().lower().replace(",", ".")
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text)
    except ValueError:
        return None


class _Text:
    """The sentence, its folded twin and which characters have been read already."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.low = _fold(original)
        self.used = [False] * len(original)

    def free(self, start: int, end: int) -> bool:
        return not any(self.used[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def finditer(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return [m for m in pattern.finditer(self.low) if self.free(*m.span())]

    def words(self) -> list[tuple[int, int, str]]:
        """The words not read yet: (start, end, folded word)."""
        return [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w'+-]+", self.low)
                if self.free(m.start(), m.end())]


@lru_cache(maxsize=2048)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A vocabulary phrase as a whole word or words (hyphens count as part of a word)."""
    return re.compile(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])")


# Reading -------------------------------------------------------------------------------------------------


def read(sentence: str, lexicon: Lexicon) -> Request:
    """The command a sentence asks for, with the options a slash command would carry."""
    text = _Text(sentence)
    for mention in re.finditer(r"<@!?\d+>|@marquee\b", text.low):
        text.take(*mention.span())
    bare = _FILLER.sub(" ", "".join(" " if u else c for c, u in zip(text.low, text.used, strict=True)))
    bare = " ".join(re.sub(r"[^\w?' -]", " ", bare).split())
    if not bare or _HELP.match(bare):
        return Request(HELP, parts=["help"])
    pair = _islike(text, lexicon)
    if pair is not None:
        return pair
    request = Request(WATCH)
    _like(text, lexicon, request)
    _runtime(text, lexicon, request)
    _negations(text, lexicon, request)
    _count(text, lexicon, request)
    _era(text, lexicon, request)
    _service(text, lexicon, request)
    _vocabulary(text, lexicon, request)
    _typos(text, lexicon, request)
    if set(request.options) <= {"service"} and _POPULAR.search(text.low):
        # "what's popular on Netflix": the chart, for one service when named (/popular's `service`).
        options = {k: v for k, v in request.options.items() if v != "any"}
        parts = ["what's popular"] + ([lexicon.service_names.get(options["service"], options["service"])]
                                      if options else [])
        return Request(POPULAR, options, parts=parts, ignored=request.ignored)
    if not request.options and not request.ignored and not (WATCH_WORDS & set(re.findall(r"[\w']+", text.low))):
        return Request(HELP, parts=["help"], ignored=_unread(text))
    request.parts = _parts(request, lexicon)
    return request


ORDER = ("like", "max_minutes", "service", "mood", "genre", "country", "era", "count")


def _parts(request: Request, lexicon: Lexicon) -> list[str]:
    shown: dict[str, Callable[[Any], str]] = {
        "like": lambda v: f"like {v}",
        "max_minutes": lambda v: f"≤ {v} min",
        "service": lambda v: "any service" if v == "any" else lexicon.service_names.get(v, v),
        "mood": str, "genre": str, "country": str, "era": str,
        "count": lambda v: f"{v} {'pick' if v == 1 else 'picks'}",
    }
    parts = [shown[key](request.options[key]) for key in ORDER if key in request.options]
    return parts or ["anything good"]


def _unread(text: _Text) -> list[str]:
    words = [w for _, _, w in text.words() if w not in FUNCTION_WORDS and w not in SMALL_TALK and len(w) > 1
             and not _FILLER.fullmatch(w) and not _HELP.match(w)]
    return [f"“{' '.join(words[:8])}” (not something I can search by)"] if words else []


def _clean_title(text: str) -> str:
    text = text.strip().strip("\"'“”‘’«» ").strip()
    text = re.sub(r"[?!.,;:]+$", "", text).strip()
    text = re.sub(r"^(?:the (?:movie|film)|movie|film)\s+", "", text, flags=re.I)
    return text.strip("\"'“”‘’«» ").strip()


def _title_at(text: _Text, start: int, lexicon: Lexicon, *, until: int | None = None) -> tuple[str, int] | None:
    """The film title typed from `start`: the longest run of words that is a film the catalogue knows, else
    the words up to the first word that ends a request ("but", "under", "on"…). (title, end) or None."""
    end_limit = len(text.original) if until is None else until
    spans = [m.span() for m in re.finditer(r"[^\s]+", text.original[start:end_limit])]
    spans = [(start + a, start + b) for a, b in spans][:12]
    spans = [s for s in spans if text.free(*s)] if spans and text.free(*spans[0]) else []
    for count in range(len(spans), 0, -1):
        candidate = _clean_title(text.original[spans[0][0]:spans[count - 1][1]])
        if candidate and lexicon.is_title(candidate):
            return candidate, spans[count - 1][1]
    words: list[tuple[int, int]] = []
    for a, b in spans:
        word = re.sub(r"[^\w'+-]", "", text.low[a:b])
        if word in BOUNDARY:
            break
        words.append((a, b))
        if re.search(r"[?!.,;]$", text.low[a:b]):
            break
    if not words:
        return None
    first = re.sub(r"[^\w'+-]", "", text.low[words[0][0]:words[0][1]])
    if first in FUNCTION_WORDS or _is_vocabulary(first, lexicon):
        return None
    title = _clean_title(text.original[words[0][0]:words[-1][1]])
    return (title, words[-1][1]) if title else None


def _is_vocabulary(word: str, lexicon: Lexicon) -> bool:
    vocabulary = {w for words in (*MOOD_WORDS.values(), *GENRE_WORDS.values()) for w in words}
    return word in vocabulary or parse_era(word) is not None or word in lexicon.services


_LEAD = r"^\W*(?:(?:hey|hi|hello|yo|so|ok|okay|quick question|question|but|and|honestly|seriously)\W+)*"
_CONNECT_WORDS = r"like|similar to|comparable to|akin to|close to|as good as"
_CONNECT = r"(?:" + _CONNECT_WORDS + r")"
_ADVERBS = (r"(?:anything|at all|a bit|much|kind of|kinda|sort of|really|very|remotely|actually|even|more|feel|feels"
            r"|look|looks|seem|seems|play|plays)")
ISLIKE_PATTERNS = (
    re.compile(_LEAD + r"(?:is|isn't|are|does|do|would|will|was)\s+(?P<a>.+?)\s+(?:" + _ADVERBS + r"\s+)*"
               + _CONNECT + r"\s+(?P<b>.+?)\W*$"),
    re.compile(_LEAD + r"how (?:alike|similar|close|different) (?:are|is)\s+(?P<a>.+?)\s+"
               r"(?:and|to|vs\.?|versus)\s+(?P<b>.+?)\W*$"),
    re.compile(_LEAD + r"(?:compare|comparing)\s+(?P<a>.+?)\s+(?:and|with|to|vs\.?|versus)\s+(?P<b>.+?)\W*$"),
    re.compile(_LEAD + r"(?:are|is)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+(?:alike|similar|the same)\W*$"),
    re.compile(_LEAD + r"(?P<a>.+?)\s+(?:vs\.?|versus|or)\s+(?P<b>.+?)\W*$"),
)
# "Would I like Ballerina if I liked John Wick?" and "If I loved Heat, would I like Thief?"
_WOULD_I = (
    re.compile(_LEAD + r"(?:would|will|do you think) (?:i|we) (?:like|enjoy|love|dig) (?P<a>.+?),? if (?:i|we) "
               r"(?:liked|loved|enjoyed|like|love|enjoy)\s+(?P<b>.+?)\W*$"),
    re.compile(_LEAD + r"if (?:i|we) (?:liked|loved|enjoyed|like|love|enjoy)\s+(?P<b>.+?),?\s+(?:would|will) (?:i|we) "
               r"(?:like|enjoy|love|dig) (?P<a>.+?)\W*$"),
)
_JOINERS = re.compile(r"\s+(?:" + _ADVERBS + r"\s+)*(?:" + _CONNECT_WORDS + r"|and|with|to|vs\.?|versus|or)\s+")
_NOT_A_TITLE = frozenset("i you we they he she it this that these those my your anything something".split())


def _islike(text: _Text, lexicon: Lexicon) -> Request | None:
    """Two films compared: "is Ballerina like John Wick?", "compare Heat and Thief", "Heat vs Collateral"."""
    masked = "".join(" " if used else ch for ch, used in zip(text.low, text.used, strict=True))
    offset = len(masked) - len(masked.lstrip())
    body = masked.strip()
    original = text.original[offset:offset + len(body)]
    for pattern in _WOULD_I:
        match = pattern.match(body)
        if match:
            a = _clean_title(original[slice(*match.span("a"))])
            b = _clean_title(original[slice(*match.span("b"))])
            if _looks_like_title(a) and _looks_like_title(b) and a.casefold() != b.casefold():
                return Request(ISLIKE, {"film": a, "other": b}, parts=[f"is {a} like {b}?"])
    for index, pattern in enumerate(ISLIKE_PATTERNS):
        match = pattern.match(body)
        if not match:
            continue
        # Every split the joining words allow ("Some Like It Hot like Heat"): the one where both sides are
        # films the catalogue knows wins; else the pattern's own split, if it looks like two titles.
        pair = next(((a, b) for a, b in _splits(original, match) if lexicon.is_title(a) and lexicon.is_title(b)),
                    None)
        if pair is None:
            if index == len(ISLIKE_PATTERNS) - 1:
                continue  # "comedy or horror": "or" and "vs" only join two films the catalogue knows
            a = _clean_title(original[slice(*match.span("a"))])
            b = _clean_title(original[slice(*match.span("b"))])
            a = re.sub(r"\s+" + _ADVERBS + r"$", "", a, flags=re.I)
            if not _looks_like_title(a) or not _looks_like_title(b):
                continue
            pair = (a, b)
        a, b = pair
        if a.casefold() == b.casefold():
            continue
        return Request(ISLIKE, {"film": a, "other": b}, parts=[f"is {a} like {b}?"])
    return None


def _looks_like_title(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 8 and words[0].casefold() not in _NOT_A_TITLE


def _splits(original: str, match: re.Match[str]) -> list[tuple[str, str]]:
    """Both titles for every place between the pattern's first title and its end where a joining word could
    split them (in the original case)."""
    start, end = match.start("a"), match.end("b")
    found = []
    for joint in _JOINERS.finditer(original, start, end):
        a = _clean_title(original[start:joint.start()])
        b = _clean_title(re.sub(r"\s+(?:alike|similar|the same)\W*$", "", original[joint.end():end], flags=re.I))
        if a and b:
            found.append((a, b))
    return found


def _title_around(text: _Text, cue: re.Match[str], lexicon: Lexicon) -> tuple[int, int] | None:
    """A film title that has the cue word in it ("Some Like It Hot"): its span, or None."""
    before = [m for m in re.finditer(r"\S+", text.original[:cue.start()])][-4:]
    after = [m for m in re.finditer(r"\S+", text.original[cue.start():])][:8]
    for back in range(len(before), -1, -1):
        for forward in range(len(after), 1, -1):
            start = before[-back].start() if back else cue.start()
            end = cue.start() + after[forward - 1].end()
            if text.free(start, end) and lexicon.is_title(_clean_title(text.original[start:end])):
                return start, end
    return None


def _like(text: _Text, lexicon: Lexicon, request: Request) -> None:
    for cue in text.finditer(LIKE_CUE):
        around = _title_around(text, cue, lexicon) if cue.group().strip() == "like" else None
        if around is not None:  # the film's own name: "Some Like It Hot vibes"
            request.options["like"] = _clean_title(text.original[slice(*around)])
            text.take(*around)
            return
        if _WANT_LIKE.search(text.low[:cue.start() + len(cue.group().rstrip())]):
            continue
        found = _title_at(text, cue.end(), lexicon)
        if found is None:
            continue
        title, end = found
        request.options["like"] = title
        text.take(cue.start(), end)
        return
    # A quoted title on its own ("something like “Heat”" is read above; "“Heat” vibes" here).
    for quoted in re.finditer(r"[\"“«](?P<t>[^\"”»]{1,100})[\"”»]", text.original):
        if text.free(*quoted.span()) and lexicon.is_title(quoted.group("t").strip()):
            request.options["like"] = quoted.group("t").strip()
            text.take(*quoted.span())
            return


def _minutes(amount: str, unit: str | None, more: str | None) -> int | None:
    amount = amount.strip()
    if re.fullmatch(r"(?:an? )?hour and a half", amount):
        return 90
    if amount in ("half an", "half a"):
        return 30
    hm = _HOURS_MINUTES.match(amount)
    if hm:
        return int(hm["h"]) * 60 + int(hm["m"])
    half = amount.endswith(" and a half")
    value = number(amount.removesuffix(" and a half"))
    if value is None:
        return None
    if half:
        value += 0.5
    unit = (unit or "").strip()
    hours = unit.startswith("h") or (not unit and value <= 5)
    minutes = value * 60 if hours else value
    if more:
        minutes += int(more)
    return int(round(minutes))


def _runtime(text: _Text, lexicon: Lexicon, request: Request) -> None:
    low, high = lexicon.minutes_range
    found: int | None = None
    for pattern in (_RUNTIME_CAP, _RUNTIME_OR_LESS):
        for match in text.finditer(pattern):
            groups = match.groupdict()
            amount = groups["amount"]
            compact = re.fullmatch(r"(\d)\s*[h:]\s*(\d{2})", (amount + (groups.get("unit") or "")
                                                             + (groups.get("more") or "")).replace(" ", ""))
            minutes = (int(compact[1]) * 60 + int(compact[2]) if compact
                       else _minutes(amount, groups.get("unit"), groups.get("more")))
            if minutes is None:
                continue
            found = minutes
            text.take(*match.span())
            break
        if found is not None:
            break
    if found is None:
        for match in text.finditer(_RUNTIME_ADJECTIVE):
            hours = number(match["hours"]) if match["hours"] else None
            found = int(match["amount"]) if match["amount"] else int(round(hours * 60)) if hours else None
            if found is not None:
                text.take(*match.span())
                break
    if found is None:
        for match in text.finditer(_SHORT):
            found = 100
            text.take(*match.span())
            break
    if found is None:
        return
    if not low <= found <= high:
        clamped = max(low, min(found, high))
        request.ignored.append(f"{found} min (runtimes go from {low} to {high}: I used {clamped})")
        found = clamped
    request.options["max_minutes"] = found


def _count(text: _Text, lexicon: Lexicon, request: Request) -> None:
    low, high = lexicon.count_range
    for match in text.finditer(_COUNT):
        raw = match["top"] or match["amount"] or match["some"]
        if raw in ("a", "an") and not match["top"]:
            continue  # "a film": not a number of picks
        value = number(raw)
        if value is None or value != int(value):
            continue
        count = int(value)
        # The number and its noun are read; a word between ("3 korean films") is left for the others.
        group = "top" if match["top"] else "amount" if match["amount"] else "some"
        text.take(match.start(0), match.end(group))
        if match["noun"]:
            text.take(*match.span("noun"))
        if not low <= count <= high:
            clamped = max(low, min(count, high))
            request.ignored.append(f"{count} picks (I give {low} to {high} at a time: here are {clamped})")
            count = clamped
        request.options["count"] = count
        return


def _era(text: _Text, lexicon: Lexicon, request: Request) -> None:
    for match in text.finditer(_ERA):
        raw = match["era"].lstrip("'")
        if re.fullmatch(r"(?:19|20)\d{2}", raw) and not re.search(r"\b(?:from|in|of|made)\s+(?:the\s+)?$",
                                                                    text.low[:match.start("era")]):
            continue  # a bare year may be a title's ("Blade Runner 2049") or a runtime's
        decade = parse_era(raw)
        if decade is None:
            continue
        text.take(*match.span())
        if decade not in lexicon.decades:
            request.ignored.append(f"the {era_label(decade)} (no films from then in the catalogue)")
            return
        request.options["era"] = era_label(decade)
        return


def _service(text: _Text, lexicon: Lexicon, request: Request) -> None:
    for phrase in ANY_SERVICE_WORDS:
        for match in text.finditer(_phrase_pattern(phrase)):
            request.options["service"] = "any"
            text.take(*match.span())
            return
    names = sorted((n for n in lexicon.services if n not in NEVER_ALONE), key=len, reverse=True)
    for name in names:
        if name in COMMON_WORD_SERVICES:
            pattern = re.compile(r"\b" + _SERVICE_CUE + r"(?P<name>" + re.escape(name) + r")(?![\w+])")
        else:
            pattern = re.compile(r"(?<![\w-])(?P<name>" + re.escape(name) + r")(?![\w])")
        for match in text.finditer(pattern):
            request.options["service"] = lexicon.services[name]
            text.take(*match.span())
            return


def _negations(text: _Text, lexicon: Lexicon, request: Request) -> None:
    for match in text.finditer(_NEGATION):
        what = match["what"]
        words = what.split()
        for size in (2, 1):
            phrase = " ".join(words[:size])
            kind = _kind_of(phrase, lexicon)
            if kind is None:
                continue
            end = match.start("what") + len(phrase)
            request.ignored.append(f"not {phrase} (/watch can't leave a {kind} out: say what you do want)")
            text.take(match.start(), end)
            break


def _kind_of(phrase: str, lexicon: Lexicon) -> str | None:
    if phrase.removeprefix("on ") in lexicon.services:
        return "service"
    if any(phrase in words for words in GENRE_WORDS.values()):
        return "genre"
    if any(phrase in words for words in MOOD_WORDS.values()):
        return "mood"
    if any(phrase in words for words in COUNTRY_WORDS.values()):
        return "country"
    if parse_era(phrase) is not None:
        return "decade"
    return None


def _vocabulary(text: _Text, lexicon: Lexicon, request: Request) -> None:
    countries = {c.casefold(): c for c in lexicon.countries}
    moods = set(lexicon.moods)
    genres = {g.casefold(): g for g in lexicon.genres}
    # Longest phrases first across all kinds, so "dark comedy" is a mood and not the genre Comedy.
    entries: list[tuple[str, str, str]] = []
    for mood, words in MOOD_WORDS.items():
        if mood in moods:
            entries.extend((w, "mood", mood) for w in words)
    for genre, words in GENRE_WORDS.items():
        if genre.casefold() in genres:
            entries.extend((w, "genre", genres[genre.casefold()]) for w in words)
    for country, words in COUNTRY_WORDS.items():
        if country.casefold() in countries:
            entries.extend((w, "country", countries[country.casefold()]) for w in (*words, country.casefold()))
    found: list[tuple[int, str, str, str]] = []
    for phrase, kind, value in sorted(entries, key=lambda e: -len(e[0])):
        for match in text.finditer(_phrase_pattern(phrase)):
            text.take(*match.span())
            found.append((match.start(), kind, value, phrase))
    for _, kind, value, phrase in sorted(found):  # in the order they were written
        _set(request, kind, value, phrase)
        if kind == "genre" and phrase in GENRE_MOODS and "mood" not in request.options:
            request.options["mood"] = GENRE_MOODS[phrase]


def _set(request: Request, kind: str, value: str, said: str) -> None:
    current = request.options.get(kind)
    if current is None:
        request.options[kind] = value
    elif current != value:
        request.ignored.append(f"{said} (one {kind} at a time: I kept {current})")


def _typos(text: _Text, lexicon: Lexicon, request: Request) -> None:
    """Forgive one slip (a letter wrong, missing, extra or two swapped) in an English-looking word of five
    letters or more."""
    moods = set(lexicon.moods)
    genres = {g.casefold(): g for g in lexicon.genres}
    # Against the canonical words and their plurals only: "comedia" is one letter from "comedic" and
    # should stay Spanish.
    targets: list[tuple[str, str, str]] = [(m, "mood", m) for m in moods if len(m) >= 5]
    for key, genre in genres.items():
        targets.extend((w, "genre", genre) for w in (key, TYPO_PLURALS.get(key, key + "s")) if len(w) >= 5)
    targets.extend((name, "service", key) for name, key in lexicon.services.items()
                   if " " not in name and len(name) >= 5 and name not in COMMON_WORD_SERVICES)
    for start, end, word in text.words():
        if len(word) < 5 or not text.original[start:end].isascii() or word in _ENGLISH:
            continue
        limit = 1
        best = min(((edit_distance(word, target, limit), target, kind, value) for target, kind, value in targets
                    if abs(len(target) - len(word)) <= limit), default=None)
        if best is None or best[0] > limit:
            continue
        _, target, kind, value = best
        if kind == "service":
            if "service" in request.options:
                continue
            request.options["service"] = value
        else:
            _set(request, kind, value, word)
        text.take(start, end)


TYPO_PLURALS = {"comedy": "comedies", "documentary": "documentaries", "fantasy": "fantasies", "mystery": "mysteries",
                "history": "histories", "family": "families"}
# Everyday words a typo search must leave alone (they are one letter from a vocabulary word).
_ENGLISH = frozenset("""about after again being could first funny great happy horse house human large light
little money month movie music never night other place point power right scene short small sound space story
study table thing think those three today under until watch water where which while whole world would write
years young heart heavy actor actors actress fiction friction romans action fashion station nation motion
potion notion nations caption fraction traction lotion option prime grime drama dream dreams dread
dramas lovely comic comics sports spots spirt spirit wester wests weird weirder family famine thrill thrills
trailer trilogy sequel series scary scarce scarf cozily comedian comedians sadly""".split())
