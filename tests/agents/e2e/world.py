"""Shared pieces of the end-to-end tests: the product, policies, the store, agents in processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from agents.customer.agent import CustomerAgent, CustomerTimings
from agents.customer.decisions import DecisionSource
from agents.manufacturer.agent import Approver, ManufacturerAgent
from agents.manufacturer.contracting import ContractStep
from agents.manufacturer.requests import ask
from agents.manufacturer.settings import Timings
from agents.runtime.child_process import ChildProcess, spawn
from agents.runtime.platform_agent import PlatformAgent

# The bike world is shared with the benchmarks (bench/order_world.py).
from bench.order_world import ASSEMBLY, COVER, FRAME, order_for, product, unique
from core.settings import Settings
from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings
from ontology.codec import Content, decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.matchmaking import FindSuppliers, SupplierCandidates
from ontology.order import OrderStatus
from ontology.policy import ManufacturerPolicy, NegotiationStrategy
from ontology.process import ProcessKind
from ontology.supplier import Supplier
from protocols.performative import Performative
from protocols.request import RequestInitiator
from store.database import Database
from store.enums import UserRole
from store.records import NewUser
from tests.agents.probe import Probe

__all__ = ["ASSEMBLY", "COVER", "FRAME", "order_for", "product", "unique"]


def manufacturer_policy(deadline_seconds: float = 3.0, max_rounds: int = 2) -> ManufacturerPolicy:
    return ManufacturerPolicy(
        capacity_hours_per_week=40,
        own_processes=frozenset({ProcessKind.ASSEMBLY}),
        sourced_processes=frozenset({ProcessKind.CNC_MILLING, ProcessKind.TEXTILE_CUTTING_SEWING}),
        margin=Decimal("0.20"),
        strategy=NegotiationStrategy.BOULWARE,
        deadline_seconds=deadline_seconds,
        max_rounds=max_rounds,
        production_days=1,
        max_suppliers_per_part=3,
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
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    db = await Database.open(f"sqlite+aiosqlite:///{directory / 'lso.db'}", migrate=True)
    async with db.transaction() as repos:
        for user_id, role in ((customer_id, UserRole.CUSTOMER), (manufacturer_id, UserRole.MANUFACTURER)):
            await repos.users.add(
                NewUser(
                    id=user_id,
                    email=f"{user_id}@example.org",
                    display_name=user_id,
                    role=role,
                    password_hash="x",
                )
            )
    return db


def federation(directory: Path) -> Iterator[RunningService]:
    settings = FederationSettings(_env_file=None, service_port=0, service_data_dir=directory)
    with ServiceThread(settings) as running:
        yield running


async def start_matchmaker(settings: Settings, efpf: RunningService) -> ChildProcess:
    env = {
        "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
        "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
        "LSO_EFPF_RETRIES": "1",
        "LSO_EFPF_TIMEOUT_SECONDS": "5",
    }
    return await spawn("agents.matchmaker", ["--name", unique("matchmaker")], settings, extra_env=env)


async def start_proxies(
    settings: Settings,
    silent: tuple[str, ...] = (),
    failing: tuple[str, ...] = (),
    *,
    crash_on_cfp: tuple[str, ...] = (),
    crash_on_accept: tuple[str, ...] = (),
) -> ChildProcess:
    args = ["--name", unique("suppliers"), "--silent", ",".join(silent), "--fail", ",".join(failing)]
    args += ["--crash-on-cfp", ",".join(crash_on_cfp), "--crash-on-accept", ",".join(crash_on_accept)]
    return await spawn("tests.agents.e2e.proxy_host", args, settings)


async def candidates(settings: Settings, matchmaker: str, part_id: str = "frame") -> list[str]:
    """The supplier ids the matchmaker finds for one part of the bike (as the manufacturer will ask)."""
    probe = Probe(unique("probe"), settings)
    await probe.start()
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
    contract_agent: str | None = None,
    contract_step: ContractStep | None = None,
    policy: ManufacturerPolicy | None = None,
    approver: Approver | None = None,
    route: Callable[[Supplier], str] | None = None,
    timings: Timings = FAST,
) -> AsyncIterator[tuple[ManufacturerAgent, CustomerAgent]]:
    """The manufacturer and the customer; ``route`` names each supplier's agent (default: the
    proxy of the supplier under the host ``proxies``)."""
    manufacturer = ManufacturerAgent(
        unique("manufacturer"),
        settings,
        db=db,
        catalogue={"bike": product(manufacturer_id)},
        matchmaker=matchmaker,
        contract_agent=contract_agent,
        contract_step=contract_step,
        policy=policy or manufacturer_policy(),
        manufacturer_id=manufacturer_id,
        timings=timings,
        supplier_agent=route or (lambda supplier: f"{proxies}/{supplier.id}"),
        approver=approver,
    )
    customer = CustomerAgent(unique("customer"), settings, decisions=decisions, timings=CUSTOMER_FAST)
    await manufacturer.start()
    await customer.start()
    try:
        yield manufacturer, customer
    finally:
        await customer.stop()
        await manufacturer.stop()


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
