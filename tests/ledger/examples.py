"""A confirmed order with a two-supplier network, as the contract agent receives it; the same order in the
platform's store (its parties, the order, its quotation and supply network) as the contract agent reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from ontology import (
    ORDER_TRANSITIONS,
    CommitAgreement,
    Order,
    OrderStatus,
    Penalty,
    Quotation,
    QuotationLine,
    SupplyNetwork,
)
from store.database import Database
from store.enums import UserRole
from store.records import NewProduct, NewUser
from tests.ontology.examples import offer, part

CREATED = datetime(2030, 5, 1, tzinfo=UTC)


def commit_request(
    customer: str = "c1",
    manufacturer: str = "m1",
    suppliers: tuple[str, str] = ("s1", "s2"),
    product: str = "bike",
) -> CommitAgreement:
    order = Order(
        customer_id=customer,
        manufacturer_id=manufacturer,
        product_id=product,
        quantity=2,
        delivery_date=date(2030, 7, 1),
        created_at=CREATED,
    )
    path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, OrderStatus.CONFIRMED)
    assert path is not None
    for target in path[1:]:
        order = order.transition(target, manufacturer, at=CREATED)
    network = network_for(order.id, suppliers)
    quotation = Quotation(
        order_id=order.id,
        lines=(QuotationLine(part_id="bike", price=Decimal("420")),),
        total_price=Decimal("420"),
        delivery_date=date(2030, 6, 20),
        created_at=CREATED,
        valid_until=CREATED + timedelta(days=3),
        penalty=Penalty(per_day_late=Decimal(5)),
    )
    return CommitAgreement(
        order=order, network=network, quotation=quotation, penalty=Penalty(per_day_late=Decimal(5))
    )


def network_for(order_id: UUID, suppliers: tuple[str, str], frame_price: str = "100.50") -> SupplyNetwork:
    first, second = suppliers
    return (
        SupplyNetwork(order_id=order_id)
        .with_assignment(part("frame"), offer("frame", first, frame_price, 10, order_id=order_id))
        .with_assignment(part("wheels"), offer("wheels", second, "40.25", 14, order_id=order_id))
        .with_assignment(part("paint"), offer("paint", first, "9.25", 3, order_id=order_id))
    )


def priced(request: CommitAgreement, total: str) -> CommitAgreement:
    """``request`` with a quotation of the same order at another total price (a forged one)."""
    quotation = Quotation.model_validate(
        {
            **request.quotation.model_dump(),
            "lines": (QuotationLine(part_id=request.order.product_id, price=Decimal(total)),),
            "total_price": Decimal(total),
        }
    )
    return request.model_copy(update={"quotation": quotation})


def with_network(request: CommitAgreement, frame_price: str) -> CommitAgreement:
    """``request`` with another supply network of the same suppliers (the frame at ``frame_price``)."""
    first, second = (a.supplier_id for a in request.network.assignments[:2])
    network = network_for(request.order.id, (first, second), frame_price)
    return CommitAgreement(
        order=request.order, network=network, quotation=request.quotation, penalty=request.penalty
    )


def as_of(order: Order, status: OrderStatus) -> Order:
    """``order`` as it was when it reached ``status`` (its history cut there)."""
    steps = [i for i, change in enumerate(order.history) if change.to_status is status]
    assert steps, f"order {order.id} never was {status}"
    return order.model_copy(update={"status": status, "history": order.history[: steps[-1] + 1]})


@dataclass(frozen=True)
class StoredParties:
    customer: str
    manufacturer: str
    product: str


async def add_parties(db: Database, name: str, *, customers: int = 1) -> list[StoredParties]:
    """A manufacturer ``maker-<name>`` with product ``bike-<name>`` and its customers ``cust-<name>``,
    ``cust-<name>-2``...: users whose ids are their ledger parties too."""
    maker, product = f"maker-{name}", f"bike-{name}"
    async with db.transaction() as repos:
        await repos.users.add(
            NewUser(
                id=maker,
                email=f"{maker}@example.org",
                display_name="M",
                role=UserRole.MANUFACTURER,
                password_hash="x",
            )
        )
        await repos.products.add(
            NewProduct(id=product, manufacturer_id=maker, name="Bike", base_price=Decimal("420"))
        )
        found = []
        for n in range(customers):
            customer = f"cust-{name}" + (f"-{n + 1}" if n else "")
            await repos.users.add(
                NewUser(
                    id=customer,
                    email=f"{customer}@example.org",
                    display_name="C",
                    role=UserRole.CUSTOMER,
                    password_hash="x",
                )
            )
            found.append(StoredParties(customer, maker, product))
    return found


def request_of(parties: StoredParties) -> CommitAgreement:
    return commit_request(
        customer=parties.customer, manufacturer=parties.manufacturer, product=parties.product
    )


async def store_request(db: Database, request: CommitAgreement, status: OrderStatus | None = None) -> None:
    """Store ``request``'s order (as of ``status`` when given), its quotation and supply network, as the
    manufacturer agent does until the customer confirms."""
    order = request.order if status is None else as_of(request.order, status)
    oid = str(order.id)
    async with db.transaction() as repos:
        await repos.orders.add_order(order)
        await repos.orders.set_supply_network(oid, request.network)
        await repos.orders.set_quotation(oid, request.quotation)


async def move_order(db: Database, order_id: object, *statuses: OrderStatus) -> None:
    async with db.transaction() as repos:
        for status in statuses:
            await repos.orders.change_status(str(order_id), status, actor="tests")


async def status_of(db: Database, order_id: object) -> str | None:
    async with db.transaction() as repos:
        record = await repos.orders.get(str(order_id))
    return None if record is None else record.status
