"""'Is X like Y?' and 'more like X': a similarity score with reasons.

Every shared fact counts by how informative it is: a feature's weight is its
IDF within its family (a shared "Drama" says little, a shared director or a
rare tag says a lot), tags are further scaled by their facet weight. Families
are compared only when both films have data for them, so films with base data
only still get sensible answers. Era and runtime closeness adjust a score but
never create one: two unrelated films from the same year are not alike.
A curated link is the strongest evidence there is and lifts a pair to at least
LINK_FLOOR.

`similar` never scans the catalogue: candidates come from the postings of the
film's rarer features, a cheap accumulated score picks a shortlist, and only
the shortlist is scored in full.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bot.domain.catalog import Catalog, film_features, key_of
from bot.domain.models import Film, Link
from bot.domain.reasons import PICK_FACET_ORDER, WEAK_PICK_TAGS, Reason, facet_phrase, join_words, plural, tag_label

# Share of the content score per family, renormalised over the families both films have.
FAMILY_WEIGHTS = {"tag": 0.55, "genre": 0.17, "people": 0.18, "place": 0.10}
# Shared weight (sum of IDFs) at which a family's evidence counts in full; below it
# the overlap is scaled down, so sharing only a common feature is weak evidence.
EVIDENCE_FOR_FULL = {"tag": 7.0, "genre": 3.0, "place": 3.0}
DIRECTOR_EVIDENCE = 0.7
CAST_EVIDENCE = 0.25
LINK_FLOOR = 0.6
CURVE = 1.6
ERA_SCALE_YEARS = 10.0
RUNTIME_SCALE_MIN = 30.0
# Headline bands, highest first.
HEADLINES = ((70, "Very alike"), (50, "Close cousins"), (30, "Some family resemblance"), (0, "Not really alike"))

# How strongly each family's postings feed the candidate shortlist.
_CANDIDATE_MULTIPLIER = {"tag": 1.0, "genre": 0.5, "director": 3.0, "cast": 1.0, "country": 0.4, "language": 0.4}
_SHORTLIST = 300
_TONE_FACETS = ("mood", "pace")
_DIFFERENCE_FACETS = ("plot-weight", "style")


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


@dataclass(slots=True)
class _Profile:
    features: dict[str, frozenset[str]]
    weights: dict[str, dict[str, float]]  # family -> key -> weight
    totals: dict[str, float]  # family -> sum of weights


@dataclass(slots=True)
class _Pair:
    score: float
    shared: dict[str, list[str]]  # family -> shared keys, most informative first
    link: Link | None


def headline_for(score: int) -> str:
    return next(words for floor, words in HEADLINES if score >= floor)


class SimilarityEngine:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._profiles: dict[str, _Profile] = {}
        self._profiles_version = catalog.version

    # ------------------------------------------------------------------ public API

    def score(self, a_id: str, b_id: str) -> int:
        a, b = self._film(a_id), self._film(b_id)
        return _percent(self._pair(a, b).score)

    def similar(
        self,
        film_id: str,
        count: int = 5,
        *,
        predicate: Callable[[Film], bool] | None = None,
        exclude: Iterable[str] = (),
    ) -> list[SimilarFilm]:
        """The `count` films most like `film_id`; curated links first, then by score, each with reasons."""
        film = self._film(film_id)
        return [SimilarFilm(other, _percent(pair.score), self._shared_reasons(film, other, pair)[:3])
                for other, pair in self._ranked(film, count, predicate, exclude)]

    def similar_scores(
        self,
        film_id: str,
        count: int = 5,
        *,
        predicate: Callable[[Film], bool] | None = None,
        exclude: Iterable[str] = (),
    ) -> list[tuple[Film, int]]:
        """Like `similar`, in the same order, without building reasons: for rankers that only need scores."""
        film = self._film(film_id)
        return [(other, _percent(pair.score)) for other, pair in self._ranked(film, count, predicate, exclude)]

    def _ranked(self, film: Film, count: int, predicate: Callable[[Film], bool] | None,
                exclude: Iterable[str]) -> list[tuple[Film, "_Pair"]]:
        film_id = film.id
        excluded = set(exclude) | {film_id}
        films = self.catalog.films

        def allowed(fid: str) -> bool:
            other = films.get(fid)
            return other is not None and fid not in excluded and (predicate is None or predicate(other))

        linked = [fid for fid in self.catalog.linked_ids(film_id) if allowed(fid)]
        candidates = [fid for fid in self._candidates(film) if fid not in linked and allowed(fid)]
        if predicate is not None and len(candidates) < count:
            candidates += self._scan_for(predicate, allowed, set(candidates) | set(linked), limit=_SHORTLIST)
        scored_links = sorted(((self._pair(film, films[fid]), fid) for fid in linked),
                              key=lambda item: (-item[0].score, item[1]))
        rest = heapq.nlargest(count, ((self._pair(film, films[fid]), fid) for fid in candidates),
                              key=lambda item: (item[0].score, films[item[1]].popularity, item[1]))
        return [(films[fid], pair) for pair, fid in (scored_links + rest)[:count] if pair.score > 0.0]

    def compare(self, a_id: str, b_id: str) -> Verdict:
        a, b = self._film(a_id), self._film(b_id)
        pair = self._pair(a, b)
        score = _percent(pair.score)
        return Verdict(
            a=a, b=b, score=score, headline=headline_for(score),
            shared=self._shared_reasons(a, b, pair),
            differences=self._differences(a, b),
            pick_line=self._pick_line(a, b),
        )

    def explain(self, a_id: str, b_id: str) -> list[Reason]:
        a, b = self._film(a_id), self._film(b_id)
        return self._shared_reasons(a, b, self._pair(a, b))

    # ------------------------------------------------------------------ scoring

    def _film(self, film_id: str) -> Film:
        film = self.catalog.get(film_id)
        if film is None:
            raise KeyError(f"unknown film {film_id!r}")
        return film

    def _profile(self, film: Film) -> _Profile:
        if self._profiles_version != self.catalog.version:
            self._profiles.clear()
            self._profiles_version = self.catalog.version
        profile = self._profiles.get(film.id)
        if profile is None:
            features = film_features(film)
            weights: dict[str, dict[str, float]] = {}
            for family, keys in features.items():
                if family == "tag":
                    weights[family] = {k: self.catalog.idf(family, k) * self.catalog.tag_weight(k) for k in keys}
                else:
                    weights[family] = {k: self.catalog.idf(family, k) for k in keys}
            profile = _Profile(features, weights, {fam: sum(w.values()) for fam, w in weights.items()})
            if len(self._profiles) > 50_000:  # bound memory on huge catalogues
                self._profiles.clear()
            self._profiles[film.id] = profile
        return profile

    def _pair(self, a: Film, b: Film) -> _Pair:
        pa, pb = self._profile(a), self._profile(b)
        parts: dict[str, float] = {}
        shared: dict[str, list[str]] = {}

        def overlap(families: tuple[str, ...], name: str) -> None:
            total_a = sum(pa.totals[f] for f in families)
            total_b = sum(pb.totals[f] for f in families)
            if total_a <= 0 or total_b <= 0:
                return
            weight = 0.0
            for family in families:
                common = pa.features[family] & pb.features[family]
                if common:
                    keys = sorted(common, key=lambda k: (-pa.weights[family][k], k))
                    shared[family] = keys
                    weight += sum(min(pa.weights[family][k], pb.weights[family][k]) for k in keys)
            cosine = weight / math.sqrt(total_a * total_b)
            parts[name] = min(1.0, cosine) * min(1.0, weight / EVIDENCE_FOR_FULL[name])

        overlap(("tag",), "tag")
        overlap(("genre",), "genre")
        overlap(("country", "language"), "place")

        people_a = pa.features["director"] | pa.features["cast"]
        people_b = pb.features["director"] | pb.features["cast"]
        if people_a and people_b:
            missing = 1.0
            for family, strength in (("director", DIRECTOR_EVIDENCE), ("cast", CAST_EVIDENCE)):
                common = pa.features[family] & pb.features[family]
                if common:
                    shared[family] = sorted(common, key=lambda k: (-pa.weights[family][k], k))
                    for key in common:
                        missing *= 1.0 - strength * min(1.0, pa.weights[family][key] / 3.0)
            parts["people"] = 1.0 - missing

        content = 0.0
        if parts:
            total = sum(FAMILY_WEIGHTS[name] for name in parts)
            content = sum(FAMILY_WEIGHTS[name] * value for name, value in parts.items()) / total
        closeness = []
        if a.year and b.year:
            closeness.append(math.exp(-abs(a.year - b.year) / ERA_SCALE_YEARS))
        if a.runtime and b.runtime:
            closeness.append(math.exp(-abs(a.runtime - b.runtime) / RUNTIME_SCALE_MIN))
        modifier = 0.75 + 0.25 * (sum(closeness) / len(closeness)) if closeness else 0.85
        # Stretch the middle of the scale so the headline bands read naturally:
        # a pair sharing half of what can be shared is close cousins, not 50/50.
        score = 1.0 - (1.0 - content * modifier) ** CURVE
        link = self.catalog.link_between(a.id, b.id)
        if link is not None:
            score = 1.0 - (1.0 - score) * (1.0 - LINK_FLOOR)
        return _Pair(score, shared, link)

    def _candidates(self, film: Film) -> list[str]:
        """Shortlist of films worth scoring against `film`, from rare-feature postings."""
        catalog = self.catalog
        profile = self._profile(film)
        cap = max(1500, len(catalog) // 40)
        accumulated: dict[str, float] = defaultdict(float)
        common: list[tuple[str, str]] = []
        for family, keys in profile.features.items():
            for key in keys:
                ids = catalog.postings(family, key)
                if len(ids) > cap:
                    common.append((family, key))
                    continue
                weight = profile.weights[family][key] * _CANDIDATE_MULTIPLIER[family]
                for fid in ids:
                    accumulated[fid] += weight
        accumulated.pop(film.id, None)
        # Ties (and float sums whose order follows set iteration) must not depend on the hash seed:
        # round the weights and break ties by id, so a restart gives the same answers.
        shortlist = heapq.nlargest(_SHORTLIST, accumulated, key=lambda fid: (round(accumulated[fid], 9), fid))
        if len(shortlist) < _SHORTLIST // 2:
            shortlist += self._common_pool(film, common, set(shortlist))
        return shortlist

    def _common_pool(self, film: Film, common: list[tuple[str, str]], have: set[str]) -> list[str]:
        """Films sharing all of this film's common features (genres first), most popular first."""
        catalog = self.catalog
        order = {"genre": 0, "tag": 1, "country": 2, "language": 3, "director": 4, "cast": 5}
        common.sort(key=lambda fk: (order[fk[0]], catalog.doc_freq(*fk)))
        if film.year:
            common.insert(0, ("decade", str(film.year // 10 * 10)))
        pool: set[str] | None = None
        for family, key in common:
            ids = catalog.postings(family, key)
            narrowed = ids if pool is None else pool & ids
            if pool is not None and len(narrowed) < _SHORTLIST:
                break
            pool = set(narrowed)
            if len(pool) <= _SHORTLIST * 3:
                break
        if not pool:
            return []
        pool.discard(film.id)
        pool -= have
        priors = catalog.priors()
        return heapq.nlargest(_SHORTLIST, pool, key=lambda fid: (priors.get(fid, 0.0), fid))

    def _scan_for(self, predicate: Callable[[Film], bool], allowed: Callable[[str], bool], have: set[str],
                  limit: int) -> list[str]:
        """A narrow predicate left too few candidates: take the most popular films that pass it."""
        found: list[str] = []
        for fid in self.catalog.ranked_ids():
            if fid not in have and allowed(fid):
                found.append(fid)
                if len(found) >= limit:
                    break
        return found

    # ------------------------------------------------------------------ reasons

    def _shared_reasons(self, a: Film, b: Film, pair: _Pair) -> list[Reason]:
        """What the two films really have in common, most telling first."""
        reasons: list[Reason] = []
        if pair.link is not None:
            reasons.append(Reason("link", pair.link.reason,
                                  {"a": pair.link.a, "b": pair.link.b, "origin": pair.link.origin}))
        shared = pair.shared
        if "director" in shared:
            names = _display(a.directors, shared["director"])
            reasons.append(Reason("director", f"Same director: {join_words(names)}", {"directors": names}))
        if "tag" in shared:
            tags = _display(a.tags, shared["tag"])[:5]
            reasons.append(Reason("tag", f"Both: {', '.join(tag_label(t) for t in tags)}", {"tags": tags}))
        if "cast" in shared:
            names = _display(a.cast, shared["cast"])[:3]
            reasons.append(Reason("cast", f"Both feature {join_words(names)}", {"cast": names}))
        if "genre" in shared:
            genres = _display(a.genres, shared["genre"])
            informative = any(self.catalog.idf("genre", key_of(g)) >= 1.5 for g in genres)
            if informative or len(genres) >= 2:
                reasons.append(Reason("genre", f"Both {join_words(genres)}", {"genres": genres}))
        for family, attribute, words in (("country", "countries", "Both from"), ("language", "languages", "Both in")):
            if family in shared:
                # Only places that say something: "both in English" is no reason.
                values = [v for v in _display(getattr(a, attribute), shared[family])
                          if self.catalog.idf(family, key_of(v)) >= 1.0]
                if values:
                    reasons.append(Reason(family, f"{words} {join_words(values)}", {attribute: values}))
        if a.year and b.year and abs(a.year - b.year) <= 5:
            if a.year // 10 == b.year // 10:
                text = f"Both from the {a.year // 10 * 10}s"
            else:
                text = f"Released {plural(abs(a.year - b.year), 'year')} apart"
            reasons.append(Reason("era", text, {"years": [a.year, b.year]}))
        if a.runtime and b.runtime and abs(a.runtime - b.runtime) <= 10:
            reasons.append(Reason("runtime", f"Similar length ({a.runtime} vs {b.runtime} min)",
                                  {"runtimes": [a.runtime, b.runtime]}))
        return reasons

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
