"""Wikidata's SPARQL endpoint (the Wikidata Query Service): films released in a date range, and the facts of
a batch of films, as SPARQL 1.1 Query Results JSON.

Politeness, as the service asks: a descriptive User-Agent with the operator's contact (generic library
agents may be blocked), one query at a time, a wait of Retry-After (or a minute) on 429, and paging by date
range rather than deep OFFSETs. A query that times out may arrive as HTTP 200 with the JSON cut off and a
Java stack trace appended: every body is decoded whole or refused.

Facts come back in "long" form — one row per (film, property, value) — so that a film with 40 cast members
and 5 genres is 45 rows, not 200 (a row per combination).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .http import HttpSource, SourceError, json_or_error

DEFAULT_URL = "https://query.wikidata.org/sparql"
ENTITY = "http://www.wikidata.org/entity/"
QID = re.compile(r"Q[1-9]\d{0,11}")
IMDB = re.compile(r"tt\d{7,8}")
# Rotten Tomatoes and Metacritic as "review score by" (P447) values.
ROTTEN_TOMATOES = "Q105584"
METACRITIC = "Q150248"
MINUTE, SECOND, HOUR = "Q7727", "Q11574", "Q25235"
MAX_BATCH = 50  # films per facts query

# Which property each row of a facts query reports (the ?prop of the long form).
PROPS = ("label", "title", "imdb", "date", "director", "cast", "duration", "country", "language", "genre",
         "series", "review")

_FACTS = """SELECT ?film ?prop ?value ?item ?itemLabel ?ord ?unit ?by ?when ?count WHERE {
  VALUES ?film { %(films)s }
  { ?film rdfs:label ?value . FILTER(LANG(?value) = "en") BIND("label" AS ?prop) }
  UNION { ?film wdt:P1476 ?value . BIND("title" AS ?prop) }
  UNION { ?film wdt:P345 ?value . BIND("imdb" AS ?prop) }
  UNION { ?film wdt:P577 ?value . BIND("date" AS ?prop) }
  UNION { ?film wdt:P57 ?item . BIND("director" AS ?prop) }
  UNION { ?film p:P161 ?st . ?st ps:P161 ?item . OPTIONAL { ?st pq:P1545 ?ord } BIND("cast" AS ?prop) }
  UNION { ?film p:P2047/psv:P2047 ?dv . ?dv wikibase:quantityAmount ?value ; wikibase:quantityUnit ?unit .
          BIND("duration" AS ?prop) }
  UNION { ?film wdt:P495 ?item . BIND("country" AS ?prop) }
  UNION { ?film wdt:P364 ?item . BIND("language" AS ?prop) }
  UNION { ?film wdt:P136 ?item . BIND("genre" AS ?prop) }
  UNION { ?film p:P179 ?st . ?st ps:P179 ?item . OPTIONAL { ?st pq:P1545 ?ord } BIND("series" AS ?prop) }
  UNION { ?film p:P444 ?st . ?st ps:P444 ?value ; pq:P447 ?by . OPTIONAL { ?st pq:P585 ?when }
          OPTIONAL { ?st pq:P7887 ?count } BIND("review" AS ?prop) }
  OPTIONAL { ?item rdfs:label ?itemLabel . FILTER(LANG(?itemLabel) = "en") }
}"""

_RELEASED = """SELECT ?film ?imdb ?first WHERE {
  { SELECT ?film (MIN(?date) AS ?first) WHERE {
      ?film wdt:P31 wd:Q11424 ; wdt:P577 ?date .
      FILTER(?date >= "%(start)sT00:00:00Z"^^xsd:dateTime && ?date < "%(end)sT00:00:00Z"^^xsd:dateTime)
    } GROUP BY ?film }
  FILTER NOT EXISTS { ?film wdt:P577 ?earlier . FILTER(?earlier < "%(start)sT00:00:00Z"^^xsd:dateTime) }
  ?film wdt:P345 ?imdb .
}
ORDER BY ?film
LIMIT %(limit)d OFFSET %(offset)d"""

_BY_IMDB = """SELECT ?film ?imdb WHERE {
  VALUES ?imdb { %(ids)s }
  ?film wdt:P345 ?imdb ; wdt:P31 wd:Q11424 .
}"""


def released_query(start: dt.date, end: dt.date, *, limit: int, offset: int = 0) -> str:
    """Feature films (P31 Q11424) with an IMDb id whose first release date (P577) falls in [start, end)."""
    return _RELEASED % {"start": start.isoformat(), "end": end.isoformat(), "limit": limit, "offset": offset}


def by_imdb_query(imdb_ids: Iterable[str]) -> str:
    ids = [i for i in imdb_ids if IMDB.fullmatch(i)]
    return _BY_IMDB % {"ids": " ".join(f'"{i}"' for i in ids)}


def facts_query(qids: Iterable[str]) -> str:
    films = [q for q in qids if QID.fullmatch(q)]
    if not films or len(films) > MAX_BATCH:
        raise ValueError(f"a facts query takes 1-{MAX_BATCH} Q-ids")
    return _FACTS % {"films": " ".join(f"wd:{q}" for q in films)}


@dataclass(frozen=True, slots=True)
class Listed:
    qid: str
    imdb: str


@dataclass(slots=True)
class Bindings:
    rows: list[dict[str, dict[str, str]]]
    skipped: int = 0


@dataclass(slots=True)
class FactRows:
    """The long-form rows of a facts query, grouped by film Q-id."""

    by_film: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    skipped: int = 0


class WikidataClient:
    def __init__(self, http: HttpSource, url: str = DEFAULT_URL) -> None:
        self.http = http
        self.url = url

    async def close(self) -> None:
        await self.http.close()

    async def select(self, query: str, what: str) -> Bindings:
        body = await self.http.get(self.url, params={"query": query, "format": "json"},
                                   headers={"Accept": "application/sparql-results+json"}, what=what)
        return bindings_from(json_or_error("Wikidata", body, what), what)

    async def released(self, start: dt.date, end: dt.date, *, limit: int, offset: int = 0) -> tuple[list[Listed], int]:
        """(films first released in [start, end), rows skipped) — one page of at most `limit`."""
        found = await self.select(released_query(start, end, limit=limit, offset=offset),
                                  f"films released {start}..{end} (offset {offset})")
        out, skipped = [], found.skipped
        for row in found.rows:
            qid, imdb = qid_of(row.get("film")), literal(row.get("imdb"))
            if qid is None or imdb is None or not IMDB.fullmatch(imdb):
                skipped += 1
                continue
            out.append(Listed(qid, imdb))
        return out, skipped

    async def by_imdb(self, imdb_ids: list[str]) -> tuple[list[Listed], int]:
        found = await self.select(by_imdb_query(imdb_ids), f"{len(imdb_ids)} films by IMDb id")
        out, skipped = [], found.skipped
        for row in found.rows:
            qid, imdb = qid_of(row.get("film")), literal(row.get("imdb"))
            if qid is None or imdb is None:
                skipped += 1
                continue
            out.append(Listed(qid, imdb))
        return out, skipped

    async def facts(self, qids: list[str]) -> FactRows:
        found = await self.select(facts_query(qids), f"facts of {len(qids)} films")
        out = FactRows(skipped=found.skipped)
        for row in found.rows:
            qid, prop = qid_of(row.get("film")), literal(row.get("prop"))
            if qid is None or prop not in PROPS:
                out.skipped += 1
                continue
            flat = {"prop": prop}
            for key in ("value", "itemLabel", "ord", "when", "count"):
                if (text := literal(row.get(key))) is not None:
                    flat[key] = text
            for key in ("item", "unit", "by"):
                if (entity := qid_of(row.get(key))) is not None:
                    flat[key] = entity
            out.by_film.setdefault(qid, []).append(flat)
        return out


def bindings_from(data: Any, what: str) -> Bindings:
    """The bindings of a SPARQL JSON result; each must map variables to `{type, value}` objects."""
    head = data.get("head") if isinstance(data, dict) else None
    results = data.get("results") if isinstance(data, dict) else None
    rows = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(head, dict) or not isinstance(head.get("vars"), list) or not isinstance(rows, list):
        raise SourceError("bad_response", f"Wikidata's answer for {what} is not SPARQL JSON results")
    out = Bindings([])
    for row in rows:
        if isinstance(row, dict) and all(isinstance(v, dict) and v.get("type") in ("uri", "literal", "bnode")
                                         and isinstance(v.get("value"), str) for v in row.values()):
            out.rows.append(row)
        else:
            out.skipped += 1
    return out


def qid_of(term: object) -> str | None:
    """`wd:Q123` from a uri term `http://www.wikidata.org/entity/Q123`, else None."""
    if not isinstance(term, dict) or term.get("type") != "uri":
        return None
    value = term.get("value", "")
    if not isinstance(value, str) or not value.startswith(ENTITY):
        return None
    qid = value[len(ENTITY):]
    return qid if QID.fullmatch(qid) else None


def literal(term: object) -> str | None:
    if not isinstance(term, dict) or term.get("type") != "literal" or not isinstance(term.get("value"), str):
        return None
    return term["value"]
