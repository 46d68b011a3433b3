"""Errors from the API and the network reach the user in words, with a way to try again."""

from __future__ import annotations

import uuid

from playwright.sync_api import Route, expect

from tests.webapp.browser import CUSTOMER, MANUFACTURER, BrowserErrors, log_in
from tests.webapp.conftest import NewPage

NOT_FOUND = r"Failed to load resource: the server responded with a status of 404"
UNREACHABLE = r"Failed to load resource: net::ERR_(FAILED|CONNECTION_REFUSED)"


def test_an_unknown_order_is_not_found_and_can_be_retried(
    new_page: NewPage, browser_errors: BrowserErrors
) -> None:
    browser_errors.allow(NOT_FOUND)
    page = new_page("customer")
    log_in(page, CUSTOMER)
    page.goto(f"/app/#/orders/{uuid.uuid4()}")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("could not be found")
    expect(alert.get_by_role("button", name="Try again")).to_be_visible()
    browser_errors.assert_none()


def test_an_unreachable_platform_is_told_plainly_and_retrying_recovers(
    new_page: NewPage, browser_errors: BrowserErrors
) -> None:
    browser_errors.allow(UNREACHABLE)
    page = new_page("manufacturer")
    log_in(page, MANUFACTURER)

    def refuse(route: Route) -> None:
        route.abort("connectionrefused")

    page.route("**/orders?*", refuse)
    page.get_by_role("link", name="Policy", exact=True).click()
    page.get_by_role("link", name="Inbox", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The platform cannot be reached")
    page.unroute("**/orders?*", refuse)
    alert.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="Inbox", exact=True)).to_be_visible()
    browser_errors.assert_none()
