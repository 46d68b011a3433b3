"""What the parties do to an order once it is placed: answer the quotation, the manual steps (among them
confirming the parts, starting production early, confirming a payment arrived, shipping), pay, confirm the
delivery; and how the order is paid (the manufacturer's bank account, the order's transfer reference).

Each action checks that the caller is the order's party for it (someone else's order: 404), and that
the order's current status allows it (409 naming the status otherwise), then hands it to the agents
through the bridge and answers 202; the order's status changes when the agents act on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, HTTPException, Request, status
from fastapi.types import DecoratedCallable

from agents.manufacturer.console import NOT_AWAITED
from gateway.api.deps import CurrentUser, CustomerUser, DbDep, ManufacturerUser, get_bridge
from gateway.api.invalid import invalid_field
from gateway.api.order_access import visible_order
from gateway.bridge.base import AgentBridge, BridgeError, QuotationAnswer
from gateway.core.principal import Principal
from gateway.schemas.common import KeyPath
from gateway.schemas.order_actions import (
    ActionAccepted,
    ActionReason,
    CounterCreate,
    DeliveryPublic,
    PaymentCreate,
    PaymentTerms,
    ProductionReport,
    ProductionStart,
    ShipmentCreate,
)
from ontology.order import ORDER_TRANSITIONS, OrderStatus
from ontology.payment import same_reference, transfer_reference
from ontology.policy import ManufacturerPolicy
from store.database import Database
from store.enums import InvoiceStatus, PolicyKind

router = APIRouter(prefix="/orders", tags=["order actions"])

OrderId = KeyPath
OptionalReason = Annotated[ActionReason | None, Body()]
BridgeCall = Callable[[AgentBridge, UUID], Awaitable[None]]


@dataclass(frozen=True)
class Action:
    """An action and the statuses the order may be in for it."""

    name: str
    allowed: frozenset[OrderStatus]
    idle: str = ""
    """Why the agent may not wait for this step (its ``not-awaited`` refusal), in words; empty: its own."""
    phrase: str = ""
    """How a refusal names the action and the order ("confirm the parts of order"); else "<name> order"."""

    @classmethod
    def towards(cls, name: str, target: OrderStatus) -> Action:
        """Allowed where the order's status machine lets the order go to ``target``."""
        return cls(name, frozenset(s for s in ORDER_TRANSITIONS.states if ORDER_TRANSITIONS.can(s, target)))

    def refused(self, order_id: str, exc: BridgeError) -> HTTPException:
        """The agents' refusal, in words (``not-awaited`` explained by :attr:`idle`)."""
        reason = exc.reason
        if exc.status_code == status.HTTP_409_CONFLICT and self.idle and reason.startswith(NOT_AWAITED):
            reason = f"your agent is not waiting for this: {self.idle}"
        phrase = self.phrase or f"{self.name} order"
        return HTTPException(exc.status_code, f"cannot {phrase} {order_id}: {reason}")

    def conflict(self, order_id: str, current: str) -> HTTPException:
        needed = " or ".join(repr(str(s)) for s in sorted(self.allowed))
        return HTTPException(
            status.HTTP_409_CONFLICT, f"order {order_id} is {current!r}: {self.name} needs it {needed}"
        )


CONFIRM = Action.towards("confirm", OrderStatus.CONFIRMED)
DECLINE = Action.towards("decline", OrderStatus.DECLINED)
COUNTER = Action.towards("counter", OrderStatus.COUNTERED)
ACCEPT = Action.towards("accept", OrderStatus.ACCEPTED)
REJECT = Action.towards("reject", OrderStatus.REJECTED)
SOURCING = Action.towards("start sourcing", OrderStatus.SOURCING)
PRODUCTION = Action("report production", frozenset({OrderStatus.CONTRACTED, OrderStatus.IN_PRODUCTION}))
INVOICE = Action.towards("invoice", OrderStatus.INVOICED)
PAYMENT = Action.towards("pay", OrderStatus.PAID)
DELIVERY = Action.towards("confirm delivery", OrderStatus.DELIVERED)
PARTS = Action(
    "confirm parts",
    frozenset({OrderStatus.CONTRACTED}),
    idle='it confirms arriving parts by itself (your policy\'s "Confirm arriving parts automatically" is '
    "on), or the order is no longer waiting for parts",
    phrase="confirm the parts of order",
)
EARLY_START = Action(
    "start production",
    frozenset({OrderStatus.CONTRACTED}),
    idle="the order is not waiting for parts any more (production starts by itself once every part is in)",
    phrase="start production of order",
)
PAYMENT_CONFIRMATION = Action(
    "confirm payment",
    frozenset({OrderStatus.INVOICED}),
    idle="it takes a payment the customer announces as received by itself (your policy gives no bank "
    'account, or "Confirm received transfers yourself" is off), or the order has moved on',
    phrase="confirm the payment of order",
)
SHIPPING = Action(
    "ship",
    frozenset(s for s in ORDER_TRANSITIONS.states if ORDER_TRANSITIONS.can(s, OrderStatus.SHIPPED)),
    idle='it ships this order by itself (your policy\'s "Ship automatically" is on), '
    "or the order has moved on",
)

_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"description": "handed to the agents"},
    404: {"description": "no such order of yours"},
    409: {"description": "the order's status does not allow this now"},
    503: {"description": "the agents could not take the request"},
}


def _uuid(order_id: str) -> UUID:
    try:
        return UUID(order_id)
    except ValueError as exc:  # not an order the agents placed: they could not follow it
        raise HTTPException(status.HTTP_409_CONFLICT, f"order {order_id} is not known to the agents") from exc


async def _act(
    db: Database, request: Request, user: Principal, order_id: str, action: Action, call: BridgeCall
) -> ActionAccepted:
    async with db.transaction() as repos:
        order = await visible_order(repos, user, order_id)
    if order.status not in action.allowed:
        raise action.conflict(order.id, order.status)
    bridge = get_bridge(request)
    try:
        await call(bridge, _uuid(order.id))
    except BridgeError as exc:
        raise action.refused(order.id, exc) from exc
    return ActionAccepted(
        order_id=order.id,
        action=action.name,
        status=OrderStatus(order.status),
        location=f"/orders/{order.id}",
    )


async def _decide(
    db: Database, request: Request, user: Principal, order_id: str, body: ActionReason | None, accepted: bool
) -> ActionAccepted:
    """The manufacturer's decision on a received order, with its optional reason."""
    reason = body.reason if body else ""
    action = ACCEPT if accepted else REJECT
    return await _act(
        db, request, user, order_id, action, lambda bridge, oid: bridge.decide_order(oid, accepted, reason)
    )


def _answer(answer: QuotationAnswer, reason: str = "") -> BridgeCall:
    """The customer's answer to the open quotation, without counter terms."""
    return lambda bridge, oid: bridge.answer_quotation(oid, answer, reason=reason)


def _post(path: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    return router.post(
        path,
        status_code=status.HTTP_202_ACCEPTED,
        response_model=ActionAccepted,
        summary=summary,
        responses=_ANSWERS,
    )


# ----------------------------------------------------------------- the customer


@_post("/{order_id}/confirm", "Confirm the open quotation (customer)")
async def confirm(order_id: OrderId, user: CustomerUser, db: DbDep, request: Request) -> ActionAccepted:
    return await _act(db, request, user, order_id, CONFIRM, _answer(QuotationAnswer.CONFIRM))


@_post("/{order_id}/decline", "Decline the open quotation (customer)")
async def decline(
    order_id: OrderId, user: CustomerUser, db: DbDep, request: Request, body: OptionalReason = None
) -> ActionAccepted:
    reason = body.reason if body else ""
    return await _act(db, request, user, order_id, DECLINE, _answer(QuotationAnswer.DECLINE, reason))


@_post("/{order_id}/counter", "Counter the open quotation with a price and/or a delivery date (customer)")
async def counter(
    order_id: OrderId, body: CounterCreate, user: CustomerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        await bridge.answer_quotation(
            oid, QuotationAnswer.COUNTER, price=body.price, delivery_date=body.delivery_date, reason=body.note
        )

    return await _act(db, request, user, order_id, COUNTER, call)


@router.get(
    "/{order_id}/payment",
    response_model=PaymentTerms,
    summary="How the order is paid: the manufacturer's bank account and the order's transfer reference "
    "(the order's customer or manufacturer)",
    responses={404: {"description": "no such order of yours"}},
)
async def payment_terms(order_id: OrderId, user: CurrentUser, db: DbDep) -> PaymentTerms:
    async with db.transaction(flush_acl_log=False) as repos:
        order = await visible_order(repos, user, order_id)
        policies = await repos.policies.list_all(PolicyKind.MANUFACTURER)
    owned = [p for p in policies if p.owner_user_id == order.manufacturer_id]
    terms = ManufacturerPolicy.model_validate(owned[0].policy).payment if owned else None
    return PaymentTerms.of(order.id, terms)


@_post(
    "/{order_id}/payment",
    "Announce the bank transfer of the open invoice, made with the order's transfer reference (customer); "
    "the order is paid once the manufacturer confirms it arrived (or at once, as its policy says)",
)
async def pay(
    order_id: OrderId, body: PaymentCreate, user: CustomerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        expected = transfer_reference(oid)
        if not same_reference(body.reference, expected):
            raise invalid_field(
                "reference", [f"the transfer reference of this order is {expected}, not {body.reference}"]
            )
        await bridge.pay(oid, expected)

    return await _act(db, request, user, order_id, PAYMENT, call)


@_post(
    "/{order_id}/delivery-confirmation",
    "Confirm that the shipped order arrived (customer): the delivery is confirmed on the ledger as the "
    "customer, and a late delivery's agreed penalty claimed",
)
async def confirm_delivery(
    order_id: OrderId, user: CustomerUser, db: DbDep, request: Request
) -> ActionAccepted:
    return await _act(db, request, user, order_id, DELIVERY, lambda bridge, oid: bridge.confirm_delivery(oid))


@router.get(
    "/{order_id}/delivery",
    response_model=DeliveryPublic,
    summary="Where the order's delivery is, as its agreement on the ledger says (customer)",
    responses={
        404: {"description": "no such order of yours, or nothing on the ledger about its delivery yet"},
        503: {"description": "the ledger could not be read"},
    },
)
async def delivery(order_id: OrderId, user: CustomerUser, db: DbDep, request: Request) -> DeliveryPublic:
    async with db.transaction(flush_acl_log=False) as repos:
        order = await visible_order(repos, user, order_id)
    try:
        state = await get_bridge(request).delivery(_uuid(order.id))
    except BridgeError as exc:
        raise HTTPException(
            exc.status_code, f"cannot read the delivery of order {order.id}: {exc.reason}"
        ) from exc
    if state is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"the ledger holds no agreement of order {order.id} yet"
        )
    return DeliveryPublic.of(order.id, state)


# ----------------------------------------------------------------- the manufacturer


@_post("/{order_id}/accept", "Accept a received order (manufacturer, manual acceptance)")
async def accept(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request, body: OptionalReason = None
) -> ActionAccepted:
    return await _decide(db, request, user, order_id, body, accepted=True)


@_post("/{order_id}/reject", "Reject a received order (manufacturer, manual acceptance)")
async def reject(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request, body: OptionalReason = None
) -> ActionAccepted:
    return await _decide(db, request, user, order_id, body, accepted=False)


@_post("/{order_id}/sourcing", "Start the supplier search of an accepted order (manufacturer)")
async def start_sourcing(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    return await _act(db, request, user, order_id, SOURCING, lambda bridge, oid: bridge.start_sourcing(oid))


@_post("/{order_id}/production", "Report production progress, 100 meaning produced (manufacturer)")
async def report_production(
    order_id: OrderId, body: ProductionReport, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        await bridge.report_production(oid, body.percent, body.note)

    return await _act(db, request, user, order_id, PRODUCTION, call)


@_post("/{order_id}/invoice", "Invoice a produced order (manufacturer)")
async def raise_invoice(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    return await _act(db, request, user, order_id, INVOICE, lambda bridge, oid: bridge.raise_invoice(oid))


@_post(
    "/{order_id}/parts-confirmation",
    "Confirm that the shipped parts of a contracted order arrived (manufacturer, policy auto_receive_parts "
    "off): the agent confirms their receipt on the ledger",
)
async def confirm_parts(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    return await _act(db, request, user, order_id, PARTS, lambda bridge, oid: bridge.confirm_parts(oid))


@_post(
    "/{order_id}/production-start",
    "Start producing a contracted order before every part is in (manufacturer); the reason is kept in the "
    "order's history",
)
async def start_production(
    order_id: OrderId, body: ProductionStart, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        await bridge.start_production(oid, body.reason)

    return await _act(db, request, user, order_id, EARLY_START, call)


@_post(
    "/{order_id}/payment-confirmation",
    "Confirm that the customer's announced bank transfer arrived (manufacturer, policy "
    "payment.confirm_by_hand): the agent confirms the payment on the ledger -> paid",
)
async def confirm_payment(
    order_id: OrderId, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        async with db.transaction(flush_acl_log=False) as repos:
            invoices = await repos.invoices.by_order(str(oid))
            announced = [
                i
                for i in invoices
                if i.status == InvoiceStatus.ISSUED and await repos.payments.for_invoice(i.id) is not None
            ]
        if not announced:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"the customer has not announced a payment of order {oid} yet: nothing to confirm",
            )
        await bridge.confirm_payment(oid)

    return await _act(db, request, user, order_id, PAYMENT_CONFIRMATION, call)


@_post(
    "/{order_id}/shipment",
    "Ship a paid order with this carrier and tracking reference (manufacturer, policy auto_ship off)",
)
async def ship(
    order_id: OrderId, body: ShipmentCreate, user: ManufacturerUser, db: DbDep, request: Request
) -> ActionAccepted:
    async def call(bridge: AgentBridge, oid: UUID) -> None:
        await bridge.ship_order(oid, body.carrier, body.reference)

    return await _act(db, request, user, order_id, SHIPPING, call)
