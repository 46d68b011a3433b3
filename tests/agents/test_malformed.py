"""Malformed ACL messages sent as raw SPADE messages get ``not-understood``; the agent carries on."""

from __future__ import annotations

import json

import pytest

from ontology.codec import decode, encode
from ontology.common import Ping, Pong, Reason
from protocols.acl import new_id
from protocols.performative import Performative, ProtocolName
from tests.agents.conftest import Peer
from tests.agents.probe import Probe

PING = encode(Ping(note="raw"))
OTHER_ONTOLOGY = json.dumps({"ontology": "fipa-agent-management", "version": "1.0", "type": "Ping"})

CASES = {
    "no performative": ({}, PING, "no performative"),
    "unknown performative": ({"performative": "beg"}, PING, "unknown performative 'beg'"),
    "content not JSON": ({"performative": "request"}, "ping me, please", "not JSON"),
    "wrong ontology in content": ({"performative": "request"}, OTHER_ONTOLOGY, "unknown ontology"),
    "wrong ontology parameter": ({"performative": "request", "ontology": "other"}, PING, "ontology 'other'"),
    "bad reply-by": ({"performative": "request", "reply-by": "tomorrow"}, PING, "reply-by"),
    "wrong content type": ({"performative": "request"}, encode(Reason(reason="x")), "Reason"),
}


def raw_request(overrides: dict[str, str], conversation_id: str, reply_with: str) -> dict[str, str]:
    metadata = {
        "protocol": ProtocolName.REQUEST.value,
        "conversation-id": conversation_id,
        "reply-with": reply_with,
        "language": "application/json",
    }
    metadata.update(overrides)
    return metadata


async def ping_still_answers(peer: Peer, probe: Probe) -> None:
    cid = new_id()
    probe.send_raw(peer.ping_jid, PING, raw_request({"performative": "request"}, cid, new_id()))
    reply = await probe.next_message(cid)
    assert reply.performative is Performative.INFORM
    assert decode(reply.content, Pong).agent == peer.ping_jid


@pytest.mark.parametrize("case", list(CASES))
async def test_malformed_message_is_not_understood(peer: Peer, probe: Probe, case: str) -> None:
    overrides, body, expected = CASES[case]
    cid, reply_with = new_id(), new_id()
    probe.send_raw(peer.ping_jid, body, raw_request(overrides, cid, reply_with))

    reply = await probe.next_message(cid)
    assert reply.performative is Performative.NOT_UNDERSTOOD
    assert reply.sender == peer.ping_jid
    assert reply.in_reply_to == reply_with
    assert expected in decode(reply.content, Reason).reason

    await ping_still_answers(peer, probe)


async def test_message_without_any_metadata_is_not_understood(peer: Peer, probe: Probe) -> None:
    probe.send_raw(peer.ping_jid, "hello there")  # a plain chat message: no performative, no thread
    reply = await probe.next_message()
    assert reply.performative is Performative.NOT_UNDERSTOOD
    assert "no performative" in decode(reply.content, Reason).reason
    await ping_still_answers(peer, probe)


async def test_not_understood_is_never_answered(peer: Peer, probe: Probe) -> None:
    cid = new_id()
    probe.send_raw(peer.ping_jid, "garbage", {"performative": "not-understood", "conversation-id": cid})
    probe.send_raw(peer.ping_jid, PING, {"performative": "not-understood", "conversation-id": cid})
    await ping_still_answers(peer, probe)  # ordered after the two above on the same streams
    assert probe.inbox.empty()
