"""A gateway (no agents: the test's own bridge) served in a thread with its own event loop, for the browser
tests that drive the app against orders they put in the store themselves."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.app import create_app
from gateway.bridge.base import AgentBridge
from gateway.server import serving
from store.database import Database
from store.migrate import upgrade


@dataclass
class ThreadedGateway:
    base: str
    db: Database
    loop: asyncio.AbstractEventLoop

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coroutine`` on the gateway's loop (where its store lives); its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)


@contextlib.contextmanager
def gateway_in_thread(directory: Path, bridge: AgentBridge, name: str) -> Iterator[ThreadedGateway]:
    """The gateway on a SQLite store under ``directory``, with ``bridge``, until the block ends."""
    ready: Future[ThreadedGateway] = Future()
    stopping: Future[asyncio.Event] = Future()

    async def serve() -> None:
        url = f"sqlite+aiosqlite:///{directory / 'gateway.db'}"
        await upgrade(url)
        app = create_app(url, data_dir=directory, bridge=bridge)
        stop = asyncio.Event()
        stopping.set_result(stop)
        async with serving(app) as base:
            ready.set_result(ThreadedGateway(base, app.state.db, asyncio.get_running_loop()))
            await stop.wait()

    def main() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)

    thread = threading.Thread(target=main, name=name, daemon=True)
    thread.start()
    try:
        yield ready.result(30)
    finally:
        if stopping.done() and ready.done() and ready.exception() is None:
            ready.result().loop.call_soon_threadsafe(stopping.result().set)
        thread.join(15)
