"""Settings from the environment.

`.env` is read by `load_settings(read_dotenv=True)` at start-up only — never at import time — and real
environment variables always win over it (python-dotenv's override=False), even when they are empty: an
`export DISCORD_TOKEN=` left in a shell hides the token in .env. Settings remember where the token came
from and which names were hidden like that, so the messages can say so instead of "not set".
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..sources.tmdb import DEFAULT_BASE as TMDB_BASE
from ..sources.wikidata import DEFAULT_URL as WIKIDATA_URL
from .errors import ConfigError

DEFAULT_DATABASE = "marquee.db"
_REGION = re.compile(r"^[A-Za-z]{2}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

TOKEN_HELP = (
    "Marquee needs a bot token to connect to Discord. Create an application at "
    "https://discord.com/developers/applications, open its Bot page, press 'Reset Token' and copy it, "
    "then put DISCORD_TOKEN=<your token> in a .env file in this directory (see .env.example) or export it "
    "in your shell. No privileged intents are needed. To try Marquee without Discord, run "
    "`marquee console` instead."
)


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None = field(repr=False)
    database_path: Path
    dev_guild_id: int | None
    log_level: str
    default_region: str
    api_base: str | None
    gateway_url: str | None
    # Where DISCORD_TOKEN was read from ("the environment" or the .env file), even when it was empty; the
    # names set but empty in the environment that hide a value in `dotenv` (the environment wins).
    token_source: str | None = None
    masked: tuple[str, ...] = ()
    dotenv: Path | None = None
    # Running at scale (see README, "Running at scale"): a PostgreSQL database shared by several processes,
    # and the shards this process runs.
    database_url: str | None = None
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # Live data (README, "Live data (optional)"): TMDB for streaming, posters and trending; Wikidata for
    # `marquee data refresh`. Every base URL is a setting, as DISCORD_API_BASE is. The key is never shown.
    tmdb_api_key: str | None = field(default=None, repr=False)
    tmdb_api_base: str = TMDB_BASE
    tmdb_max_age_days: int = 7
    wikidata_sparql_url: str = WIKIDATA_URL
    wikidata_contact: str | None = None
    # Who may change the shared catalogue besides the application's owner or team (OWNER_IDS).
    owner_ids: frozenset[int] = frozenset()

    @property
    def database(self) -> str | Path:
        """What to open: DATABASE_URL when set (PostgreSQL), else the SQLite file DATABASE_PATH."""
        return self.database_url or self.database_path

    def require_token(self) -> str:
        if self.token:
            return self.token
        if "DISCORD_TOKEN" in self.masked:
            raise ConfigError(
                f"DISCORD_TOKEN is set but empty in the environment (an `export DISCORD_TOKEN=` in this shell, or "
                f"an empty value in the service's environment), and the environment wins over .env, so the token "
                f"in {self.dotenv} was not used. Run `unset DISCORD_TOKEN` (or remove it from the service's "
                f"environment) to use the one in .env, or set it to the token itself."
            )
        if self.token_source:
            raise ConfigError(f"DISCORD_TOKEN is set but empty in {self.token_source}. {TOKEN_HELP}")
        raise ConfigError(f"DISCORD_TOKEN is not set. {TOKEN_HELP}")

    def warnings(self) -> list[str]:
        """What start-up should tell the operator about hidden .env values (the token has its own error)."""
        return [f"{name} is set but empty in the environment, which wins over .env, so {name} from {self.dotenv} "
                f"is not used and Marquee uses its default. Run `unset {name}` to use the value in .env."
                for name in self.masked if name != "DISCORD_TOKEN"]


SNOWFLAKE_DIGITS = 20  # 2**64 has 20 digits


def _snowflake(name: str, raw: str) -> int:
    # ASCII digits, and few: `²` passes isdigit() but not int(), and int() refuses 4,300+ digits.
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > SNOWFLAKE_DIGITS or not 0 < int(raw) < 2**64:
        raise ConfigError(
            f"{name}={raw[:30]!r}{'…' if len(raw) > 30 else ''} is not a Discord id. It must be the numeric id "
            f"of a server: enable Developer Mode in Discord (Settings > Advanced), right-click the server icon "
            f"and choose 'Copy Server ID'."
        )
    return int(raw)


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    if not raw.startswith(tuple(f"{s}://" for s in schemes)):
        raise ConfigError(f"{name}={raw!r} must be a URL starting with {' or '.join(s + '://' for s in schemes)}.")
    return raw.rstrip("/")


def _database_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"DATABASE_URL must be a PostgreSQL URL such as postgresql://marquee:secret@db.example:5432/marquee "
            f"(it starts {raw.split('://', 1)[0][:20]!r}). Leave it unset to use the SQLite file DATABASE_PATH."
        )
    return raw


def _shards(count_raw: str | None, ids_raw: str | None) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT (how many shards the whole bot has) and SHARD_IDS (the ones this process runs)."""
    if count_raw is None:
        if ids_raw is not None:
            raise ConfigError("SHARD_IDS needs SHARD_COUNT too: how many shards the whole bot runs, across every "
                              "process (e.g. SHARD_COUNT=4 SHARD_IDS=0,1 here and SHARD_IDS=2,3 on the other).")
        return None, None
    # ASCII digits, and few: int() takes `２` and refuses 4,300+ digits with a ValueError, not a ConfigError.
    if not _few_digits(count_raw) or not 1 <= int(count_raw) <= 65535:
        raise ConfigError(f"SHARD_COUNT={count_raw[:30]!r} must be a whole number of shards, 1 or more.")
    count = int(count_raw)
    if ids_raw is None:
        return count, None
    parts = [p.strip() for p in ids_raw.split(",") if p.strip()]
    if not parts or not all(_few_digits(p) and int(p) < count for p in parts):
        raise ConfigError(f"SHARD_IDS={ids_raw[:60]!r} must list shard numbers from 0 to {count - 1}, separated by "
                          f"commas (e.g. SHARD_IDS=0,1), because SHARD_COUNT={count}.")
    ids = tuple(dict.fromkeys(int(p) for p in parts))
    return count, tuple(sorted(ids))


def _few_digits(raw: str, most: int = 5) -> bool:
    return raw.isascii() and raw.isdecimal() and len(raw) <= most


def load_settings(env: Mapping[str, str] | None = None, *, read_dotenv: bool = False) -> Settings:
    """Read and validate every setting. Raises ConfigError with a one-paragraph explanation."""
    exported = set(os.environ if env is None else env)  # before .env adds to os.environ
    dotenv_path = Path.cwd() / ".env"
    in_dotenv: dict[str, str] = {}
    if read_dotenv:
        from dotenv import dotenv_values, load_dotenv

        if dotenv_path.is_file():
            in_dotenv = {k: v or "" for k, v in dotenv_values(dotenv_path).items()}
        load_dotenv(dotenv_path, override=False)
    env = os.environ if env is None else env
    masked = tuple(sorted(name for name, value in in_dotenv.items()
                          if value.strip() and name in exported and not env.get(name, "").strip()))
    token_source = ("the environment" if "DISCORD_TOKEN" in exported
                    else str(dotenv_path) if "DISCORD_TOKEN" in in_dotenv else None)

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value and value.strip() else None

    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r} is not a log level. Use one of {', '.join(_LOG_LEVELS)}.")
    region = get("DEFAULT_REGION") or "US"
    if not _REGION.match(region):
        raise ConfigError(
            f"DEFAULT_REGION={region!r} is not a two-letter country code (ISO 3166-1 alpha-2), e.g. US, GB, DE, KR."
        )
    guild = get("DEV_GUILD_ID")
    api_base = get("DISCORD_API_BASE")
    gateway = get("DISCORD_GATEWAY_URL")
    shard_count, shard_ids = _shards(get("SHARD_COUNT"), get("SHARD_IDS"))
    return Settings(
        token=get("DISCORD_TOKEN"),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE).expanduser(),
        dev_guild_id=_snowflake("DEV_GUILD_ID", guild) if guild else None,
        log_level=level,
        default_region=region.upper(),
        api_base=_url("DISCORD_API_BASE", api_base, ("http", "https")) if api_base else None,
        gateway_url=_url("DISCORD_GATEWAY_URL", gateway, ("ws", "wss")) if gateway else None,
        token_source=token_source,
        masked=masked,
        dotenv=dotenv_path if in_dotenv else None,
        database_url=_database_url(get("DATABASE_URL")),
        shard_count=shard_count,
        shard_ids=shard_ids,
        tmdb_api_key=_tmdb_key(get("TMDB_API_KEY")),
        tmdb_api_base=_url("TMDB_API_BASE", get("TMDB_API_BASE") or TMDB_BASE, ("http", "https")),
        tmdb_max_age_days=_days("TMDB_MAX_AGE_DAYS", get("TMDB_MAX_AGE_DAYS")),
        wikidata_sparql_url=_url("WIKIDATA_SPARQL_URL", get("WIKIDATA_SPARQL_URL") or WIKIDATA_URL, ("http", "https")),
        wikidata_contact=_contact(get("WIKIDATA_CONTACT")),
        owner_ids=_owner_ids(get("OWNER_IDS")),
    )


def _owner_ids(raw: str | None) -> frozenset[int]:
    """OWNER_IDS: Discord user ids separated by commas (or spaces)."""
    if raw is None:
        return frozenset()
    ids = set()
    for part in re.split(r"[,\s]+", raw.strip()):
        if not (part.isascii() and part.isdecimal()) or len(part) > SNOWFLAKE_DIGITS or not 0 < int(part) < 2**64:
            raise ConfigError(
                f"OWNER_IDS has {part[:30]!r}, which is not a Discord user id. List the numeric ids of the people "
                f"who may change the shared film catalogue, separated by commas: enable Developer Mode in Discord "
                f"(Settings > Advanced), right-click a user and choose 'Copy User ID'.")
        ids.add(int(part))
    return frozenset(ids)


_TMDB_V3_KEY = re.compile(r"[0-9a-f]{32}")
_TMDB_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def _tmdb_key(raw: str | None) -> str | None:
    # The key itself is never repeated in a message: it is a secret even when it is wrong.
    if raw is None:
        return None
    if _TMDB_V3_KEY.fullmatch(raw) or (len(raw) < 2000 and _TMDB_TOKEN.fullmatch(raw)):
        return raw
    raise ConfigError(
        f"TMDB_API_KEY is set ({len(raw)} characters) but is neither a TMDB v3 API key (32 characters, 0-9 and "
        "a-f) nor an API Read Access Token (the long string starting eyJ). Copy one of the two from "
        "https://www.themoviedb.org/settings/api, or remove TMDB_API_KEY to run without TMDB."
    )


def _days(name: str, raw: str | None) -> int:
    if raw is None:
        return 7
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= 180):
        raise ConfigError(f"{name}={raw[:20]!r} must be a whole number of days from 1 to 180 (TMDB's terms allow "
                          "keeping its data for at most six months).")
    return int(raw)


def _contact(raw: str | None) -> str | None:
    if raw is None:
        return None
    if len(raw) > 200 or not raw.isprintable() or any(c in raw for c in "()\r\n"):
        raise ConfigError("WIKIDATA_CONTACT must be one line of at most 200 characters without parentheses: "
                          "a URL or e-mail address where Wikidata's operators can reach you.")
    return raw
