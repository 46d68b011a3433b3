"""A proxy host in its own OS process answers an Iterated Contract Net over a real XMPP server.

Two rounds, one winner informed; one proxy refuses (no laser cutting), one is silent. Runs on the
embedded pyjabber and on Prosody (fixtures of ``tests/agents/conftest.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from agents.supplier_proxy import reasons
from core.settings import Settings
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import CallForProposals, Offer
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from tests.agents.conftest import unique
from tests.agents.probe import Probe

BIDDERS = ("SUP-0001", "SUP-0018")
NO_LASER = "SUP-0002"
SILENT = "SUP-0023"
WAIT = 20.0
_S = ContractNetInitiatorState


@pytest.fixture
async def host(server: tuple[str, Settings]) -> AsyncIterator[ChildProcess]:
    _, settings = server
    ids = ",".join((*BIDDERS, NO_LASER, SILENT))
    child = await spawn(
        "agents.supplier_proxy",
        ["--name", unique("suppliers"), "--suppliers", ids, "--silent", SILENT],
        settings,
    )
    yield child
    await child.stop()


@pytest.fixture
async def maker(server: tuple[str, Settings]) -> AsyncIterator[Probe]:
    _, settings = server
    agent = Probe(unique("maker"), settings)
    await agent.start()
    yield agent
    await agent.stop()


def call(order: object, round_number: int, target: str | None = None) -> CallForProposals:
    now = datetime.now(UTC)
    return CallForProposals.model_validate(
        {
            "order_id": order,
            "part": RequiredPart(
                part_id="frame", process=ProcessKind.LASER_CUTTING, material="steel", machine_minutes=30.0
            ),
            "delivery_date": now.date() + timedelta(days=60),
            "reply_by": now + timedelta(seconds=10),
            "round": round_number,
            "target_price": target,
        }
    )


async def test_two_rounds_one_accepted(host: ChildProcess, maker: Probe) -> None:
    jid, count = host.ready_line.split()
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
