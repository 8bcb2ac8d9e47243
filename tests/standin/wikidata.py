"""A local Wikidata Query Service (SPARQL endpoint) for tests: real HTTP on 127.0.0.1 answering SPARQL 1.1
Query Results JSON for a fixed set of films, with the service's own failures.

    wdqs = WikidataStandIn()             # wdqs.url -> http://127.0.0.1:PORT/sparql
    await wdqs.start()
    wdqs.throttle(2, retry_after=1)      # the next 2 queries get 429 with Retry-After: 1
    wdqs.time_out_next(1)                # the next facts query: HTTP 200, JSON cut off, a Java stack trace
    assert wdqs.bans == []               # nobody came back before Retry-After had passed (WDQS bans them)

What it checks, as WDQS does: a User-Agent that says who is asking (none, or a library's default, is 403);
JSON only when asked for (`format=json` or `Accept: application/sparql-results+json`; XML otherwise); a
query that does not parse is 400 with Blazegraph's `MalformedQueryException` text (unbalanced braces or
quotes, an undeclared prefix, a SELECT variable the WHERE clause never binds); a client that ignores a 429's
Retry-After is banned (403, "please respect throttling and retry-after headers").

It does not run SPARQL: it recognises Marquee's three query shapes (films released in a date range, with
LIMIT/OFFSET over ORDER BY ?film; films by IMDb id; the long-form facts of `VALUES ?film {...}`) and answers
them from FILMS, which we wrote in Wikidata's shapes. Q-ids and IMDb ids of new films are the stand-in's own.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from typing import Any

from aiohttp import web

from .local import LocalServer

ENTITY = "http://www.wikidata.org/entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {"wd", "wdt", "p", "ps", "pq", "psv", "wikibase", "rdfs", "bd", "xsd", "schema", "skos", "rdf"}
GENERIC_AGENTS = ("python-requests", "Python-urllib", "aiohttp/", "curl/", "Wget")
MINUTE, SECOND = "Q7727", "Q11574"


def _film(qid: str, label: str, imdb: list[str], dates: list[str], **facts: Any) -> dict[str, Any]:
    return {"qid": qid, "label": label, "imdb": imdb, "dates": dates, **facts}


# (Q-id, label) pairs for items; cast as (Q-id, label, billing ordinal or None).
FILMS = [
    _film("Q116000001", "Roofman", ["tt9990001"], ["2025-09-06", "2025-10-10"],
          directors=[("Q2087001", "Derek Cianfrance")],
          cast=[("Q2087010", "Channing Tatum", "1"), ("Q2087011", "Kirsten Dunst", "2"),
                ("Q2087012", "Peter Dinklage", None)],
          duration=[("126", MINUTE)], countries=[("Q30", "United States of America")],
          languages=[("Q1860", "English")], genres=[("Q959790", "crime film"), ("Q859369", "comedy-drama film")]),
    _film("Q116000002", "Song Sung Blue", ["tt9990002"], ["2025-09-08", "2025-12-25"],
          directors=[("Q2087020", "Craig Brewer")],
          cast=[("Q2087021", "Hugh Jackman", "1"), ("Q2087022", "Kate Hudson", "2")],
          countries=[("Q30", "United States of America")], languages=[("Q1860", "English")],
          genres=[("Q842256", "musical film"), ("Q645928", "biographical film"), ("Q130232", "drama film")]),
    # A film we have, lacking its runtime and IMDb id: the refresh fills both, and nothing else.
    _film("Q116000003", "Bugonia", ["tt9990003"], ["2025-08-28"], directors=[("Q2087030", "Yorgos Lanthimos")],
          duration=[("118", MINUTE)], countries=[("Q30", "United States of America")],
          languages=[("Q1860", "English")], genres=[("Q471839", "science fiction film")]),
    # A film we have with its runtime: Wikidata's (in seconds) is read, ours kept; the IMDb id is filled.
    _film("Q116000004", "Sinners", ["tt9990004"], ["2025-04-18"], directors=[("Q2087040", "Ryan Coogler")],
          duration=[("8220", SECOND)], countries=[("Q30", "United States of America")]),
    # Bad records, each skipped and counted: two IMDb ids; no English label; an unreadable runtime and a
    # bidi override in a cast name (the record validator refuses it).
    _film("Q116000005", "Twice Listed", ["tt9990005", "tt9990006"], ["2025-03-01"],
          directors=[("Q2087050", "Some One")]),
    _film("Q116000006", None, ["tt9990007"], ["2025-03-02"], directors=[("Q2087060", "No Label")]),  # type: ignore[arg-type]
    _film("Q116000007", "Broken Facts", ["tt9990008"], ["2025-03-03"], directors=[("Q2087070", "Ann Other")],
          duration=[("abc", MINUTE)], cast=[("Q2087071", "Evil\u202eName", "1")]),
    # A curated film we have (by IMDb id): Wikidata's runtime differs; ours is kept.
    _film("Q116000008", "Heat", ["tt0113277"], ["1995-12-15"], directors=[("Q2087080", "Michael Mann")],
          duration=[("171", MINUTE)],
          reviews=[("88%", "Q105584", "2026-11-01", "150"), ("76/100", "Q150248", None, None)]),
]


class WikidataStandIn(LocalServer):
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, films: list[dict[str, Any]] | None = None) -> None:
        self.host, self.port = host, port
        self.films = {f["qid"]: f for f in (films or FILMS)}
        self.queries: list[str] = []
        self.agents: list[str] = []
        self.bans: list[str] = []
        self.malformed: list[str] = []
        self._throttle = 0
        self._retry_after = 1
        self._cooldown_until = 0.0
        self._time_outs = 0
        self._hang = 0.0
        self._runner: web.AppRunner | None = None

    # Controls ------------------------------------------------------------------------------------------
    def throttle(self, count: int, *, retry_after: int = 1) -> None:
        self._throttle, self._retry_after = count, retry_after

    def time_out_next(self, count: int = 1) -> None:
        """The next `count` facts queries of more than one film arrive cut off, as WDQS's 60 s deadline does."""
        self._time_outs = count

    def hang(self, seconds: float) -> None:
        self._hang = seconds

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/sparql"

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/sparql", self._handle)

    # HTTP ----------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        agent = request.headers.get("User-Agent", "")
        self.agents.append(agent)
        if not agent or agent.startswith(GENERIC_AGENTS) or "(" not in agent:
            return web.Response(status=403, text="Please set a user-agent and respect our robot policy "
                                                 "https://w.wiki/4wJS. See also https://phabricator.wikimedia.org/T400119.")
        now = time.monotonic()
        if now < self._cooldown_until:
            until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
            self.bans.append(agent)
            return web.Response(status=403, text=f"You have been banned until {until.isoformat()}, please respect "
                                                 "throttling and retry-after headers.")
        if self._throttle > 0:
            self._throttle -= 1
            self._cooldown_until = now + self._retry_after
            return web.Response(status=429, text="Too Many Requests - Please retry in "
                                                 f"{self._retry_after} seconds.",
                                headers={"Retry-After": str(self._retry_after)})
        if self._hang:
            await asyncio.sleep(self._hang)
        form = await request.post() if request.method == "POST" else {}
        query = request.query.get("query") or str(form.get("query", ""))
        self.queries.append(query)
        if not query:
            return web.Response(status=400, text="Bad Request: no query")
        problem = syntax_problem(query)
        if problem:
            self.malformed.append(query)
            return web.Response(status=400, content_type="text/plain", text=(
                f"SPARQL-QUERY: queryStr={query}\njava.util.concurrent.ExecutionException: "
                f"org.openrdf.query.MalformedQueryException: {problem}\n\tat java.util.concurrent.FutureTask."
                "report(FutureTask.java:122)\n\tat com.bigdata.rdf.sail.webapp.BigdataServlet.submitApiTask("
                "BigdataServlet.java:292)\n"))
        wants_json = request.query.get("format") == "json" or "sparql-results+json" in request.headers.get("Accept", "")
        variables = select_vars(query)
        rows = self._answer(query)
        if not wants_json:
            return web.Response(content_type="application/sparql-results+xml",
                                text='<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                                     '<head/><results/></sparql>')
        body = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}})
        if self._time_outs and "VALUES ?film" in query and query.count("wd:Q") > 1:
            self._time_outs -= 1
            cut = body[: max(20, len(body) // 2)]
            body = cut + (f"\nSPARQL-QUERY: queryStr={query}\njava.util.concurrent.TimeoutException\n\tat "
                          "java.util.concurrent.FutureTask.get(FutureTask.java:205)\n")
        return web.Response(body=body.encode(), headers={"Content-Type": "application/sparql-results+json;charset=utf-8"})

    # Answers -------------------------------------------------------------------------------------------
    def _answer(self, query: str) -> list[dict[str, Any]]:
        if "VALUES ?film" in query:
            wanted = re.findall(r"wd:(Q\d+)", query.split("VALUES ?film", 1)[1].split("}", 1)[0])
            return [row for qid in wanted if qid in self.films for row in facts_rows(self.films[qid])]
        if "VALUES ?imdb" in query:
            wanted = set(re.findall(r'"(tt\d+)"', query))
            return [{"film": _uri(f["qid"]), "imdb": _lit(i)} for f in self.films.values() for i in f["imdb"]
                    if i in wanted]
        match = re.search(r'\?date >= "(\d{4}-\d{2}-\d{2})T.*?\?date < "(\d{4}-\d{2}-\d{2})T', query, re.S)
        if match and "wd:Q11424" in query:
            start, end = match.groups()
            films = sorted((f for f in self.films.values() if start <= min(f["dates"]) < end),
                           key=lambda f: ENTITY + f["qid"])
            rows = [{"film": _uri(f["qid"]), "imdb": _lit(i), "first": _lit(min(f["dates"]) + "T00:00:00Z",
                                                                              datatype=XSD + "dateTime")}
                    for f in films for i in f["imdb"]]
            limit = re.search(r"LIMIT (\d+)", query)
            offset = re.search(r"OFFSET (\d+)", query)
            first = int(offset.group(1)) if offset else 0
            return rows[first: first + int(limit.group(1))] if limit else rows[first:]
        return []


def _uri(qid: str) -> dict[str, str]:
    return {"type": "uri", "value": ENTITY + qid}


def _lit(value: str, *, lang: str | None = None, datatype: str | None = None) -> dict[str, str]:
    term = {"type": "literal", "value": value}
    if lang:
        term["xml:lang"] = lang
    if datatype:
        term["datatype"] = datatype
    return term


def facts_rows(film: dict[str, Any]) -> list[dict[str, Any]]:
    """The long-form rows Marquee's facts query gets for one film."""
    film_uri = _uri(film["qid"])
    rows: list[dict[str, Any]] = []

    def row(prop: str, **terms: dict[str, str]) -> None:
        rows.append({"film": film_uri, "prop": _lit(prop), **terms})

    if film.get("label"):
        row("label", value=_lit(film["label"], lang="en"))
    for imdb in film["imdb"]:
        row("imdb", value=_lit(imdb))
    for date in film["dates"]:
        row("date", value=_lit(date + "T00:00:00Z", datatype=XSD + "dateTime"))
    for key, prop in (("directors", "director"), ("countries", "country"), ("languages", "language"),
                      ("genres", "genre")):
        for qid, label in film.get(key, []):
            row(prop, item=_uri(qid), itemLabel=_lit(label, lang="en"))
    for qid, label, order in film.get("cast", []):
        extra = {"ord": _lit(order)} if order else {}
        row("cast", item=_uri(qid), itemLabel=_lit(label, lang="en"), **extra)
    for amount, unit in film.get("duration", []):
        row("duration", value=_lit(amount, datatype=XSD + "decimal"), unit=_uri(unit))
    for value, by, when, count in film.get("reviews", []):
        extra = {}
        if when:
            extra["when"] = _lit(when + "T00:00:00Z", datatype=XSD + "dateTime")
        if count:
            extra["count"] = _lit(count, datatype=XSD + "decimal")
        row("review", value=_lit(value), by=_uri(by), **extra)
    # One row of the wrong shape (a literal where the film's URI belongs): the client must skip it.
    rows.append({"film": _lit("not a uri"), "prop": _lit("label"), "value": _lit("junk")})
    return rows


def select_vars(query: str) -> list[str]:
    head = re.search(r"SELECT\s+(.*?)\s+WHERE", query, re.S | re.I)
    if not head:
        return []
    return [v for v in re.findall(r"\?(\w+)", re.sub(r"\(.*?AS\s+\?(\w+)\)", r"?\1", head.group(1)))]


def syntax_problem(query: str) -> str | None:
    """Why Blazegraph would refuse this query, in its words, or None. (Strings are blanked first.)"""
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', query)
    if text.count('"') % 2:
        return 'Lexical error: unterminated string literal.'
    for open_, close in (("{", "}"), ("(", ")")):
        depth = 0
        for line_no, line in enumerate(text.splitlines(), start=1):
            for column, char in enumerate(line, start=1):
                depth += (char == open_) - (char == close)
                if depth < 0:
                    return f'Encountered " "{close}" "{close} "" at line {line_no}, column {column}.'
        if depth:
            return f'Encountered "<EOF>" at line {len(text.splitlines())}, column 1. Was expecting: "{close}" ...'
    if not re.search(r"\bSELECT\b", text, re.I) or not re.search(r"\bWHERE\b", text, re.I):
        return 'Encountered "<EOF>". Was expecting one of: "select", "construct", "describe", "ask" ...'
    for prefix in set(re.findall(r"(?<![\w?:/])([A-Za-z][\w-]*):[A-Za-z_]", text)):
        if prefix not in PREFIXES:
            return f'QName "{prefix}:" uses an undefined prefix'
    body = text.split("WHERE", 1)[1]
    for var in select_vars(text):
        if f"?{var}" not in body and f"AS ?{var}" not in text:
            return f"Bad aggregate: ?{var} is not bound in the WHERE clause"
    return None
