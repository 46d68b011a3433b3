"""The XMPP servers the benchmark runs against, each started fresh on loopback with a data directory of its
own (the account book, and the store of agents that use the default one), where in-band registration is off:
a benchmark creates each agent's account with :meth:`BenchServer.create_accounts` before the agent starts."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from agents.runtime.accounts.provision import AccountServer, EmbeddedAccounts, create_accounts
from agents.runtime.child_process import spawn
from agents.runtime.ports import free_port
from agents.runtime.prosody import ProsodyServer
from bench.accounts import ACTOR, ProsodyAccounts
from common.settings import Settings, XmppMode

SERVERS = ("prosody", "pyjabber")


@dataclass(frozen=True)
class BenchServer:
    """A running server: the settings that reach it and how its admin creates accounts there."""

    settings: Settings
    accounts: AccountServer

    async def create_accounts(self, names: Iterable[str]) -> dict[str, str]:
        """Create the accounts ``names`` (nodes or JIDs) here, passwords in the book of :attr:`settings`."""
        return await create_accounts(self.settings, names, self.accounts, actor=ACTOR)


@asynccontextmanager
async def prosody(base: Settings) -> AsyncIterator[BenchServer]:
    """Prosody from the Debian package (started from this thread: it dies with it)."""
    data_dir = Path(tempfile.mkdtemp(prefix="lso-bench-prosody-"))
    try:
        with ProsodyServer() as server:
            yield BenchServer(
                server.settings(base.model_copy(update={"data_dir": data_dir})), ProsodyAccounts(server)
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@asynccontextmanager
async def pyjabber(base: Settings) -> AsyncIterator[BenchServer]:
    """The embedded pyjabber in its own process (``python -m agents.runtime.embedded_server``), which takes
    the accounts created later through its database file."""
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
            yield BenchServer(settings, EmbeddedAccounts(settings))
        finally:
            await server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def server_context(name: str, base: Settings) -> AbstractAsyncContextManager[BenchServer]:
    if name not in SERVERS:
        raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")
    return prosody(base) if name == "prosody" else pyjabber(base)
