"""The embedded ledger as one process: the engine, its HTTP JSON API v1 and (when ``ledger.grpc`` is present)
its gRPC Ledger API v1, both on loopback, over the same engine instance.

``python -m ledger`` (or ``lso ledger serve``) runs it; once both servers listen it prints ONE line of JSON to
stdout, ``{"json_api": URL, "grpc": "host:port" | null, "ledger_id": ..., "package_id": ..., "pid": ...}``,
and it stops cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import uvicorn

from common.net import bind, require_loopback
from ledger.engine import MODEL, MODEL_FINGERPRINT, EmbeddedLedger
from ledger.engine.users import UserStore
from ledger.jsonapi.app import create_app
from ledger.jsonapi.auth import build_verifier, seed_users
from ledger.jsonapi.limits import BodyLimit
from ledger.packages import install as install_packages
from ledger.settings import LedgerSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerInfo:
    json_api: str
    grpc: str | None
    ledger_id: str
    package_id: str
    pid: int


def model_package() -> tuple[str, bytes | None]:
    """The model's package id and DAML-LF payload (built by ``ledger.lf`` when present; else the
    fingerprint)."""
    if importlib.util.find_spec("ledger.lf") is None:
        return MODEL_FINGERPRINT, None
    from ledger.lf.dar import build_archive

    archive = build_archive(MODEL)
    return archive.package_id, archive.payload


def grpc_available() -> bool:
    return importlib.util.find_spec("ledger.grpc.server") is not None


async def serve(settings: LedgerSettings, on_ready: Callable[[ServerInfo], None] | None = None) -> None:
    """Run until cancelled or until SIGTERM/SIGINT."""
    require_loopback(settings.host, "the embedded ledger")
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    package_id, payload = model_package()
    ledger = await EmbeddedLedger.open(
        settings.resolved_database_url,
        ledger_id=settings.ledger_id,
        model_package_id=package_id,
        max_deduplication_seconds=settings.max_deduplication_seconds,
        time_mode=settings.time_mode,
        party_ids=settings.party_ids,
    )
    grpc_server: Any = None
    http_server: uvicorn.Server | None = None
    http_task: asyncio.Task[None] | None = None
    try:
        if payload is not None:
            await ledger.upload_package(
                package_id, payload, source="built-in: ledger.lf (the platform's model)"
            )
            await install_packages(ledger)
        users = await UserStore.open(ledger.database)
        await seed_users(users, settings)
        verifier = await build_verifier(settings, users)
        sock = bind(settings.host, settings.json_api_port)
        json_port = sock.getsockname()[1]
        app = BodyLimit(
            create_app(ledger, verifier, users),
            max_bytes=settings.json_max_request_bytes,
            max_package_bytes=settings.json_max_package_bytes,
        )
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        http_server = uvicorn.Server(config)
        # this process handles SIGTERM/SIGINT itself (below), for the gRPC server and the engine too
        http_server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        http_task = asyncio.create_task(http_server.serve(sockets=[sock]))
        grpc_address = None
        if settings.grpc_enabled and grpc_available():
            from ledger.grpc.server import start_grpc_server

            grpc_server = await start_grpc_server(
                ledger,
                settings.host,
                settings.grpc_port,
                auth=verifier,
                max_inbound_message_bytes=settings.grpc_max_inbound_message_bytes,
                users=users,
            )
            grpc_address = f"{settings.host}:{grpc_server.bound_port}"
        while not http_server.started:
            if http_task.done():
                await http_task
                raise RuntimeError("the JSON API server stopped while starting")
            await asyncio.sleep(0.01)
        info = ServerInfo(
            json_api=f"http://{settings.host}:{json_port}",
            grpc=grpc_address,
            ledger_id=ledger.ledger_id,
            package_id=package_id,
            pid=os.getpid(),
        )
        if on_ready is not None:
            on_ready(info)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({http_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
    finally:
        if http_server is not None:
            http_server.should_exit = True
        if grpc_server is not None:
            await grpc_server.stop(grace=1.0)
        if http_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(http_task, timeout=5.0)
        await ledger.close()


def print_ready(info: ServerInfo) -> None:
    sys.stdout.write(json.dumps(asdict(info)) + "\n")
    sys.stdout.flush()


def main(settings: LedgerSettings | None = None) -> None:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(settings or LedgerSettings(), print_ready))
