"""The XMPP servers the benchmark runs against, each started fresh on loopback."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from agents.runtime.child_process import spawn
from agents.runtime.ports import free_port
from agents.runtime.prosody import ProsodyServer
from core.settings import Settings, XmppMode

SERVERS = ("prosody", "pyjabber")


@asynccontextmanager
async def prosody(base: Settings) -> AsyncIterator[Settings]:
    """Prosody from the Debian package (started from this thread: it dies with it)."""
    with ProsodyServer() as server:
        yield server.settings(base)


@asynccontextmanager
async def pyjabber(base: Settings) -> AsyncIterator[Settings]:
    """The embedded pyjabber in its own process (``python -m agents.runtime.embedded_server``)."""
    data_dir = Path(tempfile.mkdtemp(prefix="lso-bench-pyjabber-"))
    settings = base.model_copy(
        update={
            "data_dir": data_dir,
            "xmpp_mode": XmppMode.EMBEDDED,
            "xmpp_port": free_port(),
            "xmpp_s2s_port": free_port(),
        }
    )
    try:
        server = await spawn("agents.runtime.embedded_server", [], settings)
        try:
            yield settings
        finally:
            await server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def server_context(name: str, base: Settings) -> AbstractAsyncContextManager[Settings]:
    if name not in SERVERS:
        raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")
    return prosody(base) if name == "prosody" else pyjabber(base)
