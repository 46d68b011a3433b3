"""Run the local federation service: in the foreground (:func:`serve`), in the caller's event loop
(:func:`run_in_background`, for the launcher), or in a thread of its own (:class:`ServiceThread`,
for tests and benchmarks that must not share their event loop with the server).

The service binds to a loopback address only. Port 0 picks a free port; the socket is bound before
the app is built, so the URL written into the registry is the real one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from common.net import bind, require_loopback
from federation.dataset.schema import SupplierDataset
from federation.service.app import create_app
from federation.service.state import ServiceState
from federation.settings import FederationSettings

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 30.0


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to whoever runs it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass
class RunningService:
    """A started service: where it is and the state behind it (tests may inspect it)."""

    url: str
    app: FastAPI
    server: uvicorn.Server

    @property
    def state(self) -> ServiceState:
        state: ServiceState = self.app.state.federation
        return state

    def client_settings(
        self, base: FederationSettings | None = None, **overrides: object
    ) -> FederationSettings:
        """Client settings pointing at this service (other fields from ``base``)."""
        base = base or FederationSettings()
        return base.model_copy(
            update={"identity_url": f"{self.url}/auth", "registry_url": f"{self.url}/apis/sr", **overrides}
        )


def _build(
    settings: FederationSettings, dataset: SupplierDataset | None
) -> tuple[socket.socket, RunningService]:
    host = require_loopback(settings.service_host, "the local federation service")
    sock = bind(host, settings.service_port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = settings.service_public_url or f"{settings.service_scheme}://{shown}:{port}"
    try:
        app = create_app(settings, url, dataset)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ssl_certfile=str(settings.service_tls_cert) if settings.service_tls_cert else None,
            ssl_keyfile=str(settings.service_tls_key) if settings.service_tls_key else None,
            timeout_graceful_shutdown=5,
        )
    except BaseException:
        sock.close()
        raise
    return sock, RunningService(url.rstrip("/"), app, _Server(config))


async def _start(running: RunningService, sock: socket.socket) -> asyncio.Task[None]:
    task = asyncio.create_task(running.server.serve(sockets=[sock]), name="federation-service")
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while not running.server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"the local federation service did not start at {running.url}")
            await asyncio.sleep(0.02)
    return task


async def _stop(running: RunningService, task: asyncio.Task[None]) -> None:
    running.server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task


@contextlib.asynccontextmanager
async def run_in_background(
    settings: FederationSettings, *, dataset: SupplierDataset | None = None
) -> AsyncIterator[RunningService]:
    """Serve in the current event loop while the ``async with`` body runs."""
    sock, running = _build(settings, dataset)
    try:
        task = await _start(running, sock)
    except BaseException:
        sock.close()
        raise
    try:
        yield running
    finally:
        await _stop(running, task)
        sock.close()


async def serve(settings: FederationSettings, *, announce: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM (or cancellation); ``announce(url)`` once it accepts requests."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with run_in_background(settings) as running:
            if announce is not None:
                announce(running.url)
            log.info("local federation service at %s", running.url)
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


class ServiceThread:
    """The service in a daemon thread with its own event loop; a context manager.

    ``with ServiceThread(settings) as running: ...`` works from sync and async code alike.
    """

    def __init__(self, settings: FederationSettings, *, dataset: SupplierDataset | None = None) -> None:
        self._settings = settings
        self._dataset = dataset
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="federation-service", daemon=True)
        self.running: RunningService | None = None

    def start(self) -> RunningService:
        self._thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT):
            raise RuntimeError("the local federation service did not start in time")
        if self._error is not None:
            raise RuntimeError(
                f"the local federation service failed to start: {self._error}"
            ) from self._error
        assert self.running is not None
        return self.running

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(STARTUP_TIMEOUT)

    def __enter__(self) -> RunningService:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with run_in_background(self._settings, dataset=self._dataset) as running:
            self.running = running
            self._ready.set()
            await self._stop.wait()
