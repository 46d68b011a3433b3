"""Shared pieces of the end-to-end tests: the product, policies, the store, agents in processes.

Accounts and bindings, as the platform's admin makes them (no agent registers itself):

* the matchmaker (a platform service) and the supplier proxy host (a supplier host, every supplier) are
  bound in the store of the test's XMPP settings, the one they read as child processes;
* the order's store (``db``, :func:`open_store`) is the one the manufacturer reads, and the contract agent
  too (:func:`contract_agent` gives it that store's URL): the contract agent is bound there as the platform's
  ``contract`` service, the customer's agent as its customer (:func:`enrol_customer`);
* the manufacturer's agent is bound to its manufacturer in both (:func:`enrol_manufacturer`): the matchmaker
  and the proxies serve it, the contract agent commits its orders;
* probes (:func:`candidates`) are platform services, which the matchmaker serves.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypedDict, Unpack

import grpc
from dazl._gen.com.daml.ledger.api.v1.testing import time_service_pb2 as tpb
from dazl._gen.com.daml.ledger.api.v1.testing import time_service_pb2_grpc as tgrpc

from agents.customer.agent import CustomerAgent, CustomerTimings, OrderHandle, OrderOutcome
from agents.customer.decisions import DecisionSource
from agents.manufacturer.agent import Approver, ManufacturerAgent
from agents.manufacturer.contracting import ContractStep
from agents.manufacturer.options import DecisionHooks
from agents.manufacturer.requests import ask
from agents.manufacturer.settings import Timings
from agents.runtime.child_process import ChildProcess
from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings
from federation.dataset.loader import load_shipped
from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings
from ledger.testing import LedgerProcess, hs256_token
from ontology.codec import Content, decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import PartyRole
from ontology.matchmaking import FindSuppliers, SupplierCandidates
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.supplier import Supplier
from protocols.performative import Performative
from protocols.request import RequestInitiator
from simulation.samples import bike
from simulation.samples.bike import ASSEMBLY, COVER, FRAME, order_for, product
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, UserRole
from store.records.ledger_identities import NewLedgerIdentity
from tests.agents.conftest import jid_of, spawn_agent, unique
from tests.agents.probe import Probe
from tests.ledger.party_sessions import onboard_many, user_token
from tests.stores import store_with_users
from tests.xmpp_accounts import bind, create_account, started

__all__ = ["ASSEMBLY", "COVER", "FRAME", "order_for", "product", "unique"]

REPO_ROOT = Path(__file__).resolve().parents[3]
LEDGER_SECRET = "e2e-test-secret-0123456789abcdef"


def manufacturer_policy(deadline_seconds: float = 3.0, max_rounds: int = 2) -> ManufacturerPolicy:
    """The bike world's policy for a small manufacturer: three candidates per part, 40 hours a week."""
    return bike.manufacturer_policy(
        suppliers_per_part=3,
        deadline_seconds=deadline_seconds,
        max_rounds=max_rounds,
        capacity_hours_per_week=40,
    )


FAST = Timings(
    matchmaking=timedelta(seconds=20),
    evaluation=timedelta(seconds=10),
    supplier_result=timedelta(seconds=10),
    quotation_validity=timedelta(seconds=60),
    contract=timedelta(seconds=30),
    production=timedelta(seconds=0.2),
    payment=timedelta(seconds=15),
)
CUSTOMER_FAST = CustomerTimings(
    quotation=timedelta(seconds=45), decision=timedelta(seconds=20), contract=timedelta(seconds=40)
)


async def open_store(directory: Path, customer_id: str, manufacturer_id: str) -> Database:
    return await store_with_users(
        directory, ((customer_id, UserRole.CUSTOMER), (manufacturer_id, UserRole.MANUFACTURER))
    )


@asynccontextmanager
async def order_store(directory: Path, customer_id: str, manufacturer_id: str) -> AsyncIterator[Database]:
    """:func:`open_store` for the time of a block."""
    db = await open_store(directory, customer_id, manufacturer_id)
    try:
        yield db
    finally:
        await db.close()


def store_url(db: Database) -> str:
    """The URL of ``db`` (for a child process that must read the same store: ``LSO_DATABASE_URL``)."""
    return db.engine.url.render_as_string(hide_password=False)


async def enrol_manufacturer(settings: Settings, db: Database, name: str, manufacturer_id: str) -> str:
    """Create the account ``name`` of ``manufacturer_id``'s agent and bind it to that manufacturer where it is
    served: the store of ``settings`` (the matchmaker's and the proxies') and the order's store ``db`` (the
    contract agent's). Its JID."""
    await create_account(settings, name)
    jid = jid_of(name, settings)
    for store in (settings, db):
        await bind(store, jid, AgentRole.MANUFACTURER, manufacturer_id)
    return jid


async def enrol_customer(settings: Settings, db: Database, name: str, party: str) -> str:
    """Create the account ``name`` of a customer's agent and bind it in the manufacturer's store ``db`` to the
    customer ``party`` (``*``: the gateway's bridge, which sends only orders the gateway stored). Its JID."""
    await create_account(settings, name)
    jid = jid_of(name, settings)
    await bind(db, jid, AgentRole.CUSTOMER, party)
    return jid


def federation(directory: Path) -> Iterator[RunningService]:
    settings = FederationSettings(_env_file=None, service_port=0, service_data_dir=directory)
    with ServiceThread(settings) as running:
        yield running


async def start_matchmaker(settings: Settings, efpf: RunningService) -> ChildProcess:
    """The matchmaker in its own process, bound as the platform's ``matchmaker`` in the store it reads."""
    env = {
        "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
        "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
        "LSO_EFPF_RETRIES": "1",
        "LSO_EFPF_TIMEOUT_SECONDS": "5",
    }
    return await spawn_agent(
        "agents.matchmaker", unique("matchmaker"), settings, party="matchmaker", extra_env=env
    )


async def start_proxies(
    settings: Settings,
    silent: tuple[str, ...] = (),
    failing: tuple[str, ...] = (),
    *,
    crash_on_cfp: tuple[str, ...] = (),
    crash_on_accept: tuple[str, ...] = (),
) -> ChildProcess:
    """A proxy host for every supplier in its own process, bound as a host of every supplier in the store it
    reads (where the manufacturers it serves are bound: :func:`enrol_manufacturer`)."""
    options = {
        "--silent": silent,
        "--fail": failing,
        "--crash-on-cfp": crash_on_cfp,
        "--crash-on-accept": crash_on_accept,
    }
    args = tuple(item for option, ids in options.items() for item in (option, ",".join(ids)))
    return await spawn_agent(
        "tests.agents.e2e.proxy_host",
        unique("suppliers"),
        settings,
        role=AgentRole.SUPPLIER,
        party=ANY_PARTY,
        args=args,
    )


def ledger_process(directory: Path) -> Iterator[LedgerProcess]:
    """The ledger (JSON API and gRPC) in its own process, taking tokens signed with :data:`LEDGER_SECRET`."""
    process = LedgerProcess(directory, secret=LEDGER_SECRET)
    process.start()
    yield process
    process.stop()


async def onboard_for_contracts(
    ledger: LedgerProcess, db: Database, customer: str, manufacturer: str
) -> dict[str, str]:
    """The order's customer and manufacturer and every supplier of the shipped data set onboarded, as the
    operator does it: each its own ledger party and user, recorded in the store ``db`` (once per store); the
    token of each party's user, by user id."""
    wanted = [
        (PartyRole.CUSTOMER, customer),
        (PartyRole.MANUFACTURER, manufacturer),
        *((PartyRole.SUPPLIER, record.id) for record in load_shipped().suppliers),
    ]
    async with db.transaction() as repos:
        stored = {(role, pid): await repos.ledger_identities.get(role, pid) for role, pid in wanted}
    users = {record.ledger_user for record in stored.values() if record is not None}
    missing = [key for key, record in stored.items() if record is None]
    made = await onboard_many(ledger, LEDGER_SECRET, missing)
    async with db.transaction() as repos:
        for (role, pid), identity in made.items():
            await repos.ledger_identities.record(
                NewLedgerIdentity(
                    role=role,
                    platform_id=pid,
                    ledger_party=identity.party,
                    ledger_user=identity.user_id,
                    created_by="tests",
                )
            )
    users |= {identity.user_id for identity in made.values()}
    return {user: user_token(LEDGER_SECRET, user) for user in users}


async def start_contract_agent(
    settings: Settings, ledger: LedgerProcess, db: Database, parties: tuple[str, str], name: str | None = None
) -> ChildProcess:
    """The contract agent in its own process, reading (and recording the contracting in) the order's store
    ``db``, where it is bound as the platform's ``contract``; ``parties``: the order's customer and
    manufacturer, onboarded with every supplier of the shipped data set (:func:`onboard_for_contracts`), the
    agent given the token of each one's ledger user (its operator token only deploys the DAR)."""
    tokens = await onboard_for_contracts(ledger, db, *parties)
    token_dir = ledger.data_dir / f"party-tokens-{uuid.uuid4().hex[:8]}"
    token_dir.mkdir(mode=0o700)
    for user, token in tokens.items():
        (token_dir / f"{user}.jwt").write_text(token)
    env = {
        "LSO_DATABASE_URL": store_url(db),
        "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
        "LSO_LEDGER_GRPC_URL": f"http://{ledger.info.grpc}",
        "LSO_LEDGER_CLIENT_TOKEN": hs256_token(LEDGER_SECRET, admin=True),
        "LSO_LEDGER_PARTY_TOKEN_DIR": str(token_dir),
        "LSO_LEDGER_CLIENT_TIMEOUT": "2",
        "LSO_LEDGER_CLIENT_RETRIES": "2",
        "LSO_LEDGER_CLIENT_BACKOFF": "0.05",
        "LSO_LEDGER_COMMIT_RETRY_DELAY": "0.1",
        "LSO_LEDGER_COMMIT_RETRY_MAX_DELAY": "0.5",
        "LSO_LEDGER_COMMIT_DEADLINE": "20",
    }
    return await spawn_agent(
        "agents.contract_agent",
        name or unique("contract"),
        settings,
        party="contract",
        store=db,
        extra_env=env,
        cwd=REPO_ROOT,
    )


@asynccontextmanager
async def contract_agent(
    settings: Settings, ledger: LedgerProcess, db: Database, *parties: str
) -> AsyncIterator[str]:
    """:func:`start_contract_agent` for the time of a block; its JID."""
    customer, manufacturer = parties
    child = await start_contract_agent(settings, ledger, db, (customer, manufacturer))
    try:
        yield child.ready_line
    finally:
        await child.stop()


async def candidates(settings: Settings, matchmaker: str, part_id: str = "frame") -> list[str]:
    """The supplier ids the matchmaker finds for one part of the bike (as the manufacturer will ask)."""
    probe = await started(Probe(unique("probe"), settings))
    try:
        found = await ask(
            probe,
            matchmaker,
            FindSuppliers(order_id=uuid.uuid4(), parts=(FRAME, COVER), max_per_part=3),
            SupplierCandidates,
            timeout=timedelta(seconds=20),
        )
    finally:
        await probe.stop()
    assert not isinstance(found, Reason), found
    return [supplier.id for supplier in found.for_part(part_id)]


class MakerOptions(TypedDict, total=False):
    """What :func:`bike_maker` may be told besides its store and where the matchmaker and the proxies are."""

    name: str
    """The agent's account (default: a new one)."""
    contract_agent: str
    contract_step: ContractStep
    policy: ManufacturerPolicy
    approver: Approver
    route: Callable[[Supplier], str]
    """Names each supplier's agent (default: the proxy of the supplier under the host ``proxies``)."""
    timings: Timings


def bike_maker(
    settings: Settings,
    db: Database,
    manufacturer_id: str,
    *,
    matchmaker: str,
    proxies: str,
    **options: Unpack[MakerOptions],
) -> ManufacturerAgent:
    """The manufacturer agent of ``manufacturer_id`` selling the bike (not started), its store ``db``."""
    return ManufacturerAgent(
        options.get("name") or unique("manufacturer"),
        settings,
        db=db,
        catalogue={"bike": product(manufacturer_id)},
        matchmaker=matchmaker,
        contract_agent=options.get("contract_agent"),
        contract_step=options.get("contract_step"),
        policy=options.get("policy") or manufacturer_policy(),
        manufacturer_id=manufacturer_id,
        timings=options.get("timings", FAST),
        supplier_agent=options.get("route") or (lambda supplier: f"{proxies}/{supplier.id}"),
        decisions=DecisionHooks(approver=options.get("approver")),
    )


@asynccontextmanager
async def parties(
    settings: Settings,
    db: Database,
    *,
    customer_id: str,
    manufacturer_id: str,
    matchmaker: str,
    proxies: str,
    decisions: DecisionSource,
    customer_party: str | None = None,
    **maker: Unpack[MakerOptions],
) -> AsyncIterator[tuple[ManufacturerAgent, CustomerAgent]]:
    """The manufacturer (:func:`bike_maker`, told ``maker``) and the customer (bound to ``customer_party``,
    default exactly ``customer_id``), started."""
    manufacturer = bike_maker(settings, db, manufacturer_id, matchmaker=matchmaker, proxies=proxies, **maker)
    customer = CustomerAgent(unique("customer"), settings, decisions=decisions, timings=CUSTOMER_FAST)
    await enrol_manufacturer(settings, db, manufacturer.address, manufacturer_id)
    await enrol_customer(settings, db, customer.address, customer_party or customer_id)
    await manufacturer.start()
    await customer.start()
    try:
        yield manufacturer, customer
    finally:
        await customer.stop()
        await manufacturer.stop()


async def order_task_done(manufacturer: ManufacturerAgent, order_id: str, wait: float = 10.0) -> None:
    """Wait until the manufacturer's task of ``order_id`` has ended (if it still runs)."""
    task = manufacturer.order_task(order_id)
    if task is not None:
        async with asyncio.timeout(wait):
            await task


async def order_outcome(
    manufacturer: ManufacturerAgent, customer: CustomerAgent, order: Order, wait: float
) -> tuple[OrderHandle, OrderOutcome]:
    """``order`` placed with ``manufacturer``: the customer's handle and the outcome (within ``wait``
    seconds), once the manufacturer's task of the order has ended too."""
    handle = customer.place_order(order, manufacturer.address)
    async with asyncio.timeout(wait):
        outcome = await handle.outcome
    await order_task_done(manufacturer, str(order.id))
    return handle, outcome


async def console_request(
    console: PlatformAgent, manufacturer: str, content: Content, wait: float = 20.0
) -> tuple[Performative, Content]:
    """A FIPA request to ``manufacturer``: its last answer (refuse, inform, failure...) and its content."""
    machine = RequestInitiator(me=console.address, patience=timedelta(seconds=wait))
    conversation = console.open_conversation(machine)
    conversation.act(
        lambda m, now: m.start(
            content, manufacturer, now=now, reply_by=now + timedelta(seconds=wait), result_by=None
        )
    )
    async with asyncio.timeout(wait + 5):
        await conversation.outcome()
    assert machine.replies, machine.outcome
    last = machine.replies[-1]
    return last.performative, decode(last.content)


async def next_notice(
    probe: Probe, order_id: str, status: OrderStatus, wait: float = 30.0
) -> OrderStatusNotice:
    """The next status notice of ``order_id`` in ``status`` the probe receives (earlier ones dropped)."""
    async with asyncio.timeout(wait):
        while True:
            message = await probe.inbox.get()
            content: Content = decode(message.content)
            if (
                isinstance(content, OrderStatusNotice)
                and str(content.order_id) == order_id
                and content.status is status
            ):
                assert message.performative is Performative.INFORM and message.protocol is None
                return content


def manufacturer_command(
    directory: Path,
    db: Database,
    name: str,
    manufacturer_id: str,
    matchmaker: str,
    proxy_host: str,
    deadline_seconds: float,
    contract: str = "nobody@localhost",
    *,
    ledger: Mapping[str, str] | None = None,
    timings: Mapping[str, float] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Arguments and environment of ``python -m agents.manufacturer``: the agent ``name`` of
    ``manufacturer_id`` (enrolled with :func:`enrol_manufacturer`), its store ``db``, its catalogue (the bike)
    and policy in files under ``directory``. ``ledger``: the manufacturer signs for itself on the ledger
    (``--ledger``, no contract agent) with this environment (:func:`ledger_env`); ``timings``:
    :class:`~agents.manufacturer.settings.Timings` overrides in seconds (``--timings``)."""
    (directory / "catalogue.json").write_text(json.dumps([product(manufacturer_id).model_dump(mode="json")]))
    (directory / "policy.json").write_text(
        manufacturer_policy(deadline_seconds=deadline_seconds).model_dump_json()
    )
    options = {
        "--name": name,
        "--manufacturer-id": manufacturer_id,
        "--catalogue": str(directory / "catalogue.json"),
        "--policy": str(directory / "policy.json"),
        "--matchmaker": matchmaker,
        "--proxy-host": proxy_host,
    }
    if ledger is None:
        options["--contract"] = contract
    if timings is not None:
        (directory / "timings.json").write_text(json.dumps(dict(timings)))
        options["--timings"] = str(directory / "timings.json")
    args = [item for pair in options.items() for item in pair]
    if ledger is not None:
        args.append("--ledger")
    return args, {"LSO_DATABASE_URL": store_url(db), **(ledger or {})}


# ----------------------------------------------------------------- every party signing for itself

#: A model v2 ledger as the order's life needs it: Canton-style party ids, static ledger time (moved by the
#: test through Daml's testing TimeService: :func:`tests.ledger.v2_support.advance_to`).
STATIC_LEDGER_ENV = {"LSO_LEDGER_PARTY_IDS": "canton", "LSO_LEDGER_TIME_MODE": "static"}


def static_ledger(directory: Path) -> LedgerProcess:
    """The ledger (not started) with static time, taking tokens signed with :data:`LEDGER_SECRET`; the
    TimeService takes its admin tokens (``hs256_token(LEDGER_SECRET, admin=True)``)."""
    return LedgerProcess(directory, secret=LEDGER_SECRET, env=STATIC_LEDGER_ENV)


async def ledger_users(db: Database, parties: Iterable[tuple[PartyRole, str]]) -> list[str]:
    """The ledger users of ``parties`` as onboarding recorded them in ``db``."""
    users = []
    async with db.transaction() as repos:
        for role, platform_id in parties:
            record = await repos.ledger_identities.get(role, platform_id)
            assert record is not None, f"{role} {platform_id} is not onboarded"
            users.append(record.ledger_user)
    return users


def party_token_dir(ledger: LedgerProcess, tokens: Mapping[str, str], users: Iterable[str], tag: str) -> Path:
    """A new directory (``LSO_LEDGER_PARTY_TOKEN_DIR``) holding the tokens of ``users`` only (one
    ``<user>.jwt`` each, from ``tokens``: :func:`onboard_for_contracts`)."""
    directory = ledger.data_dir / f"party-tokens-{tag}-{uuid.uuid4().hex[:8]}"
    directory.mkdir(mode=0o700)
    for user in users:
        (directory / f"{user}.jwt").write_text(tokens[user])
    return directory


def ledger_env(ledger: LedgerProcess, token_dir: Path) -> dict[str, str]:
    """The environment of an agent process that signs on ``ledger`` with the party tokens in ``token_dir``
    only (no operator token: it onboards nobody)."""
    return {
        "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
        "LSO_LEDGER_GRPC_URL": f"http://{ledger.info.grpc}",
        "LSO_LEDGER_PARTY_TOKEN_DIR": str(token_dir),
        "LSO_LEDGER_CLIENT_TIMEOUT": "3",
        "LSO_LEDGER_CLIENT_RETRIES": "2",
        "LSO_LEDGER_CLIENT_BACKOFF": "0.05",
        "LSO_LEDGER_CLIENT_BACKOFF_MAX": "0.5",
    }


async def start_ledger_proxies(
    settings: Settings, db: Database, env: Mapping[str, str], name: str | None = None
) -> ChildProcess:
    """``python -m agents.supplier_proxy --ledger``: a proxy for every supplier of the shipped data set in its
    own process, signing, shipping and invoicing with each supplier's own ledger user (``env``:
    :func:`ledger_env` and ``LSO_SUPPLIERS_*``). It reads the order's store ``db`` (the identities onboarding
    recorded, the bookings' orders), where it is bound as a host of every supplier. Its ``ready_line`` is the
    host's JID (``name``: the same account again after a restart)."""
    child = await spawn_agent(
        "agents.supplier_proxy",
        name or unique("suppliers"),
        settings,
        role=AgentRole.SUPPLIER,
        party=ANY_PARTY,
        store=db,
        args=("--ledger",),
        extra_env={"LSO_DATABASE_URL": store_url(db), **env},
        cwd=REPO_ROOT,
    )
    child.ready_line = child.ready_line.split()[0]  # "<jid> <number of proxies>"
    return child


async def status_of(db: Database, order_id: str) -> str | None:
    async with db.transaction() as repos:
        record = await repos.orders.get(order_id)
    return None if record is None else record.status


async def reached(db: Database, order_id: str, status: OrderStatus, wait: float = 30.0) -> None:
    """Poll the store until the order is in ``status`` (another process may write it)."""
    async with asyncio.timeout(wait):
        while await status_of(db, order_id) != status:  # noqa: ASYNC110 (another process writes it)
            await asyncio.sleep(0.2)


def _time_metadata() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {hs256_token(LEDGER_SECRET, admin=True)}"),)


async def ledger_now(ledger: LedgerProcess) -> datetime:
    """Ledger time (the first answer of Daml's testing ``TimeService.GetTime``)."""
    async with grpc.aio.insecure_channel(ledger.info.grpc or "") as channel:
        stream = tgrpc.TimeServiceStub(channel).GetTime(tpb.GetTimeRequest(), metadata=_time_metadata())
        async for response in stream:
            moment: datetime = response.current_time.ToDatetime(tzinfo=UTC)
            stream.cancel()
            return moment
    raise AssertionError("GetTime answered nothing")


async def move_ledger_time(ledger: LedgerProcess, day: date, hour: int = 12) -> datetime:
    """Move static ledger time forward to ``day`` at ``hour`` UTC (``TimeService.SetTime``)."""
    request = tpb.SetTimeRequest()
    request.current_time.FromDatetime(await ledger_now(ledger))
    target = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    request.new_time.FromDatetime(target)
    async with grpc.aio.insecure_channel(ledger.info.grpc or "") as channel:
        await tgrpc.TimeServiceStub(channel).SetTime(request, metadata=_time_metadata())
    return target
