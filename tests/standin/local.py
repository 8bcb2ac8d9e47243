"""What the outside-service stand-ins share: an aiohttp server on 127.0.0.1, started and stopped."""
from __future__ import annotations

from aiohttp import web


class LocalServer:
    host: str
    port: int
    _runner: web.AppRunner | None

    def routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    async def start(self) -> "LocalServer":
        app = web.Application()
        self.routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

