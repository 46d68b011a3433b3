"""A proxy host in its own OS process answers an Iterated Contract Net over a real XMPP server.

Two rounds, one winner informed; one proxy refuses (no laser cutting), one is silent. Only an account the
store binds as ``manufacturer`` is answered: any other gets ``refuse`` ``not-authorised`` and opens nothing.
A booking of an order the store does not hold is released by the host's first check. Runs on the embedded
pyjabber and on Prosody (fixtures of ``tests/agents/conftest.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.refusals import NOT_AUTHORISED
from agents.supplier_proxy import default_policy, reasons
from agents.supplier_proxy.pricing import hours_available
from common.settings import Settings
from federation.dataset.loader import load_shipped
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import CallForProposals, Offer
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from protocols.acl import AclMessage, new_id
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.conftest import unique
from tests.agents.probe import Probe
from tests.xmpp_accounts import bind, create_account, started

BIDDERS = ("SUP-0001", "SUP-0018")
NO_LASER = "SUP-0002"
SILENT = "SUP-0023"
WAIT = 20.0
_S = ContractNetInitiatorState


CHECK_SECONDS = 0.5


class Host:
    """The proxy host's child process and its log (INFO)."""

    def __init__(self, child: ChildProcess, log: Path) -> None:
        self.child = child
        self.log = log
        self.jid = child.ready_line.split()[0]

    def aid(self, supplier_id: str) -> str:
        return f"{self.jid}/{supplier_id}"

    async def logged(self, *parts: str, wait: float = WAIT) -> str:
        """The first line of the log holding every one of ``parts`` (waiting for it)."""
        async with asyncio.timeout(wait):
            while True:
                for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
                    if all(part in line for part in parts):
                        return line
                await asyncio.sleep(0.1)


@pytest.fixture
async def host(server: tuple[str, Settings], tmp_path: Path) -> AsyncIterator[Host]:
    _, settings = server
    name = unique("suppliers")
    await create_account(settings, name)
    await bind(settings, f"{name}@{settings.xmpp_domain}", AgentRole.SUPPLIER)
    ids = ",".join((*BIDDERS, NO_LASER, SILENT))
    log = tmp_path / "proxy-host.log"
    with log.open("wb") as stderr:
        child = await spawn(
            "agents.supplier_proxy",
            ["--name", name, "--suppliers", ids, "--silent", SILENT],
            settings,
            extra_env={"LSO_SUPPLIERS_BOOKING_CHECK_SECONDS": str(CHECK_SECONDS), "LSO_LOG_LEVEL": "INFO"},
            stderr=stderr,
        )
    yield Host(child, log)
    await child.stop()


@pytest.fixture
async def maker(server: tuple[str, Settings]) -> AsyncIterator[Probe]:
    _, settings = server
    agent = await started(Probe(unique("maker"), settings), role=AgentRole.MANUFACTURER, party="maker-1")
    yield agent
    await agent.stop()


@pytest.fixture
async def outsider(server: tuple[str, Settings]) -> AsyncIterator[Probe]:
    _, settings = server
    agent = await started(Probe(unique("outsider"), settings), role=None)
    yield agent
    await agent.stop()


def call(
    order: object, round_number: int, target: str | None = None, machine_minutes: float = 30.0
) -> CallForProposals:
    now = datetime.now(UTC)
    return CallForProposals.model_validate(
        {
            "order_id": order,
            "part": RequiredPart(
                part_id="frame",
                process=ProcessKind.LASER_CUTTING,
                material="steel",
                machine_minutes=machine_minutes,
            ),
            "delivery_date": now.date() + timedelta(days=60),
            "reply_by": now + timedelta(seconds=10),
            "round": round_number,
            "target_price": target,
        }
    )


async def test_two_rounds_one_accepted(host: Host, maker: Probe) -> None:
    jid, count = host.child.ready_line.split()
    assert count == "4"
    aids = [f"{jid}/{sid}" for sid in (*BIDDERS, NO_LASER, SILENT)]
    order = uuid4()
    conversation = maker.open_conversation(IteratedContractNetInitiator(me=maker.address, max_rounds=3))
    conversation.act(
        lambda m, now: m.start(call(order, 1), aids, now=now, reply_by=now + timedelta(seconds=3))
    )
    async with asyncio.timeout(WAIT):
        machine = await conversation.wait_until(lambda m: m.state is not _S.COLLECTING)
    assert machine.state is _S.EVALUATING
    assert set(machine.proposals) == {f"{jid}/{sid}" for sid in BIDDERS}
    assert (
        decode(machine.refusals[f"{jid}/{NO_LASER}"].content, Reason).reason == reasons.PROCESS_NOT_SUPPORTED
    )
    assert machine.silent == (f"{jid}/{SILENT}",)
    first = {peer: decode(m.content, Offer) for peer, m in machine.proposals.items()}
    assert {offer.supplier_id for offer in first.values()} == set(BIDDERS)

    cheapest = min(offer.price for offer in first.values())
    revised = call(order, 2, target=str(cheapest * 8 / 10))
    conversation.act(lambda m, now: m.revise(revised, now=now, reply_by=now + timedelta(seconds=10)))
    async with asyncio.timeout(WAIT):
        machine = await conversation.wait_until(lambda m: m.round == 2 and m.state is not _S.COLLECTING)
    second = {peer: decode(m.content, Offer) for peer, m in machine.proposals.items()}
    assert set(second) == set(first)
    for peer, offer in second.items():
        assert offer.round == 2
        assert offer.price <= first[peer].price

    winner = min(second, key=lambda peer: second[peer].price)
    conversation.act(lambda m, now: m.award([winner], now=now))
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == _S.COMPLETED
    assert decode(conversation.machine.results[winner].content, Offer) == second[winner]


def cfp_message(sender: Probe, aid: str, content: CallForProposals) -> AclMessage:
    return AclMessage.build(
        Performative.CFP,
        sender.address,
        aid,
        content,
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=new_id(),
    )


async def test_a_cfp_of_an_unbound_account_is_refused_and_opens_nothing(host: Host, outsider: Probe) -> None:
    aid = host.aid(BIDDERS[0])
    cfp = cfp_message(outsider, aid, call(uuid4(), 1))
    outsider.send_acl(cfp)
    reply = await outsider.next_message(cfp.conversation_id)
    assert (reply.performative, reply.sender) == (Performative.REFUSE, aid)
    reason = decode(reply.content, Reason)
    assert reason.reason == NOT_AUTHORISED and outsider.address in (reason.detail or "")
    await host.logged("refused", outsider.address, NOT_AUTHORISED)

    # Accepting an offer in that conversation finds none: nothing was offered, nothing can be booked.
    fake = Offer(
        order_id=decode(cfp.content, CallForProposals).order_id,
        part_id="frame",
        supplier_id=BIDDERS[0],
        price=Decimal("1"),
        delivery_date=datetime.now(UTC).date() + timedelta(days=60),
        valid_until=datetime.now(UTC) + timedelta(minutes=1),
    )
    accept = reply.create_reply(Performative.ACCEPT_PROPOSAL, fake, sender=outsider.address)
    outsider.send_acl(accept)
    answer = await outsider.next_message(cfp.conversation_id)
    assert (answer.performative, answer.sender) == (Performative.NOT_UNDERSTOOD, aid)
    assert "booking of offer" not in host.log.read_text(encoding="utf-8", errors="replace")


async def test_a_booking_of_an_order_the_store_does_not_hold_is_released(host: Host, maker: Probe) -> None:
    record = next(r for r in load_shipped().suppliers if r.id == BIDDERS[0])
    supplier, policy = record.to_supplier(), default_policy(record)
    capability = supplier.capability(ProcessKind.LASER_CUTTING)
    assert capability is not None
    today = datetime.now(UTC).date()
    capacity = hours_available(today, today + timedelta(days=60), policy, capability, 0.0)
    minutes = 0.3 * capacity * 60  # two of these are over the share one requester may hold (0.5)
    aid = host.aid(BIDDERS[0])

    conversation = maker.open_conversation(IteratedContractNetInitiator(me=maker.address))
    first = call(uuid4(), 1, machine_minutes=minutes)
    conversation.act(lambda m, now: m.start(first, [aid], now=now, reply_by=now + timedelta(seconds=5)))
    async with asyncio.timeout(WAIT):
        await conversation.wait_until(lambda m: m.state is not _S.COLLECTING)
    conversation.act(lambda m, now: m.award([aid], now=now))
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == _S.COMPLETED
    booked = decode(conversation.machine.results[aid].content, Offer)

    line = await host.logged(f"booking of offer {booked.id}", "released")
    assert f"order {first.order_id} does not exist" in line and maker.address in line
    second = cfp_message(maker, aid, call(uuid4(), 1, machine_minutes=minutes))
    maker.send_acl(second)
    reply = await maker.next_message(second.conversation_id)
    assert reply.performative is Performative.PROPOSE  # the released hours are the requester's again
