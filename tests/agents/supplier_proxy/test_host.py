"""The proxy host with its caller in the same process (SPADE's in-process hand-over).

What an engineer gets when the manufacturer and the proxies share a process: the same FIPA
addressing (one agent identifier per proxy), unknown or removed proxies answered ``not-understood``,
``fail_after_accept`` ending in ``failure``, nothing but a ``cfp`` opening a conversation, and only
a manufacturer's cfp answered (the directory reads the store of the agents' settings).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from agents.runtime.refusals import NOT_AUTHORISED
from agents.supplier_proxy import ProxyHost, reasons
from common.settings import Settings
from federation.dataset.loader import load_shipped
from ontology.codec import decode
from ontology.common import Ping, Reason
from ontology.negotiation import Offer
from protocols.acl import AclMessage, new_id
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.conftest import unique
from tests.agents.probe import Probe
from tests.agents.supplier_proxy.test_over_xmpp import call
from tests.xmpp_accounts import started

WAIT = 15.0
_S = ContractNetInitiatorState


@pytest.fixture
async def agents(server: tuple[str, Settings]) -> AsyncIterator[tuple[Probe, ProxyHost]]:
    _, settings = server
    maker = Probe(unique("maker"), settings)
    host = ProxyHost(unique("suppliers"), settings)
    record = next(r for r in load_shipped().suppliers if r.id == "SUP-0001")
    host.add_record(record, fail_after_accept=True)
    await asyncio.gather(
        started(maker, role=AgentRole.MANUFACTURER, party="maker-1"), started(host, role=AgentRole.SUPPLIER)
    )
    await host.ensure_started()  # idempotent
    yield maker, host
    await asyncio.gather(maker.stop(), host.stop())


async def test_a_cfp_of_an_unbound_agent_is_refused(
    agents: tuple[Probe, ProxyHost], server: tuple[str, Settings]
) -> None:
    _, host = agents
    outsider = await started(Probe(unique("outsider"), server[1]), role=None)
    try:
        aid = host.address_for("SUP-0001")
        cfp = AclMessage.build(
            Performative.CFP,
            outsider.address,
            aid,
            call(new_id(), 1),
            protocol=ProtocolName.ITERATED_CONTRACT_NET,
            conversation_id=new_id(),
        )
        outsider.send_acl(cfp)
        reply = await outsider.next_message(cfp.conversation_id)
        assert (reply.performative, reply.sender) == (Performative.REFUSE, aid)
        assert decode(reply.content, Reason).reason == NOT_AUTHORISED
        assert host.sizes()["live"] == host.sizes()["offers"] == 0
    finally:
        await outsider.stop()


async def test_failure_after_accept_in_process(agents: tuple[Probe, ProxyHost]) -> None:
    maker, host = agents
    aid = host.address_for("SUP-0001")
    assert host.proxies[aid].supplier.agent == aid
    conversation = maker.open_conversation(IteratedContractNetInitiator(me=maker.address))
    conversation.act(
        lambda m, now: m.start(call(new_id(), 1), [aid], now=now, reply_by=now + timedelta(seconds=5))
    )
    async with asyncio.timeout(WAIT):
        machine = await conversation.wait_until(lambda m: m.state is not _S.COLLECTING)
    assert decode(machine.proposals[aid].content, Offer).supplier_id == "SUP-0001"
    conversation.act(lambda m, now: m.award([aid], now=now))
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == _S.FAILED
    assert decode(conversation.machine.failures[aid].content, Reason).reason == reasons.CONFIGURED_FAILURE


async def test_unknown_removed_and_non_cfp_get_not_understood(agents: tuple[Probe, ProxyHost]) -> None:
    maker, host = agents
    aid = host.address_for("SUP-0001")
    request = AclMessage.build(
        Performative.REQUEST,
        maker.address,
        aid,
        Ping(),
        protocol=ProtocolName.REQUEST,
        conversation_id=new_id(),
    )
    maker.send_acl(request)
    reply = await maker.next_message(request.conversation_id)
    assert reply.performative is Performative.NOT_UNDERSTOOD
    assert reply.sender == aid

    host.remove(aid)
    cfp = AclMessage.build(
        Performative.CFP,
        maker.address,
        aid,
        call(new_id(), 1),
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=new_id(),
    )
    maker.send_acl(cfp)
    reply = await maker.next_message(cfp.conversation_id)
    assert reply.performative is Performative.NOT_UNDERSTOOD
    assert reply.sender == aid
    assert "no supplier proxy" in decode(reply.content, Reason).reason


async def test_lapsed_proposal_ends_the_conversation_and_a_late_accept_fails(
    agents: tuple[Probe, ProxyHost],
) -> None:
    maker, host = agents
    record = next(r for r in load_shipped().suppliers if r.id == "SUP-0018")
    aid = host.add_record(record)
    host.add(host.proxies[aid].supplier, host.proxies[aid].policy, offer_validity=timedelta(seconds=0.5))
    cfp = AclMessage.build(
        Performative.CFP,
        maker.address,
        aid,
        call(new_id(), 1),
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=new_id(),
    )
    maker.send_acl(cfp)
    proposal = await maker.next_message(cfp.conversation_id)
    assert proposal.performative is Performative.PROPOSE
    assert host.open_conversations == 1
    await asyncio.sleep(1.5)  # the proposal lapses after 0.5 s; the host's deadline task ends it
    assert host.open_conversations == 0
    maker.send_acl(
        proposal.create_reply(Performative.ACCEPT_PROPOSAL, proposal.content, sender=maker.address)
    )
    reply = await maker.next_message(cfp.conversation_id)
    assert reply.performative is Performative.FAILURE
    assert reply.sender == aid
