"""The catalogue as arrays, so that one film can be scored against every other film at once.

Each family of evidence (tags, genres, directors, writers, series, cast, country, language) is a sparse
matrix kept twice in flat arrays: by feature (CSC: which films have it, with what weight) to score one
film against all, and by film (CSR: its features) to explain one pair. A film's feature weight says how
much sharing that feature tells: IDF for tags (times the tag's facet weight), genres (secondary genres
count a third), countries and languages; billing position for cast; plain presence for people and series.

Rebuilt from the catalogue when it changes (`FilmArrays.for_catalog` checks the version); pure numpy,
no SQL, no Discord.
"""
from __future__ import annotations

import math
import re
import struct
from array import array
from typing import Callable, TypeVar, cast

import numpy as np
import numpy.typing as npt

from bot.domain.catalog import Catalog, key_of
from bot.domain.models import Film

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
RowArray = npt.NDArray[np.intp]  # array rows, as np.flatnonzero gives them
T = TypeVar("T")

FAMILIES = ("tag", "genre", "director", "writer", "series", "cast", "country", "language")
IDF_FAMILIES = frozenset({"tag", "genre", "country", "language"})
SECONDARY_GENRE_WEIGHT = 0.35
# Billing: the lead tells most; names past the checked billing are a prominence guess and tell little.
BILLING_WEIGHTS = (1.0, 0.7, 0.5, 0.4, 0.3)
UNBILLED_CAST_WEIGHT = 0.25
CAST_NAMES_USED = 8  # beyond these, a cast list is bit parts
MIN_IDF = 0.05

_SEQUEL_WORD = re.compile(r"^(?:\d+|ii|iii|iv|v|vi|vii|viii|ix|x|part|chapter|volume|vol)$")


def title_franchise(title: str) -> str:
    """'John Wick: Chapter 2', 'Toy Story 3', 'Top Gun: Maverick' -> 'john wick', 'toy story', 'top gun'."""
    words = key_of(re.sub(r"[^\w\s]", " ", title.split(":")[0])).split()
    while len(words) > 1 and _SEQUEL_WORD.match(words[-1]):
        words.pop()
    return " ".join(words)


def cast_weights(film: Film) -> list[tuple[str, float]]:
    """(actor key, weight) for the names that count: billed names by position, else the first few."""
    out: list[tuple[str, float]] = []
    for position, name in enumerate(film.cast[:CAST_NAMES_USED]):
        if position < film.billed:
            weight = BILLING_WEIGHTS[min(position, len(BILLING_WEIGHTS) - 1)]
        else:
            weight = UNBILLED_CAST_WEIGHT
        out.append((key_of(name), weight))
    return out


def film_keys(film: Film, series: str | None) -> dict[str, list[tuple[str, float]]]:
    """Each family's (key, base weight) for one film, before IDF. `series`: its series key, if any."""
    genres = [(key_of(g), 1.0) for g in film.genres]
    primary = {k for k, _ in genres}
    genres += [(key_of(g), SECONDARY_GENRE_WEIGHT) for g in film.secondary_genres if key_of(g) not in primary]
    return {
        "tag": [(key_of(t), 1.0) for t in dict.fromkeys(film.tags)],
        "genre": genres,
        "director": [(key_of(d), 1.0) for d in dict.fromkeys(film.directors)],
        # A director who writes their own films is one piece of evidence, counted as director.
        "writer": [(key_of(w), 1.0) for w in dict.fromkeys(film.writers[:6]) if w not in film.directors],
        "series": [(series, 1.0)] if series else [],
        "cast": list(dict(cast_weights(film)).items()),
        "country": [(key_of(c), 1.0) for c in dict.fromkeys(film.countries[:2])],
        "language": [(key_of(lang), 1.0) for lang in dict.fromkeys(film.languages[:2])],
    }


def series_keys(films: list[Film]) -> list[str | None]:
    """Each film's series key: its recorded series, or, for a film whose source has no series data,
    the franchise in its title when some film records that series ("Top Gun" joins Top Gun: Maverick's)."""
    known = {key_of(f.series) for f in films if f.series}
    out: list[str | None] = []
    for film in films:
        if film.series:
            out.append(key_of(film.series))
        else:
            franchise = title_franchise(film.title)
            out.append(franchise if franchise in known else None)
    return out


class Family:
    """One family's sparse matrix: CSR (by film) and CSC (by feature) in flat arrays."""

    def __init__(self, rows: IntArray, columns: IntArray, weights: FloatArray, keys: list[str], n: int,
                 idf_scaled: bool, column_scale: FloatArray | None = None):
        self.keys = keys  # column -> feature key
        self.columns = {key: i for i, key in enumerate(keys)}
        df = np.bincount(columns, minlength=len(keys)).astype(np.float32)
        with_data = max(1, len(np.unique(rows)))
        self.idf = np.maximum(MIN_IDF, np.log((with_data + 1) / np.maximum(df, 1))).astype(np.float32)
        values = weights.astype(np.float32)
        if idf_scaled:
            values = values * self.idf[columns]
        if column_scale is not None:
            values = values * column_scale[columns]
        # CSR: by film row.
        order = np.lexsort((columns, rows))
        self.row_ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=self.row_ptr[1:])
        self.row_columns = columns[order].astype(np.int32)
        self.row_values = values[order].astype(np.float32)
        # CSC: by feature column.
        order = np.lexsort((rows, columns))
        self.col_ptr = np.zeros(len(keys) + 1, np.int64)
        np.cumsum(np.bincount(columns, minlength=len(keys)), out=self.col_ptr[1:])
        self.col_rows = rows[order].astype(np.int32)
        self.col_values = values[order].astype(np.float32)
        self.norms = np.sqrt(np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=n)).astype(np.float32)

    def row(self, row: int) -> tuple[IntArray, FloatArray]:
        start, end = self.row_ptr[row], self.row_ptr[row + 1]
        return self.row_columns[start:end], self.row_values[start:end]

    def dot(self, row: int, n: int) -> FloatArray:
        """Weighted overlap of film `row` with every film (one bincount over the postings it touches)."""
        columns, weights = self.row(row)
        if len(columns) == 0:
            return np.zeros(n, np.float32)
        starts, ends = self.col_ptr[columns], self.col_ptr[columns + 1]
        rows = np.concatenate([self.col_rows[s:e] for s, e in zip(starts, ends, strict=True)])
        values = np.concatenate([self.col_values[s:e] * w for s, e, w in zip(starts, ends, weights, strict=True)])
        return np.bincount(rows, weights=values, minlength=n).astype(np.float32)

    def cosine(self, row: int, dot: FloatArray, rows: RowArray | None = None) -> FloatArray:
        """Film `row`'s cosine with the films at `rows` (every film if None), from its `dot` with them."""
        own = self.norms[row]
        if own == 0.0:
            return np.zeros(len(dot), np.float32)
        # Over all the given films, even where they do not overlap: whole-array arithmetic is cheaper than
        # picking out the overlapping ones first.
        norms = self.norms if rows is None else self.norms[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = dot / (own * norms)
        out[norms == 0.0] = 0.0
        return np.minimum(out, 1.0).astype(np.float32, copy=False)

    def informed_cosine(self, row: int, dot: FloatArray, half_mass: float,
                        rows: RowArray | None = None) -> FloatArray:
        """Cosine times how much the overlap tells: two films that are only "Drama" have the same genres
        (cosine 1) but share little; the overlap's weight (its IDF mass) must reach `half_mass` to count
        for most of it. `rows` and `dot` as for `cosine`."""
        own = self.norms[row]
        if own == 0.0:
            return dot
        norms = self.norms if rows is None else self.norms[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.minimum(dot / (own * norms), 1.0)
        out[norms == 0.0] = 0.0
        return (out * (1.0 - np.exp(-dot / half_mass))).astype(np.float32, copy=False)

    # One pair (the reasons of a shown film, /islike) is scored in plain Python floats: a numpy scalar
    # operation costs ten times a float one, and a pair shares only a handful of features. Each step is
    # rounded to float32 (`_f32`), so a pair scores exactly as the same sums done in float32 would.

    def features(self, row: int) -> dict[int, float]:
        """Film `row`'s features, column -> weight: worked out once for a film compared with many."""
        start, end = self.row_ptr[row:row + 2].tolist()
        if start == end:
            return {}  # most films have no writer, series or tags: no arrays to read
        return dict(zip(self.row_columns[start:end].tolist(), self.row_values[start:end].tolist(), strict=True))

    def shared(self, a: int, b: int, features_a: dict[int, float] | None = None) -> list[tuple[str, float, float]]:
        """(key, weight in a, weight in b) for the features two films share, heaviest first
        (`features_a`: a's `features`, when the caller has them)."""
        if features_a is None:
            features_a = self.features(a)
        if not features_a:
            return []
        start, end = self.row_ptr[b:b + 2].tolist()
        if start == end:
            return []
        keys = self.keys
        out = [(keys[c], features_a[c], wb)
               for c, wb in zip(self.row_columns[start:end].tolist(), self.row_values[start:end].tolist(),
                                strict=True)
               if c in features_a]
        if len(out) > 1:
            out.sort(key=lambda item: (-item[1] * item[2], item[0]))
        return out

    def pair_cosine(self, a: int, b: int, dot: float) -> float:
        """The pair's cosine, from their dot product (`shared_dot` of what they share)."""
        norm_a, norm_b = float(self.norms[a]), float(self.norms[b])
        if norm_a == 0.0 or norm_b == 0.0:
            return 0.0
        return min(1.0, _f32(dot / _f32(norm_a * norm_b)))

    def pair_informed_cosine(self, a: int, b: int, half_mass: float, dot: float) -> float:
        return self.pair_cosine(a, b, dot) * (1.0 - math.exp(-dot / half_mass))


_FLOAT32 = struct.Struct("f")


def _f32(value: float) -> float:
    """`value` rounded to the nearest float32. A double holds the exact product of two float32s, and a
    double sum or quotient of float32s rounds to the same float32 as the float32 operation itself, so
    rounding each step of a double computation gives float32 arithmetic's result bit for bit."""
    return cast(float, _FLOAT32.unpack(_FLOAT32.pack(value))[0])


def shared_dot(shared: list[tuple[str, float, float]]) -> float:
    """The dot product of what two films share (`Family.shared`), summed in float32 in that order."""
    total = 0.0
    for _, weight_a, weight_b in shared:
        total = _f32(total + _f32(weight_a * weight_b))
    return total


class FilmArrays:
    """Every film of one catalogue version as rows of arrays (rows in id order, for stable ties)."""

    def __init__(self, catalog: Catalog):
        self.version = catalog.version
        films = sorted(catalog.films.values(), key=lambda f: f.id)
        self.films: list[Film] = films
        self.ids: list[str] = [f.id for f in films]
        self.rows: dict[str, int] = {fid: i for i, fid in enumerate(self.ids)}
        n = self.n = len(films)
        self.year = np.array([f.year or 0 for f in films], dtype=np.int32)
        self.runtime = np.array([f.runtime or 0 for f in films], dtype=np.int32)
        priors = catalog.priors()
        self.prior = (np.array([priors.get(f.id, 0.0) for f in films], dtype=np.float32) / np.float32(1.35))
        self.series = series_keys(films)
        # Per family: each posting's row, column and weight in typed arrays (no Python object per entry:
        # a million postings as lists of ints and floats would cost ~70 MB while the arrays are built).
        rows: dict[str, array[int]] = {f: array("i") for f in FAMILIES}
        columns: dict[str, array[int]] = {f: array("i") for f in FAMILIES}
        weights: dict[str, array[float]] = {f: array("f") for f in FAMILIES}
        index: dict[str, dict[str, int]] = {f: {} for f in FAMILIES}
        for row, (film, series) in enumerate(zip(films, self.series, strict=True)):
            for family, weighted in film_keys(film, series).items():
                columns_of = index[family]
                for key, weight in weighted:
                    column = columns_of.get(key)
                    if column is None:
                        column = columns_of[key] = len(columns_of)
                    rows[family].append(row)
                    columns[family].append(column)
                    weights[family].append(weight)
        self._cache: dict[str, object] = {}
        self.families: dict[str, Family] = {}
        for family in FAMILIES:
            distinct = list(index[family])
            scale = (np.array([catalog.tag_weight(k) for k in distinct], dtype=np.float32)
                     if family == "tag" else None)
            self.families[family] = Family(np.frombuffer(rows[family], dtype=np.int32).copy(),
                                           np.frombuffer(columns[family], dtype=np.int32).copy(),
                                           np.frombuffer(weights[family], dtype=np.float32).copy(), distinct, n,
                                           family in IDF_FAMILIES, scale)

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """A value derived from this version of the arrays, built once."""
        if name not in self._cache:
            self._cache[name] = build()
        return cast(T, self._cache[name])

    def mask(self, catalog: Catalog, family: str, key: str) -> npt.NDArray[np.bool_]:
        """Rows of the films the catalogue indexes under (family, key), as a boolean mask (cached)."""
        def build() -> npt.NDArray[np.bool_]:
            mask = np.zeros(self.n, bool)
            rows = [self.rows[fid] for fid in catalog.postings(family, key) if fid in self.rows]
            mask[rows] = True
            return mask

        return self.cached(f"mask:{family}:{key}", build)

    @classmethod
    def for_catalog(cls, catalog: Catalog, current: FilmArrays | None) -> FilmArrays:
        """The arrays of the catalogue as it is now: `current` if it is still up to date."""
        if current is not None and current.version == catalog.version:
            return current
        return cls(catalog)
