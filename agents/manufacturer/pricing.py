"""The price quotation: own cost plus supply-network cost, with the policy's margin; counters.

The cost lines (the product's own cost, then each sourced part at its accepted offer, with its
supplier) are the manufacturer's: they set the price, and stay with it. The quotation the customer
receives has one line, the product in words with the order's quantity, its unit price and the line's
total; the unit price is a whole number of cents, so a total is rounded up to a multiple of the
quantity. The floor of a revised quotation is the cost with half the margin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from uuid import UUID

from ontology.customisation import Customisation
from ontology.network import SupplyNetwork
from ontology.order import Order
from ontology.policy import CENT, LatePenaltyTerms, ManufacturerPolicy, to_cents
from ontology.product import Product
from ontology.quotation import CounterOffer, Quotation, QuotationLine

IN_HOUSE_SUFFIX = ":in-house"
DEFAULT_VALIDITY = timedelta(days=1)


@dataclass(frozen=True)
class CostLine:
    """What one part costs the manufacturer (never on the customer's quotation)."""

    part_id: str
    cost: Decimal


def cost_lines(order: Order, product: Product, own_cost: Decimal, network: SupplyNetwork) -> list[CostLine]:
    """The manufacturer's own work first, then each sourced part at its accepted price."""
    lines = [CostLine(f"{product.id}{IN_HOUSE_SUFFIX}"[:64], own_cost)]
    lines += [CostLine(a.part_id, a.offer.price) for a in network.assignments]
    return lines


def total_cost(lines: Sequence[CostLine]) -> Decimal:
    return sum((line.cost for line in lines), Decimal(0))


def unit_price(total: Decimal, quantity: int) -> Decimal:
    """The price of one unit when ``quantity`` units cost at least ``total``: whole cents, rounded up."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    return (to_cents(total) / quantity).quantize(CENT, rounding=ROUND_CEILING)


def product_words(product: Product, customisation: Customisation) -> str:
    """The product's name and the chosen options by their labels: "Bike: Frame material Steel, Size M"."""
    chosen = ", ".join(f"{option.label} {choice.label}" for option, choice in customisation.chosen(product))
    return f"{product.name}: {chosen}" if chosen else product.name


def customer_line(part_id: str, description: str, quantity: int, total: Decimal) -> QuotationLine:
    """The line of ``quantity`` units for (at least) ``total``: the unit price times the quantity."""
    unit = unit_price(total, quantity)
    return QuotationLine(
        part_id=part_id,
        description=description[:2000],
        quantity=quantity,
        unit_price=unit,
        price=unit * quantity,
    )


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
    product: Product,
    total: Decimal,
    delivery_date: date,
    *,
    now: datetime,
    currency: str,
    validity: timedelta = DEFAULT_VALIDITY,
    penalty: LatePenaltyTerms | None = None,
) -> Quotation:
    """The first quotation: the order's product and quantity for ``total`` (rounded up to whole cents per
    unit). ``penalty``: the late-delivery penalty terms offered (the quotation's penalty is their share of
    the quoted total)."""
    line = customer_line(product.id, product_words(product, order.customisation), order.quantity, total)
    return _quotation(order.id, 1, (line,), delivery_date, now, currency, validity, penalty)


def revised_quotation(
    last: Quotation,
    total: Decimal,
    *,
    now: datetime,
    validity: timedelta = DEFAULT_VALIDITY,
    penalty: LatePenaltyTerms | None = None,
) -> Quotation:
    """The next round after ``last``: the same lines and delivery date, for ``total`` (spread over the lines
    in proportion to their prices, the remainder on the last one; each line whole cents per unit)."""
    lines: list[QuotationLine] = []
    running = Decimal(0)
    for index, line in enumerate(last.lines):
        quantity = line.quantity or 1
        if index == len(last.lines) - 1:
            share = total - running
        elif last.total_price > 0:
            share = to_cents(line.price * total / last.total_price)
        else:
            share = Decimal(0)
        revised = customer_line(line.part_id, line.description, quantity, max(share, Decimal(0)))
        running += revised.price
        lines.append(revised)
    return _quotation(
        last.order_id, last.round + 1, tuple(lines), last.delivery_date, now, last.currency, validity, penalty
    )


def _quotation(
    order_id: UUID,
    round_number: int,
    lines: tuple[QuotationLine, ...],
    delivery_date: date,
    now: datetime,
    currency: str,
    validity: timedelta,
    penalty: LatePenaltyTerms | None,
) -> Quotation:
    quoted = sum((line.price for line in lines), Decimal(0))
    return Quotation(
        order_id=order_id,
        round=round_number,
        currency=currency,
        lines=lines,
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
    [line, *others] = last.lines
    quantity = 1 if others or line.quantity is None else line.quantity
    revised = unit_price(revised, quantity) * quantity  # as the revised quotation will price it
    if revised >= last.total_price:
        return None
    return revised
