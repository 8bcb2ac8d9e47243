"""Versioned schema migrations, applied in order; PRAGMA user_version records the version.

Never edit a migration that has shipped: add a new one. Film ids in user tables are the stable slugs of
the catalogue and deliberately carry no foreign key to `films`, because the catalogue is rebuilt when a
new data version ships while user data (lists, ratings, votes) must survive untouched.
"""
from __future__ import annotations

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
]

LATEST_VERSION = MIGRATIONS[-1][0]
