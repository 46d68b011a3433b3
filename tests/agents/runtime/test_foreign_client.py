"""A client that is not SPADE, following docs/wire.md alone, is understood: standard ``<thread>`` included."""

from __future__ import annotations

import uuid

import pytest

from agents.ping_agent import PingAgent
from common.settings import Settings
from ontology.codec import decode, encode
from ontology.common import Ping, Pong, Reason
from store.enums import AgentRole
from tests.raw_xmpp import RawXmpp, body_of, field_of, thread_of
from tests.xmpp_accounts import bind, create_account, started

SERVERS = ["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)]


@pytest.fixture(params=SERVERS)
def settings(request: pytest.FixtureRequest) -> Settings:
    value: Settings = request.getfixturevalue(f"{request.param}_settings")
    return value


async def ping_over(settings: Settings, *, bound: bool) -> str:
    ping = await started(PingAgent(f"ping-{uuid.uuid4().hex[:8]}", settings), party="ping")
    name = f"foreign-{uuid.uuid4().hex[:8]}"
    password = await create_account(settings, name)
    if bound:
        await bind(settings, f"{name}@{settings.xmpp_domain}", AgentRole.CUSTOMER, "somebody")
    cid = f"c-{uuid.uuid4().hex}"
    try:
        async with RawXmpp(settings.xmpp_host, settings.xmpp_port, settings.xmpp_domain) as client:
            await client.session(name, password)
            parameters = {"performative": "request", "protocol": "fipa-request", "reply-with": "r1"}
            await client.message(ping.address, encode(Ping(note="from afar")), parameters, thread=cid)
            return await client.next_message()
    finally:
        await ping.stop()


async def test_a_bound_foreign_client_gets_its_pong_in_its_thread(settings: Settings) -> None:
    answer = await ping_over(settings, bound=True)
    assert field_of(answer, "performative") == "inform"
    assert field_of(answer, "in-reply-to") == "r1"
    assert (thread_of(answer) or "").startswith("c-")
    assert decode(body_of(answer), Pong).note == "from afar"


async def test_an_unbound_foreign_client_is_refused_in_words(settings: Settings) -> None:
    answer = await ping_over(settings, bound=False)
    assert field_of(answer, "performative") == "refuse"
    assert decode(body_of(answer), Reason).reason == "not-authorised"
