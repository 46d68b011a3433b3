"""Real XMPP servers for the agent tests: one embedded pyjabber and one Prosody per test session.

Both listen on free loopback ports. Each server gets one PingAgent in a separate OS process
(``python -m agents.ping_agent``), so every ACL exchange below really crosses XMPP.

No account is ever registered by a client: every agent's account is created first, as an admin does
(:mod:`tests.xmpp_accounts`), and bound in the store the agents that serve it read.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.runtime.accounts.book import node_of
from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.prosody import ProsodyServer
from common.settings import Settings
from store.database import Database
from store.enums import AgentRole
from tests.agents.probe import Probe
from tests.xmpp_accounts import bind, create_account, register_server, started

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


def jid_of(name: str, settings: Settings) -> str:
    """The bare JID of account ``name`` (a node or a JID) on the server of ``settings``."""
    return f"{node_of(name, settings.xmpp_domain)}@{settings.xmpp_domain}"


async def spawn_agent(
    module: str,
    name: str,
    settings: Settings,
    *,
    role: AgentRole | None = AgentRole.PLATFORM,
    party: str | None = None,
    store: Database | None = None,
    args: tuple[str, ...] = (),
    extra_env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ChildProcess:
    """``python -m module --name name args...`` once its account exists and is bound in ``role`` to ``party``
    (default: the account's node) in ``store`` (default: the store of ``settings``, the one the child reads
    unless ``extra_env`` names another)."""
    await create_account(settings, name)
    if role is not None:
        target = store if store is not None else settings
        await bind(target, jid_of(name, settings), role, party or node_of(name, settings.xmpp_domain))
    return await spawn(module, ["--name", name, *args], settings, extra_env=extra_env, cwd=cwd)


async def spawn_ping(settings: Settings) -> ChildProcess:
    """A PingAgent in its own process, bound as the platform's ``ping`` service."""
    return await spawn_agent("agents.ping_agent", unique("ping"), settings, party="ping")


def own_prosody_settings(server: ProsodyServer, data_dir: Path) -> Settings:
    """Settings to reach a test's own Prosody, whose accounts :mod:`tests.xmpp_accounts` then creates."""
    settings = server.settings(Settings(data_dir=data_dir, log_level="WARNING"))

    async def create(node: str, password: str) -> None:
        await asyncio.to_thread(server.create_account, node, password)

    register_server(settings, create)
    return settings


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest) -> tuple[str, Settings]:
    """Each server in turn: its name and the settings to reach it."""
    name: str = request.param
    return name, request.getfixturevalue(f"{name}_settings")


@pytest.fixture(scope="session")
async def peer(server: tuple[str, Settings]) -> AsyncIterator[Peer]:
    """The server with a PingAgent connected from its own OS process."""
    name, settings = server
    ping = await spawn_ping(settings)
    yield Peer(name, settings, ping)
    await ping.stop()


@pytest.fixture(scope="session")
async def probe(peer: Peer) -> AsyncIterator[Probe]:
    """A platform account (bound as a platform service) in this process."""
    agent = await started(Probe(unique(f"probe-{peer.server}"), peer.settings))
    yield agent
    await agent.stop()


@pytest.fixture(scope="session")
async def stranger(peer: Peer) -> AsyncIterator[Probe]:
    """An account the server knows but the store binds to nothing."""
    agent = await started(Probe(unique(f"stranger-{peer.server}"), peer.settings), role=None)
    yield agent
    await agent.stop()
