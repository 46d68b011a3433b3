"""Orders: a customer places one; both parties list and read theirs.

Placing an order stores it (status ``received``) and hands it to the agents through the bridge; if
the bridge cannot take it, the order is moved to ``failed`` with the reason in its history, so no
order is left waiting for agents that never heard of it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import ValidationError

from gateway.api.customisation import attached_files, invalid_customisation
from gateway.api.deps import CurrentUser, CustomerUser, DbDep, get_bridge, require_role
from gateway.api.invalid import invalid_body, invalid_field
from gateway.api.order_access import may_see, not_found
from gateway.bridge.base import BridgeError
from gateway.catalogue.estimates import date_refused
from gateway.core.principal import Principal
from gateway.privacy import order_view
from gateway.schemas.common import KeyPath
from gateway.schemas.orders import OrderAccepted, OrderCreate, OrderPublic, OrderSummary
from gateway.schemas.paging import Limit, Offset, Page
from ontology.customisation import Customisation, CustomisationError
from ontology.events import failed
from ontology.order import Order, OrderStatus
from ontology.product import Product
from store.database import Database
from store.enums import UserRole
from store.errors import StoreError
from store.product_rows import product_of
from store.repositories.orders import read_order_detail

log = logging.getLogger(__name__)

AGENTS_UNREACHABLE = "agents-unreachable"

router = APIRouter(prefix="/orders", tags=["orders"])

#: The actor of the status changes the gateway itself writes.
GATEWAY_ACTOR = "gateway"

PartyUser = Annotated[Principal, Depends(require_role(UserRole.CUSTOMER, UserRole.MANUFACTURER))]


async def _order_for(db: Database, customer_id: str, body: OrderCreate) -> tuple[Order, Product]:
    """The ontology order of the request and its product, checked against it (422 naming every problem)."""
    async with db.transaction() as repos:
        record = await repos.products.get(body.product_id)
        files = await attached_files(repos, customer_id, body.files) if record is not None else {}
    if record is None:
        raise invalid_field("product_id", [f"no product {body.product_id}"])
    try:
        product = product_of(record)
        customisation = Customisation.with_defaults(
            product, body.options, numbers=body.numbers, texts=body.texts, files=files
        )
        order = Order(
            customer_id=customer_id,
            manufacturer_id=product.manufacturer_id,
            product_id=product.id,
            customisation=customisation,
            quantity=body.quantity,
            delivery_date=body.delivery_date,
        )
        return order, product
    except CustomisationError as exc:
        raise invalid_customisation(exc) from exc
    except ValidationError as exc:
        raise invalid_body(exc) from exc


async def _check_date(db: Database, product: Product, order: Order) -> None:
    """422 at ``delivery_date`` for a date the manufacturer's estimate does not offer (nothing is stored)."""
    async with db.transaction(flush_acl_log=False) as repos:
        why = await date_refused(repos, product, order, date.today())
    if why is not None:
        raise invalid_field("delivery_date", [why])


async def _fail(db: Database, order: Order, reason: str) -> bool:
    """Move the order to ``failed`` (the agents could not take it: ``reason``, in the log) unless it moved
    on already (then the agents have it).

    False when the agents have it; True when it failed (or could not even be marked failed)."""
    log.warning("order %s: %s", order.id, reason)
    try:
        async with db.transaction() as repos:
            current = await repos.orders.require(str(order.id))
            if current.status != OrderStatus.RECEIVED:
                return False
            await repos.orders.change_status(
                current.id, OrderStatus.FAILED, actor=GATEWAY_ACTOR, event=failed(AGENTS_UNREACHABLE)
            )
    except StoreError:
        log.exception("order %s: could not record that the agents did not take it", order.id)
    return True


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrderAccepted,
    summary="Order a customised product; the agents negotiate it from here",
    responses={
        422: {
            "description": "unknown product, options that do not fit it, a delivery date in the past or "
            "outside the dates the manufacturer's estimate offers"
        },
        503: {"description": "the agents could not take the order (it is then failed)"},
    },
)
async def place_order(
    body: OrderCreate, user: CustomerUser, db: DbDep, request: Request, response: Response
) -> OrderAccepted:
    order, product = await _order_for(db, user.user_id, body)
    await _check_date(db, product, order)
    bridge = get_bridge(request)  # 503 before anything is stored when no agents are connected
    async with db.transaction() as repos:
        await repos.orders.add_order(order)
        await repos.uploads.attach([f.upload_id for f in order.customisation.files.values()], str(order.id))
    location = f"/orders/{order.id}"
    try:
        await bridge.place_order(order)
    except asyncio.CancelledError:  # the gateway stops: the order must not wait for nobody
        await asyncio.shield(_fail(db, order, "the gateway stopped before the agents took the order"))
        raise
    except Exception as exc:
        reason = exc.reason if isinstance(exc, BridgeError) else f"unexpected {type(exc).__name__}"
        if not isinstance(exc, BridgeError):
            log.exception("order %s: the bridge failed", order.id)
        note = f"the agents could not take the order: {reason}"
        if await _fail(db, order, note):
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, f"order {order.id} failed: {note}"
            ) from exc
        log.warning("order %s: the bridge reported %r, but the agents took the order", order.id, reason)
    response.headers["Location"] = location
    return OrderAccepted(id=str(order.id), status=OrderStatus.RECEIVED, location=location)


@router.get(
    "",
    response_model=Page[OrderSummary],
    summary="A customer's own orders, or the orders addressed to a manufacturer; newest first",
)
async def list_orders(
    user: PartyUser,
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status_filter: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> Page[OrderSummary]:
    wanted = None if status_filter is None else str(status_filter)
    async with db.transaction() as repos:
        if user.role == UserRole.CUSTOMER:
            records = await repos.orders.list_by_customer(
                user.user_id, wanted, limit=limit + 1, offset=offset
            )
        else:
            records = await repos.orders.list_by_manufacturer(
                user.user_id, wanted, limit=limit + 1, offset=offset
            )
    return Page[OrderSummary].of([OrderSummary.of(record) for record in records], limit, offset)


@router.get(
    "/{order_id}",
    response_model=OrderPublic,
    summary="An order: status, history, quotation, supply network, contracts, invoices and payment",
    responses={404: {"description": "no such order of yours"}},
)
async def get_order(order_id: KeyPath, user: CurrentUser, db: DbDep) -> OrderPublic:
    async with db.reader() as connection:  # one statement: the order, history, invoices, payments
        detail = await read_order_detail(connection, order_id)
    if detail is None or not may_see(user, detail.order):
        raise not_found(order_id)
    return order_view(user, detail)
