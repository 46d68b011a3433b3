"""From a scenario to what a run does: cells (strategy pair and repetition), each with its orders,
manufacturer policies, supplier proxies and candidate suppliers per part, all decided by the seed.

Every random choice comes from a ``random.Random`` seeded from the run's seed (never the global one),
so the same scenario and seed give the same plan. Dates count from ``today`` (the run's first day):
the negotiation code measures time from the current date, so outcomes are the same relative to it.
"""

from __future__ import annotations

import random
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from agents.supplier_proxy.records import default_policy
from federation.dataset.generator import generate
from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierRecord
from ontology.customisation import Customisation, required_parts
from ontology.policy import ManufacturerPolicy, NegotiationStrategy, SupplierPolicy
from ontology.product import Product, RequiredPart
from simulation.scenario.builtin import resolve_product
from simulation.scenario.model import ArrivalSpec, Scenario, SupplierPopulation, product_id


@dataclass(frozen=True)
class SupplierSetup:
    record: SupplierRecord
    policy: SupplierPolicy
    silent: bool = False
    fail_after_accept: bool = False

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class PlannedOrder:
    key: str
    """``order-0001``...: its place in arrival order."""
    order_id: UUID
    customer: str
    manufacturer: str
    at: float
    """Arrival, seconds after the run's start."""
    delivery: date
    latest: date
    """The latest day a sourced part may arrive."""
    parts: tuple[RequiredPart, ...]
    """The parts the manufacturer sources."""
    candidates: dict[str, tuple[str, ...]]
    """Part id -> supplier ids invited, in order."""


@dataclass(frozen=True)
class Cell:
    """One run of every order: a strategy pair (tournaments) and a repetition."""

    index: int
    repetition: int
    seed: int
    buyer_strategy: NegotiationStrategy | None
    """None: each manufacturer's own policy."""
    seller_strategy: NegotiationStrategy | None
    policies: dict[str, ManufacturerPolicy]
    suppliers: tuple[SupplierSetup, ...]
    orders: tuple[PlannedOrder, ...]

    @property
    def key(self) -> str:
        pair = f"{self.buyer_strategy}-vs-{self.seller_strategy}-" if self.buyer_strategy else ""
        return f"{pair}r{self.repetition}"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.suppliers})

    def supplier(self, supplier_id: str) -> SupplierSetup:
        by_id: dict[str, SupplierSetup] = self.__dict__["_by_id"]
        return by_id[supplier_id]


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    seed: int
    today: date
    cells: tuple[Cell, ...]

    @property
    def tournament(self) -> bool:
        return self.scenario.tournament is not None

    def scenario_manufacturers(self) -> list[str]:
        return [m.id for m in self.scenario.manufacturers]

    @property
    def negotiations(self) -> int:
        """Bilateral negotiations planned (one per invited supplier per part, first attempt)."""
        return sum(len(c) for cell in self.cells for o in cell.orders for c in o.candidates.values())


@dataclass(frozen=True)
class _Arrival:
    at: float
    customer: str
    manufacturer: str
    product: str
    choices: dict[str, str]
    quantity: int
    delivery_days: int


def make_plan(scenario: Scenario, *, seed: int | None = None, today: date | None = None) -> Plan:
    seed = scenario.seed if seed is None else seed
    today = today or date.today()
    population = select_suppliers(scenario.suppliers)
    arrivals = sorted(_arrivals(scenario, seed), key=lambda a: a.at)
    tournament = scenario.tournament
    pairs: list[tuple[NegotiationStrategy | None, NegotiationStrategy | None]] = (
        [(b, s) for b in tournament.buyer_strategies for s in tournament.seller_strategies]
        if tournament
        else [(None, None)]
    )
    cells: list[Cell] = []
    for buyer, seller in pairs:
        for repetition in range(scenario.repetitions):
            cell_seed = zlib.crc32(f"{seed}|{buyer}|{seller}|{repetition}".encode())
            policies = {
                m.id: m.policy if buyer is None else m.policy.model_copy(update={"strategy": buyer})
                for m in scenario.manufacturers
            }
            suppliers = tuple(_setup(record, scenario.suppliers, seller) for record in population)
            orders = _orders(scenario, arrivals, policies, population, cell_seed, today)
            cells.append(Cell(len(cells), repetition, cell_seed, buyer, seller, policies, suppliers, orders))
    return Plan(scenario, seed, today, tuple(cells))


def select_suppliers(population: SupplierPopulation) -> tuple[SupplierRecord, ...]:
    if population.generate is not None:
        records = generate(population.generate.seed, population.generate.count).suppliers
    elif population.dataset == "shipped" or population.dataset is None:
        records = load_shipped().suppliers
    else:
        records = load_dataset(population.dataset).suppliers
    wanted = population.filter
    chosen: list[SupplierRecord] = []
    for record in records:
        processes = {c.process for c in record.capabilities}
        if wanted.ids and record.id not in wanted.ids:
            continue
        if wanted.processes and not processes & set(wanted.processes):
            continue
        if wanted.countries and record.location.country not in wanted.countries:
            continue
        if wanted.min_rating is not None and (record.rating is None or record.rating < wanted.min_rating):
            continue
        if wanted.min_quality is not None and not any(
            c.max_quality.meets(wanted.min_quality) for c in record.capabilities
        ):
            continue
        chosen.append(record)
    return tuple(chosen[: wanted.limit] if wanted.limit else chosen)


def _setup(
    record: SupplierRecord, population: SupplierPopulation, strategy: NegotiationStrategy | None
) -> SupplierSetup:
    spec = population.policy
    policy = default_policy(
        record,
        min_margin=spec.min_margin,
        target_margin=spec.target_margin,
        max_rounds=spec.max_rounds,
        strategy=strategy or spec.strategy,
    )
    return SupplierSetup(
        record, policy, record.id in population.silent, record.id in population.fail_after_accept
    )


def _arrivals(scenario: Scenario, seed: int) -> list[_Arrival]:
    found = [
        _Arrival(o.at, c.id, o.manufacturer, o.product, dict(o.choices), o.quantity, o.delivery_days)
        for c in scenario.customers
        for o in c.orders
    ]
    for index, spec in enumerate(scenario.arrivals):
        found += _generated(spec, random.Random(f"{seed}|arrivals|{index}"))
    return found


def _generated(spec: ArrivalSpec, rng: random.Random) -> list[_Arrival]:
    out: list[_Arrival] = []
    at = spec.start_at
    for number in range(spec.count):
        if number:
            gap = (
                rng.expovariate(1 / spec.mean_gap_seconds)
                if spec.process == "poisson"
                else spec.mean_gap_seconds
            )
            at += gap
        days = rng.randint(spec.delivery_days.min, spec.delivery_days.max)
        customer = f"{spec.customer_prefix}-{number % spec.customers + 1}"
        out.append(
            _Arrival(round(at, 6), customer, spec.manufacturer, spec.product, dict(spec.choices), 1, days)
        )
    return out


def _orders(
    scenario: Scenario,
    arrivals: list[_Arrival],
    policies: dict[str, ManufacturerPolicy],
    population: tuple[SupplierRecord, ...],
    seed: int,
    today: date,
) -> tuple[PlannedOrder, ...]:
    rng = random.Random(seed)
    suppliers = [(record.id, record.to_supplier()) for record in population]
    orders: list[PlannedOrder] = []
    for number, arrival in enumerate(arrivals, start=1):
        policy = policies[arrival.manufacturer]
        product = _product(scenario, arrival.product, arrival.manufacturer)
        customisation = Customisation.with_defaults(product, arrival.choices)
        parts = policy.split(required_parts(product, customisation, arrival.quantity)).sourced
        delivery = today + timedelta(days=arrival.delivery_days)
        candidates: dict[str, tuple[str, ...]] = {}
        for part in parts:
            able = [ident for ident, supplier in suppliers if supplier.can_supply(part)]
            rng.shuffle(able)
            candidates[part.part_id] = tuple(able[: policy.max_suppliers_per_part])
        orders.append(
            PlannedOrder(
                key=f"order-{number:04d}",
                order_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                customer=arrival.customer,
                manufacturer=arrival.manufacturer,
                at=arrival.at,
                delivery=delivery,
                latest=policy.latest_part_delivery(delivery),
                parts=parts,
                candidates=candidates,
            )
        )
    return tuple(orders)


def _product(scenario: Scenario, wanted: str, manufacturer: str) -> Product:
    entry = next(p for p in scenario.products if product_id(p) == wanted)
    return resolve_product(entry, manufacturer)
