"""Clients for the outside services Marquee may be switched on to use: Wikidata's SPARQL endpoint and TMDB.

The only HTTP in the project (apart from discord.py's own). Each client reads its base URL from a setting,
sends a descriptive User-Agent, has timeouts, a response size limit, retries with backoff that honour
Retry-After on 429/503, and a request budget; it parses every answer strictly (a record of the wrong shape is
skipped and counted) and never puts its key or token in a log line or an error. Nothing here knows the
catalogue or the database: the clients return plain typed values for `bot.core` to merge.
"""
