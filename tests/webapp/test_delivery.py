"""The customer's delivery screen in the browser (Chromium, Playwright, phone first): a shipped order shows
"Shipped" with the carrier and its reference, the late-delivery penalty agreed with the quotation (and, once
past the agreed date, how late it is so far); "Confirm delivery" is on the first screen and asks for a review
("Yes, it arrived") before it posts `POST /orders/{id}/delivery-confirmation`; then the late delivery and its
claimed penalty show, in words.

This module serves its own gateway (the real app and store, over real HTTP) whose bridge stands in for the
customer agent and the ledger: it answers `GET /orders/{id}/delivery` with what an order agreement on the
ledger would hold and records the confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import expect

from agents.customer.ledger_steps import DeliveryState
from ontology.order import OrderStatus
from ontology.penalty import Penalty
from ontology.quotation import Quotation, QuotationLine
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import bike_body, order_body
from tests.order_statuses import TO_PAID
from tests.webapp.browser import Account, BrowserErrors, log_in, screen
from tests.webapp.conftest import NewPage
from tests.webapp.registration import register
from tests.webapp.threaded_gateway import ThreadedGateway, gateway_in_thread

CUSTOMER = Account("carla@example.org", "correct horse 1", "Catalogue")
MAKER = Account("maker@example.org", "correct horse 2", "Inbox")
AGREED = date(2027, 3, 11)


class LedgerBridge(RecordingBridge):
    """The delivery as an order agreement on the ledger would hold it; a confirmation marks it received
    three days late with the capped penalty claimed (what the customer agent does on the real ledger)."""

    def __init__(self) -> None:
        super().__init__()
        self.state = DeliveryState(
            currency="EUR",
            delivery_date=AGREED,
            carrier="DHL",
            reference="1Z999AA10123456784",
            shipped_at=datetime(2027, 3, 10, 9, tzinfo=UTC),
            penalty_per_day=Decimal(10),
            penalty_cap=Decimal(25),
        )

    async def delivery(self, order_id: UUID) -> DeliveryState | None:
        return self.state

    async def confirm_delivery(self, order_id: UUID) -> None:
        await super().confirm_delivery(order_id)
        self.state = replace(
            self.state,
            received_at=datetime(2027, 3, 14, 12, tzinfo=UTC),
            days_late=3,
            penalty_claimed=Decimal(25),
        )


@dataclass
class Served(ThreadedGateway):
    bridge: LedgerBridge


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The gateway in a thread of its own (its own event loop), until the module ends."""
    bridge = LedgerBridge()
    with gateway_in_thread(
        tmp_path_factory.mktemp("webapp-delivery"), bridge, "webapp-delivery-gateway"
    ) as gateway:
        served = Served(gateway.base, gateway.db, gateway.loop, bridge)
        yield served


@pytest.fixture(scope="module")
def platform(served: Served) -> str:
    """The base URL the browser pages open (this module's gateway, not `lso run`)."""
    return served.base


@pytest.fixture(scope="module")
def shipped_order(served: Served) -> str:
    """An order of the customer's, quoted with a late-delivery penalty, paid and shipped."""
    _, customer = register(served.base, CUSTOMER, "customer", "Carla")
    _, maker = register(served.base, MAKER, "manufacturer", "Carla")
    created = httpx.post(f"{served.base}/products", json=bike_body(), headers=maker, timeout=10)
    assert created.status_code == 201, created.text
    placed = httpx.post(f"{served.base}/orders", json=order_body(), headers=customer, timeout=10)
    assert placed.status_code == 202, placed.text
    order_id = str(placed.json()["id"])
    quotation = Quotation(
        order_id=UUID(order_id),
        lines=(QuotationLine(part_id="all", price=Decimal("512.00")),),
        total_price=Decimal("512.00"),
        delivery_date=AGREED,
        valid_until=datetime.now(UTC) + timedelta(days=1),
        penalty=Penalty(per_day_late=Decimal(10), cap=Decimal(25)),
    )

    async def advance() -> None:
        async with served.db.transaction() as repos:
            await repos.orders.set_quotation(order_id, quotation.model_dump(mode="json"))
            for status in TO_PAID:
                await repos.orders.change_status(order_id, status, actor="manufacturer@localhost")
            await repos.orders.change_status(
                order_id,
                OrderStatus.SHIPPED,
                actor="manufacturer@localhost",
                note="Shipped with DHL, reference 1Z999AA10123456784",
            )

    served.run(advance())
    return order_id


def test_the_customer_sees_the_shipment_and_confirms_a_late_delivery(
    new_page: NewPage, served: Served, shipped_order: str, browser_errors: BrowserErrors
) -> None:
    page = new_page("customer")
    log_in(page, CUSTOMER)
    page.goto(f"/app/#/orders/{shipped_order}")
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    panel = page.locator(".delivery-panel")
    expect(panel.get_by_test_id("delivery-shipment")).to_have_text(
        "Shipped with DHL, reference 1Z999AA10123456784 on 10 March 2027"
    )
    expect(panel).to_contain_text("Agreed for a late delivery: €10.00 for each day late, at most €25.00.")
    expect(page.get_by_test_id("quotation-penalty")).to_contain_text(
        "€10.00 for each day late, at most €25.00"
    )
    confirm = page.get_by_role("button", name="Confirm delivery", exact=True)
    expect(confirm).to_be_in_viewport()  # the next action is on the phone's first screen
    screen(page, "customer-order-shipped")

    confirm.click()
    expect(page.get_by_text("this is signed in your name")).to_be_visible()
    assert served.bridge.called("confirm_delivery") == [], "nothing is sent before the review"
    page.get_by_role("button", name="Yes, it arrived", exact=True).click()
    expect(panel.get_by_test_id("delivery-received")).to_have_text(
        "Delivered on 14 March 2027, 3 days late; a penalty of €25.00 is claimed"
    )
    expect(page.get_by_role("button", name="Confirm delivery", exact=True)).to_have_count(0)
    expect(page.get_by_text("You confirmed the delivery. The manufacturer is recording it.")).to_be_visible()
    assert [call.args for call in served.bridge.called("confirm_delivery")] == [(UUID(shipped_order),)]
    screen(page, "customer-order-delivered")
