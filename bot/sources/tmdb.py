"""TMDB API v3: find a film by IMDb id, where it streams (JustWatch's data), trending and popular films.

Authentication is either a v3 API key (`?api_key=`) or a v4 API Read Access Token (`Authorization: Bearer`);
`TMDB_API_KEY` may hold either and the client tells them apart (a token is the long `eyJ...` JWT). Only one
is sent. Error bodies are `{"status_code": 7, "status_message": "...", "success": false}`.

Everything TMDB sends is parsed strictly: an item with a wrong type or a missing field is skipped and
counted (`skipped`), never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .http import HttpSource, SourceError, json_or_error

DEFAULT_BASE = "https://api.themoviedb.org/3"
# TMDB's terms: watch-provider data comes from JustWatch and must be credited to it wherever it is shown.
PROVIDER_SOURCE = "JustWatch via TMDB"
TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
# TMDB's offer types -> ours. "ads" (free with adverts) is free to the viewer.
OFFER_KINDS = {"flatrate": "subscription", "free": "free", "ads": "free", "rent": "rent", "buy": "buy"}

_IMAGE_PATH = re.compile(r"/[A-Za-z0-9_-]{1,64}\.(?:jpg|jpeg|png|webp)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_REGION = re.compile(r"[A-Z]{2}")
_SIZE = re.compile(r"w\d{2,4}|original")
MAX_TITLE = 200
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class TmdbMovie:
    id: int
    title: str
    year: int | None
    poster_path: str | None
    popularity: float = 0.0
    original_title: str | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    provider_id: int
    provider_name: str
    kind: str  # ours: subscription, free, rent, buy
    priority: int = 0


@dataclass(slots=True)
class WatchProviders:
    tmdb_id: int
    regions: dict[str, list[Offer]] = field(default_factory=dict)  # ISO 3166-1 -> offers
    links: dict[str, str] = field(default_factory=dict)  # region -> TMDB's own watch page
    skipped: int = 0


@dataclass(slots=True)
class MoviePage:
    movies: list[TmdbMovie]
    page: int
    total_pages: int
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class Provider:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ImageConfig:
    secure_base_url: str
    poster_size: str

    def poster(self, path: str) -> str:
        return f"{self.secure_base_url.rstrip('/')}/{self.poster_size}{path}"


def is_read_token(key: str) -> bool:
    """A v4 API Read Access Token (a JWT: `eyJ...` with two dots) rather than a 32-character v3 key."""
    return key.startswith("eyJ") and key.count(".") == 2


class TmdbClient:
    def __init__(self, http: HttpSource, key: str, base: str = DEFAULT_BASE) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self._key = key
        self._images: ImageConfig | None = None

    async def close(self) -> None:
        await self.http.close()

    async def _get(self, path: str, **params: str) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if is_read_token(self._key):
            headers["Authorization"] = f"Bearer {self._key}"
        else:
            params["api_key"] = self._key
        try:
            body = await self.http.get(self.base + path, params=params, headers=headers, what=f"GET {path}")
        except SourceError as error:
            if error.kind == "auth":
                error.args = (f"{error.args[0]} — check TMDB_API_KEY: it takes the v3 API key (32 characters) "
                              "or the API Read Access Token (the long eyJ... string), from themoviedb.org > "
                              "Settings > API",)
            raise
        data = json_or_error("TMDB", body, f"GET {path}")
        if not isinstance(data, dict):
            raise SourceError("bad_response", f"TMDB sent a {type(data).__name__} for GET {path}, not an object")
        return data

    # Endpoints ---------------------------------------------------------------------------------------------
    async def images(self) -> ImageConfig:
        """`GET /configuration`, read once per process (TMDB advises caching it)."""
        if self._images is None:
            data = await self._get("/configuration")
            images = data.get("images")
            base = images.get("secure_base_url") if isinstance(images, dict) else None
            sizes = images.get("poster_sizes") if isinstance(images, dict) else None
            if not (isinstance(base, str) and base.startswith("https://") and len(base) < 200
                    and isinstance(sizes, list) and all(isinstance(s, str) for s in sizes)):
                raise SourceError("bad_response", "TMDB's /configuration has no usable images.secure_base_url")
            usable = [s for s in sizes if _SIZE.fullmatch(s)]
            size = "w342" if "w342" in usable else next((s for s in usable if s != "original"), None)
            if size is None:
                raise SourceError("bad_response", "TMDB's /configuration lists no poster size")
            self._images = ImageConfig(base, size)
        return self._images

    async def find_by_imdb(self, imdb_id: str) -> TmdbMovie | None:
        """The film with this IMDb id, or None when TMDB has none (an empty answer or a 404)."""
        try:
            data = await self._get(f"/find/{imdb_id}", external_source="imdb_id")
        except SourceError as error:
            if error.kind == "not_found":
                return None
            raise
        results = data.get("movie_results")
        if not isinstance(results, list):
            raise SourceError("bad_response", "TMDB's /find answer has no movie_results list")
        movies = [m for m in (movie_from(item) for item in results) if m is not None]
        return movies[0] if len(movies) == 1 else None

    async def search(self, title: str, year: int) -> list[TmdbMovie]:
        data = await self._get("/search/movie", query=title, primary_release_year=str(year))
        return self._page(data, "/search/movie").movies

    async def watch_providers(self, tmdb_id: int) -> WatchProviders:
        data = await self._get(f"/movie/{tmdb_id}/watch/providers")
        return providers_from(tmdb_id, data)

    async def trending(self, window: str = "week", page: int = 1) -> MoviePage:
        if window not in ("day", "week"):
            raise ValueError("window is day or week")
        return self._page(await self._get(f"/trending/movie/{window}", page=str(page)), "/trending")

    async def providers(self, region: str) -> list[Provider]:
        """The watch providers TMDB knows for films in a region."""
        data = await self._get("/watch/providers/movie", watch_region=region)
        results = data.get("results")
        if not isinstance(results, list):
            raise SourceError("bad_response", "TMDB's provider list has no results list")
        out = []
        for item in results:
            if (isinstance(item, dict) and _int(item.get("provider_id")) is not None
                    and _text(item.get("provider_name"), MAX_NAME)):
                out.append(Provider(item["provider_id"], item["provider_name"].strip()))
        return out

    async def popular_on(self, provider_id: int, region: str, page: int = 1) -> MoviePage:
        """Films on one provider (subscription) in a region, most popular first (`/discover/movie`)."""
        data = await self._get("/discover/movie", watch_region=region, with_watch_providers=str(provider_id),
                               with_watch_monetization_types="flatrate", sort_by="popularity.desc",
                               include_adult="false", page=str(page))
        return self._page(data, "/discover/movie")

    @staticmethod
    def _page(data: dict[str, Any], what: str) -> MoviePage:
        results, page, pages = data.get("results"), _int(data.get("page")), _int(data.get("total_pages"))
        if not isinstance(results, list) or page is None or pages is None:
            raise SourceError("bad_response", f"TMDB's {what} answer is not a page of results")
        movies = [movie_from(item) for item in results]
        kept = [m for m in movies if m is not None]
        return MoviePage(kept, page, pages, skipped=len(movies) - len(kept))


# Parsing ------------------------------------------------------------------------------------------------


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else None


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        return None
    if any(ord(c) < 32 or c in "\u2028\u2029\u202e\u202d" for c in value):
        return None
    return value.strip()


def movie_from(item: object) -> TmdbMovie | None:
    """A film from a list item (`/find`, `/trending`, `/discover`, `/search`), or None if it is malformed."""
    if not isinstance(item, dict):
        return None
    movie_id, title = _int(item.get("id")), _text(item.get("title"), MAX_TITLE)
    if not movie_id or title is None or item.get("media_type", "movie") != "movie":
        return None
    date = item.get("release_date")
    if date in (None, ""):
        year = None
    elif isinstance(date, str) and (match := _DATE.fullmatch(date)):
        year = int(match.group(1))
    else:
        return None
    poster = item.get("poster_path")
    if poster is not None and not (isinstance(poster, str) and _IMAGE_PATH.fullmatch(poster)):
        return None
    popularity = item.get("popularity", 0.0)
    if isinstance(popularity, bool) or not isinstance(popularity, (int, float)) or not 0 <= popularity < 1e9:
        return None
    original = _text(item.get("original_title"), MAX_TITLE)
    return TmdbMovie(movie_id, title, year, poster, float(popularity), original if original != title else None)


def providers_from(tmdb_id: int, data: dict[str, Any]) -> WatchProviders:
    results = data.get("results")
    if not isinstance(results, dict):
        raise SourceError("bad_response", f"TMDB's watch providers for movie {tmdb_id} have no results object")
    out = WatchProviders(tmdb_id)
    for region, offers in results.items():
        if not (isinstance(region, str) and _REGION.fullmatch(region)) or not isinstance(offers, dict):
            out.skipped += 1
            continue
        link = offers.get("link")
        if isinstance(link, str) and link.startswith("https://www.themoviedb.org/") and len(link) < 300:
            out.links[region] = link
        seen: set[tuple[int, str]] = set()
        kept: list[Offer] = []
        for offer_type, kind in OFFER_KINDS.items():
            items = offers.get(offer_type)
            if items is None:
                continue
            if not isinstance(items, list):
                out.skipped += 1
                continue
            for item in items:
                provider_id = _int(item.get("provider_id")) if isinstance(item, dict) else None
                name = _text(item.get("provider_name"), MAX_NAME) if isinstance(item, dict) else None
                if provider_id is None or name is None:
                    out.skipped += 1
                    continue
                if (provider_id, kind) in seen:  # "free" and "ads" both map to free
                    continue
                seen.add((provider_id, kind))
                priority = _int(item.get("display_priority"))
                kept.append(Offer(provider_id, name, kind, priority if priority is not None else 999))
        out.regions[region] = kept
    return out
