"""Real XMPP servers shared by every test directory: one embedded pyjabber and one Prosody per session.

pyjabber keeps global state, so a process can hold only one embedded server: these fixtures are
registered once, from the root conftest, and every test that needs a server uses them. Neither server
lets a client register: each registers with :mod:`tests.xmpp_accounts` how its admin creates accounts.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agents.runtime.embedded_server import EmbeddedXmppServer
from agents.runtime.ports import free_port
from agents.runtime.prosody import ProsodyServer
from common.settings import Settings, XmppMode
from tests.xmpp_accounts import close_stores, register_server


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
    register_server(settings, server.create_account)
    yield settings
    await server.stop()
    await close_stores()


def require_prosody() -> None:
    """The suite runs on a real Prosody: its absence is a failure, never a silent skip."""
    if shutil.which("prosody") is None:
        pytest.fail("the Debian prosody package is not installed (apt-get install prosody; .ci/run does)")


@pytest.fixture(scope="session")
def prosody_server() -> Iterator[ProsodyServer]:
    require_prosody()
    with ProsodyServer() as server:
        yield server


@pytest.fixture(scope="session")
def prosody_settings(prosody_server: ProsodyServer, xmpp_data_dir: Path) -> Settings:
    settings = prosody_server.settings(Settings(data_dir=xmpp_data_dir, log_level="WARNING"))

    async def create(node: str, password: str) -> None:
        await asyncio.to_thread(prosody_server.create_account, node, password)

    register_server(settings, create)
    return settings
