"""Versioned schema migrations, applied in order; PRAGMA user_version records the version (on PostgreSQL,
the table `marquee_schema`).

Never edit a migration that has shipped: add a new one. Film ids in user tables are the stable slugs of
the catalogue and deliberately carry no foreign key to `films`, because the catalogue is rebuilt when a
new data version ships while user data (lists, ratings, votes) must survive untouched.

One definition serves both backends. Write a migration in SQLite's SQL with the types `TEXT`, `INTEGER`,
`REAL`, `BLOB` and `INTEGER PRIMARY KEY AUTOINCREMENT`; `for_dialect` turns it into PostgreSQL's (INTEGER
becomes BIGINT, because Discord ids need 64 bits; REAL becomes DOUBLE PRECISION; AUTOINCREMENT an identity
column; PRAGMA lines are dropped). `CREATE TABLE/INDEX`, `ALTER TABLE ... ADD COLUMN`, `UPDATE`,
`INSERT ... ON CONFLICT` read the same in both. What only one backend can say goes in `DIALECT_EXTRAS`
under the migration's number.
"""
from __future__ import annotations

import re

from .errors import DatabaseUnusable

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- The catalogue: shipped data + the replayed catalog_edits log. Rebuilt on a new data version.
        CREATE TABLE films (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            year INTEGER,
            runtime INTEGER,
            certificate TEXT,
            imdb_id TEXT,
            curated INTEGER NOT NULL DEFAULT 0,
            pitch TEXT,
            notes TEXT,
            popularity REAL NOT NULL DEFAULT 0,
            genres TEXT NOT NULL DEFAULT '[]',
            directors TEXT NOT NULL DEFAULT '[]',
            cast_members TEXT NOT NULL DEFAULT '[]',
            languages TEXT NOT NULL DEFAULT '[]',
            countries TEXT NOT NULL DEFAULT '[]',
            aliases TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX films_imdb ON films(imdb_id);
        CREATE TABLE film_tags (
            film_id TEXT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (film_id, tag)
        );
        CREATE TABLE availability (
            film_id TEXT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            service TEXT NOT NULL,
            region TEXT NOT NULL,
            kind TEXT NOT NULL,
            checked TEXT NOT NULL,
            source TEXT,
            PRIMARY KEY (film_id, service, region, kind)
        );
        CREATE TABLE scores (
            film_id TEXT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 100),
            count INTEGER,
            source TEXT NOT NULL,
            as_of TEXT,
            PRIMARY KEY (film_id, kind)
        );
        CREATE TABLE links (
            a TEXT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            b TEXT NOT NULL REFERENCES films(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'curated',
            PRIMARY KEY (a, b)
        );
        -- Server-side catalogue edits, replayed over every new data version so they are never lost.
        CREATE TABLE catalog_edits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            guild_id INTEGER,
            user_id INTEGER,
            op TEXT NOT NULL,
            payload TEXT NOT NULL
        );

        -- People and servers.
        CREATE TABLE user_prefs (
            user_id INTEGER PRIMARY KEY,
            region TEXT,
            services TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE watchlist (
            user_id INTEGER NOT NULL,
            film_id TEXT NOT NULL,
            added_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, film_id)
        );
        CREATE TABLE seen (
            user_id INTEGER NOT NULL,
            film_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (user_id, film_id)
        );
        CREATE TABLE ratings (
            user_id INTEGER NOT NULL,
            film_id TEXT NOT NULL,
            stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
            at INTEGER NOT NULL,
            PRIMARY KEY (user_id, film_id)
        );
        CREATE TABLE guild_settings (
            guild_id INTEGER PRIMARY KEY,
            region TEXT,
            services TEXT NOT NULL DEFAULT '[]',
            night_channel_id INTEGER,
            timezone TEXT
        );

        -- State behind a button that is too big for its custom_id (a /watch query, a disambiguation
        -- prompt's pending command). Kept in the database so the button still works after a restart.
        CREATE TABLE ui_state (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );

        -- Movie nights.
        CREATE TABLE nights (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id INTEGER,
            channel_id INTEGER,
            message_id INTEGER,
            host_id INTEGER NOT NULL,
            title TEXT NOT NULL,
            showtime INTEGER,
            closes_at INTEGER,
            voting TEXT NOT NULL CHECK (voting IN ('approval', 'ranked')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
            event_id INTEGER,
            created_at INTEGER NOT NULL,
            closed_at INTEGER,
            winner_film_id TEXT,
            outcome TEXT
        );
        CREATE INDEX nights_by_status ON nights(status, closes_at);
        CREATE INDEX nights_by_channel ON nights(channel_id, status);
        CREATE TABLE nominees (
            night_id INTEGER NOT NULL REFERENCES nights(id) ON DELETE CASCADE,
            film_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            nominated_by INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (night_id, film_id),
            UNIQUE (night_id, position)
        );
        CREATE TABLE ballots (
            night_id INTEGER NOT NULL REFERENCES nights(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            choices TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (night_id, user_id)
        );
        CREATE TABLE attendees (
            night_id INTEGER NOT NULL REFERENCES nights(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (night_id, user_id)
        );
        """,
    ),
    (
        2,
        # Primary and secondary facts, billing order, writers and series (the catalogue is rebuilt from
        # the shipped data right after, because the data version changes with them).
        """
        ALTER TABLE films ADD COLUMN original_title TEXT;
        ALTER TABLE films ADD COLUMN writers TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE films ADD COLUMN billed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE films ADD COLUMN series TEXT;
        ALTER TABLE films ADD COLUMN series_order INTEGER;
        ALTER TABLE films ADD COLUMN secondary_genres TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE films ADD COLUMN secondary_countries TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE films ADD COLUMN secondary_languages TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE films ADD COLUMN method TEXT;
        """,
    ),
    (
        3,
        # Running as several processes (issue 14): tag order kept without SQLite's rowid, leases for work
        # that must happen once, shared rate limits, and the processes serving with their shards.
        """
        ALTER TABLE film_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL,
            acquired_at REAL NOT NULL
        );
        CREATE TABLE rate_slots (key TEXT PRIMARY KEY, not_before REAL NOT NULL);
        CREATE TABLE cluster_members (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            shard_ids TEXT NOT NULL,
            shard_count INTEGER NOT NULL,
            latencies TEXT NOT NULL DEFAULT '{}',
            guilds INTEGER NOT NULL DEFAULT 0,
            started_at REAL NOT NULL,
            seen_at REAL NOT NULL
        );
        """,
    ),
    (
        4,
        # Live data (issue 12): what members did with films in each server (the server chart), TMDB's id and
        # poster of each film with when its streaming was checked, and outside chart entries.
        """
        CREATE TABLE activity_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            film_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('watchlist', 'nominated', 'watched', 'rated')),
            at INTEGER NOT NULL
        );
        CREATE INDEX activity_by_guild ON activity_events(guild_id, at);
        CREATE INDEX activity_by_user ON activity_events(user_id);
        CREATE TABLE tmdb_films (
            film_id TEXT PRIMARY KEY,
            tmdb_id INTEGER,
            poster_path TEXT,
            looked_up_at INTEGER NOT NULL,
            providers_at INTEGER
        );
        CREATE INDEX tmdb_films_by_id ON tmdb_films(tmdb_id);
        CREATE TABLE chart_entries (
            chart TEXT NOT NULL,
            region TEXT NOT NULL DEFAULT '',
            rank INTEGER NOT NULL CHECK (rank >= 1),
            film_id TEXT,
            title TEXT NOT NULL,
            year INTEGER,
            as_of TEXT NOT NULL,
            source TEXT NOT NULL,
            fetched_at INTEGER NOT NULL,
            PRIMARY KEY (chart, region, rank)
        );
        CREATE INDEX chart_entries_by_film ON chart_entries(film_id);
        """,
    ),
    # 5: nothing for SQLite (one process: the closer is woken in-process); PostgreSQL's trigger is below.
    (5, ""),
    (
        6,
        # Streaming rows an owner removed with /catalog unstream: the next TMDB check does not bring them back
        # (bot.core.live.LiveData.removed_by_owner). No user id: the removal is the catalogue's, not a person's.
        """
        CREATE TABLE tmdb_removed (
            film_id TEXT NOT NULL,
            service TEXT NOT NULL,
            region TEXT NOT NULL,
            kind TEXT NOT NULL,
            removed_at INTEGER NOT NULL,
            PRIMARY KEY (film_id, service, region, kind)
        );
        """,
    ),
]

LATEST_VERSION = MIGRATIONS[-1][0]

# Statements only one backend has, run after the shared script of the migration with that number.
DIALECT_EXTRAS: dict[int, dict[str, str]] = {
    3: {
        # Existing tags keep their order (rowid is the order they were written in).
        "sqlite": "UPDATE film_tags SET position = rowid;",
        # Every change of the catalogue revision is announced to the other processes (LISTEN/NOTIFY), whatever
        # wrote it: an admin command, an import, `marquee catalog rebuild`, a copy by `marquee db migrate-to`.
        "postgresql": """
        CREATE FUNCTION marquee_meta_changed() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('marquee_' || NEW.key, NEW.value);
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER meta_changed AFTER INSERT OR UPDATE ON meta FOR EACH ROW
            WHEN (NEW.key = 'catalog_revision') EXECUTE FUNCTION marquee_meta_changed();
        """,
    },
    5: {
        # A night opened (or given a new deadline) in any process wakes the deadline closer, wherever it runs.
        "postgresql": """
        CREATE FUNCTION marquee_night_deadline() RETURNS trigger AS $$
        BEGIN
            PERFORM pg_notify('marquee_night_deadline', NEW.id::text);
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER night_deadline AFTER INSERT OR UPDATE OF closes_at ON nights FOR EACH ROW
            EXECUTE FUNCTION marquee_night_deadline();
        """,
    },
}

_SCHEMA_RULES = (
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I),
     "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"^\s*PRAGMA\b[^;]*;?\s*$", re.I | re.M), ""),
)


def refuse_newer(version: int, where: str, setting: str) -> None:
    """Stop before touching a database written by a newer Marquee (its schema version is past ours)."""
    if version > LATEST_VERSION:
        raise DatabaseUnusable(
            f"The database {where} has schema version {version}, newer than this version of Marquee "
            f"understands ({LATEST_VERSION}). It was written by a newer Marquee: upgrade Marquee, or point "
            f"{setting} at another database. The database was not changed."
        )


def for_dialect(number: int, script: str, dialect: str) -> str:
    """Migration `number`'s script as `dialect` ("sqlite" or "postgresql") runs it."""
    if dialect == "postgresql":
        for pattern, replacement in _SCHEMA_RULES:
            script = pattern.sub(replacement, script)
    return script + "\n" + DIALECT_EXTRAS.get(number, {}).get(dialect, "")
