"""The one logging setup: what a person running the platform reads at INFO, and what it is spared."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from common.logging import configure_logging

CHATTY = ("slixmpp", "aiosqlite", "asyncio", "httpx")


@pytest.fixture
def restored() -> Iterator[None]:
    levels = {name: logging.getLogger(name).level for name in CHATTY}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_client_libraries_speak_only_of_trouble_at_info(restored: None) -> None:
    configure_logging("INFO")
    for name in CHATTY:
        # httpx logs every request at INFO: lso run made 321 ledger queries before it was ready
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
