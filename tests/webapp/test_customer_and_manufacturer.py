"""The issue's story in one browser: a customer orders a configured product, the manufacturer (with a manual
policy) accepts it and starts the sourcing, the customer reviews the quotation and signs it, the manufacturer
reports production and invoices, the customer reviews the payment and announces its bank transfer, the
manufacturer confirms it arrived and, once it is shipped, the customer confirms the delivery; every update
reaches the other side by push, without a reload. At 390x844 each next action is on the first screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.webapp.browser import (
    AGENT_WAIT,
    CUSTOMER,
    MANUFACTURER,
    UI_WAIT,
    Account,
    BrowserErrors,
    assert_first_screen,
    assert_not_reloaded,
    log_in,
    screen,
    wait_for_toast,
    watch_page,
)
from tests.webapp.conftest import NewPage

MANUAL = (
    "Accept orders automatically",
    "Start sourcing automatically",
    "Produce automatically",
    "Invoice automatically",
)


def _token(base: str, account: Account) -> str:
    login = httpx.post(
        f"{base}/auth/token",
        data={"grant_type": "password", "username": account.email, "password": account.password},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    assert isinstance(token, str)
    return token


@pytest.fixture
def policy_restored(platform: str) -> Iterator[None]:
    """The manufacturer's policy as it was before the test (the test makes it manual)."""
    auth = {"Authorization": f"Bearer {_token(platform, MANUFACTURER)}"}
    before: dict[str, Any] = httpx.get(f"{platform}/manufacturer/policy", headers=auth, timeout=10).json()
    yield
    fields = httpx.get(f"{platform}/openapi.json", timeout=10).json()["components"]["schemas"]["PolicyUpdate"]
    body = {k: v for k, v in before["policy"].items() if k in fields["properties"]}
    restored = httpx.put(f"{platform}/manufacturer/policy", headers=auth, json=body, timeout=10)
    assert restored.status_code == 200, restored.text


def _status(page: Page) -> Any:
    return expect(page.get_by_test_id("order-status"))


def test_a_customer_orders_and_pays_what_the_manufacturer_invoices(
    new_page: NewPage, browser_errors: BrowserErrors, policy_restored: None
) -> None:
    customer = new_page("customer")
    manufacturer = new_page("manufacturer")

    customer.goto("/app/")
    expect(customer.get_by_label("E-mail", exact=True)).to_be_visible()
    screen(customer, "login")
    log_in(customer, CUSTOMER)
    log_in(manufacturer, MANUFACTURER)

    # a. The manufacturer takes the order through by hand.
    manufacturer.get_by_role("link", name="Policy", exact=True).click()
    expect(manufacturer.get_by_role("heading", level=1, name="Agent policy")).to_be_visible()
    expect(manufacturer.get_by_label("Margin (%) (required)", exact=True)).to_have_value("25")  # API: 0.25
    strategy = manufacturer.get_by_label("Negotiation strategy", exact=True)
    expect(strategy.locator("option:checked")).to_have_text("Boulware — hold the price, concede late")
    for label in MANUAL:
        box = manufacturer.get_by_label(label, exact=True)
        box.uncheck()
        expect(box).not_to_be_checked()
    iban = manufacturer.get_by_role("textbox", name=re.compile(r"^IBAN"))
    expect(iban).to_have_value("DE89370400440532013000")
    manufacturer.get_by_label("Confirm received transfers yourself", exact=True).check()  # demo: at once
    screen(manufacturer, "manufacturer-policy")
    manufacturer.get_by_role("button", name="Save policy", exact=True).click()
    expect(manufacturer.locator("#toasts")).to_contain_text("Policy saved")
    manufacturer.get_by_role("link", name="Inbox", exact=True).click()
    expect(manufacturer.get_by_role("heading", level=1, name="Inbox", exact=True)).to_be_visible()
    watch_page(manufacturer)
    transcript_fetches: list[str] = []  # push events bring each message: the whole transcript is fetched once

    def transcript_fetched(request: Any) -> None:
        if request.url.split("?")[0].endswith("/negotiation"):
            transcript_fetches.append(request.url)

    manufacturer.on("request", transcript_fetched)

    # b. The customer configures a product and orders it.
    screen(customer, "catalogue")
    customer.get_by_role("link", name="Custom shoes", exact=True).click()
    expect(customer.get_by_role("heading", level=1, name="Custom shoes", exact=True)).to_be_visible()
    price = customer.get_by_test_id("price")
    expect(price).to_have_text(re.compile(r"\d"))
    estimate = price.inner_text()
    customer.get_by_label("Upper", exact=True).select_option(value="leather")  # "Full-grain leather"
    expect(price).not_to_have_text(estimate)
    delivery = customer.get_by_label("Delivery date", exact=True)  # only feasible dates, the earliest first
    earliest = delivery.get_attribute("min") or ""
    assert earliest > date.today().isoformat(), earliest
    expect(delivery).to_have_value(earliest)
    customer.get_by_label("Delivery date", exact=True).fill((date.today() + timedelta(days=60)).isoformat())
    screen(customer, "product-configurator")
    customer.get_by_role("button", name="Place order", exact=True).click()
    expect(customer).to_have_url(re.compile(r"#/orders/[^/?]+$"))
    order_id = customer.url.rsplit("/", 1)[-1]
    _status(customer).to_have_text("Received")
    watch_page(customer)

    # c. The order reaches the manufacturer's inbox by push; accepted, it is sourced.
    inbox_entry = manufacturer.locator(f'a[href="#/inbox/{order_id}"]')
    expect(inbox_entry).to_be_visible(timeout=UI_WAIT)
    assert_not_reloaded(manufacturer)
    screen(manufacturer, "manufacturer-inbox")
    inbox_entry.click()
    expect(manufacturer.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \d+$"))
    _status(manufacturer).to_have_text("Received")
    manufacturer.get_by_role("button", name="Accept order", exact=True).click()
    _status(manufacturer).to_have_text("Accepted", timeout=AGENT_WAIT)
    manufacturer.get_by_role("button", name="Start sourcing", exact=True).click()
    offers = manufacturer.get_by_role("table", name="Offers by supplier and round")
    expect(offers.locator("tbody tr").first).to_be_visible(timeout=AGENT_WAIT)
    network = manufacturer.get_by_role("img", name=re.compile(r"^Supply network"))
    expect(network).to_be_visible(timeout=AGENT_WAIT)
    _status(manufacturer).to_have_text("Quoted", timeout=AGENT_WAIT)  # the negotiation's outcome, every time
    expect(network).to_have_attribute("aria-label", re.compile(r"rated \d\.\d of 5"))  # suppliers by name
    expect(network).not_to_have_attribute("aria-label", re.compile(r"SUP-\d"))
    screen(manufacturer, "manufacturer-order-negotiation")
    whole = [url for url in transcript_fetches if "after=" not in url]
    assert len(whole) == 1, f"the manufacturer fetched the whole transcript {len(whole)} times: {whole}"

    # d. The quotation reaches the customer by push; confirmed, it becomes a contract.
    wait_for_toast(customer, "Quotation received")
    quotation = customer.get_by_role("heading", name="Quotation", exact=True)
    expect(quotation).to_be_visible(timeout=AGENT_WAIT)
    _status(customer).to_have_text("Quoted")
    assert_not_reloaded(customer)
    screen(customer, "customer-order-quoted")
    expect(customer.get_by_test_id("quotation-note")).to_contain_text("the estimate")
    customer.get_by_role("heading", name="Status timeline", exact=True).click()  # unfold it
    timeline = customer.get_by_role("list", name="Status timeline")
    expect(timeline).to_contain_text("The manufacturer accepted the order; the earliest delivery is")
    expect(timeline).to_contain_text("Quotation: €")
    expect(timeline).not_to_contain_text(re.compile(r"[0-9a-f]{8}-|[0-9a-f]{16}|\bmin\b|[Rr]ound \d|@"))
    expect(customer.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \d+$"))
    confirm = customer.get_by_role("button", name="Confirm", exact=True)
    assert_first_screen(customer, confirm)  # on the phone's first screen, no toast over it
    confirm.click()  # no contract in one tap: what the customer binds itself to, then "Confirm and sign"
    sign = customer.get_by_role("region", name="Review before you sign")
    quoted = customer.get_by_test_id("quotation-price").inner_text()
    expect(sign.get_by_test_id("review-total")).to_have_text(quoted)
    expect(sign).to_contain_text("If late")
    expect(sign).to_contain_text("Bank transfer to Demo manufacturer, after the invoice")
    _status(customer).to_have_text("Quoted")
    sign.get_by_role("button", name="Confirm and sign", exact=True).click()
    _status(customer).to_have_text(re.compile(r"^(Contracted|In production)$"), timeout=AGENT_WAIT)

    # e. Once the suppliers' parts are in (the agent confirms their receipt on the ledger), the manufacturer
    # reports the production done and raises the invoice.
    _status(manufacturer).to_have_text("In production", timeout=AGENT_WAIT)
    progress = manufacturer.get_by_label("Progress (%)", exact=True)
    expect(progress).to_be_visible(timeout=AGENT_WAIT)
    progress.fill("100")
    manufacturer.get_by_role("button", name="Report progress", exact=True).click()
    raise_invoice = manufacturer.get_by_role("button", name="Raise invoice", exact=True)
    expect(raise_invoice).to_be_visible(timeout=AGENT_WAIT)
    raise_invoice.click()
    _status(manufacturer).to_have_text(re.compile(r"^(Invoiced|Paid)$"), timeout=AGENT_WAIT)

    # f. The customer reviews the payment (the manufacturer's account, the order's reference) and announces
    # its transfer; the manufacturer confirms the money arrived; paid, the order ships by itself (with the
    # policy's carrier); the order shows its supply network and its negotiation (folded).
    pay = customer.get_by_role("button", name="Pay now", exact=True)
    expect(pay).to_be_visible(timeout=AGENT_WAIT)
    assert_first_screen(customer, pay)
    pay.click()
    review = customer.get_by_role("region", name="Review your payment")
    expect(review.get_by_test_id("transfer-iban")).to_have_text("DE89 3704 0044 0532 0130 00")
    expect(review.get_by_test_id("transfer-reference")).to_have_text(re.compile(r"^RF\d\d( [0-9A-F]{1,4})+$"))
    reference = review.get_by_test_id("transfer-reference").inner_text()
    screen(customer, "customer-order-payment-review")
    review.get_by_role("button", name=re.compile(r"^I have transferred €[\d,]+\.\d\d$")).click()
    announced = "Payment announced — waiting for the manufacturer to confirm receipt."
    expect(customer.get_by_text(announced, exact=True)).to_be_visible(timeout=AGENT_WAIT)
    _status(customer).to_have_text("Invoiced")
    received = manufacturer.get_by_role("button", name="Confirm payment received", exact=True)
    expect(received).to_be_visible(timeout=AGENT_WAIT)
    expect(manufacturer.get_by_test_id("announced-reference")).to_have_text(reference)
    assert_first_screen(manufacturer, received)
    screen(manufacturer, "manufacturer-order-payment-received")
    received.click()
    _status(customer).to_have_text("Shipped", timeout=AGENT_WAIT)
    expect(customer.get_by_role("heading", name="Supply network", exact=True)).to_be_visible()
    customer.get_by_role("heading", name="Supply network", exact=True).click()  # unfold it
    expect(customer.get_by_role("img", name=re.compile(r"^Supply network"))).to_be_visible()
    expect(customer.get_by_role("heading", name="Negotiation transcript", exact=True)).to_be_visible()
    assert_not_reloaded(customer)
    screen(customer, "customer-order-shipped")

    # g. The customer confirms the delivery (signed on the ledger as the customer); the order completes.
    confirm_delivery = customer.get_by_role("button", name="Confirm delivery", exact=True)
    assert_first_screen(customer, confirm_delivery)
    confirm_delivery.click()
    customer.get_by_role("button", name="Yes, it arrived", exact=True).click()
    _status(customer).to_have_text(re.compile(r"^(Delivered|Completed)$"), timeout=AGENT_WAIT)
    _status(manufacturer).to_have_text("Completed", timeout=AGENT_WAIT)

    browser_errors.assert_none()
