"""Whether a ``CommitAgreement`` may be committed: who sent it, and whether it is the order the store holds.

Identity comes from the transport, authority from the store. A request is taken only from the JID the store
binds as ``manufacturer`` for the request's ``order.manufacturer_id`` itself, and only for an order of that
manufacturer that the store holds in status ``confirmed`` or ``contracting`` (or ``contracted``: then only the
agreement already on the ledger may be handed back), with the stored customer, product, quantity and delivery
date, the quotation the customer accepted and the supply network that was negotiated. Anything else is
answered ``refuse`` with one of the reason codes below, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agents.runtime.directory import AgentDirectory
from agents.runtime.refusals import NOT_AUTHORISED
from ontology.common import Reason
from ontology.contract import CommitAgreement
from ontology.network import SupplyNetwork
from ontology.order import OrderStatus
from ontology.quotation import Quotation
from store.database import Database
from store.enums import AgentRole
from store.records import OrderRecord

ORDER_UNKNOWN = "order-unknown"
"""The store holds no such order of the request's manufacturer."""
WRONG_STATUS = "wrong-status"
"""The stored order is not waiting for its contract."""
ORDER_TERMS_DIFFER = "order-terms-differ"
"""The request's customer, product, quantity or delivery date are not the stored order's."""
NOT_THE_ACCEPTED_QUOTATION = "not-the-accepted-quotation"
"""The request's quotation is not the one stored for the order (the one the customer accepted)."""
NOT_THE_NEGOTIATED_NETWORK = "not-the-negotiated-network"
"""The request's supply network is not the one stored for the order."""

M = TypeVar("M", bound=BaseModel)

ADMITTED_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.CONTRACTING, OrderStatus.CONTRACTED})


@dataclass(frozen=True)
class Admitted:
    """A request that may be committed, and the stored order's status when it was admitted."""

    status: OrderStatus

    @property
    def reuse_only(self) -> bool:
        """The order is contracted: its agreement must be on the ledger already, nothing new is written."""
        return self.status is OrderStatus.CONTRACTED


async def authorise(
    directory: AgentDirectory, store: Database, sender: str, request: CommitAgreement
) -> Admitted | Reason:
    """Whether the stamped ``sender`` may have ``request`` committed (:class:`Admitted`), or why not."""
    manufacturer = request.order.manufacturer_id
    if not await directory.acts_for_exactly(sender, AgentRole.MANUFACTURER, manufacturer):
        return Reason(
            reason=NOT_AUTHORISED,
            detail=f"{sender} does not act for manufacturer {manufacturer}",
        )
    async with store.transaction(flush_acl_log=False) as repos:
        stored = await repos.orders.get(str(request.order.id))
    return judge(stored, request)


def judge(stored: OrderRecord | None, request: CommitAgreement) -> Admitted | Reason:
    """Whether ``request`` is about the order ``stored`` as the store holds it (see the module)."""
    order = request.order
    oid = str(order.id)
    if stored is None or stored.manufacturer_id != order.manufacturer_id:
        return Reason(reason=ORDER_UNKNOWN, detail=f"manufacturer {order.manufacturer_id} has no order {oid}")
    try:
        status = OrderStatus(stored.status)
    except ValueError:
        status = None
    if status not in ADMITTED_STATUSES:
        return Reason(
            reason=WRONG_STATUS,
            detail=f"order {oid} is {stored.status}; only a confirmed order is contracted",
        )
    assert status is not None
    differing = [
        what
        for what, kept, asked in (
            ("customer", stored.customer_id, order.customer_id),
            ("product", stored.product_id, order.product_id),
            ("quantity", stored.quantity, order.quantity),
            ("delivery date", stored.delivery_date, order.delivery_date),
        )
        if kept != asked
    ]
    if differing:
        return Reason(
            reason=ORDER_TERMS_DIFFER,
            detail=f"the {', '.join(differing)} of order {oid} differ from the stored order's",
        )
    if _parsed(Quotation, stored.quotation) != request.quotation:
        return Reason(
            reason=NOT_THE_ACCEPTED_QUOTATION,
            detail=f"quotation {request.quotation.id} is not the quotation accepted for order {oid}",
        )
    if _parsed(SupplyNetwork, stored.supply_network) != request.network:
        return Reason(
            reason=NOT_THE_NEGOTIATED_NETWORK,
            detail=f"the supply network is not the one negotiated for order {oid}",
        )
    return Admitted(status=status)


def _parsed(model: type[M], stored: object) -> M | None:
    """``stored`` (JSON from the store) as ``model``; None when there is none or it does not parse."""
    if stored is None:
        return None
    try:
        return model.model_validate(stored)
    except ValidationError:
        return None
