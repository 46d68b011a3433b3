"""Held bookings checked against a real store (SQLite): orders and bindings as the platform stores them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from agents.supplier_proxy.booking_check import Decision, read_verdicts
from agents.supplier_proxy.bookings import Booking, BookingState
from agents.supplier_proxy.settings import SupplierProxySettings
from common.settings import Settings
from ontology.codec import decode
from ontology.negotiation import Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import OrderStatus
from protocols.performative import Performative
from store.database import Database
from store.engine import create_engine
from store.enums import AgentRole, UserRole
from store.records import NewBinding, NewOrder, NewProduct, NewUser
from tests.agents.supplier_proxy.helpers import MAKER, T0, TODAY, Clock, RecordingHost, cfp, part


class World:
    def __init__(self, db: Database, manufacturer: str, customer: str, product: str) -> None:
        self.db = db
        self.manufacturer = manufacturer
        self.customer = customer
        self.product = product

    async def order(self, order_id: UUID, status: OrderStatus, offers: tuple[Offer, ...] = ()) -> None:
        network = SupplyNetwork(
            order_id=order_id, assignments=tuple(Assignment(part=part(), offer=o) for o in offers)
        )
        async with self.db.transaction() as repos:
            await repos.orders.add(
                NewOrder(
                    id=str(order_id),
                    customer_id=self.customer,
                    manufacturer_id=self.manufacturer,
                    product_id=self.product,
                    delivery_date=TODAY + timedelta(days=30),
                    status=status.value,
                    supply_network=network if offers else None,
                )
            )


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    path = tmp_path_factory.mktemp("proxy-store") / "lso.db"
    db = await Database.open(f"sqlite+aiosqlite:///{path}", migrate=True)
    async with db.transaction() as repos:
        maker = await repos.users.add(
            NewUser(
                email="frames@example.org",
                display_name="Frames",
                role=UserRole.MANUFACTURER,
                password_hash="x",
            )
        )
        customer = await repos.users.add(
            NewUser(
                email="carla@example.org", display_name="Carla", role=UserRole.CUSTOMER, password_hash="x"
            )
        )
        product = await repos.products.add(
            NewProduct(manufacturer_id=maker.id, name="Frame", base_price=Decimal("100"))
        )
        await repos.bindings.bind(
            NewBinding(jid=MAKER, role=AgentRole.MANUFACTURER, party_id=maker.id, created_by="tests")
        )
    yield World(db, maker.id, customer.id, product.id)
    await db.close()


def held(order_id: UUID, offer_id: str = "", requester: str = MAKER) -> Booking:
    return Booking(
        requester=requester,
        order_id=str(order_id),
        offer_id=offer_id or str(uuid4()),
        part_id="frame",
        hours=1.0,
        delivery_date=TODAY,
        state=BookingState.HELD,
        held_until=T0,
    )


async def test_verdicts_of_the_stored_orders(world: World) -> None:
    missing, negotiating, cancelled = uuid4(), uuid4(), uuid4()
    await world.order(negotiating, OrderStatus.NEGOTIATING)
    await world.order(cancelled, OrderStatus.CANCELLED)
    bookings = [held(missing), held(negotiating), held(cancelled), held(negotiating, requester="x@local")]
    verdicts = await read_verdicts(world.db, bookings)
    assert [verdicts[b.offer_id].decision for b in bookings] == [
        Decision.RELEASE,
        Decision.KEEP,
        Decision.RELEASE,
        Decision.RELEASE,  # x@local acts for no manufacturer
    ]
    assert "does not exist" in verdicts[bookings[0].offer_id].why
    assert await read_verdicts(world.db, []) == {}


async def test_a_store_that_cannot_be_read_keeps_every_booking(tmp_path: Path) -> None:
    db = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path}/nowhere/lso.db"))
    try:
        verdicts = await read_verdicts(db, [held(uuid4())])
    finally:
        await db.close()
    [verdict] = verdicts.values()
    assert verdict.decision is Decision.KEEP and "could not be read" in verdict.why


async def test_the_host_confirms_releases_and_keeps_as_the_store_says(world: World, tmp_path: Path) -> None:
    host = RecordingHost(Settings(data_dir=tmp_path), Clock(), suppliers=SupplierProxySettings())
    host.store = world.db
    aid = host.host()
    orders = {name: uuid4() for name in ("contracted", "other-network", "missing", "quoted")}
    offers: dict[str, Offer] = {}
    for name, order_id in orders.items():
        proposal = await host.call(MAKER, aid, cfp(order=order_id, machine_minutes=6.0, quantity=1))
        [inform] = host.reply(proposal, Performative.ACCEPT_PROPOSAL)
        offers[name] = decode(inform.content, Offer)
    await world.order(orders["contracted"], OrderStatus.CONTRACTED, (offers["contracted"],))
    stranger = offers["other-network"].model_copy(update={"id": uuid4()})
    await world.order(orders["other-network"], OrderStatus.IN_PRODUCTION, (stranger,))
    await world.order(orders["quoted"], OrderStatus.QUOTED)

    await host.check_bookings()
    bookings = host.proxies[aid].bookings
    states = {name: getattr(bookings.get(str(offer.id)), "state", None) for name, offer in offers.items()}
    assert states == {
        "contracted": BookingState.CONFIRMED,
        "other-network": None,
        "missing": None,
        "quoted": BookingState.HELD,
    }
