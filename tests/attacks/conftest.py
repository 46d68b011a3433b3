"""One whole platform per XMPP server for the attacks (started once, attacked by every test in turn)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from store.database import Database
from tests.attacks.platform import Platform, running

SERVERS = ["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)]


@pytest.fixture(scope="session", params=SERVERS)
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    prosody = request.getfixturevalue("prosody_server") if request.param == "prosody" else None
    with running(tmp_path_factory.mktemp(f"attacked-{request.param}"), prosody) as started:
        yield started


@pytest.fixture
async def store(platform: Platform) -> AsyncIterator[Database]:
    """The platform's store, read as its operator would (the platform writes it meanwhile)."""
    db = await Database.open(platform.database)
    yield db
    await db.close()
