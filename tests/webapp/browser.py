"""What the browser tests share: the demo accounts, logging in through the UI, accessibility checks with
axe-core, screenshots at a phone and a desktop viewport, and the browser's errors."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, ViewportSize, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "webapp" / "node_modules" / "axe-core" / "axe.min.js"

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
VIEWPORTS = (("phone", PHONE), ("desktop", DESKTOP))

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

AGENT_WAIT = 60_000  # ms: a step that waits for the platform's agents (negotiation, contract, production)
UI_WAIT = 15_000  # ms: a step that waits for the app and the gateway only


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    home: str  # the h1 of the role's home view


CUSTOMER = Account("customer@demo.lso.example", "demo-customer-pass", "Catalogue")
MANUFACTURER = Account("manufacturer@demo.lso.example", "demo-manufacturer-pass", "Inbox")


def artifacts_dir() -> Path:
    """Where the screenshots go: `$LSO_TEST_ARTIFACTS/webapp`, by default `<repo>/test-artifacts/webapp`."""
    base = os.environ.get("LSO_TEST_ARTIFACTS")
    directory = (Path(base) if base else ROOT / "test-artifacts") / "webapp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@functools.cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_JS.relative_to(ROOT)}): run `npm ci --prefix webapp` "
            "(or `make webapp-deps`) first"
        )
    return AXE_JS.read_text(encoding="utf-8")


# The app's Content-Security-Policy (default-src 'self') blocks an injected <script> (page.add_script_tag), as
# it should; a function evaluated through the DevTools protocol is not subject to it.
_AXE_RUN = r"""async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.map(String).join(" ")),
    summary: v.nodes.length ? (v.nodes[0].failureSummary || "").replace(/\s+/g, " ").trim() : "",
  }));
}"""


def check_accessibility(page: Page, name: str) -> None:
    """axe-core on the page as it is (WCAG 2.1 A and AA); fails on every serious or critical violation."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + axe_source() + "\n}")
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, AXE_TAGS)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [
            f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n    "
            + "\n    ".join(v["targets"][:10])
            + (f"\n    first: {v['summary']}" if v["summary"] else "")
            for v in blocking
        ]
        pytest.fail(
            f"axe-core finds {len(blocking)} serious or critical violation(s) on the screen {name!r} "
            f"({page.url}):\n" + "\n".join(lines),
            pytrace=False,
        )


def _save(page: Page, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    page.evaluate("() => window.scrollTo(0, 0)")  # a sticky header stays where the page was scrolled to
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    return path


def screenshot(page: Page, name: str) -> list[Path]:
    """`<name>-phone.png` (390 by 844) and `<name>-desktop.png` (1280 by 800); the viewport is restored."""
    original = page.viewport_size
    try:
        paths = []
        for label, size in VIEWPORTS:
            page.set_viewport_size(size)
            paths.append(_save(page, f"{name}-{label}"))
        return paths
    finally:
        if original is not None:
            page.set_viewport_size(original)


def screen(page: Page, name: str) -> None:
    """An important screen: its screenshots and the axe check, at the phone and at the desktop viewport."""
    original = page.viewport_size
    try:
        for label, size in VIEWPORTS:
            page.set_viewport_size(size)
            _save(page, f"{name}-{label}")
            check_accessibility(page, f"{name} ({label})")
    finally:
        if original is not None:
            page.set_viewport_size(original)


def assert_first_screen(page: Page, target: Locator) -> None:
    """``target`` (the order's next action) is on the first screen, the page scrolled to its top, and no toast
    covers it."""
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(target).to_be_visible()
    box, viewport = target.bounding_box(), page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
        f"the next action is not on the first screen ({viewport['width']}x{viewport['height']}): {box}"
    )
    for toast in page.locator("#toasts > *").all():
        cover = toast.bounding_box()
        if cover is None:
            continue
        apart = (
            cover["y"] >= box["y"] + box["height"]
            or box["y"] >= cover["y"] + cover["height"]
            or cover["x"] >= box["x"] + box["width"]
            or box["x"] >= cover["x"] + cover["width"]
        )
        assert apart, f"the toast {toast.inner_text()!r} covers the next action"


def log_in(page: Page, account: Account) -> None:
    """Through the login form; done when the role's home view shows."""
    page.goto("/app/#/login")
    page.get_by_label("E-mail", exact=True).fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=account.home, exact=True)).to_be_visible(timeout=UI_WAIT)


def session_token(page: Page) -> str:
    token = page.evaluate("() => JSON.parse(localStorage.getItem('lso.session') || 'null')?.token ?? null")
    assert isinstance(token, str) and token, "no session in localStorage 'lso.session'"
    return token


# A mark in the page's window (gone after a reload) and a record of every toast shown, even a short-lived one.
_WATCH_PAGE = """() => {
  if (window.__lsoWatch) return;
  window.__lsoWatch = { toasts: [] };
  const box = document.getElementById("toasts");
  const seen = () => {
    for (const el of box.children) {
      const text = el.textContent.trim();
      if (text && !window.__lsoWatch.toasts.includes(text)) window.__lsoWatch.toasts.push(text);
    }
  };
  new MutationObserver(seen).observe(box, { childList: true, subtree: true, characterData: true });
  seen();
}"""


def watch_page(page: Page) -> None:
    """Mark the page (see `assert_not_reloaded`) and record its toasts (see `wait_for_toast`)."""
    page.evaluate(_WATCH_PAGE)


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("() => Boolean(window.__lsoWatch)"), "the page was reloaded (push should update it)"


def wait_for_toast(page: Page, text: str, timeout: float = AGENT_WAIT) -> str:
    found = page.wait_for_function(
        "(text) => window.__lsoWatch && window.__lsoWatch.toasts.find((t) => t.includes(text))",
        arg=text,
        timeout=timeout,
    )
    value = found.json_value()
    assert isinstance(value, str)
    return value


@dataclass
class BrowserErrors:
    """Console errors and uncaught exceptions of the pages watched; a test fails on any not allowed."""

    seen: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    checked: bool = False

    def watch(self, page: Page, label: str) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url", "") if message.location else ""
                self.seen.append(f"[{label}] console.error: {message.text} ({where})")

        def on_page_error(error: Error) -> None:
            self.seen.append(f"[{label}] uncaught {error.name}: {error.message}\n{error.stack or ''}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def allow(self, pattern: str) -> None:
        """Errors that the test provokes on purpose (e.g. the browser's log line of an expected 401)."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [m for m in self.seen if not any(p.search(m) for p in self.allowed)]

    def assert_none(self) -> None:
        self.checked = True
        problems = self.unexpected()
        if problems:
            pytest.fail("the browser reported errors:\n" + "\n".join(problems), pytrace=False)
