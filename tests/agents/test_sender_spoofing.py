"""The sender of an ACL message is the XMPP from-address the server vouches for, never a claim; what that
sender may ask for is what the store binds it to: an account bound to nothing is refused ``not-authorised``
by ping and by the matchmaker, whatever it claims."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from agents.runtime.refusals import NOT_AUTHORISED
from ontology.codec import decode, encode
from ontology.common import Ping, Pong, Reason
from ontology.matchmaking import FindSuppliers
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from protocols.acl import new_id
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.conftest import Peer, spawn_agent, unique
from tests.agents.probe import Probe
from tests.xmpp_accounts import started

FRAME = RequiredPart(
    part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium", machine_minutes=90
)


@pytest.fixture
async def victim(peer: Peer) -> AsyncIterator[Probe]:
    agent = await started(Probe(unique("victim"), peer.settings))
    yield agent
    await agent.stop()


@pytest.fixture(scope="module")
async def matchmaker(peer: Peer) -> AsyncIterator[str]:
    """A MatchmakerAgent in its own process. Its EFPF is nowhere: a refused request never reaches it."""
    nowhere = "http://127.0.0.1:9/efpf"
    env = {"LSO_EFPF_IDENTITY_URL": f"{nowhere}/auth", "LSO_EFPF_REGISTRY_URL": f"{nowhere}/apis/sr"}
    child = await spawn_agent(
        "agents.matchmaker", unique("matchmaker"), peer.settings, party="matchmaker", extra_env=env
    )
    yield child.ready_line
    await child.stop()


@pytest.fixture
async def customer_agent(peer: Peer) -> AsyncIterator[Probe]:
    """An account bound as a customer's agent: known to the platform, but no client of the matchmaker."""
    agent = await started(Probe(unique("customer"), peer.settings), role=AgentRole.CUSTOMER, party="c-1")
    yield agent
    await agent.stop()


def request_metadata(cid: str, **extra: str) -> dict[str, str]:
    return {
        "performative": "request",
        "protocol": ProtocolName.REQUEST.value,
        "conversation-id": cid,
        "reply-with": new_id(),
        **extra,
    }


def find_suppliers() -> str:
    return encode(FindSuppliers(order_id=uuid4(), parts=(FRAME,), max_per_part=3))


async def assert_refused_not_authorised(agent: Probe, cid: str, by: str) -> None:
    reply = await agent.next_message(cid)
    assert reply.performative is Performative.REFUSE, reply
    assert reply.sender == by and reply.receivers == (agent.address,)
    assert decode(reply.content, Reason).reason == NOT_AUTHORISED


async def test_sender_claim_in_metadata_is_ignored(peer: Peer, probe: Probe, victim: Probe) -> None:
    cid = new_id()
    metadata = request_metadata(cid, sender=victim.address, **{"reply-to": victim.address})
    probe.send_raw(peer.ping_jid, encode(Ping(note="spoof")), metadata)

    reply = await probe.next_message(cid)
    assert reply.performative is Performative.INFORM
    assert reply.receivers == (probe.address,)
    assert decode(reply.content, Pong).note == "spoof"
    assert victim.inbox.empty()


async def test_forged_xmpp_from_is_not_believed(peer: Peer, probe: Probe, victim: Probe) -> None:
    """Prosody, and the embedded pyjabber as patched by us, stamp the session's real JID."""
    cid = new_id()
    forged = encode(Ping(note="forged"))
    probe.send_raw(peer.ping_jid, forged, request_metadata(cid), claimed_from=victim.address)
    reply = await probe.next_message(cid)
    assert reply.receivers == (probe.address,)
    assert decode(reply.content, Pong).note == "forged"

    # The victim's own conversation is answered to the victim, and nothing else reached it.
    cid2 = new_id()
    victim.send_raw(peer.ping_jid, encode(Ping(note="own")), request_metadata(cid2))
    reply = await victim.next_message()
    assert reply.conversation_id == cid2
    assert victim.inbox.empty()


async def test_ping_refuses_an_account_bound_to_nothing(peer: Peer, stranger: Probe) -> None:
    cid = new_id()
    stranger.send_raw(peer.ping_jid, encode(Ping(note="let me in")), request_metadata(cid))
    await assert_refused_not_authorised(stranger, cid, peer.ping_jid)


async def test_claiming_a_bound_sender_gives_an_unbound_account_no_authority(
    peer: Peer, stranger: Probe, probe: Probe
) -> None:
    """Neither a ``sender`` parameter nor a forged XMPP from-address naming a bound account helps: the
    refusal goes to the stamped sender, and the account claimed hears nothing."""
    claim = request_metadata(new_id(), sender=probe.address, **{"reply-to": probe.address})
    stranger.send_raw(peer.ping_jid, encode(Ping(note="claim")), claim)
    forged = request_metadata(new_id())
    stranger.send_raw(peer.ping_jid, encode(Ping(note="forged")), forged, claimed_from=probe.address)
    for metadata in (claim, forged):
        await assert_refused_not_authorised(stranger, metadata["conversation-id"], peer.ping_jid)
    # The probe's own ping, sent after both, is answered; nothing of the stranger's reached the probe.
    cid = new_id()
    probe.send_raw(peer.ping_jid, encode(Ping(note="mine")), request_metadata(cid))
    reply = await probe.next_message()
    assert reply.conversation_id == cid and reply.performative is Performative.INFORM


async def test_matchmaker_refuses_an_account_bound_to_nothing(matchmaker: str, stranger: Probe) -> None:
    cid = new_id()
    stranger.send_raw(matchmaker, find_suppliers(), request_metadata(cid))
    await assert_refused_not_authorised(stranger, cid, matchmaker)


async def test_matchmaker_refuses_a_customers_agent(matchmaker: str, customer_agent: Probe) -> None:
    cid = new_id()
    customer_agent.send_raw(matchmaker, find_suppliers(), request_metadata(cid))
    await assert_refused_not_authorised(customer_agent, cid, matchmaker)


async def test_matchmaker_refuses_an_unbound_account_claiming_a_manufacturer(
    peer: Peer, matchmaker: str, stranger: Probe
) -> None:
    manufacturer = await started(
        Probe(unique("manufacturer"), peer.settings), role=AgentRole.MANUFACTURER, party="m-1"
    )
    try:
        cid = new_id()
        metadata = request_metadata(cid, sender=manufacturer.address)
        stranger.send_raw(matchmaker, find_suppliers(), metadata, claimed_from=manufacturer.address)
        await assert_refused_not_authorised(stranger, cid, matchmaker)
        assert manufacturer.inbox.empty()
    finally:
        await manufacturer.stop()
