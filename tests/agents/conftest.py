"""Real XMPP servers for the agent tests: one embedded pyjabber and one Prosody per test session.

Both listen on free loopback ports. Each server gets one PingAgent in a separate OS process
(``python -m agents.ping_agent``), so every ACL exchange below really crosses XMPP.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.embedded_server import EmbeddedXmppServer
from agents.runtime.ports import free_port
from agents.runtime.prosody import ProsodyServer
from core.settings import Settings, XmppMode
from tests.agents.probe import Probe

SERVERS = ["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)]


@dataclass
class Peer:
    """A server's settings and the PingAgent process connected to it."""

    server: str
    settings: Settings
    ping: ChildProcess

    @property
    def ping_jid(self) -> str:
        return self.ping.ready_line


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def xmpp_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lso-data")


@pytest.fixture(scope="session")
async def pyjabber_settings(xmpp_data_dir: Path) -> AsyncIterator[Settings]:
    settings = Settings(
        data_dir=xmpp_data_dir,
        xmpp_mode=XmppMode.EMBEDDED,
        xmpp_port=free_port(),
        xmpp_s2s_port=free_port(),
        log_level="WARNING",
    )
    server = EmbeddedXmppServer(settings)
    await server.start()
    yield settings
    await server.stop()


@pytest.fixture(scope="session")
def prosody_server() -> Iterator[ProsodyServer]:
    if shutil.which("prosody") is None:
        pytest.skip("the prosody package is not installed")
    with ProsodyServer() as server:
        yield server


@pytest.fixture(scope="session")
def prosody_settings(prosody_server: ProsodyServer, xmpp_data_dir: Path) -> Settings:
    return prosody_server.settings(Settings(data_dir=xmpp_data_dir, log_level="WARNING"))


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest) -> tuple[str, Settings]:
    """Each server in turn: its name and the settings to reach it."""
    name: str = request.param
    return name, request.getfixturevalue(f"{name}_settings")


@pytest.fixture(scope="session")
async def peer(server: tuple[str, Settings]) -> AsyncIterator[Peer]:
    """The server with a PingAgent connected from its own OS process."""
    name, settings = server
    ping = await spawn("agents.ping_agent", ["--name", unique("ping")], settings)
    yield Peer(name, settings, ping)
    await ping.stop()


@pytest.fixture(scope="session")
async def probe(peer: Peer) -> AsyncIterator[Probe]:
    agent = Probe(unique(f"probe-{peer.server}"), peer.settings)
    await agent.start()
    yield agent
    await agent.stop()
