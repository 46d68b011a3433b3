"""What the end-to-end tests of a module share: the XMPP server, the local federation service (EFPF), the
matchmaker and the supplier proxies (each in its own process), and the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from agents.runtime.child_process import ChildProcess
from common.settings import Settings
from federation.service.serve import RunningService
from ledger.testing import LedgerProcess
from tests.agents.e2e.world import federation, ledger_process, start_matchmaker, start_proxies


@pytest.fixture(scope="module")
def xmpp(request: pytest.FixtureRequest) -> Settings:
    """The settings of the module's XMPP server: the one a test is parametrised with (indirectly,
    ``"pyjabber"`` or ``"prosody"``), else Prosody in a module marked ``prosody``, else pyjabber."""
    default = "prosody" if request.node.get_closest_marker("prosody") else "pyjabber"
    name = getattr(request, "param", default)
    settings: Settings = request.getfixturevalue(f"{name}_settings")
    return settings


@pytest.fixture(scope="module")
def efpf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    yield from federation(tmp_path_factory.mktemp("efpf"))


@pytest.fixture(scope="module")
async def matchmaker(xmpp: Settings, efpf: RunningService) -> AsyncIterator[str]:
    """The matchmaker's JID (:func:`~tests.agents.e2e.world.start_matchmaker`)."""
    child = await start_matchmaker(xmpp, efpf)
    yield child.ready_line
    await child.stop()


@pytest.fixture(scope="module")
async def proxies(xmpp: Settings) -> AsyncIterator[ChildProcess]:
    """A proxy host for every supplier, each one answering (:func:`~tests.agents.e2e.world.start_proxies`)."""
    child = await start_proxies(xmpp)
    yield child
    await child.stop()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    yield from ledger_process(tmp_path_factory.mktemp("ledger"))
