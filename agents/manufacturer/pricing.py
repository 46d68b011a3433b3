"""The price quotation: own cost plus supply-network cost, with the policy's margin; counters.

Every line is the cost of one part (sourced: its accepted offer; made here: the product's own cost)
scaled by the same factor, so the lines always sum to the quoted total (the rounding remainder
goes to the last line). The floor of a revised quotation is the cost with half the margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from ontology.network import SupplyNetwork
from ontology.order import Order
from ontology.policy import LatePenaltyTerms, ManufacturerPolicy, to_cents
from ontology.product import Product
from ontology.quotation import CounterOffer, Quotation, QuotationLine

IN_HOUSE_SUFFIX = ":in-house"
DEFAULT_VALIDITY = timedelta(days=1)


@dataclass(frozen=True)
class CostLine:
    part_id: str
    description: str
    cost: Decimal


def cost_lines(order: Order, product: Product, own_cost: Decimal, network: SupplyNetwork) -> list[CostLine]:
    """The manufacturer's own work first, then each sourced part at its accepted price."""
    lines = [CostLine(f"{product.id}{IN_HOUSE_SUFFIX}"[:64], f"{product.name} (in house)", own_cost)]
    lines += [
        CostLine(a.part_id, a.part.description or f"{a.part.process} by {a.supplier_id}", a.offer.price)
        for a in network.assignments
    ]
    return lines


def total_cost(lines: Sequence[CostLine]) -> Decimal:
    return sum((line.cost for line in lines), Decimal(0))


def scale_lines(lines: Sequence[CostLine], total: Decimal) -> tuple[QuotationLine, ...]:
    """Quotation lines proportional to the costs, summing exactly to ``total`` (in cents)."""
    if not lines:
        raise ValueError("a quotation needs at least one line")
    total = to_cents(total)
    cost = total_cost(lines)
    out: list[QuotationLine] = []
    running = Decimal(0)
    for index, line in enumerate(lines):
        if index == len(lines) - 1:
            price = total - running
        elif cost > 0:
            price = min(to_cents(line.cost * total / cost), total - running)
        else:
            price = Decimal(0)
        running += price
        out.append(QuotationLine(part_id=line.part_id, description=line.description[:2000], price=price))
    return tuple(out)


def quoted_delivery(
    order: Order, network: SupplyNetwork, policy: ManufacturerPolicy, earliest_own: date
) -> date:
    """The requested date, unless the parts or the own work make it later."""
    latest_part = network.latest_delivery
    candidates = [order.delivery_date, earliest_own]
    if latest_part is not None:
        candidates.append(latest_part + timedelta(days=policy.production_days))
    return max(candidates)


def build_quotation(
    order: Order,
    lines: Sequence[CostLine],
    total: Decimal,
    delivery_date: date,
    *,
    now: datetime,
    currency: str,
    round: int = 1,
    validity: timedelta = DEFAULT_VALIDITY,
    penalty: LatePenaltyTerms | None = None,
) -> Quotation:
    """``penalty``: the late-delivery penalty terms offered (the quotation's penalty is their share of the
    quoted total)."""
    scaled = scale_lines(lines, total)
    quoted = sum((line.price for line in scaled), Decimal(0))
    return Quotation(
        order_id=order.id,
        round=round,
        currency=currency,
        lines=scaled,
        total_price=quoted,
        delivery_date=delivery_date,
        created_at=now,
        valid_until=now + validity,
        penalty=None if penalty is None else penalty.penalty_for(quoted),
    )


def first_price(policy: ManufacturerPolicy, lines: Sequence[CostLine]) -> Decimal:
    """Cost plus the full margin."""
    return policy.price_with_margin(total_cost(lines))


def floor_price(policy: ManufacturerPolicy, lines: Sequence[CostLine]) -> Decimal:
    """The lowest total accepted in answer to a counter: cost plus half the margin."""
    return to_cents(total_cost(lines) * (1 + policy.margin / 2))


def answer_counter(
    policy: ManufacturerPolicy, lines: Sequence[CostLine], counter: CounterOffer, last: Quotation
) -> Decimal | None:
    """The revised total for ``counter`` (its price, or the floor if it is below), or ``None``
    when the floor is not below the last quoted price (nothing left to concede)."""
    counter.check_against(last)
    floor = floor_price(policy, lines)
    revised = max(to_cents(counter.price), floor)
    if revised >= last.total_price:
        return None
    return revised
