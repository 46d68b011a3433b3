"""Browser tests of the web app: the real platform (`lso run`) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.lso_platform import lso_run, platform_env
from tests.webapp.browser import CHROMIUM, PHONE, UI_WAIT, BrowserErrors, artifacts_dir, axe_source

expect.set_options(timeout=UI_WAIT)


@pytest.fixture(scope="package")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`lso run` (demo data seeded) for the whole browser session: the gateway's base URL."""
    env = platform_env(tmp_path_factory.mktemp("webapp-platform"))
    with lso_run(env):
        base = f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}"
        shell = httpx.get(f"{base}/app/", timeout=10)
        if shell.status_code != 200 or "text/html" not in shell.headers.get("content-type", ""):
            pytest.fail(
                f"the gateway does not serve the web app at /app/: {shell.status_code} {shell.text[:200]}"
            )
        yield base


@pytest.fixture(scope="package")
def axe() -> str:
    """axe-core's source (webapp/node_modules, from `npm ci --prefix webapp`)."""
    return axe_source()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium (apt-get install chromium)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> Iterator[BrowserErrors]:
    """The browser's errors: a test that passes otherwise fails on one that it did not allow."""
    errors = BrowserErrors()
    yield errors
    if request.node.stash.get(CALL_FAILED, False):
        if errors.seen:
            request.node.add_report_section("teardown", "browser errors", "\n".join(errors.seen))
    elif not errors.checked:
        errors.assert_none()


NewPage = Callable[[str], Page]


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, platform: str, browser: Browser, axe: str, browser_errors: BrowserErrors
) -> Iterator[NewPage]:
    """A page in a browser context of its own (its own storage, service worker and session), at phone size.
    When the test fails, each page's screenshot is kept as `failed-<test>-<label>.png`."""
    contexts: list[BrowserContext] = []
    pages: list[tuple[str, Page]] = []

    def make(label: str) -> Page:
        context = browser.new_context(
            base_url=platform, viewport=PHONE, locale="en-GB", timezone_id="UTC", service_workers="allow"
        )
        context.set_default_timeout(UI_WAIT)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page, label)
        pages.append((label, page))
        return page

    yield make
    if request.node.stash.get(CALL_FAILED, False):
        for label, page in pages:
            path = artifacts_dir() / f"failed-{request.node.name}-{label}.png"
            with contextlib.suppress(PlaywrightError):
                page.screenshot(path=path, full_page=True)
                request.node.add_report_section("teardown", f"screenshot of {label}", f"{path} ({page.url})")
    for context in contexts:
        context.close()
