"""ACL over real XMPP, between this process and a PingAgent in another OS process."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from agents.runtime.conversation_behaviour import ConversationBehaviour
from ontology.codec import decode
from ontology.common import Ping, Pong, Reason
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestInitiator, RequestInitiatorState
from tests.agents.conftest import Peer
from tests.agents.probe import WAIT, Probe


def start_request(probe: Probe, to: str, note: str) -> ConversationBehaviour[RequestInitiator]:
    conversation = probe.open_conversation(RequestInitiator(me=probe.address))
    conversation.act(
        lambda m, now: m.start(Ping(note=note), to, now=now, reply_by=now + timedelta(seconds=WAIT))
    )
    return conversation


async def test_request_is_answered_with_pong(peer: Peer, probe: Probe) -> None:
    conversation = start_request(probe, peer.ping_jid, "hello")
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()

    machine = conversation.machine
    assert outcome.state == RequestInitiatorState.DONE
    result, request = machine.result, machine.request
    assert result is not None and request is not None
    assert result.performative is Performative.INFORM
    assert result.sender == peer.ping_jid
    assert result.receivers == (probe.address,)
    assert result.conversation_id == request.conversation_id == machine.conversation_id
    assert result.in_reply_to == request.reply_with
    assert result.protocol == ProtocolName.REQUEST
    assert decode(result.content, Pong) == Pong(agent=peer.ping_jid, note="hello")
    assert probe.conversation(machine.conversation_id) is None  # closed once finished


async def test_many_conversations_in_parallel(peer: Peer, probe: Probe) -> None:
    conversations = [start_request(probe, peer.ping_jid, f"n{i}") for i in range(20)]
    async with asyncio.timeout(WAIT):
        outcomes = await asyncio.gather(*(c.outcome() for c in conversations))
    assert {o.state for o in outcomes} == {RequestInitiatorState.DONE}
    notes = [decode(c.machine.result.content, Pong).note for c in conversations if c.machine.result]
    assert notes == [f"n{i}" for i in range(20)]


async def test_raw_acl_request_gets_matching_reply(peer: Peer, probe: Probe) -> None:
    request = AclMessage.build(
        Performative.REQUEST,
        probe.address,
        peer.ping_jid,
        Ping(note="raw"),
        protocol=ProtocolName.REQUEST,
        conversation_id=new_id(),
    )
    probe.send_acl(request)
    reply = await probe.next_message(request.conversation_id)
    assert reply.performative is Performative.INFORM
    assert reply.in_reply_to == request.reply_with
    assert decode(reply.content, Pong).note == "raw"


async def test_request_for_an_unserved_protocol_is_not_understood(peer: Peer, probe: Probe) -> None:
    request = AclMessage.build(
        Performative.CFP, probe.address, peer.ping_jid, Ping(), protocol="x-unknown", conversation_id=new_id()
    )
    probe.send_acl(request)
    reply = await probe.next_message(request.conversation_id)
    assert reply.performative is Performative.NOT_UNDERSTOOD
    assert "x-unknown" in decode(reply.content, Reason).reason
