"""SPADE's embedded XMPP server (pyjabber), kept on loopback, with its files in the data directory.

pyjabber 0.4.5 out of the box listens on the machine's primary address as well as on its host
name, serves an admin/upload web site on port 9090, writes its certificates into site-packages,
and replaces the process's SIGINT/SIGTERM handlers in ``Server.start()``. This wrapper:

* binds the client and server-to-server listeners to ``Settings.xmpp_host`` only (a loopback
  address) while the XMPP domain stays ``Settings.xmpp_domain``;
* never starts pyjabber's web server (admin page and XEP-0363 upload on port 9090): the upload
  plugin stays configured, because pyjabber's plugin manager cannot work without it, but its HTTP
  side is simply not run (``Server.start()`` would run it);
* puts the certificate, key and SQLite database in ``<data_dir>/xmpp``;
* runs pyjabber's workers itself instead of ``Server.start()``, so no signal handler is touched
  and a port already taken raises an exception instead of ``SystemExit``;
* runs no outgoing server-to-server connections (its s2s listener exists, on loopback, but
  messages to other domains are never delivered);
* hashes SASL passwords in a thread pool instead of a process pool forked from the caller;
* stamps every message a client sends with the client's authenticated full JID: pyjabber 0.4.5
  keeps a client-supplied ``from`` attribute, so any client could pose as any other agent;
* refuses in-band registration (XEP-0077): the feature is not offered, and a registration request sent
  anyway is answered ``not-allowed`` (pyjabber 0.4.5 would create the account). The server's accounts are
  exactly those of the account book (:mod:`agents.runtime.accounts.book`): on start every account of the
  book is created or given its password, and every other account is removed (:meth:`sync_accounts`);
  :meth:`create_account` adds one while it runs;
* runs pyjabber on its own uvloop event loop in a background thread: its STARTTLS upgrade races
  with the standard-library event loop (the client's post-TLS stream header reaches the parser
  before ``loop.start_tls`` returns, and the session hangs), so the server must not share the
  caller's loop, which may be any loop (pytest's, the CLI's).

pyjabber keeps its state in module globals (configuration, queues, connection registry): one
embedded server per process, started once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import uvloop
from loguru import logger as loguru_logger
from pyjabber import AppConfig
from pyjabber.features.SASL.SASL import SASL
from pyjabber.network.ConnectionManager import ConnectionManager
from pyjabber.queues.QueueManager import QueueName, get_queue
from pyjabber.queues.workers import MessageQueueWorker
from pyjabber.queues.workers.MessageQueueWorker import queue_worker
from pyjabber.server import Server
from pyjabber.server_parameters import Parameters
from pyjabber.stream.handlers.StanzaHandler import StanzaHandler

from agents.runtime.accounts.book import AccountBook
from agents.runtime.accounts.pyjabber_credentials import PyjabberCredentials
from agents.runtime.certs import ensure_self_signed
from common.net import require_loopback
from common.settings import Settings

log = logging.getLogger(__name__)

_started_in_process = threading.Event()


class EmbeddedServerError(RuntimeError):
    """The embedded XMPP server could not start."""


def xmpp_data_dir(settings: Settings) -> Path:
    return settings.data_dir / "xmpp"


class EmbeddedXmppServer:
    """pyjabber on ``settings.xmpp_host:settings.xmpp_port`` for the domain ``settings.xmpp_domain``."""

    def __init__(
        self, settings: Settings, *, log_level: str | None = None, start_timeout: float = 20.0
    ) -> None:
        """``log_level``: pyjabber's own (loguru) log to stderr at that level; ``None`` silences it
        (pyjabber logs every received chunk at DEBUG, which costs real throughput)."""
        self.host = require_loopback(settings.xmpp_host)
        self.port = settings.xmpp_port
        self.s2s_port = settings.xmpp_s2s_port
        self.domain = settings.xmpp_domain
        self.directory = xmpp_data_dir(settings).resolve()
        self.book = AccountBook.of(settings)
        self.credentials = PyjabberCredentials(self.directory / "pyjabber.db")
        self._log_level = log_level
        self._start_timeout = start_timeout
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()

    # --- caller side -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the server thread; return once the client port accepts connections."""
        if _started_in_process.is_set():
            raise EmbeddedServerError("pyjabber keeps global state: one embedded server per process")
        _started_in_process.set()
        _configure_pyjabber_log(self._log_level)
        self._thread = threading.Thread(target=self._thread_main, name="pyjabber", daemon=True)
        self._thread.start()
        try:
            await asyncio.wait_for(asyncio.wrap_future(self._ready), self._start_timeout)
        except TimeoutError:
            await self.stop()
            raise EmbeddedServerError(f"pyjabber did not start on {self.host}:{self.port}") from None
        except BaseException:
            await self.stop()
            raise
        await self.sync_accounts()
        log.info("embedded XMPP server for %s listening on %s:%s", self.domain, self.host, self.port)

    async def sync_accounts(self) -> None:
        """Make the server's accounts those of the account book (created, passwords set, others removed)."""
        changed, removed = await asyncio.to_thread(self.credentials.sync, self.book.accounts())
        for node in changed:
            log.info("embedded XMPP server: account %s@%s created or given its password", node, self.domain)
        for node in removed:
            log.warning(
                "embedded XMPP server: removed the account %s@%s (not in the account book)", node, self.domain
            )

    async def create_account(self, node: str, password: str) -> None:
        """Create the account ``node`` with ``password`` (or give it that password) now."""
        if await asyncio.to_thread(self.credentials.set, node, password):
            log.info("embedded XMPP server: account %s@%s created or given its password", node, self.domain)

    async def remove_account(self, node: str) -> None:
        if await asyncio.to_thread(self.credentials.remove, node):
            log.info("embedded XMPP server: account %s@%s removed", node, self.domain)

    async def stop(self) -> None:
        """Close the listeners and client connections and end the server thread."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            await asyncio.to_thread(thread.join, 15.0)
        self._thread = None

    async def __aenter__(self) -> EmbeddedXmppServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- server thread -----------------------------------------------------------------------

    def _thread_main(self) -> None:
        try:
            uvloop.run(self._serve())
        except BaseException as exc:  # reported to the caller through the ready future
            if not self._ready.done():
                self._ready.set_exception(exc)
            else:
                log.exception("embedded XMPP server failed")

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = self._make_server()
        for name in QueueName:
            get_queue(name)
        # No outgoing server-to-server worker: a loopback development server federates with
        # nobody, and pyjabber's would dial out to whatever domain an agent names.
        workers = [asyncio.create_task(_guarded(queue_worker()), name="pyjabber-messages")]
        main = asyncio.create_task(_guarded(server.run_server()), name="pyjabber-server")
        ready = asyncio.create_task(server.ready.wait())
        stop = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({ready, main, stop}, return_when=asyncio.FIRST_COMPLETED)
            if main.done():
                main.result()  # raises the start-up failure
                raise EmbeddedServerError("pyjabber stopped while starting")
            if ready.done() and not self._ready.done():
                self._ready.set_result(None)
            await stop
        finally:
            for task in (ready, stop, main, *workers):
                task.cancel()
            for task in (main, *workers):
                with contextlib.suppress(asyncio.CancelledError, EmbeddedServerError):
                    await task
            _close_client_connections()
            if AppConfig.app_config is not None:
                AppConfig.app_config.process_pool_exe.shutdown(wait=False, cancel_futures=True)

    def _parameters(self) -> Any:
        cert_dir = self.directory / "certs"
        ensure_self_signed(
            cert_dir / f"{self.domain}_cert.pem", cert_dir / f"{self.domain}_key.pem", self.domain
        )
        plugins = [p for p in Parameters().plugins if p != _REGISTER]
        return Parameters(
            host=self.domain,
            client_port=self.port,
            server_port=self.s2s_port,
            database_path=str(self.directory / "pyjabber.db"),
            cert_path=str(cert_dir),
            message_persistence=True,
            plugins=plugins,
        )

    def _make_server(self) -> Any:
        _stamp_message_senders()
        _refuse_registration()
        self.directory.mkdir(parents=True, exist_ok=True)
        server = Server(self._parameters())
        # Listen on the loopback address only: pyjabber binds [host, primary address] otherwise.
        server._host = self.host
        server._public_ip = None
        # SASL password hashing (hashlib.pbkdf2_hmac, which releases the GIL) in threads, not in
        # processes forked from the caller's (possibly multi-threaded) process.
        config = AppConfig.app_config
        config.process_pool_exe.shutdown(wait=False)
        hashing = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="pyjabber-sasl")
        AppConfig.app_config = attrs.evolve(config, ip=[self.host], process_pool_exe=hashing)
        # The message worker imported ``app_config`` by value when it was still None.
        MessageQueueWorker.app_config = AppConfig.app_config
        return server


def _configure_pyjabber_log(level: str | None) -> None:
    if level is None:
        loguru_logger.disable("pyjabber")
        return
    loguru_logger.remove()
    loguru_logger.add(sys.stderr, level=level.upper())
    loguru_logger.enable("pyjabber")


_REGISTER = "jabber:iq:register"
_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def _refuse_registration() -> None:
    """Answer every in-band registration request ``not-allowed`` (XEP-0077 3.1) instead of creating it."""
    if getattr(SASL.handle_iq, "_lso_refuses", False):
        return

    async def handle_iq(self: Any, element: Any) -> None:
        iq_id = element.attrib.get("id", "")
        log.warning("embedded XMPP server: refused an in-band registration from %s", self._peer)
        error = (
            f'<iq type="error" id="{_attribute(iq_id)}"><error type="cancel">'
            f'<not-allowed xmlns="{_STANZAS}"/><text xmlns="{_STANZAS}">accounts are created by the '
            "platform's admin (lso xmpp add-account), never registered in-band</text></error></iq>"
        )
        self._transport.write(error.encode())

    handle_iq._lso_refuses = True  # type: ignore[attr-defined]
    SASL.handle_iq = handle_iq


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")[:128]


def _stamp_message_senders() -> None:
    """Make pyjabber overwrite a message's ``from`` with the sending session's JID (RFC 6120 8.1.2.1)."""
    original = StanzaHandler.handle_msg
    if getattr(original, "_lso_stamped", False):
        return

    async def handle_msg(self: Any, element: Any) -> Any:
        element.attrib["from"] = str(self._jid)
        return await original(self, element)

    handle_msg._lso_stamped = True  # type: ignore[attr-defined]
    StanzaHandler.handle_msg = handle_msg


async def _guarded(coro: Coroutine[Any, Any, Any]) -> None:
    """pyjabber raises SystemExit when a port is taken; turn it into an ordinary error."""
    try:
        await coro
    except SystemExit as exc:
        raise EmbeddedServerError(f"pyjabber exited (code {exc.code}); is the port taken?") from None


def _close_client_connections() -> None:
    peers = getattr(ConnectionManager(), "_peerList", {})
    for client in list(peers.values()):
        with contextlib.suppress(Exception):
            client.transport.close()


def _announce(server: EmbeddedXmppServer) -> None:
    print(
        f"XMPP server for {server.domain} listening on {server.host}:{server.port} "
        f"(data in {server.directory})",
        flush=True,
    )


async def serve_embedded(
    settings: Settings, on_ready: Callable[[EmbeddedXmppServer], None] = _announce
) -> None:
    """Run the embedded XMPP server until SIGINT/SIGTERM or cancellation (``lso xmpp serve``).

    Any event loop will do (the server runs on its own uvloop thread).
    """
    server = EmbeddedXmppServer(settings, log_level=settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await server.start()
        on_ready(server)
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await server.stop()


def _ready_line(server: EmbeddedXmppServer) -> None:
    print(f"READY {server.host}:{server.port}", flush=True)


if __name__ == "__main__":
    # ``python -m agents.runtime.embedded_server``: settings from LSO_* variables; prints
    # ``READY host:port`` for agents.runtime.child_process.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve_embedded(Settings(), on_ready=_ready_line))
