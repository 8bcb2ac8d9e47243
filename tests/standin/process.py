"""Runs the real bot as a child process pointed at a :class:`DiscordStandIn`.

The bot reads DISCORD_API_BASE and DISCORD_GATEWAY_URL and sets discord.py's
``Route.BASE`` / ``DiscordWebSocket.DEFAULT_GATEWAY`` from them, so the process under test
is exactly the one that runs in production, only talking to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, AsyncIterator, Dict, List, Optional, Sequence, Union

from .server import DiscordStandIn

REPO_ROOT = Path(__file__).resolve().parents[2]
BOT_COMMAND = (sys.executable, "-m", "bot", "run")


class BotProcess:
    """The bot under test.

    ``env_overrides`` win over the defaults; a value of None removes the variable.
    ``argv`` replaces ``python -m bot run`` (the stand-in's self-tests run a tiny echo bot).
    """

    def __init__(
        self,
        env_overrides: Optional[Dict[str, Optional[str]]] = None,
        db_path: Union[str, Path, None] = None,
        standin: Optional[DiscordStandIn] = None,
        *,
        argv: Optional[Sequence[str]] = None,
        log_path: Union[str, Path, None] = None,
        cwd: Union[str, Path] = REPO_ROOT,
    ) -> None:
        if standin is None:
            raise ValueError("BotProcess needs the DiscordStandIn the bot should connect to")
        self.standin = standin
        self.env_overrides = dict(env_overrides or {})
        self.db_path = Path(db_path) if db_path is not None else None
        self.argv: List[str] = list(argv or BOT_COMMAND)
        self.cwd = Path(cwd)
        if log_path is None:
            directory = self.db_path.parent if self.db_path is not None else Path(tempfile.mkdtemp(prefix="bot-log-"))
            log_path = directory / "bot.log"
        self.log_path = Path(log_path)
        self._process: Optional[asyncio.subprocess.Process] = None
        self._log_file: Optional[IO[bytes]] = None
        self.starts = 0

    def environment(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DISCORD_TOKEN": self.standin.token,
            "DISCORD_API_BASE": self.standin.api_base,
            "DISCORD_GATEWAY_URL": self.standin.gateway_url,
            "DEV_GUILD_ID": str(self.standin.guild_ids[0]),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        })
        if self.db_path is not None:
            env["DATABASE_PATH"] = str(self.db_path)
        for key, value in self.env_overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = str(value)
        return env

    @property
    def pid(self) -> Optional[int]:
        return self._process.pid if self._process is not None else None

    @property
    def returncode(self) -> Optional[int]:
        return self._process.returncode if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def log_text(self) -> str:
        if self._log_file is not None:
            self._log_file.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def start(self, *, wait_ready: bool = True, wait_sync: bool = False, timeout: float = 30.0) -> None:
        """Launches the bot; waits for its READY (and, with ``wait_sync``, a new command sync).

        Raises RuntimeError with the log tail if the process exits first.
        """
        if self.running:
            raise RuntimeError("the bot is already running")
        ready_before = self.standin.ready_count
        syncs_before = self.standin.sync_count
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"\n===== start #{self.starts + 1} at {time.strftime('%H:%M:%S')}: {' '.join(self.argv)}\n".encode())
        self._log_file.flush()
        self._process = await asyncio.create_subprocess_exec(
            *self.argv, cwd=str(self.cwd), env=self.environment(),
            stdin=asyncio.subprocess.DEVNULL, stdout=self._log_file, stderr=asyncio.subprocess.STDOUT,
        )
        self.starts += 1
        if wait_ready:
            await self._wait(lambda: self.standin.ready_count > ready_before, timeout, "READY")
            await self.standin.wait_for_ready(timeout=timeout, shards=self.shards)
        if wait_sync:
            await self._wait(lambda: self.standin.sync_count > syncs_before, timeout, "a command sync")

    async def _wait(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if not self.running:
                raise RuntimeError(f"the bot exited with {self.returncode} before {what}; log tail:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {what} from the bot within {timeout}s; log tail:\n{self._log_tail()}")
            try:
                await self.standin._wait_until(predicate, min(0.2, timeout), what)
            except asyncio.TimeoutError:
                pass

    async def stop(self, timeout: float = 10.0) -> Optional[int]:
        """SIGINT (a clean shutdown), then SIGTERM, then SIGKILL. Returns the exit code."""
        process = self._process
        if process is not None and process.returncode is None:
            for sig, grace in ((signal.SIGINT, timeout), (signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
                try:
                    process.send_signal(sig)
                except ProcessLookupError:
                    break
                try:
                    await asyncio.wait_for(process.wait(), grace)
                    break
                except asyncio.TimeoutError:
                    continue
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.returncode

    @property
    def shards(self) -> Optional[List[int]]:
        """The shards this process runs (SHARD_IDS), or None for all of them."""
        ids = self.env_overrides.get("SHARD_IDS")
        return [int(s) for s in str(ids).split(",")] if ids else None

    async def kill(self) -> Optional[int]:
        """SIGKILL: the process dies at once, as in a crash or an out-of-memory kill (no cleanup runs)."""
        process = self._process
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.returncode

    async def restart(self, **start_kwargs) -> None:
        await self.stop()
        await self.start(**start_kwargs)

    async def __aenter__(self) -> "BotProcess":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()


@asynccontextmanager
async def serving_bot(standin: DiscordStandIn, database: Path, env: Optional[Dict[str, Optional[str]]] = None, *,
                      no_pings_at_all: bool = False) -> AsyncIterator[BotProcess]:
    """The bot started (commands synced) for a test, then stopped; afterwards it must have exited cleanly with
    no traceback, and the stand-in must have refused nothing and seen no mention that pings @everyone or a
    role (or, with `no_pings_at_all`, anyone at all)."""
    process = BotProcess(env or {}, database, standin)
    await process.start(wait_sync=True)
    try:
        yield process
    finally:
        code = await process.stop()
        log = process.log_text()
        assert "Traceback" not in log, log[-4000:]
        assert code == 0, f"bot exited with {code}\n{log[-4000:]}"
    assert standin.rejections == [], [str(r) for r in standin.rejections]
    assert (standin.pings() if no_pings_at_all else standin.unsafe_mentions()) == []
