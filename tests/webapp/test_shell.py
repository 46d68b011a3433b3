"""The app shell: login errors, an expired session, the manifest, the service worker and the offline shell."""

from __future__ import annotations

import re
from uuid import uuid4

import httpx
from playwright.sync_api import expect

from tests.webapp.browser import CUSTOMER, UI_WAIT, BrowserErrors, log_in, screen, session_token
from tests.webapp.conftest import NewPage

# The browser's own log line of a response the test provokes on purpose (a refused token request is a 400).
REJECTED = r"Failed to load resource: the server responded with a status of 40[01]"


def test_a_wrong_password_is_told_plainly(new_page: NewPage, browser_errors: BrowserErrors) -> None:
    browser_errors.allow(REJECTED)
    page = new_page("customer")
    page.goto("/app/#/login")
    page.get_by_label("E-mail", exact=True).fill(CUSTOMER.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(re.compile(r"password", re.IGNORECASE))
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('lso.session')") is None
    browser_errors.assert_none()


def test_a_visitor_signs_up_and_lands_logged_in(new_page: NewPage, browser_errors: BrowserErrors) -> None:
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    page = new_page("visitor")
    page.goto("/app/#/login")
    page.get_by_role("link", name="Create an account", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Create an account", exact=True)).to_be_visible()
    email = f"sam-{uuid4().hex[:8]}@example.org"
    page.get_by_label("Your name", exact=True).fill("Sam Signup")
    page.get_by_label("E-mail", exact=True).fill(email)
    password = page.get_by_label("Password", exact=True)
    password.fill("password")
    expect(page.get_by_text("2 more characters, please.")).to_be_visible()
    password.fill("password1234")
    page.get_by_role("button", name="Create account", exact=True).click()
    # the server's refusal, in words, at the password field
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(re.compile(r"This is a very common password\."))
    screen(page, "signup-refused")
    password.fill("violet tugboat orchestra")
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=CUSTOMER.home, exact=True)).to_be_visible()
    assert page.evaluate("() => JSON.parse(localStorage.getItem('lso.session')).user.email") == email
    browser_errors.assert_none()


def test_a_revoked_session_sends_the_user_back_to_login(
    new_page: NewPage, browser_errors: BrowserErrors, platform: str
) -> None:
    browser_errors.allow(REJECTED)
    page = new_page("customer")
    log_in(page, CUSTOMER)
    token = session_token(page)
    revoked = httpx.post(f"{platform}/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert revoked.status_code == 204, revoked.text
    page.get_by_role("link", name="My orders", exact=True).click()
    expect(page.get_by_text("Your session has expired. Please log in again.")).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('lso.session')") is None
    log_in(page, CUSTOMER)
    browser_errors.assert_none()


def test_the_app_installs_and_its_shell_works_offline(
    new_page: NewPage, browser_errors: BrowserErrors, platform: str
) -> None:
    page = new_page("visitor")
    page.goto("/app/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href, "no <link rel=manifest>"
    manifest = httpx.get(httpx.URL(page.url).join(href), timeout=10)
    assert manifest.status_code == 200
    assert "manifest+json" in manifest.headers["content-type"] or "json" in manifest.headers["content-type"]
    described = manifest.json()
    assert described["start_url"] == "/app/" and described["scope"] == "/app/"
    assert described["display"] == "standalone"
    sizes = {icon.get("sizes") for icon in described["icons"]}
    assert {"192x192", "512x512"} <= sizes, sizes
    for icon in described["icons"]:
        assert httpx.get(httpx.URL(page.url).join(icon["src"]), timeout=10).status_code == 200, icon

    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{platform}/app/"
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=UI_WAIT)

    # Offline, the app's own files come from the service worker's cache; the API and the push stream do not.
    browser_errors.allow(r"ERR_INTERNET_DISCONNECTED|ERR_FAILED|WebSocket connection to .* failed")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_be_visible()
    page.context.set_offline(False)
    browser_errors.assert_none()
