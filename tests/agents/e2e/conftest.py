"""What the end-to-end tests of a module share: the local federation service (EFPF) and the ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from federation.service.serve import RunningService
from ledger.testing import LedgerProcess
from tests.agents.e2e.world import federation, ledger_process


@pytest.fixture(scope="module")
def efpf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    yield from federation(tmp_path_factory.mktemp("efpf"))


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    yield from ledger_process(tmp_path_factory.mktemp("ledger"))
