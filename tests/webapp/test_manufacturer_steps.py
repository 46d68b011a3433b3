"""The manufacturer's ledger steps in the browser (Chromium, Playwright, phone first): with a policy that
confirms no parts and ships nothing by itself, a contracted order shows "Parts received" and "Start production
now" (a reason required), a paid one "Ship" with the carrier and its tracking reference; each posts its route
to the gateway, whose recording bridge stands in for the agents. A shipped order shows the shipment read-only.

This module serves its own gateway (the real app and store, over real HTTP).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import expect

from ontology.order import ORDER_TRANSITIONS, OrderStatus
from ontology.policy import ManufacturerPolicy
from store.enums import PolicyKind
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import bike_body, order_body
from tests.webapp.browser import Account, BrowserErrors, log_in, screen
from tests.webapp.conftest import NewPage
from tests.webapp.registration import register
from tests.webapp.threaded_gateway import ThreadedGateway, gateway_in_thread

CUSTOMER = Account("cleo@example.org", "correct horse 1", "Catalogue")
MAKER = Account("mira@example.org", "correct horse 2", "Inbox")


@dataclass
class Served(ThreadedGateway):
    bridge: RecordingBridge
    customer: dict[str, str] | None = None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The gateway in a thread of its own (its own event loop), until the module ends."""
    bridge = RecordingBridge()
    with gateway_in_thread(
        tmp_path_factory.mktemp("webapp-manufacturer-steps"), bridge, "webapp-manufacturer-steps-gateway"
    ) as gateway:
        served = Served(gateway.base, gateway.db, gateway.loop, bridge)
        _people(served)
        yield served


@pytest.fixture(scope="module")
def platform(served: Served) -> str:
    """The base URL the browser pages open (this module's gateway, not `lso run`)."""
    return served.base


def _people(served: Served) -> None:
    """The customer, the manufacturer, its product and its agent's policy (parts and shipping by hand)."""
    _, served.customer = register(served.base, CUSTOMER, "customer", "Mira")
    maker_id, maker = register(served.base, MAKER, "manufacturer", "Mira")
    created = httpx.post(f"{served.base}/products", json=bike_body(), headers=maker, timeout=10)
    assert created.status_code == 201, created.text
    policy = ManufacturerPolicy.model_validate(
        {
            "capacity_hours_per_week": 60,
            "own_processes": ["assembly"],
            "sourced_processes": ["welding", "painting"],
            "margin": "0.20",
            "auto_receive_parts": False,
            "auto_ship": False,
            "carrier": "DHL",
        }
    )

    async def store() -> None:
        async with served.db.transaction() as repos:
            await repos.policies.put(
                "mira@localhost", PolicyKind.MANUFACTURER, policy, owner_user_id=maker_id
            )

    served.run(store())


def _order(served: Served, to: OrderStatus, note: str = "") -> str:
    assert served.customer is not None
    placed = httpx.post(f"{served.base}/orders", json=order_body(), headers=served.customer, timeout=10)
    assert placed.status_code == 202, placed.text
    order_id = str(placed.json()["id"])

    async def advance() -> None:
        async with served.db.transaction() as repos:
            path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, to)
            assert path is not None
            for status in path[1:]:
                await repos.orders.change_status(
                    order_id, status, actor="mira@localhost", note=note if status == to else ""
                )

    served.run(advance())
    return order_id


def test_a_contracted_order_waits_for_the_parts_or_an_early_start(
    new_page: NewPage, served: Served, browser_errors: BrowserErrors
) -> None:
    order_id = _order(served, OrderStatus.CONTRACTED)
    page = new_page("manufacturer")
    log_in(page, MAKER)
    page.goto(f"/app/#/inbox/{order_id}")
    expect(page.get_by_test_id("order-status")).to_have_text("Contracted")
    received = page.get_by_role("button", name="Parts received", exact=True)
    expect(received).to_be_in_viewport()  # the next action is on the phone's first screen
    screen(page, "manufacturer-order-contracted")

    received.click()
    expect(page.get_by_text("Parts receipt confirmed")).to_be_visible()
    assert [c.args for c in served.bridge.called("confirm_parts")] == [(UUID(order_id),)]

    start = page.get_by_role("button", name="Start production now", exact=True)
    start.click()
    expect(page.get_by_text("Say why production starts before every part is in.")).to_be_visible()
    assert served.bridge.called("start_production") == [], "nothing is sent without a reason"
    page.get_by_label("Why start now?", exact=True).fill("  the tubes are in stock ")
    start.click()
    expect(page.get_by_text("Production started")).to_be_visible()
    assert [c.args for c in served.bridge.called("start_production")] == [
        (UUID(order_id), "the tubes are in stock")
    ]


def test_a_paid_order_is_shipped_with_a_carrier_and_its_reference(
    new_page: NewPage, served: Served, browser_errors: BrowserErrors
) -> None:
    order_id = _order(served, OrderStatus.PAID)
    page = new_page("manufacturer")
    log_in(page, MAKER)
    page.goto(f"/app/#/inbox/{order_id}")
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    expect(page.get_by_role("button", name="Parts received", exact=True)).to_have_count(0)
    carrier = page.get_by_label("Carrier", exact=True)
    expect(carrier).to_have_value("DHL")  # the policy's carrier
    ship = page.get_by_role("button", name="Ship", exact=True)
    ship.click()
    expect(page.get_by_text("Enter the carrier's tracking reference.")).to_be_visible()
    page.get_by_label("Tracking reference", exact=True).fill("1Z999AA10123456784")
    screen(page, "manufacturer-order-paid")
    ship.click()
    expect(page.get_by_text("Shipped with DHL")).to_be_visible()
    assert [c.args for c in served.bridge.called("ship_order")] == [
        (UUID(order_id), "DHL", "1Z999AA10123456784")
    ]


def test_a_shipped_order_shows_its_shipment_read_only(
    new_page: NewPage, served: Served, browser_errors: BrowserErrors
) -> None:
    order_id = _order(served, OrderStatus.SHIPPED, note="Shipped with DHL, reference 1Z999AA10123456784")
    page = new_page("manufacturer")
    log_in(page, MAKER)
    page.goto(f"/app/#/inbox/{order_id}")
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("shipment")).to_have_text("Shipped with DHL, reference 1Z999AA10123456784")
    expect(page.get_by_role("button", name="Ship", exact=True)).to_have_count(0)
    expect(page.get_by_text("Waiting for the customer to confirm the delivery.")).to_be_visible()
