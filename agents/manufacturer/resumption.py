"""Where a restarted manufacturer picks an order up again, and what it reads from the store for that.

Three stages (:mod:`agents.manufacturer.recovery` says which applies to which stored order); they differ only
in what they need from the store and whether the customer's conversation is served again:

======================  ========  ========  =====================================================
stage                   network   product   the customer's conversation
======================  ========  ========  =====================================================
:data:`QUOTED`          yes       yes       served again: the customer may still answer
:data:`CONTRACTING`     yes       no        served again: it hears of its contracts
:data:`PRODUCTION`      no        no        finished, read from the store: it names the customer
======================  ========  ========  =====================================================

Each needs the order and its quotation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agents.manufacturer.journal import Journal
from ontology.network import SupplyNetwork
from ontology.order import Order
from ontology.product import Product
from ontology.quotation import Quotation
from protocols.order_request import OrderParticipant
from protocols.snapshot import restore


@dataclass(frozen=True)
class Stage:
    """A point an order's flow is resumed from, and what that needs."""

    name: str
    needs_network: bool
    needs_product: bool
    serves_conversation: bool
    """The customer's conversation runs again (else it only names the customer)."""


QUOTED = Stage("quoted", needs_network=True, needs_product=True, serves_conversation=True)
"""The quotation awaits the customer's answer."""
CONTRACTING = Stage("contracting", needs_network=True, needs_product=False, serves_conversation=True)
"""The customer accepted; the contract step was interrupted."""
PRODUCTION = Stage("production", needs_network=False, needs_product=False, serves_conversation=False)
"""Contracted and the customer told (or further): produce, invoice, collect."""


@dataclass(frozen=True)
class Resumption:
    """What the store holds for resuming an order from ``stage``."""

    stage: Stage
    order: Order
    machine: OrderParticipant
    """The customer's conversation."""
    quotation: Quotation
    network: SupplyNetwork | None
    """Given when the stage needs it."""
    product: Product | None
    """Given when the stage needs it."""


async def load_resumption(
    journal: Journal,
    product_of: Callable[[str], Awaitable[Product | None]],
    stage: Stage,
    order_id: str,
    machine: OrderParticipant | None = None,
) -> Resumption | None:
    """What resuming ``order_id`` from ``stage`` needs (``machine``: the customer's conversation, else the one
    the store holds), or None when the store lacks some of it."""
    order = await journal.load_order(order_id)
    record = await journal.order_record(order_id)
    if order is None or record is None or record.quotation is None:
        return None
    if stage.needs_network and record.supply_network is None:
        return None
    if machine is None:
        state = await journal.customer_conversation(order_id)
        restored = None if state is None else restore(state.state)
        if not isinstance(restored, OrderParticipant):
            return None
        machine = restored
    product = None
    if stage.needs_product:
        product = await product_of(order.product_id)
        if product is None:
            return None
    network = None
    if stage.needs_network:
        network = SupplyNetwork.model_validate(record.supply_network)
    return Resumption(
        stage=stage,
        order=order,
        machine=machine,
        quotation=Quotation.model_validate(record.quotation),
        network=network,
        product=product,
    )
