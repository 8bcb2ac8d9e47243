"""Settings validation and the command line's failure messages (one paragraph, non-zero exit, no traceback)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.settings import ConfigError, load_settings

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in (
        "DISCORD_TOKEN", "DATABASE_PATH", "DEV_GUILD_ID", "LOG_LEVEL", "DEFAULT_REGION", "DISCORD_API_BASE",
        "DISCORD_GATEWAY_URL")}
    base["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**base, **env}, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.token is None
    assert settings.database_path == Path("marquee.db")
    assert settings.default_region == "US"
    assert settings.dev_guild_id is None and settings.api_base is None and settings.gateway_url is None


def test_values_are_parsed() -> None:
    settings = load_settings({"DISCORD_TOKEN": " abc ", "DEV_GUILD_ID": "123456789012345678", "DEFAULT_REGION": "gb",
                              "LOG_LEVEL": "debug", "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10/",
                              "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway",
                              "OWNER_IDS": "910000000000000002, 910000000000000003"})
    assert settings.token == "abc" and "abc" not in repr(settings)
    assert settings.owner_ids == {910000000000000002, 910000000000000003}
    assert settings.dev_guild_id == 123456789012345678
    assert settings.default_region == "GB" and settings.log_level == "DEBUG"
    assert settings.api_base == "http://127.0.0.1:9/api/v10"


@pytest.mark.parametrize("name,value,fragment", [
    ("DEV_GUILD_ID", "abc", "not a Discord id"),
    ("DEFAULT_REGION", "USA", "two-letter"),
    ("LOG_LEVEL", "LOUD", "not a log level"),
    ("DISCORD_API_BASE", "127.0.0.1", "must be a URL"),
    ("OWNER_IDS", "910000000000000002,alice", "not a Discord user id"),
    ("OWNER_IDS", "²", "not a Discord user id"),
    ("OWNER_IDS", "9" * 5000, "not a Discord user id"),
])
def test_malformed_settings_are_explained(name: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_settings({name: value})


def test_missing_token_is_explained() -> None:
    with pytest.raises(ConfigError, match="Developer|developers") as info:
        load_settings({}).require_token()
    assert ".env" in str(info.value)


def test_dotenv_is_read_at_start_up_and_real_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DEFAULT_REGION=DE\nDATABASE_PATH=from-dotenv.db\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEFAULT_REGION", "FR")
    # set-then-delete records the variable with monkeypatch, so what .env sets is undone after the test
    monkeypatch.setenv("DATABASE_PATH", "placeholder")
    monkeypatch.delenv("DATABASE_PATH")
    settings = load_settings(read_dotenv=True)
    assert settings.default_region == "FR"  # the real environment wins
    assert settings.database_path == Path("from-dotenv.db")


def test_importing_the_package_does_not_read_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MARQUEE_IMPORT_PROBE=1\n")
    code = "import os, bot, bot.core.settings, bot.composition, bot.discord.client; print(os.environ.get('MARQUEE_IMPORT_PROBE'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert result.stdout.strip() == "None", result.stderr


def test_run_without_token_says_how_to_get_one(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert "console" in result.stderr  # and how to try it without Discord


def test_malformed_guild_id_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("run", env={"DISCORD_TOKEN": "x", "DEV_GUILD_ID": "abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DEV_GUILD_ID" in result.stderr and "Traceback" not in result.stderr


def test_unwritable_database_path_fails_cleanly(tmp_path: Path) -> None:
    result = run_cli("run", env={"DISCORD_TOKEN": "x", "DATABASE_PATH": str(tmp_path / "missing" / "dir" / "m.db")},
                     cwd=tmp_path)
    assert result.returncode == 1
    assert "DATABASE_PATH" in result.stderr and "Traceback" not in result.stderr


def test_invite_url_has_the_scopes_and_minimal_permissions(tmp_path: Path) -> None:
    result = run_cli("invite", "--app-id", "123456789012345678", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    url, user_url = [line for line in result.stdout.splitlines() if line.startswith("https://")]
    assert "client_id=123456789012345678" in url and "client_id=123456789012345678" in user_url
    assert "scope=bot+applications.commands" in url and url.endswith("integration_type=0")
    # A user install has no bot: commands only, no permissions to ask for.
    assert "scope=applications.commands" in user_url and "permissions" not in user_url
    assert user_url.endswith("integration_type=1")
    permissions = int(url.split("permissions=")[1].split("&")[0])
    assert permissions & 0x8 == 0  # never Administrator
    assert permissions & 0x20000 == 0  # never Mention Everyone
    assert permissions & 0x800 and permissions & 0x4000  # Send Messages, Embed Links
