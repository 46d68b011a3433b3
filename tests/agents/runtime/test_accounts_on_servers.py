"""Accounts are created, never claimed: tried from outside with a bare client, on pyjabber and Prosody."""

from __future__ import annotations

import uuid

import pytest

from common.settings import Settings
from tests.raw_xmpp import RawXmpp, can_log_in, offers_registration
from tests.xmpp_accounts import create_account

SERVERS = ["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)]
OLD_DEFAULT_PASSWORD = "lso-agent-secret"


@pytest.fixture(params=SERVERS)
def settings(request: pytest.FixtureRequest) -> Settings:
    value: Settings = request.getfixturevalue(f"{request.param}_settings")
    return value


async def test_in_band_registration_is_neither_offered_nor_done(settings: Settings) -> None:
    intruder = f"intruder-{uuid.uuid4().hex[:8]}"
    async with RawXmpp(settings.xmpp_host, settings.xmpp_port, settings.xmpp_domain) as client:
        features = client.received
        assert not offers_registration(features)
        answer = await client.register(intruder, "let-me-in")
    assert "type='result'" not in answer and 'type="result"' not in answer
    assert not await can_log_in(
        settings.xmpp_host, settings.xmpp_port, settings.xmpp_domain, intruder, "let-me-in"
    )


async def test_an_account_logs_in_with_its_own_password_only(settings: Settings) -> None:
    name = f"agent-{uuid.uuid4().hex[:8]}"
    password = await create_account(settings, name)
    where = (settings.xmpp_host, settings.xmpp_port, settings.xmpp_domain)
    assert await can_log_in(*where, name, password)
    assert not await can_log_in(*where, name, OLD_DEFAULT_PASSWORD)
    assert not await can_log_in(*where, name, password[:-1])
