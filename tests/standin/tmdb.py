"""A local TMDB (API v3) for tests: real HTTP on 127.0.0.1, TMDB's status codes and error bodies, and
recorded-shape answers for a fixed set of films.

    tmdb = TmdbStandIn()                 # tmdb.api_base -> http://127.0.0.1:PORT/3 ; tmdb.key, tmdb.token
    await tmdb.start()
    tmdb.rate_limit(3, retry_after=1)    # the next 3 requests get 429 (status_code 25) with Retry-After: 1
    tmdb.delay("/movie/949", 2.0)        # requests under that path answer after 2 s
    assert tmdb.impatient == []          # no request came back before a Retry-After had passed

What it checks, as TMDB does: an API key (`?api_key=`) or a read-access token (`Authorization: Bearer`),
else 401 status_code 7; unknown routes and films 404 status_code 34 (6 for an id that is not a number);
`page` outside 1-500 is 400 status_code 22; `/find` needs `external_source`, and an unknown IMDb id is a
200 with five empty arrays. The films, ids and provider lists below are written by us in TMDB's shapes;
ids are the stand-in's own, not necessarily TMDB's.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .local import LocalServer

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJzdGFuZGluIn0.c3RhbmRpbi1zaWduYXR1cmU"

PROVIDERS = {  # provider_id -> name, as TMDB spells them
    8: "Netflix", 9: "Amazon Prime Video", 10: "Amazon Video", 2: "Apple TV", 1899: "Max", 386: "Peacock Premium",
    73: "Tubi TV", 1796: "Netflix basic with Ads", 204: "Shudder Amazon Channel", 3: "Google Play Movies",
}


def _offer(provider_id: int, priority: int = 1) -> dict[str, Any]:
    return {"logo_path": f"/logo{provider_id}.jpg", "provider_id": provider_id,
            "provider_name": PROVIDERS[provider_id], "display_priority": priority}


def _movie(tmdb_id: int, title: str, date: str, poster: str | None, popularity: float = 10.0, **extra: Any) -> dict:
    return {"adult": False, "backdrop_path": None, "genre_ids": [18], "id": tmdb_id, "media_type": "movie",
            "original_language": "en", "original_title": extra.pop("original_title", title), "overview": "",
            "popularity": popularity, "poster_path": poster, "release_date": date, "title": title,
            "video": False, "vote_average": 7.5, "vote_count": 1000, **extra}


@dataclass
class Film:
    movie: dict[str, Any]
    imdb: str | None
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)


FILMS = [
    Film(_movie(949, "Heat", "1995-12-15", "/heatPoster949.jpg", 40.5), "tt0113277", {
        "US": {"flatrate": [_offer(1899, 3), _offer(204, 40)], "rent": [_offer(2), _offer(10, 2)],
               "buy": [_offer(2), {"provider_id": "x", "provider_name": 5}]},
        "GB": {"flatrate": [_offer(8)], "ads": [_offer(73)], "free": [_offer(73)]},
        "XX1": {"flatrate": [_offer(8)]},  # not a region code: skipped
    }),
    Film(_movie(245891, "John Wick", "2014-10-22", "/wickPoster.jpg", 60.0), "tt2911666", {
        "US": {"flatrate": [_offer(386)], "ads": [_offer(73)], "rent": [_offer(2)]},
    }),
    Film(_movie(24, "Kill Bill: Vol. 1", "2003-10-10", "/killbill24.jpg", 35.0), "tt0266697", {
        "US": {"flatrate": [_offer(8)], "buy": [_offer(3)]},
    }),
    Film(_movie(1233413, "Sinners", "2025-04-16", "/sinners.jpg", 150.0), None, {
        "US": {"flatrate": [_offer(1899)], "rent": [_offer(2)]},
    }),
    Film(_movie(1000001, "Ballerina", "2023-10-06", "/ballerina2023.jpg", 30.0,
                original_language="ko", original_title="발레리나"), None, {"US": {"flatrate": [_offer(8)]}}),
    Film(_movie(1000002, "Ballerina", "2025-06-04", "/ballerina2025.jpg", 90.0), None, {}),
]
# Trending this week: catalogue films, one TMDB film Marquee does not have (its title tries markdown and a
# ping), and one malformed item (an id that is not a number) that must be skipped.
TRENDING = [1233413, 949, 2000001, "bad"]
UNKNOWN = _movie(2000001, "**Loud** @everyone <b>Premiere</b>", "2026-11-20", "/loud.jpg", 300.0)
# What /discover answers for Netflix (8) in the US, most popular first: Ballerina (2023) is #8.
NETFLIX_US = [2000010 + n for n in range(7)] + [1000001, 24]


class TmdbStandIn(LocalServer):
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.key, self.token = KEY, TOKEN
        self.films = {f.movie["id"]: f for f in FILMS}
        self.requests: list[tuple[str, dict[str, str], str]] = []  # (path, query without the key, auth used)
        self.impatient: list[str] = []  # requests that came while a Retry-After was still running
        self._limit = 0
        self._retry_after = 1
        self._cooldown_until = 0.0
        self._delays: dict[str, float] = {}
        self._runner: web.AppRunner | None = None

    # Controls ------------------------------------------------------------------------------------------
    def rate_limit(self, count: int, *, retry_after: int = 1) -> None:
        self._limit, self._retry_after = count, retry_after

    def delay(self, path_prefix: str, seconds: float) -> None:
        self._delays[path_prefix] = seconds

    @property
    def api_base(self) -> str:
        return f"http://{self.host}:{self.port}/3"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/3/{tail:.*}", self._handle)

    # HTTP ----------------------------------------------------------------------------------------------
    @staticmethod
    def _error(http: int, code: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        body = {"success": False, "status_code": code, "status_message": message}
        return web.json_response(body, status=http, headers=headers)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        query = {k: v for k, v in request.query.items() if k != "api_key"}
        bearer = request.headers.get("Authorization", "")
        auth = "api_key" if "api_key" in request.query else ("bearer" if bearer else "none")
        self.requests.append((path, query, auth))
        now = time.monotonic()
        if now < self._cooldown_until:
            self.impatient.append(path)
        if self._limit > 0:
            self._limit -= 1
            self._cooldown_until = now + self._retry_after
            return self._error(429, 25, "Your request count (41) is over the allowed limit of 40.",
                               {"Retry-After": str(self._retry_after)})
        if not (request.query.get("api_key") == self.key or bearer == f"Bearer {self.token}"):
            return self._error(401, 7, "Invalid API key: You must be granted a valid key.")
        for prefix, seconds in self._delays.items():
            if path.startswith(prefix):
                await asyncio.sleep(seconds)
        page = request.query.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= 500:
            return self._error(400, 22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an "
                                        "integer.")
        parts = path.strip("/").split("/")
        if parts == ["configuration"]:
            return web.json_response({"images": {
                "base_url": "http://image.tmdb.org/t/p/", "secure_base_url": "https://image.tmdb.org/t/p/",
                "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
                "backdrop_sizes": ["w300", "w780", "w1280", "original"],
                "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
                "profile_sizes": ["w45", "w185", "h632", "original"], "still_sizes": ["w92", "w185", "w300", "original"]},
                "change_keys": ["adult", "title"]})
        if len(parts) == 2 and parts[0] == "find":
            if request.query.get("external_source") != "imdb_id":
                return self._error(400, 5, "Invalid parameters: Your request parameters are incorrect.")
            found = [f.movie for f in self.films.values() if f.imdb == parts[1]]
            return web.json_response({"movie_results": found, "person_results": [], "tv_results": [],
                                      "tv_episode_results": [], "tv_season_results": []})
        if parts == ["search", "movie"]:
            text = request.query.get("query", "").casefold()
            year = request.query.get("primary_release_year")
            hits = [f.movie for f in self.films.values() if f.movie["title"].casefold() == text
                    and (year is None or f.movie["release_date"].startswith(year))]
            return web.json_response({"page": 1, "results": hits, "total_pages": 1, "total_results": len(hits)})
        if len(parts) == 4 and parts[0] == "movie" and parts[2:] == ["watch", "providers"]:
            if not parts[1].isdigit():
                return self._error(404, 6, "Invalid id: The pre-requisite id is invalid or not found.")
            film = self.films.get(int(parts[1]))
            if film is None:
                return self._error(404, 34, "The resource you requested could not be found.")
            results = {region: {"link": f"https://www.themoviedb.org/movie/{film.movie['id']}/watch?locale={region}",
                                **offers} for region, offers in film.providers.items()}
            return web.json_response({"id": film.movie["id"], "results": results})
        if parts[:2] == ["trending", "movie"] and len(parts) == 3:
            if parts[2] not in ("day", "week"):
                return self._error(404, 34, "The resource you requested could not be found.")
            items = [self.films[i].movie if i in self.films else UNKNOWN if i == 2000001 else {"id": i}
                     for i in TRENDING]
            return web.json_response({"page": 1, "results": items, "total_pages": 1, "total_results": len(items)})
        if parts == ["watch", "providers", "movie"]:
            return web.json_response({"results": [
                {"display_priorities": {"US": n}, "display_priority": n, "logo_path": f"/logo{pid}.jpg",
                 "provider_name": name, "provider_id": pid} for n, (pid, name) in enumerate(PROVIDERS.items())]})
        if parts == ["discover", "movie"]:
            ids = NETFLIX_US if (request.query.get("with_watch_providers") == "8"
                                 and request.query.get("watch_region") == "US") else []
            items = [self.films[i].movie if i in self.films else _movie(i, f"Netflix Hit {i - 2000009}", "2026-10-01",
                                                                          None, 100.0 - i % 100) for i in ids]
            return web.json_response({"page": 1, "results": items, "total_pages": 1, "total_results": len(items)})
        return self._error(404, 34, "The resource you requested could not be found.")
