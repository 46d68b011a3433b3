"""Malformed ACL messages sent as raw SPADE messages get ``not-understood``; the agent carries on. Over
XMPP, a message over the size limit is refused unread, and a sender over its rate is told once and then
dropped; accounts the store binds get the larger (trusted) rate."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agents.ping_agent import PingAgent
from agents.runtime.refusals import MESSAGE_TOO_LARGE, NOT_AUTHORISED, TOO_MANY_REQUESTS
from ontology.codec import decode, encode
from ontology.common import Ping, Pong, Reason
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative, ProtocolName
from tests.agents.conftest import Peer, unique
from tests.agents.probe import Probe
from tests.xmpp_accounts import started, store_of

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


# ---------------------------------------------------------------- limits over XMPP

LIMIT = 4096


class GuardedPing(PingAgent):
    """A PingAgent that records every message it parsed (what passed the limits)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: list[AclMessage] = []

    def receive_acl(self, message: AclMessage) -> None:
        self.parsed.append(message)
        super().receive_acl(message)


@pytest.fixture
async def guarded(peer: Peer) -> AsyncIterator[GuardedPing]:
    """A PingAgent in this process with small limits: messages of at most 4096 bytes; 1 a second and 3 at
    once from an account bound to nothing. The senders are other agents of this process, but they send raw
    stanzas (:meth:`Probe.send_raw`), which cross the server and so the limits."""
    settings = peer.settings.model_copy(
        update={
            "acl_max_message_bytes": LIMIT,
            "acl_rate_per_second": 1.0,
            "acl_rate_burst": 3,
            "directory_ttl_seconds": 60.0,
        }
    )
    agent = GuardedPing(unique("guarded"), settings)
    agent.store = await store_of(settings)
    await started(agent, party="ping")
    yield agent
    await agent.stop()


def ping_request() -> tuple[str, dict[str, str]]:
    cid = new_id()
    return cid, raw_request({"performative": "request"}, cid, new_id())


async def quiet_inbox(agent: Probe, conversation_ids: set[str], quiet: float = 1.5) -> list[AclMessage]:
    """Every message of ``conversation_ids`` that reaches ``agent`` until nothing came for ``quiet`` s."""
    received: list[AclMessage] = []
    while True:
        try:
            message = await agent.next_message(wait=quiet)
        except TimeoutError:
            return received
        if message.conversation_id in conversation_ids:
            received.append(message)


async def pinged(agent: Probe, to: str) -> Pong:
    cid, metadata = ping_request()
    agent.send_raw(to, PING, metadata)
    reply = await agent.next_message(cid)
    assert reply.performative is Performative.INFORM, reply
    return decode(reply.content, Pong)


async def test_a_message_over_the_size_limit_is_refused_unread(
    probe: Probe, stranger: Probe, guarded: GuardedPing
) -> None:
    """Whoever sends it, bound or not: the size is checked before anything else."""
    for agent in (probe, stranger):
        cid, metadata = ping_request()
        metadata["X-padding"] = "x" * LIMIT  # a well-formed ping, but too large
        agent.send_raw(guarded.address, PING, metadata)

        reply = await agent.next_message(cid)
        assert reply.performative is Performative.REFUSE and reply.sender == guarded.address
        assert reply.in_reply_to == metadata["reply-with"]
        reason = decode(reply.content, Reason)
        assert reason.reason == MESSAGE_TOO_LARGE and str(LIMIT) in (reason.detail or "")
        assert all(message.conversation_id != cid for message in guarded.parsed)
        assert guarded.conversation(cid) is None
    assert (await pinged(probe, guarded.address)).note == "raw"  # the agent carries on


async def test_a_burst_from_an_unbound_account_gets_one_refusal_and_the_rest_is_dropped(
    stranger: Probe, guarded: GuardedPing
) -> None:
    burst = [ping_request() for _ in range(10)]
    for _, metadata in burst:
        stranger.send_raw(guarded.address, PING, metadata)
    cids = [cid for cid, _ in burst]

    replies = await quiet_inbox(stranger, set(cids))
    answered = {reply.conversation_id: decode(reply.content, Reason).reason for reply in replies}
    assert all(reply.performative is Performative.REFUSE for reply in replies), replies
    # The burst of 3 is looked at (and refused: the account is bound to nothing); the 4th is told to slow
    # down; the rest is dropped unanswered and unread.
    assert answered == {
        cids[0]: NOT_AUTHORISED,
        cids[1]: NOT_AUTHORISED,
        cids[2]: NOT_AUTHORISED,
        cids[3]: TOO_MANY_REQUESTS,
    }
    assert len(replies) == 4
    assert [message.conversation_id for message in guarded.parsed] == cids[:3]


async def test_a_bound_account_gets_the_trusted_bucket(probe: Probe, guarded: GuardedPing) -> None:
    assert (await pinged(probe, guarded.address)).agent == guarded.address  # its binding is now known
    burst = [ping_request() for _ in range(10)]
    for _, metadata in burst:
        probe.send_raw(guarded.address, PING, metadata)
    cids = {cid for cid, _ in burst}

    replies = await quiet_inbox(probe, cids)
    assert {reply.conversation_id for reply in replies} == cids
    assert {reply.performative for reply in replies} == {Performative.INFORM}
