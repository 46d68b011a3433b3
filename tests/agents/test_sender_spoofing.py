"""The sender of an ACL message is the XMPP from-address the server vouches for, never a claim."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ontology.codec import decode, encode
from ontology.common import Ping, Pong
from protocols.acl import new_id
from protocols.performative import Performative, ProtocolName
from tests.agents.conftest import Peer, unique
from tests.agents.probe import Probe


@pytest.fixture
async def victim(peer: Peer) -> AsyncIterator[Probe]:
    agent = Probe(unique("victim"), peer.settings)
    await agent.start()
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
