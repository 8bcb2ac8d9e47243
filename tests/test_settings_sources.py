"""Where a setting came from: an exported but empty variable hides the value in .env (the environment wins,
as it should), and Marquee says so instead of "DISCORD_TOKEN is not set"."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.core.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
TOKEN = "MTI1MDAwMDAwMDAwMDAwMDAwMQ.GqW3xZ.q7Vd1-2bN4fK8sLm0pRt5uYw9zXc3eHj6aBiQoTs"


@pytest.fixture
def dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A .env in the working directory; whatever load_dotenv adds to os.environ is undone after the test."""
    path = tmp_path / ".env"
    path.write_text(f"DISCORD_TOKEN={TOKEN}\nDATABASE_PATH=from-dotenv.db\n")
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "DATABASE_PATH"):
        monkeypatch.setenv(name, "placeholder")  # set-then-delete: monkeypatch restores it afterwards
        monkeypatch.delenv(name)
    return path


def test_an_exported_empty_token_says_it_hides_the_one_in_dotenv(dotenv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "")
    settings = load_settings(read_dotenv=True)
    assert settings.token is None  # the environment still wins
    with pytest.raises(ConfigError) as info:
        settings.require_token()
    message = str(info.value)
    assert "set but empty in the environment" in message and str(dotenv) in message
    assert "unset DISCORD_TOKEN" in message and "not set" not in message


def test_the_token_from_dotenv_is_used_and_its_source_known(dotenv: Path) -> None:
    settings = load_settings(read_dotenv=True)
    assert settings.require_token() == TOKEN
    assert settings.token_source == str(dotenv) and settings.warnings() == []


def test_an_empty_token_in_dotenv_is_empty_there_not_missing(dotenv: Path) -> None:
    dotenv.write_text("DISCORD_TOKEN=\n")
    with pytest.raises(ConfigError, match=f"set but empty in {dotenv}"):
        load_settings(read_dotenv=True).require_token()


def test_another_hidden_setting_is_a_warning(dotenv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", " ")
    settings = load_settings(read_dotenv=True)
    assert settings.database_path == Path("marquee.db")
    [warning] = settings.warnings()
    assert warning.startswith("DATABASE_PATH is set but empty in the environment") and str(dotenv) in warning


def test_the_command_line_says_which_source_hid_the_token(dotenv: Path) -> None:
    env = {**os.environ, "DISCORD_TOKEN": "", "DATABASE_PATH": " ", "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=dotenv.parent, env=env, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    said = " ".join(run.stderr.split())
    assert run.returncode == 2, run.stderr
    assert "DATABASE_PATH is set but empty in the environment" in said  # warned before the token stops it
    assert "Configuration problem: DISCORD_TOKEN is set but empty in the environment" in said
    assert str(dotenv) in said and "Traceback" not in said
