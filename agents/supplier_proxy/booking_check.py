"""What the store says about held bookings: confirm, release or keep each (see :mod:`.bookings`).

For a held booking (an offer the proxy confirmed to a requester) the platform's store is the authority:

* the order does not exist -> release;
* the order exists but belongs to a manufacturer the requester is not bound to (``agent_bindings``,
  role ``manufacturer``) -> release: nobody books for another manufacturer's order;
* the order was declined, rejected, cancelled or failed -> release;
* the order is contracted or later (in production, produced, invoiced, paid, delivered, completed) and its
  stored supply network assigns a part to the booked offer -> confirm; without that offer -> release;
* otherwise (the order is still being sourced, quoted, confirmed, contracting) -> keep: the booking ends at
  its ``held_until`` unless a later check confirms it.

A store that cannot be read keeps every booking (and the caller logs it): a booking is never confirmed
without the store's word, and ends at its ``held_until`` anyway. :func:`verdict_for` decides (pure);
:func:`read_verdicts` reads the store (one transaction per check).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agents.supplier_proxy.bookings import Booking
from ontology.order import OrderStatus
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.records.orders import OrderRecord

log = logging.getLogger(__name__)

_S = OrderStatus
CONTRACTED = frozenset(
    {
        _S.CONTRACTED,
        _S.IN_PRODUCTION,
        _S.PRODUCED,
        _S.INVOICED,
        _S.PAID,
        _S.SHIPPED,
        _S.DELIVERED,
        _S.COMPLETED,
    }
)
"""Statuses of an order whose contracts are committed."""
ENDED = frozenset({_S.DECLINED, _S.REJECTED, _S.CANCELLED, _S.FAILED})
"""Statuses of an order that ended without (or lost) its contracts."""


class Decision(StrEnum):
    CONFIRM = "confirm"
    RELEASE = "release"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    why: str


def offer_ids_of(network: Mapping[str, Any] | None) -> frozenset[str]:
    """The offer ids a stored supply network (JSON of :class:`ontology.network.SupplyNetwork`) assigns."""
    if not isinstance(network, Mapping):
        return frozenset()
    found: set[str] = set()
    assignments = network.get("assignments")
    for assignment in assignments if isinstance(assignments, list) else ():
        offer = assignment.get("offer") if isinstance(assignment, Mapping) else None
        offer_id = offer.get("id") if isinstance(offer, Mapping) else None
        if isinstance(offer_id, str):
            found.add(offer_id.lower())
    return frozenset(found)


def verdict_for(booking: Booking, order: OrderRecord | None, manufacturers: Iterable[str]) -> Verdict:
    """What to do with held ``booking`` given its order as stored (None: no such order) and the manufacturer
    ids its requester is bound to (``*``: any)."""
    if order is None:
        return Verdict(Decision.RELEASE, f"order {booking.order_id} does not exist")
    parties = set(manufacturers)
    if ANY_PARTY not in parties and order.manufacturer_id not in parties:
        why = f"order {order.id} is not an order of a manufacturer {booking.requester} acts for"
        return Verdict(Decision.RELEASE, why)
    status = order.status
    if status in ENDED:
        return Verdict(Decision.RELEASE, f"order {order.id} is {status}")
    if status in CONTRACTED:
        if booking.offer_id.lower() in offer_ids_of(order.supply_network):
            return Verdict(Decision.CONFIRM, f"order {order.id} is {status} with offer {booking.offer_id}")
        return Verdict(Decision.RELEASE, f"order {order.id} is {status} without offer {booking.offer_id}")
    return Verdict(Decision.KEEP, f"order {order.id} is {status}")


async def read_verdicts(db: Database, bookings: Sequence[Booking]) -> dict[str, Verdict]:
    """A verdict for each of ``bookings`` (by offer id), each order and requester read once. When the store
    cannot be read, every booking is kept (logged here)."""
    if not bookings:
        return {}
    order_ids = {b.order_id for b in bookings}
    requesters = {b.requester for b in bookings}
    try:
        async with db.transaction(flush_acl_log=False) as repos:
            orders = {order_id: await repos.orders.get(order_id) for order_id in order_ids}
            parties = {
                requester: {
                    r.party_id for r in await repos.bindings.of(requester) if r.role is AgentRole.MANUFACTURER
                }
                for requester in requesters
            }
    except Exception as exc:
        log.warning("cannot read %d order(s) of held bookings from the store: %s", len(order_ids), exc)
        why = f"the store could not be read ({type(exc).__name__})"
        return {b.offer_id: Verdict(Decision.KEEP, why) for b in bookings}
    return {b.offer_id: verdict_for(b, orders[b.order_id], parties[b.requester]) for b in bookings}
