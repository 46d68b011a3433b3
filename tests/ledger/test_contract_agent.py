"""The contract agent over real XMPP (pyjabber), in its own OS process, against the ledger in another and the
platform's store (the store of the test settings, which the child process reads too). Each party's step is
written with the token of that party's own ledger user (identities in the store, tokens handed to the agent
per user); the agent's operator token only deploys the DAR.

Only the agent of the order's manufacturer has an agreement committed, and only for the order the store
holds, confirmed, with the accepted quotation and the negotiated network; anything else is refused with a
reason and leaves nothing on the ledger and the order as it was. An agreement already on the ledger for the
order is reused only when it is the same one."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from agents.contract.authority import (
    NOT_THE_ACCEPTED_QUOTATION,
    NOT_THE_NEGOTIATED_NETWORK,
    ORDER_TERMS_DIFFER,
    ORDER_UNKNOWN,
    WRONG_STATUS,
)
from agents.contract_agent import AGREEMENT_CONFLICT, AGREEMENT_MISSING, PARTY_NOT_ONBOARDED
from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings
from ledger.commit import (
    CUSTOMER_ORDER,
    ORDER_AGREEMENT,
    SUPPLY_AGREEMENT,
    SUPPLY_PROPOSAL,
    AgreementCommitter,
)
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.testing import LedgerProcess, hs256_token
from ontology.codec import decode
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted, PartyRole
from ontology.order import OrderStatus
from protocols.request import RequestInitiator, RequestInitiatorState
from store.database import Database
from store.enums import AgentRole
from store.records.ledger_identities import NewLedgerIdentity
from tests.agents.probe import Probe
from tests.ledger.examples import (
    StoredParties,
    add_parties,
    commit_request,
    move_order,
    priced,
    request_of,
    status_of,
    store_request,
    with_network,
)
from tests.ledger.party_sessions import Identity, onboard, sessions, user_token
from tests.xmpp_accounts import bind, create_account, started, store_of

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "agent-test-secret-0123456789abcdef"
NAME = uuid.uuid4().hex[:8]
WAIT = 30.0


@dataclass(frozen=True)
class World:
    db: Database
    parties: StoredParties
    """The manufacturer ``maker-<NAME>``, its product and customer, and the suppliers s1, s2: each onboarded
    (its own ledger party and user, in the store), the agent holding a token of each one's user."""
    stranger: StoredParties
    """Another customer of the same manufacturer, onboarded, whose user's token the agent was handed wrong
    (a token of the manufacturer's user): the ledger refuses its steps."""
    identities: dict[tuple[PartyRole, str], Identity]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(
        tmp_path_factory.mktemp("agent-ledger"), secret=SECRET, env={"LSO_LEDGER_PARTY_IDS": "canton"}
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def world(pyjabber_settings: Settings, ledger: LedgerProcess) -> World:
    db = await store_of(pyjabber_settings)
    parties, stranger = await add_parties(db, NAME, customers=2)
    who = {
        (PartyRole.CUSTOMER, parties.customer),
        (PartyRole.CUSTOMER, stranger.customer),
        (PartyRole.MANUFACTURER, parties.manufacturer),
        (PartyRole.SUPPLIER, "s1"),
        (PartyRole.SUPPLIER, "s2"),
    }
    identities = {(role, pid): await onboard(ledger, SECRET, role, pid) for role, pid in who}
    async with db.transaction() as repos:
        for (role, pid), identity in identities.items():
            await repos.ledger_identities.record(
                NewLedgerIdentity(
                    role=role,
                    platform_id=pid,
                    ledger_party=identity.party,
                    ledger_user=identity.user_id,
                    created_by="tests",
                )
            )
    return World(db, parties, stranger, identities)


def operator_token() -> str:
    """The token the agent deploys the DAR with: an admin's, acting as no party."""
    return hs256_token(SECRET, admin=True)


def party_tokens(world: World) -> dict[str, str]:
    """The token of each party's user, as the agent is handed them (the stranger's is the manufacturer's)."""
    tokens = {i.user_id: user_token(SECRET, i.user_id) for i in world.identities.values()}
    maker = world.identities[(PartyRole.MANUFACTURER, world.parties.manufacturer)].user_id
    tokens[world.identities[(PartyRole.CUSTOMER, world.stranger.customer)].user_id] = user_token(
        SECRET, maker
    )
    return tokens


@pytest.fixture(scope="module")
async def contract_agent(
    pyjabber_settings: Settings, ledger: LedgerProcess, world: World
) -> AsyncIterator[ChildProcess]:
    env = {
        "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
        "LSO_LEDGER_GRPC_URL": f"http://{ledger.info.grpc}",
        "LSO_LEDGER_CLIENT_TOKEN": operator_token(),
        "LSO_LEDGER_PARTY_TOKENS": json.dumps(party_tokens(world)),
        "LSO_LEDGER_CLIENT_TIMEOUT": "2",
        "LSO_LEDGER_CLIENT_RETRIES": "2",
        "LSO_LEDGER_CLIENT_BACKOFF": "0.05",
        "LSO_LEDGER_COMMIT_RETRY_DELAY": "0.1",
        "LSO_LEDGER_COMMIT_RETRY_MAX_DELAY": "0.5",
        "LSO_LEDGER_COMMIT_DEADLINE": "20",
    }
    name = f"contract-{NAME}"
    await create_account(pyjabber_settings, name)
    await bind(pyjabber_settings, f"{name}@{pyjabber_settings.xmpp_domain}", AgentRole.PLATFORM, "contract")
    log = (ledger.data_dir / "agent.log").open("ab")
    child = await spawn(
        "agents.contract_agent", ["--name", name], pyjabber_settings, extra_env=env, stderr=log, cwd=REPO_ROOT
    )
    yield child
    await child.stop()
    log.close()


@pytest.fixture(scope="module")
async def maker(pyjabber_settings: Settings, world: World) -> AsyncIterator[Probe]:
    """The manufacturer's agent: bound as manufacturer for the orders' manufacturer."""
    agent = Probe(f"maker-{NAME}", pyjabber_settings)
    await started(agent, role=AgentRole.MANUFACTURER, party=world.parties.manufacturer)
    yield agent
    await agent.stop()


@pytest.fixture(scope="module")
async def outsider(pyjabber_settings: Settings) -> AsyncIterator[Probe]:
    """An account of the XMPP server the store binds to nothing."""
    agent = Probe(f"outsider-{NAME}", pyjabber_settings)
    await started(agent, role=None)
    yield agent
    await agent.stop()


@pytest.fixture(scope="module")
async def other_maker(pyjabber_settings: Settings) -> AsyncIterator[Probe]:
    """Another manufacturer's agent."""
    agent = Probe(f"other-maker-{NAME}", pyjabber_settings)
    await started(agent, role=AgentRole.MANUFACTURER, party=f"other-maker-{NAME}")
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


async def outcome_of(conversation: ConversationBehaviour[RequestInitiator]) -> RequestInitiatorState:
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    return RequestInitiatorState(outcome.state)


def last_reason(conversation: ConversationBehaviour[RequestInitiator]) -> Reason:
    return decode(conversation.machine.replies[-1].content, Reason)


async def contracts_of(ledger: LedgerProcess, world: World, order_id: object) -> dict[str, int]:
    """The order's contracts, as its manufacturer sees them (all of them)."""
    counts: dict[str, int] = {}
    templates = (CUSTOMER_ORDER, ORDER_AGREEMENT, SUPPLY_PROPOSAL, SUPPLY_AGREEMENT)
    maker = world.identities[(PartyRole.MANUFACTURER, world.parties.manufacturer)].user_id
    async with JsonApiClient(ledger.info.json_api, static_token(user_token(SECRET, maker))) as client:
        for template in templates:
            found = await client.query([template], {"orderId": str(order_id)})
            if found:
                counts[template.rsplit(":", 1)[1]] = len(found)
    return counts


ONE_SET = {"OrderAgreement": 1, "SupplyAgreement": 2}


async def test_commit_agree_then_inform_and_retry_is_idempotent(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World
) -> None:
    request = request_of(world.parties)
    await store_request(world.db, request)
    conversation = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(conversation) == RequestInitiatorState.DONE
    machine = conversation.machine
    assert [r.performative.value for r in machine.replies] == ["agree", "inform"]
    assert machine.result is not None
    committed = decode(machine.result.content, ContractCommitted)
    assert committed.order_id == request.order.id and len(committed.supply_contracts) == 2
    assert await contracts_of(ledger, world, request.order.id) == ONE_SET
    # the contract agent records the contracting in the store it shares with the manufacturer's agent
    assert await status_of(world.db, request.order.id) == OrderStatus.CONTRACTED
    async with world.db.transaction() as repos:
        record = await repos.orders.require(str(request.order.id))
    assert sorted(record.contract_ids) == sorted(committed.contract_ids)

    # the manufacturer's agent retries (say, after a timeout): same contracts, nothing new
    again = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(again) == RequestInitiatorState.DONE
    assert again.machine.result is not None
    assert decode(again.machine.result.content, ContractCommitted).contract_ids == committed.contract_ids
    assert await contracts_of(ledger, world, request.order.id) == ONE_SET
    assert await status_of(world.db, request.order.id) == OrderStatus.CONTRACTED


Case = Callable[[World], Awaitable[CommitAgreement]]


async def unknown_order(world: World) -> CommitAgreement:
    return request_of(world.parties)


async def quoted_order(world: World) -> CommitAgreement:
    request = request_of(world.parties)
    await store_request(world.db, request, status=OrderStatus.QUOTED)
    return request


async def stored(world: World) -> CommitAgreement:
    request = request_of(world.parties)
    await store_request(world.db, request)
    return request


async def forged_price(world: World) -> CommitAgreement:
    return priced(await stored(world), "1.00")


async def other_network(world: World) -> CommitAgreement:
    return with_network(await stored(world), "1.00")


async def other_quantity(world: World) -> CommitAgreement:
    request = await stored(world)
    return request.model_copy(update={"order": request.order.model_copy(update={"quantity": 1})})


@pytest.mark.parametrize(
    ("who", "case", "reason"),
    [
        ("outsider", stored, NOT_AUTHORISED),
        ("other_maker", stored, NOT_AUTHORISED),
        ("maker", unknown_order, ORDER_UNKNOWN),
        ("maker", quoted_order, WRONG_STATUS),
        ("maker", forged_price, NOT_THE_ACCEPTED_QUOTATION),
        ("maker", other_network, NOT_THE_NEGOTIATED_NETWORK),
        ("maker", other_quantity, ORDER_TERMS_DIFFER),
    ],
)
async def test_refused_requests_leave_nothing_behind(
    contract_agent: ChildProcess,
    ledger: LedgerProcess,
    world: World,
    maker: Probe,
    outsider: Probe,
    other_maker: Probe,
    who: str,
    case: Case,
    reason: str,
) -> None:
    requester = {"maker": maker, "outsider": outsider, "other_maker": other_maker}[who]
    commit = await case(world)
    before = await status_of(world.db, commit.order.id)
    conversation = ask(requester, contract_agent.ready_line, commit)
    assert await outcome_of(conversation) == RequestInitiatorState.REFUSED
    assert [r.performative.value for r in conversation.machine.replies] == ["refuse"]
    refusal = last_reason(conversation)
    assert refusal.reason == reason, refusal
    assert refusal.detail
    assert await contracts_of(ledger, world, commit.order.id) == {}
    assert await status_of(world.db, commit.order.id) == before
    async with world.db.transaction() as repos:
        if before is not None:
            history = await repos.orders.history(str(commit.order.id))
            assert all(change.actor != "contract-agent" for change in history)


async def test_a_contracted_order_without_its_agreement_on_the_ledger_gets_nothing_new(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World
) -> None:
    request = await stored(world)
    await move_order(world.db, request.order.id, OrderStatus.CONTRACTING, OrderStatus.CONTRACTED)
    conversation = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(conversation) == RequestInitiatorState.FAILED
    assert last_reason(conversation).reason == AGREEMENT_MISSING
    assert await contracts_of(ledger, world, request.order.id) == {}
    assert await status_of(world.db, request.order.id) == OrderStatus.CONTRACTED


async def test_a_different_agreement_on_the_ledger_fails_the_commit(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World
) -> None:
    """The incident: a forged agreement (price 1.00) for the real order is on the ledger already; the order's
    own commit fails clearly instead of reusing it, and the order is not contracted."""
    request = await stored(world)
    parties = sessions(ledger, SECRET, world.identities)
    try:
        forged = await AgreementCommitter(parties).commit(priced(request, "1.00"))
    finally:
        await parties.aclose()
    conversation = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(conversation) == RequestInitiatorState.FAILED
    failure = last_reason(conversation)
    assert failure.reason == AGREEMENT_CONFLICT
    assert f"a different agreement for order {request.order.id} is on the ledger" in (failure.detail or "")
    assert await contracts_of(ledger, world, request.order.id) == ONE_SET  # the forged set, nothing more
    assert await status_of(world.db, request.order.id) == OrderStatus.FAILED
    async with world.db.transaction() as repos:
        record = await repos.orders.require(str(request.order.id))
    assert forged.order_contract_id not in record.contract_ids


@pytest.mark.parametrize("how", ["down-before", "killed-after-agree"])
async def test_ledger_down_during_commit_yields_exactly_one_set(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World, how: str
) -> None:
    request = await stored(world)
    if how == "down-before":
        await ledger.astop()
    conversation = ask(maker, contract_agent.ready_line, request)
    async with asyncio.timeout(WAIT):
        await conversation.wait_until(lambda m: m.state is not RequestInitiatorState.AWAITING_RESPONSE)
    assert conversation.machine.state is RequestInitiatorState.AGREED
    if how == "killed-after-agree":
        ledger.kill()
    await asyncio.sleep(1.0)
    assert conversation.machine.state is RequestInitiatorState.AGREED  # still retrying, order contracting
    assert await status_of(world.db, request.order.id) == OrderStatus.CONTRACTING
    await ledger.astart()
    assert await outcome_of(conversation) == RequestInitiatorState.DONE
    assert await contracts_of(ledger, world, request.order.id) == ONE_SET
    assert await status_of(world.db, request.order.id) == OrderStatus.CONTRACTED


async def test_ledger_refusal_is_a_failure(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World
) -> None:
    ledger.start()
    request = request_of(world.stranger)  # the agent holds a token of another party's user for this customer
    await store_request(world.db, request)
    conversation = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(conversation) == RequestInitiatorState.FAILED
    assert "refused" in last_reason(conversation).reason
    assert await status_of(world.db, request.order.id) == OrderStatus.FAILED
    assert await contracts_of(ledger, world, request.order.id) == {}


async def test_a_party_not_onboarded_is_a_failure_in_words(
    contract_agent: ChildProcess, maker: Probe, ledger: LedgerProcess, world: World
) -> None:
    p = world.parties
    request = commit_request(
        customer=p.customer, manufacturer=p.manufacturer, suppliers=("s-unknown", "s2"), product=p.product
    )
    await store_request(world.db, request)
    conversation = ask(maker, contract_agent.ready_line, request)
    assert await outcome_of(conversation) == RequestInitiatorState.FAILED
    failure = last_reason(conversation)
    assert failure.reason == PARTY_NOT_ONBOARDED
    assert failure.detail == "supplier s-unknown has no ledger party and user (it is not onboarded)"
    assert await contracts_of(ledger, world, request.order.id) == {}
    assert await status_of(world.db, request.order.id) == OrderStatus.FAILED
