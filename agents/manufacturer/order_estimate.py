"""The estimate a customer sees before ordering and the quotation keeps: a price range, the delivery dates.

One function, :func:`estimate_order`, serves both the gateway (``POST /products/{id}/estimate``, the
catalogue's "from" price) and the manufacturer agent (the quotation says in words how its price compares
with the estimate), so the two always agree on the same inputs.

The price is what the quotation is (:mod:`agents.manufacturer.pricing`): the product's own cost (base cost
and the chosen choices' cost deltas) plus, for every sourced part, the accepted offer's price, all times
``1 + margin``, for the whole order. Before sourcing, each sourced part's price is a range
(:class:`PartCost`):

* from recent accepted offers: at least :data:`RECENT_MIN` of the manufacturer's recent supply networks
  bought an identical part (process, material, quality, machine minutes, quantity): the range of their
  prices;
* else from the federation's supplier data set, as the platform's supplier proxies bid: the candidates are
  the suppliers the matchmaker would invite (able to make the part, cheapest indicative price first, then
  best rated, then shortest lead time; ``max_suppliers_per_part`` of them), and each bids between its
  reservation price and its opening price (:mod:`agents.supplier_proxy.pricing` with the proxies' default
  policy, :func:`agents.supplier_proxy.records.default_policy`). Whatever the negotiation settles on lies
  between the lowest reservation and the highest opening price of the candidates (capped by the
  manufacturer's reservation price for the part, when it has one).

The price of the whole order is rounded as the quotation rounds it (whole cents per unit).

The earliest delivery date is the latest of: the own work behind the queue plus the production days
(:mod:`agents.manufacturer.estimate`), and, for every sourced part, the quickest candidate's lead time plus
the production days (the policy's delivery slack is not counted on: a part that comes late moves the quoted
date). The latest date is ``max_horizon_days`` after today.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from agents.manufacturer.assessment import QUEUED, QueuedWork, queue_minutes
from agents.manufacturer.estimate import ProductionEstimate, estimate
from agents.manufacturer.pricing import unit_price
from agents.supplier_proxy.pricing import cost_of, opening_price, reservation_price
from agents.supplier_proxy.records import default_policy, price_models_of
from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierRecord
from federation.settings import get_federation_settings
from ontology.customisation import Customisation, estimated_cost, required_parts
from ontology.events import money
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind, QualityLevel
from ontology.product import Product, RequiredPart
from store.database import Database
from store.product_rows import product_of
from store.repositories import Repositories

log = logging.getLogger(__name__)

#: Recent orders of the manufacturer whose supply networks are read.
RECENT_ORDERS = 50
#: Accepted offers of an identical part needed before they, not the data set, price it.
RECENT_MIN = 3
#: The newest accepted offers of one part that make its range.
RECENT_KEPT = 10


class PriceBasis(StrEnum):
    """Where a sourced part's expected price comes from."""

    RECENT = "recent-offers"
    DATASET = "supplier-data-set"


class PartKey(NamedTuple):
    """What makes two parts cost the same at a supplier."""

    process: ProcessKind
    material: str | None
    quality: QualityLevel
    machine_minutes: float
    quantity: int


def part_key(part: RequiredPart) -> PartKey:
    material = part.material.casefold() if part.material is not None else None
    return PartKey(part.process, material, part.quality, part.machine_minutes, part.quantity)


@dataclass(frozen=True)
class PartCost:
    """The expected price range of one sourced part, and the quickest lead time of its suppliers."""

    part: RequiredPart
    low: Decimal
    high: Decimal
    lead_days: int
    basis: PriceBasis


class EstimateError(ValueError):
    """The configuration cannot be estimated because it cannot be made here; the message says why in words."""


@dataclass(frozen=True)
class _Bidder:
    low: Decimal
    high: Decimal
    lead_days: int


class SupplierPrices:
    """What sourced parts cost: recent accepted offers when there are enough, else the data set's suppliers.

    ``records``: the federation's supplier data set; ``recent``: accepted offers of the manufacturer's recent
    supply networks, newest first."""

    def __init__(self, records: Sequence[SupplierRecord], recent: Iterable[Assignment] = ()) -> None:
        self._by_process: dict[ProcessKind, list[SupplierRecord]] = {}
        for record in records:
            for capability in record.capabilities:
                self._by_process.setdefault(capability.process, []).append(record)
        self._recent: dict[tuple[PartKey, str], list[Decimal]] = {}
        for assignment in recent:
            prices = self._recent.setdefault((part_key(assignment.part), assignment.offer.currency), [])
            if len(prices) < RECENT_KEPT:
                prices.append(assignment.offer.price)
        self._cache: dict[tuple[PartKey, str, int], list[_Bidder]] = {}

    def part_cost(self, part: RequiredPart, policy: ManufacturerPolicy) -> PartCost | None:
        """The price range of ``part`` bought in ``policy.currency``; None when no supplier would bid."""
        bidders = self._bidders(part, policy)
        limit = policy.reservation.max_price_for(part.part_id)
        if limit is not None:
            bidders = [b for b in bidders if b.low <= limit]
        lead = min((b.lead_days for b in bidders), default=0)
        recent = self._recent.get((part_key(part), policy.currency), [])
        if len(recent) >= RECENT_MIN:
            return PartCost(part, min(recent), max(recent), lead, PriceBasis.RECENT)
        if not bidders:
            return None
        high = max(b.high for b in bidders)
        return PartCost(
            part,
            min(b.low for b in bidders),
            high if limit is None else min(high, limit),
            lead,
            PriceBasis.DATASET,
        )

    def _bidders(self, part: RequiredPart, policy: ManufacturerPolicy) -> list[_Bidder]:
        """The candidates the matchmaker would invite that take calls in the policy's currency."""
        key = (part_key(part), policy.currency, policy.max_suppliers_per_part)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        ranked: list[tuple[tuple[Decimal, float, int, str], SupplierRecord]] = []
        for record in self._by_process.get(part.process, []):
            supplier = record.to_supplier()
            capability = supplier.capability(part.process)
            if capability is None or not capability.supports(part):
                continue
            indicative = price_models_of(record)[part.process].estimate(part)
            rank = (indicative, -(record.rating or 0.0), capability.lead_time_days, record.id)
            ranked.append((rank, record))
        ranked.sort(key=lambda entry: entry[0])
        bidders: list[_Bidder] = []
        for _rank, record in ranked[: policy.max_suppliers_per_part]:
            if record.currency != policy.currency:
                continue  # invited, but it refuses a call in another currency
            supplier_policy = default_policy(record)
            cost = cost_of(part, supplier_policy, price_models_of(record))
            capability_lead = next(c.lead_time_days for c in record.capabilities if c.process == part.process)
            bidders.append(
                _Bidder(
                    reservation_price(cost, supplier_policy),
                    opening_price(cost, supplier_policy),
                    max(supplier_policy.lead_time_days, capability_lead),
                )
            )
        self._cache[key] = bidders
        return bidders


@dataclass(frozen=True)
class OrderEstimate:
    """The expected price range of a whole order and the delivery dates the manufacturer can offer."""

    currency: str
    quantity: int
    own_cost: Decimal
    parts: tuple[PartCost, ...]
    margin: Decimal
    low: Decimal
    high: Decimal
    production: ProductionEstimate
    earliest: date
    latest: date

    @property
    def parts_low(self) -> Decimal:
        return sum((part.low for part in self.parts), Decimal(0))

    @property
    def parts_high(self) -> Decimal:
        return sum((part.high for part in self.parts), Decimal(0))

    @property
    def bases(self) -> frozenset[PriceBasis]:
        return frozenset(part.basis for part in self.parts)

    def explanation(self) -> str:
        """What the range consists of, in words a customer reads (no costs, no margin, no suppliers)."""
        pieces = "one piece" if self.quantity == 1 else f"{self.quantity} pieces"
        if not self.parts:
            return (
                f"The price for {pieces} is our own work only, so it is fixed: the quotation will say "
                f"{money(self.low, self.currency)}."
            )
        count = len(self.parts)
        bought = "one part" if count == 1 else f"{count} parts"
        if self.bases == {PriceBasis.RECENT}:
            source = "what suppliers charged for the same parts in recent orders"
        elif self.bases == {PriceBasis.DATASET}:
            source = "the suppliers' price lists"
        else:
            source = "recent orders and the suppliers' price lists"
        return (
            f"The price for {pieces} covers our own work and {bought} we buy from suppliers. What suppliers "
            f"will charge is not known until they make their offers, so the range follows {source}; the "
            "quotation fixes the price."
        )

    def compared(self, total: Decimal) -> str:
        """How a quoted ``total`` compares with this estimate, in words (the quotation's note)."""
        shown = f"{money(self.low, self.currency)} to {money(self.high, self.currency)}"
        if self.low <= total <= self.high:
            return f"The price is within the estimate of {shown}."
        if total > self.high:
            share = percent(total - self.high, self.high)
            return (
                f"The price is {share} above the estimate of {shown} because the suppliers asked more for "
                "the parts than usual."
            )
        share = percent(self.low - total, self.low)
        return (
            f"The price is {share} below the estimate of {shown} because the suppliers offered the parts for "
            "less than usual."
        )


def percent(part: Decimal, whole: Decimal) -> str:
    """``12 %`` (at least 1 %: a difference is never called 0 %)."""
    if whole <= 0:
        return "100 %"
    return f"{max(1, round(part * 100 / whole))} %"


def quoted_total(policy: ManufacturerPolicy, cost: Decimal, quantity: int) -> Decimal:
    """What a quotation asks for an order costing ``cost``: the margin added, as a whole number of cents per
    unit (:mod:`agents.manufacturer.pricing`)."""
    return unit_price(policy.price_with_margin(cost), quantity) * quantity


def estimate_order(
    product: Product,
    customisation: Customisation,
    quantity: int,
    policy: ManufacturerPolicy,
    prices: SupplierPrices,
    queued_minutes: float,
    today: date,
) -> OrderEstimate:
    """The estimate of ``quantity`` units of ``product`` as ``customisation`` says.

    Raises :class:`~ontology.customisation.CustomisationError` when the choices do not fit the product,
    :class:`EstimateError` when a part is neither made nor bought here, or no supplier would bid on it."""
    parts = required_parts(product, customisation, quantity)
    split = policy.split(parts)
    if split.unsupported:
        names = ", ".join(sorted({words(p) for p in split.unsupported}))
        raise EstimateError(
            f"this configuration needs {names}, which this manufacturer neither makes nor buys"
        )
    costs: list[PartCost] = []
    missing: list[str] = []
    for part in split.sourced:
        cost = prices.part_cost(part, policy)
        if cost is None:
            missing.append(words(part))
        else:
            costs.append(cost)
    if missing:
        raise EstimateError(f"no supplier offers {', '.join(sorted(set(missing)))} for this configuration")
    own = estimated_cost(product, customisation, quantity)
    production = estimate(policy, split, queued_minutes)
    earliest = production.earliest_delivery(today)
    if costs:
        slowest = max(cost.lead_days for cost in costs)
        earliest = max(earliest, today + timedelta(days=slowest + policy.production_days))
    return OrderEstimate(
        currency=policy.currency,
        quantity=quantity,
        own_cost=own,
        parts=tuple(costs),
        margin=policy.margin,
        low=quoted_total(policy, own + sum((c.low for c in costs), Decimal(0)), quantity),
        high=quoted_total(policy, own + sum((c.high for c in costs), Decimal(0)), quantity),
        production=production,
        earliest=earliest,
        latest=today + timedelta(days=policy.max_horizon_days),
    )


def cheapest_customisation(
    product: Product, policy: ManufacturerPolicy, prices: SupplierPrices
) -> Customisation | None:
    """The choices with the lowest estimate for one unit (None when no choice of a required option can be
    made here). Each part belongs to the base parts or to one option, so the cheapest choice is found per
    option: its cost delta plus the low end of the parts it buys."""
    chosen: dict[str, str] = {}
    for option in product.options:
        if not option.choices:  # a number, text or file option: no cost of its own
            continue
        best: tuple[Decimal, str] | None = None
        for choice in option.choices:
            extra = _low_of(choice.parts, policy, prices)
            if extra is None:
                continue
            candidate = (choice.cost_delta + extra, choice.id)
            if best is None or candidate[0] < best[0]:
                best = candidate
        if option.required:
            if best is None:
                return None
            chosen[option.id] = best[1]
        elif best is not None and best[0] < 0:
            chosen[option.id] = best[1]
    return Customisation(choices=chosen)


def _low_of(
    parts: Iterable[RequiredPart], policy: ManufacturerPolicy, prices: SupplierPrices
) -> Decimal | None:
    split = policy.split(parts)
    if split.unsupported:
        return None
    total = Decimal(0)
    for part in split.sourced:
        cost = prices.part_cost(part, policy)
        if cost is None:
            return None
        total += cost.low
    return total


def lowest_price(
    product: Product, policy: ManufacturerPolicy, prices: SupplierPrices, today: date
) -> Decimal | None:
    """The low end of the estimate of the cheapest configuration of one unit (the catalogue's "from" price);
    None when the product cannot be made here."""
    cheapest = cheapest_customisation(product, policy, prices)
    if cheapest is None:
        return None
    try:
        return estimate_order(product, cheapest, 1, policy, prices, 0.0, today).low
    except (EstimateError, ValueError):
        return None


def words(part: RequiredPart) -> str:
    """A part as a person names it: its description, else its process ("cnc-milling" -> "cnc milling")."""
    return part.description or part.process.value.replace("-", " ")


# ----------------------------------------------------------------- what the store and the data set hold


@lru_cache(maxsize=4)
def _dataset(path: Path | None) -> tuple[SupplierRecord, ...]:
    return (load_dataset(path) if path is not None else load_shipped()).suppliers


def dataset_records() -> tuple[SupplierRecord, ...]:
    """The suppliers of the data set the federation service serves (``LSO_EFPF_SERVICE_DATASET``, else the
    shipped one), read once."""
    return _dataset(get_federation_settings().service_dataset)


@dataclass(frozen=True)
class _Queued:
    product_id: str
    customisation: Customisation
    quantity: int


@dataclass(frozen=True)
class StoreFacts:
    """What the estimate reads from the store: the own work queued, and recent accepted offers."""

    queued_minutes: float = 0.0
    recent: tuple[Assignment, ...] = field(default=())


async def read_facts(
    repos: Repositories,
    manufacturer_id: str,
    policy: ManufacturerPolicy,
    *,
    catalogue: Mapping[str, Product] | None = None,
    exclude_order: str | None = None,
) -> StoreFacts:
    """The manufacturer's queue (the own work of its orders contracted or in production) and the accepted
    offers of its :data:`RECENT_ORDERS` newest orders with a supply network (newest first), leaving out
    ``exclude_order``. Products come from ``catalogue``, else from the store."""
    products: dict[str, Product | None] = dict(catalogue or {})
    queued: list[QueuedWork] = []
    for status in QUEUED:
        for record in await repos.orders.list_by_manufacturer(manufacturer_id, str(status)):
            if record.product_id not in products:
                stored = await repos.products.get(record.product_id)
                try:
                    products[record.product_id] = None if stored is None else product_of(stored)
                except ValueError:
                    products[record.product_id] = None
            try:
                customisation = Customisation.model_validate(record.customisation)
            except ValueError:
                continue
            queued.append(_Queued(record.product_id, customisation, record.quantity))
    known = {key: product for key, product in products.items() if product is not None}
    minutes = queue_minutes(queued, known, policy)
    recent: list[Assignment] = []
    for record in await repos.orders.list_by_manufacturer(manufacturer_id, limit=RECENT_ORDERS):
        if record.supply_network is None or str(record.id) == exclude_order:
            continue
        try:
            network = SupplyNetwork.model_validate(record.supply_network)
        except ValueError:
            continue
        recent.extend(network.assignments)
    return StoreFacts(minutes, tuple(recent))


async def order_estimate(
    db: Database,
    order: Order,
    product: Product,
    policy: ManufacturerPolicy,
    today: date,
    *,
    catalogue: Mapping[str, Product] | None = None,
) -> OrderEstimate | None:
    """The estimate of ``order`` as the gateway shows it to the customer before ordering (the order's own
    supply network left out), which its acceptance and quotation keep to; None when it cannot be made (the
    configuration is not covered by the supplier data set, or the store does not answer: logged)."""
    try:
        async with db.transaction(flush_acl_log=False) as repos:
            facts = await read_facts(
                repos, order.manufacturer_id, policy, catalogue=catalogue, exclude_order=str(order.id)
            )
        prices = SupplierPrices(await asyncio.to_thread(dataset_records), facts.recent)
        return estimate_order(
            product, order.customisation, order.quantity, policy, prices, facts.queued_minutes, today
        )
    except EstimateError as exc:
        log.info("order %s: no estimate (%s); only its own work dates it", order.id, exc)
    except Exception:
        log.warning("order %s: no estimate to date and price it by", order.id, exc_info=True)
    return None
