"""The contract agent over real XMPP (pyjabber), in its own OS process, against the ledger in another."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.conversation_behaviour import ConversationBehaviour
from core.settings import Settings
from ledger.commit import DELIVERY, ORDER, ORDER_AGREEMENT, ORDER_PROPOSAL, SUPPLY_AGREEMENT
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.testing import LedgerProcess, hs256_token
from ontology.codec import decode
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from protocols.request import RequestInitiator, RequestInitiatorState
from tests.agents.probe import Probe
from tests.ledger.examples import commit_request

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "agent-test-secret-0123456789abcdef"
PARTIES = ("c1", "m1", "s1", "s2")
WAIT = 30.0


def admin_token() -> str:
    return hs256_token(SECRET, act_as=PARTIES, admin=True)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("agent-ledger"), secret=SECRET, grpc=False)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def contract_agent(pyjabber_settings: Settings, ledger: LedgerProcess) -> AsyncIterator[ChildProcess]:
    env = {
        "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
        "LSO_LEDGER_CLIENT_TOKEN": admin_token(),
        "LSO_LEDGER_CLIENT_RETRIES": "2",
        "LSO_LEDGER_CLIENT_BACKOFF": "0.05",
        "LSO_LEDGER_COMMIT_RETRY_DELAY": "0.1",
        "LSO_LEDGER_COMMIT_RETRY_MAX_DELAY": "0.5",
        "LSO_LEDGER_COMMIT_DEADLINE": "20",
    }
    log = (ledger.data_dir / "agent.log").open("ab")
    child = await spawn(
        "agents.contract_agent",
        ["--name", f"contract-{uuid.uuid4().hex[:8]}"],
        pyjabber_settings,
        extra_env=env,
        stderr=log,
        cwd=REPO_ROOT,
    )
    yield child
    await child.stop()
    log.close()


@pytest.fixture(scope="module")
async def requester(pyjabber_settings: Settings) -> AsyncIterator[Probe]:
    agent = Probe(f"manufacturer-{uuid.uuid4().hex[:8]}", pyjabber_settings)
    await agent.start()
    yield agent
    await agent.stop()


def ask(
    requester: Probe, agent_jid: str, request: CommitAgreement
) -> ConversationBehaviour[RequestInitiator]:
    conversation = requester.open_conversation(RequestInitiator(me=requester.address))
    conversation.act(
        lambda m, now: m.start(
            request,
            agent_jid,
            now=now,
            reply_by=now + timedelta(seconds=10),
            result_by=now + timedelta(seconds=WAIT),
        )
    )
    return conversation


async def contracts_of(ledger: LedgerProcess, order_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with JsonApiClient(ledger.info.json_api, static_token(admin_token())) as client:
        for template in (ORDER, ORDER_PROPOSAL, ORDER_AGREEMENT, SUPPLY_AGREEMENT, DELIVERY):
            found = await client.query([template], {"orderId": order_id})
            if found:
                counts[template.rsplit(":", 1)[1]] = len(found)
    return counts


ONE_SET = {"CustomerOrder": 1, "OrderAgreement": 1, "SupplyAgreement": 2, "DeliveryCommitment": 1}


async def test_commit_agree_then_inform_and_retry_is_idempotent(
    contract_agent: ChildProcess, requester: Probe, ledger: LedgerProcess
) -> None:
    request = commit_request()
    conversation = ask(requester, contract_agent.ready_line, request)
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.DONE
    machine = conversation.machine
    assert [r.performative.value for r in machine.replies] == ["agree", "inform"]
    assert machine.result is not None
    committed = decode(machine.result.content, ContractCommitted)
    assert committed.order_id == request.order.id and len(committed.supply_contracts) == 2
    assert await contracts_of(ledger, str(request.order.id)) == ONE_SET

    # the manufacturer's agent retries (say, after a timeout): same contracts, nothing new
    again = ask(requester, contract_agent.ready_line, request)
    async with asyncio.timeout(WAIT):
        await again.outcome()
    assert again.machine.result is not None
    assert decode(again.machine.result.content, ContractCommitted).contract_ids == committed.contract_ids
    assert await contracts_of(ledger, str(request.order.id)) == ONE_SET


@pytest.mark.parametrize("how", ["down-before", "killed-after-agree"])
async def test_ledger_down_during_commit_yields_exactly_one_set(
    contract_agent: ChildProcess, requester: Probe, ledger: LedgerProcess, how: str
) -> None:
    request = commit_request()
    if how == "down-before":
        await ledger.astop()
    conversation = ask(requester, contract_agent.ready_line, request)
    async with asyncio.timeout(WAIT):
        await conversation.wait_until(lambda m: m.state is not RequestInitiatorState.AWAITING_RESPONSE)
    assert conversation.machine.state is RequestInitiatorState.AGREED
    if how == "killed-after-agree":
        ledger.kill()
    await asyncio.sleep(1.0)
    assert conversation.machine.state is RequestInitiatorState.AGREED  # still retrying, order contracting
    await ledger.astart()
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.DONE, outcome
    assert await contracts_of(ledger, str(request.order.id)) == ONE_SET


async def test_ledger_refusal_is_a_failure(
    contract_agent: ChildProcess, requester: Probe, ledger: LedgerProcess
) -> None:
    ledger.start()
    request = commit_request(customer="stranger")  # the agent's token may not act as this customer
    conversation = ask(requester, contract_agent.ready_line, request)
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.FAILED
    failure = conversation.machine.replies[-1]
    assert "refused" in decode(failure.content, Reason).reason
