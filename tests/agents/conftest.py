"""Real XMPP servers for the agent tests: one embedded pyjabber and one Prosody per test session.

Both listen on free loopback ports. Each server gets one PingAgent in a separate OS process
(``python -m agents.ping_agent``), so every ACL exchange below really crosses XMPP.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from core.settings import Settings
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
