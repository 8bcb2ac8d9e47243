"""'Is X like Y?' and 'more like X': one likeness score, with reasons a film buff agrees with.

Evidence comes in families (`bot.domain.vectors`), each giving a 0-1 likeness: how much two films' rare
tags overlap (weighted by how few films carry them and by their facet), their primary genres (secondary
ones count a third), whether they share a director, a writer, a series, their cast (weighted by billing:
two films led by the same actor say more than two sharing a supporting player), their primary country
and language. The families combine like independent witnesses (noisy-OR): each raises the likeness by
its own strength, none can push it past 1, and a family a film has no data for adds nothing, so a film
with no tags is never favoured over one whose tags disagree. Country and language count a little and
never on their own: they only add to evidence of another kind. A sequel shares a series and usually
genres and tags: it scores "Very alike" unless the two really differ. Years apart pull a score down a
little; a curated "it's like" link pulls it up; a film's popularity adds at most a few points, enough
to prefer the well-known of two equals, never enough to bury an obscure one that fits better.

`scores` rates every film at once with arrays (one bincount per family over the postings the film
touches); `similar` takes the best of those and explains each with the same arithmetic on one pair.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.domain.catalog import Catalog, key_of
from bot.domain.models import Film, Link
from bot.domain.reasons import PICK_FACET_ORDER, WEAK_PICK_TAGS, Reason, facet_phrase, join_words, plural, tag_label
from bot.domain.vectors import BILLING_WEIGHTS, FilmArrays, RowArray, shared_dot

FloatArray = npt.NDArray[np.float32]
Features = dict[str, dict[int, float]]  # a film's features by family (`Family.features`)


@dataclass(frozen=True, slots=True)
class Weights:
    """The strength of each kind of evidence when it is complete (a likeness of 1 in its family)."""

    tag: float = 0.72
    genre: float = 0.36
    director: float = 0.45
    writer: float = 0.28
    series: float = 0.80
    cast: float = 0.40
    country: float = 0.12
    language: float = 0.10
    # Country and language count in full once the other evidence reaches this, proportionally below it.
    place_gate: float = 0.40
    # A shared series counts this much even when tags and genres disagree entirely; a shared director or
    # writer this much.
    series_floor: float = 0.55
    people_floor: float = 0.45
    same_series_in_a_list: int = 3  # "more like" shows at most this many of the film's own series
    era_pull: float = 0.15  # the most that years apart take off
    era_scale_years: float = 15.0
    # Shared genres count in full once their IDF mass (sum of idf squared) passes about this: "Drama"
    # alone (idf ~0.8) counts for a third, "Horror" (idf ~2.6) nearly all.
    genre_mass: float = 1.5
    link: float = 0.50  # a curated link closes this share of the gap to 1
    prior: float = 0.06  # the most a film's popularity adds


WEIGHTS = Weights()
HEADLINES = ((70, "Very alike"), (50, "Close cousins"), (30, "Some family resemblance"), (0, "Not really alike"))
PAGE_SIZE = 10
MAX_SIMILAR = 50
_TONE_FACETS = ("mood", "pace")
_DIFFERENCE_FACETS = ("plot-weight", "style")
# A place or language this common says nothing (idf below it): "both in English" is no reason.
_INFORMATIVE_PLACE = 1.0
_INFORMATIVE_GENRE = 1.5


@dataclass(frozen=True, slots=True)
class SimilarFilm:
    film: Film
    score: int  # 0-100
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Verdict:
    a: Film
    b: Film
    score: int
    headline: str
    shared: list[Reason]
    differences: list[Reason]
    pick_line: str


def headline_for(score: int) -> str:
    return next(words for floor, words in HEADLINES if score >= floor)


def combine(likeness: dict[str, FloatArray], years: tuple[FloatArray, FloatArray], linked: FloatArray,
            prior: FloatArray, w: Weights = WEIGHTS) -> FloatArray:
    """The score (0-1) from each family's likeness; works on one pair (arrays of one) or every film."""
    # What the films are like (tags, genres) backs up who made them: a director's comedy and war film
    # share a name, not a likeness.
    support = np.maximum(likeness["tag"], likeness["genre"])
    series = w.series * likeness["series"] * (w.series_floor + (1.0 - w.series_floor) * support)
    backed = w.people_floor + (1.0 - w.people_floor) * support
    missing = (1.0 - series) * (1.0 - w.director * likeness["director"] * backed)
    missing *= 1.0 - w.writer * likeness["writer"] * backed
    missing *= (1.0 - w.tag * likeness["tag"]) * (1.0 - w.genre * likeness["genre"]) * (1.0 - w.cast * likeness["cast"])
    other = 1.0 - missing
    gate = np.minimum(1.0, other / w.place_gate)
    missing *= (1.0 - w.country * likeness["country"] * gate) * (1.0 - w.language * likeness["language"] * gate)
    content = 1.0 - missing
    year_a, year_b = years
    known = (year_a > 0) & (year_b > 0)
    apart = np.where(known, np.abs(year_a - year_b), 0.0)
    pull = np.where(known, w.era_pull * (1.0 - np.exp(-apart / w.era_scale_years)), w.era_pull / 2)
    pull = pull * (1.0 - likeness["series"])  # a sequel decades later is still a sequel
    score = content * (1.0 - pull)
    score = np.where(linked > 0, 1.0 - (1.0 - score) * (1.0 - w.link), score)
    # A curated link is evidence by itself; otherwise popularity only ranks films alike in some way.
    score = np.where((content > 0) | (linked > 0), score + w.prior * prior, 0.0)
    return np.clip(score, 0.0, 1.0).astype(np.float32)


def genre_only_ceiling(genre: FloatArray, prior: FloatArray, w: Weights = WEIGHTS) -> npt.NDArray[np.float64]:
    """The most `combine` can give pairs whose only evidence is their genres (likeness `genre`) and perhaps
    a country and language: those at full likeness, no years apart, plus the popularity prior. A little
    over, never under (float32 rounding), so that a film it rules out could not have scored higher."""
    other = w.genre * genre.astype(np.float64)
    gate = np.minimum(1.0, other / w.place_gate)
    content = 1.0 - (1.0 - other) * (1.0 - w.country * gate) * (1.0 - w.language * gate)
    return content + w.prior * prior + 1e-4


def telling_evidence(dots: dict[str, FloatArray], linked: FloatArray) -> npt.NDArray[np.bool_]:
    """The films with evidence of likeness besides genres and places: a shared tag, name or series, or a
    curated link."""
    telling = linked > 0
    for name in ("tag", "director", "writer", "series", "cast"):
        telling |= dots[name] > 0
    return telling


def _bar(percent: npt.NDArray[np.int32], wanted: int) -> int:
    """The `wanted`-th best of `percent`, or 0 when there are fewer."""
    if len(percent) < wanted:
        return 0
    return int(np.partition(percent, len(percent) - wanted)[len(percent) - wanted])


class SimilarityEngine:
    def __init__(self, catalog: Catalog, weights: Weights = WEIGHTS):
        self.catalog = catalog
        self.weights = weights
        self._arrays: FilmArrays | None = None

    @property
    def arrays(self) -> FilmArrays:
        """The catalogue's arrays, rebuilt when it changed (call `prepare` off the event loop first)."""
        self._arrays = FilmArrays.for_catalog(self.catalog, self._arrays)
        return self._arrays

    def prepare(self) -> None:
        """Build the arrays now (they are otherwise built by the first question after a change)."""
        _ = self.arrays

    # ------------------------------------------------------------------ scoring every film

    def scores(self, film_id: str) -> FloatArray:
        """The likeness (0-1) of every film to `film_id`, by array row (`arrays.ids`); 0 for itself."""
        arrays = self.arrays
        rows, values = self._scored(film_id)
        out = np.zeros(arrays.n, np.float32)
        out[rows] = values
        out[arrays.rows[film_id]] = 0.0
        return out

    def _scored(self, film_id: str) -> tuple[RowArray, FloatArray]:
        """The films that can be like `film_id` (array rows, ascending; perhaps itself) and their likeness;
        every other film's is 0."""
        row, dots, linked = self._overlaps(film_id)
        # Only films with some evidence besides place can score above 0 (country and language never count
        # alone): the films sharing a genre, a tag, a name, a series or a link. (An overlap too slight to
        # count, such as a rounded-away genre, lets a film in that combine then scores 0, as it scores every
        # film without evidence.)
        rows = np.flatnonzero(telling_evidence(dots, linked) | (dots["genre"] > 0))
        return rows, self._values(row, dots, linked, rows)

    def _overlaps(self, film_id: str) -> tuple[int, dict[str, FloatArray], FloatArray]:
        """Film `film_id`'s array row, its overlap (dot product) with every film in each family, and which
        films it has a curated link with (1.0)."""
        arrays = self.arrays
        row = arrays.rows[self._film(film_id).id]
        n = arrays.n
        dots = {name: family.dot(row, n) for name, family in arrays.families.items()}
        linked = np.zeros(n, np.float32)
        for other in self.catalog.linked_ids(film_id):
            if other in arrays.rows:
                linked[arrays.rows[other]] = 1.0
        return row, dots, linked

    def _values(self, row: int, dots: dict[str, FloatArray], linked: FloatArray, rows: RowArray) -> FloatArray:
        """The likeness of film `row` to the films at `rows`, from `_overlaps`."""
        arrays = self.arrays
        families = arrays.families
        near = {name: dot[rows] for name, dot in dots.items()}
        likeness: dict[str, FloatArray] = {}
        for name in ("tag", "country", "language"):
            likeness[name] = families[name].cosine(row, near[name], rows)
        likeness["genre"] = families["genre"].informed_cosine(row, near["genre"], self.weights.genre_mass, rows)
        # People and series: what they share, not its share of all they have (two films led by the same
        # star are alike however long their casts are).
        for name in ("director", "writer", "series", "cast"):
            likeness[name] = np.minimum(near[name], 1.0)
        year = arrays.year[rows].astype(np.float32)
        return combine(likeness, (np.full(len(rows), arrays.year[row], np.float32), year), linked[rows],
                       self._pair_prior(row, rows), self.weights)

    def _pair_prior(self, row: int, rows: RowArray) -> FloatArray:
        # Both films' popularity, so that "is A like B" and "is B like A" get one answer.
        prior = self.arrays.prior
        return (prior[rows] + prior[row]) / 2

    def similar(self, film_id: str, count: int = 5, *, allowed: Collection[str] | None = None,
                exclude: Iterable[str] = (), skip: int = 0) -> list[SimilarFilm]:
        """The `count` films most like `film_id` after the best `skip` (a later page), best first, each
        with its reasons."""
        film = self._film(film_id)
        ranked = self.ranked(film_id, skip + count, allowed=allowed, exclude=exclude)[skip:]
        row = self.arrays.rows[film.id]
        mine = {name: family.features(row) for name, family in self.arrays.families.items()}
        return [SimilarFilm(other, score, self._shared_reasons(film, other, mine=mine)[:3]) for other, score in ranked]

    def ranked(self, film_id: str, count: int, *, allowed: Collection[str] | None = None,
               exclude: Iterable[str] = ()) -> list[tuple[Film, int]]:
        """`similar` without reasons: (film, score) best first; ties go to the better known film."""
        arrays = self.arrays
        row, dots, linked = self._overlaps(film_id)
        if allowed is None:
            eligible = np.ones(arrays.n, bool)
        else:
            eligible = np.zeros(arrays.n, bool)
            eligible[[arrays.rows[f] for f in allowed if f in arrays.rows]] = True
        eligible[[r for r in map(arrays.rows.get, exclude) if r is not None]] = False
        eligible[row] = False
        wanted = count + 40  # slack for the series cap below
        # Films sharing only genres (and perhaps a place) are most of the films touched and rarely make a
        # list: score the films with other evidence first, then only those genre-only films whose best
        # possible score reaches the list's bar. The list is exactly the one scoring every film gives.
        telling = telling_evidence(dots, linked)
        candidates, percent = self._contenders(row, dots, linked, np.flatnonzero(telling & eligible))
        bar = _bar(percent, wanted)
        genre_only = np.flatnonzero((dots["genre"] > 0) & ~telling & eligible)
        if bar > 0 and len(genre_only):
            genre = arrays.families["genre"].informed_cosine(row, dots["genre"][genre_only], self.weights.genre_mass,
                                                             genre_only)
            ceiling = genre_only_ceiling(genre, self._pair_prior(row, genre_only), self.weights)
            genre_only = genre_only[np.rint(ceiling * 100) >= bar]
        if len(genre_only):
            more, more_percent = self._contenders(row, dots, linked, genre_only)
            candidates, percent = np.concatenate((candidates, more)), np.concatenate((percent, more_percent))
        if len(candidates) == 0:
            return []
        if len(candidates) > wanted:
            # Everything at or above the bar is a contender (ties kept).
            keep_rows = percent >= _bar(percent, wanted)
            candidates, percent = candidates[keep_rows], percent[keep_rows]
        priors = arrays.prior[candidates]
        order = np.lexsort((candidates, -priors, -percent))  # rows are sorted by id: ties by id
        # A long series would fill the list with its own sequels: keep the closest few, then other films.
        own_series = arrays.series[row]
        out: list[tuple[Film, int]] = []
        same = 0
        for i in order:
            if percent[i] <= 0 or len(out) >= count:
                break
            other = int(candidates[i])
            if own_series is not None and arrays.series[other] == own_series:
                same += 1
                if same > self.weights.same_series_in_a_list:
                    continue
            out.append((arrays.films[other], int(percent[i])))
        return out

    def _contenders(self, row: int, dots: dict[str, FloatArray], linked: FloatArray,
                    rows: RowArray) -> tuple[RowArray, npt.NDArray[np.int32]]:
        """Those of `rows` that score above 0, with their scores in percent."""
        values = self._values(row, dots, linked, rows)
        scoring = values > 0.0
        return rows[scoring], np.rint(values[scoring] * 100).astype(np.int32)

    # ------------------------------------------------------------------ one pair

    def likeness(self, a_id: str, b_id: str) -> dict[str, float]:
        """Each family's likeness for one pair, as `scores` computes it."""
        return self._evidence(self._film(a_id), self._film(b_id))[0]

    def _evidence(self, a: Film, b: Film, mine: Features | None = None
                  ) -> tuple[dict[str, float], dict[str, list[tuple[str, float, float]]]]:
        """Each family's likeness for one pair, and what they share in it (`Family.shared`): the reasons
        need both, and finding the shared features is most of the work (`mine`: a's features by family,
        when a is compared with several films)."""
        arrays = self.arrays
        row_a, row_b = arrays.rows[a.id], arrays.rows[b.id]
        likeness: dict[str, float] = {}
        shared: dict[str, list[tuple[str, float, float]]] = {}
        for name, family in arrays.families.items():
            common = shared[name] = family.shared(row_a, row_b, None if mine is None else mine[name])
            dot = shared_dot(common)
            if name in ("director", "writer", "series", "cast"):
                likeness[name] = min(1.0, dot)
            elif not common:
                likeness[name] = 0.0
            elif name == "genre":
                likeness[name] = family.pair_informed_cosine(row_a, row_b, self.weights.genre_mass, dot)
            else:
                likeness[name] = family.pair_cosine(row_a, row_b, dot)
        return likeness, shared

    def pair_score(self, a_id: str, b_id: str) -> float:
        a, b = self._film(a_id), self._film(b_id)
        if a.id == b.id:
            return 0.0
        arrays = self.arrays
        likeness = {k: np.array([v], np.float32) for k, v in self.likeness(a.id, b.id).items()}
        linked = np.array([1.0 if self.catalog.link_between(a.id, b.id) else 0.0], np.float32)
        years = (np.array([a.year or 0], np.float32), np.array([b.year or 0], np.float32))
        prior = np.array([(arrays.prior[arrays.rows[a.id]] + arrays.prior[arrays.rows[b.id]]) / 2], np.float32)
        return float(combine(likeness, years, linked, prior, self.weights)[0])

    def score(self, a_id: str, b_id: str) -> int:
        return _percent(self.pair_score(a_id, b_id))

    def compare(self, a_id: str, b_id: str) -> Verdict:
        a, b = self._film(a_id), self._film(b_id)
        score = self.score(a.id, b.id)
        return Verdict(a=a, b=b, score=score, headline=headline_for(score),
                       shared=self._shared_reasons(a, b, asked=True), differences=self._differences(a, b),
                       pick_line=self._pick_line(a, b))

    def explain(self, a_id: str, b_id: str) -> list[Reason]:
        return self._shared_reasons(self._film(a_id), self._film(b_id), asked=True)

    def _film(self, film_id: str) -> Film:
        film = self.catalog.get(film_id)
        if film is None:
            raise KeyError(f"unknown film {film_id!r}")
        return film

    # ------------------------------------------------------------------ reasons

    def _shared_reasons(self, a: Film, b: Film, *, asked: bool = False, mine: Features | None = None) -> list[Reason]:
        """What two films really have in common, most telling first.

        `asked`: the user asked about this pair (/islike): when nothing else links them, even a common
        language or country is worth saying. `mine`: as for `_evidence`."""
        w = self.weights
        like, shared_in = self._evidence(a, b, mine)
        weighed: list[tuple[float, Reason]] = []
        link = self.catalog.link_between(a.id, b.id)
        if link is not None:
            weighed.append((9.0, Reason("link", link.reason, {"a": link.a, "b": link.b, "origin": link.origin})))
        if like["series"]:
            name = a.series or b.series or a.title
            orders = ([a.series_order, b.series_order] if a.series_order and b.series_order else [])
            where = f" (#{a.series_order} and #{b.series_order})" if orders else ""
            the = "" if name.casefold().startswith("the ") else "the "
            weighed.append((w.series, Reason("series", f"Both in {the}{name} series{where}",
                                             {"series": name, "orders": orders})))
        if like["director"]:
            names = _display(a.directors, [k for k, _, _ in shared_in["director"]])
            weighed.append((w.director, Reason("director", f"Same director: {join_words(names)}",
                                               {"directors": names})))
        if like["writer"]:
            names = [n for n in _display(a.writers, [k for k, _, _ in shared_in["writer"]])
                     if n not in a.directors or n not in b.directors]
            if names:
                weighed.append((w.writer, Reason("writer", f"Same writer: {join_words(names)}", {"writers": names})))
        if like["tag"]:
            tags = _display(a.tags, [k for k, _, _ in shared_in["tag"]])[:5]
            weighed.append((w.tag * like["tag"], Reason("tag", f"Both: {', '.join(tag_label(t) for t in tags)}",
                                                        {"tags": tags})))
        if like["cast"]:
            weighed.extend(self._cast_reasons(a, b, shared_in["cast"], w.cast * like["cast"]))
        if like["genre"]:
            primary_b = {key_of(g) for g in b.genres}
            shared = [g for g in a.genres if key_of(g) in primary_b]
            informative = any(self._idf("genre", key_of(g)) >= _INFORMATIVE_GENRE for g in shared)
            if shared and (informative or len(shared) >= 2):
                weighed.append((w.genre * like["genre"], Reason("genre", f"Both {join_words(shared)}",
                                                                {"genres": shared})))
        others = 1.0 - math.prod(1.0 - score for score, _ in weighed if score < 9.0)
        for family, attribute, words, strength in (("country", "countries", "Both from", w.country),
                                                   ("language", "languages", "Both in", w.language)):
            if not like[family]:
                continue
            values = _display(getattr(a, attribute), [k for k, _, _ in shared_in[family]])
            telling = [v for v in values if self._idf(family, key_of(v)) >= _INFORMATIVE_PLACE]
            # Never the only reason two films are alike (unless that is what the user asked about).
            if telling and others >= w.place_gate / 2:
                weighed.append((strength, Reason(family, f"{words} {join_words(telling)}", {attribute: telling})))
            elif asked and values and not weighed:
                weighed.append((strength, Reason(family, f"{words} {join_words(values)}", {attribute: values})))
        if weighed and a.year and b.year and abs(a.year - b.year) <= 5:
            if a.year // 10 == b.year // 10:
                text = f"Both from the {a.year // 10 * 10}s"
            else:
                text = f"Released {plural(abs(a.year - b.year), 'year')} apart"
            weighed.append((0.01, Reason("era", text, {"years": [a.year, b.year]})))
        if weighed and a.runtime and b.runtime and abs(a.runtime - b.runtime) <= 10:
            weighed.append((0.005, Reason("runtime", f"Similar length ({a.runtime} vs {b.runtime} min)",
                                          {"runtimes": [a.runtime, b.runtime]})))
        weighed.sort(key=lambda item: -item[0])
        return [reason for _, reason in weighed]

    def _cast_reasons(self, a: Film, b: Film, shared: list[tuple[str, float, float]],
                      strength: float) -> list[tuple[float, Reason]]:
        """'Both star X' for a lead in both; 'X is in both' for anyone else (`shared`: their shared cast)."""
        leads: list[str] = []
        others: list[str] = []
        position_a = {key_of(n): i for i, n in enumerate(a.cast)}
        position_b = {key_of(n): i for i, n in enumerate(b.cast)}
        for key, _, _ in shared:
            name = a.cast[position_a[key]]
            lead = (position_a[key] < min(2, a.billed) and position_b[key] < min(2, b.billed))
            (leads if lead else others).append(name)
        out = []
        if leads:
            out.append((strength, Reason("cast", f"Both star {join_words(leads[:2])}",
                                         {"cast": leads[:2], "billing": "lead"})))
        if others:
            named = others[:3]
            verb = "is" if len(named) == 1 else "are"
            out.append((strength * 0.6, Reason("cast", f"{join_words(named)} {verb} in both",
                                               {"cast": named, "billing": "supporting"})))
        return out

    def _idf(self, family: str, key: str) -> float:
        arrays = self.arrays
        column = arrays.families[family].columns.get(key)
        return float(arrays.families[family].idf[column]) if column is not None else 0.0

    def _differences(self, a: Film, b: Film) -> list[Reason]:
        """Where they part ways. data['a'] is true of a only, data['b'] of b only."""
        out: list[Reason] = []
        name_a, name_b = _names(a, b)
        if a.runtime and b.runtime and abs(a.runtime - b.runtime) >= 10:
            out.append(Reason("runtime", f"{a.runtime} vs {b.runtime} min", {"a": a.runtime, "b": b.runtime}))
        if a.tags and b.tags:
            tags_a, tags_b = set(a.tags), set(b.tags)
            for kind, facets in (("mood", _TONE_FACETS), ("tag", _DIFFERENCE_FACETS)):
                only_a = [t for t in a.tags if t not in tags_b and self.catalog.facet_of(t) in facets][:3]
                only_b = [t for t in b.tags if t not in tags_a and self.catalog.facet_of(t) in facets][:3]
                if only_a or only_b:
                    text = " · ".join(
                        f"{name}: {', '.join(tag_label(t) for t in tags)}"
                        for name, tags in ((name_a, only_a), (name_b, only_b)) if tags)
                    out.append(Reason(kind, text, {"a": only_a, "b": only_b, "facets": list(facets)}))
        for kind, attribute in (("language", "languages"), ("country", "countries")):
            values_a, values_b = getattr(a, attribute), getattr(b, attribute)
            if values_a and values_b and {key_of(v) for v in values_a} != {key_of(v) for v in values_b}:
                only_a = [v for v in values_a if key_of(v) not in {key_of(x) for x in values_b}]
                only_b = [v for v in values_b if key_of(v) not in {key_of(x) for x in values_a}]
                if only_a or only_b:
                    text = f"{', '.join(values_a)} vs {', '.join(values_b)}"
                    out.append(Reason(kind, text, {"a": only_a, "b": only_b}))
        if a.genres and b.genres and not (a.tags and b.tags):
            genres_b = {key_of(g) for g in b.genres}
            genres_a = {key_of(g) for g in a.genres}
            only_a = [g for g in a.genres if key_of(g) not in genres_b]
            only_b = [g for g in b.genres if key_of(g) not in genres_a]
            if only_a or only_b:
                text = " · ".join(f"only {name}: {', '.join(gs)}"
                                  for name, gs in ((name_a, only_a), (name_b, only_b)) if gs)
                out.append(Reason("genre", text, {"a": only_a, "b": only_b}))
        if a.year and b.year and abs(a.year - b.year) >= 10:
            out.append(Reason("era", f"{abs(a.year - b.year)} years apart ({a.year} vs {b.year})",
                              {"a": a.year, "b": b.year}))
        return out

    def _pick_line(self, a: Film, b: Film) -> str:
        """'Pick A if you want ...; pick B if you want ...' from what sets each apart."""
        wants_a, wants_b = self._wants(a, b), self._wants(b, a)
        name_a, name_b = _names(a, b)
        if a.runtime and b.runtime and abs(a.runtime - b.runtime) >= 15:
            short, wants = (a, wants_a) if a.runtime < b.runtime else (b, wants_b)
            if wants:
                wants[-1] = f"{wants[-1]} in {short.runtime} minutes"
            else:
                wants.append(f"a tighter {short.runtime} minutes")
        if not wants_a and not wants_b:
            return f"Either {name_a} or {name_b}: they scratch the same itch."
        clauses = []
        for name, wants in ((name_a, wants_a), (name_b, wants_b)):
            if wants:
                clauses.append(f"pick {name} if you want {join_words(wants)}")
        line = "; ".join(clauses)
        return line[0].upper() + line[1:] + "."

    def _wants(self, film: Film, other: Film) -> list[str]:
        """A phrase for what `film` offers that `other` does not (one reads best)."""
        other_tags = set(other.tags)
        ranked = []
        for tag in film.tags:
            facet = self.catalog.facet_of(tag)
            if tag in other_tags or facet not in PICK_FACET_ORDER:
                continue
            priority = PICK_FACET_ORDER.index(facet) + (len(PICK_FACET_ORDER) if tag in WEAK_PICK_TAGS else 0)
            ranked.append((priority, film.tags.index(tag), facet_phrase(tag, facet)))
        ranked.sort()
        phrases: list[str] = []
        for _, _, phrase in ranked:
            if phrase not in phrases:
                phrases.append(phrase)
            break
        if not phrases and not (film.tags and other.tags):
            other_genres = {key_of(g) for g in other.genres}
            extra = [g.lower() for g in film.genres if key_of(g) not in other_genres][:1]
            if extra:
                phrases.append(f"{join_words(extra)}")
        return phrases


def _display(values: tuple[str, ...], keys: list[str]) -> list[str]:
    """The film's own spelling of shared keys, in the keys' order."""
    spelled = {key_of(v): v for v in values}
    return [spelled[k] for k in keys if k in spelled]


def _names(a: Film, b: Film) -> tuple[str, str]:
    if key_of(a.title) == key_of(b.title):
        return f"{a.title} ({a.year})", f"{b.title} ({b.year})"
    return a.title, b.title


def _percent(score: float) -> int:
    return max(0, min(100, round(100 * score)))


__all__ = ["BILLING_WEIGHTS", "Link", "MAX_SIMILAR", "PAGE_SIZE", "SimilarFilm", "SimilarityEngine", "Verdict",
           "Weights", "combine", "headline_for"]
