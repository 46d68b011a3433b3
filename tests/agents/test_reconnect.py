"""An agent that disconnects and connects again (same JID) still gets messages to its bare JID."""

from __future__ import annotations

from ontology.codec import decode, encode
from ontology.common import Ping, Pong
from protocols.acl import new_id
from protocols.performative import ProtocolName
from tests.agents.conftest import Peer, unique
from tests.agents.probe import Probe


async def ping_once(agent: Probe, ping_jid: str) -> Pong:
    cid = new_id()
    metadata = {
        "performative": "request",
        "protocol": ProtocolName.REQUEST.value,
        "conversation-id": cid,
        "reply-with": new_id(),
    }
    agent.send_raw(ping_jid, encode(Ping(note=cid)), metadata)
    return decode((await agent.next_message(cid)).content, Pong)


async def test_same_jid_receives_after_reconnecting(peer: Peer) -> None:
    name = unique("again")
    for _ in range(3):
        agent = Probe(name, peer.settings)
        await agent.start()
        try:
            assert (await ping_once(agent, peer.ping_jid)).agent == peer.ping_jid
        finally:
            await agent.stop()
