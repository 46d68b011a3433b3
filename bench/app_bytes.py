"""Bytes the web app transfers for one order's whole story, against the 1.35 MB measured before compression
and negotiation events (issue 16).

    python -m bench.app_bytes --out bench-app-bytes.json [--timeout 300]

Starts the whole platform (``lso run``: XMPP, the agents, the ledger, the gateway, the demo data) in a child
process on free ports and a fresh data directory, then plays both apps of one order's story the way the web
app does: the customer and the manufacturer load the app shell (``/app/`` and the files its service worker
precaches), log in, open the push WebSocket; the customer opens the catalogue and a product and places the
order; both keep the order open, refetching ``GET /orders/{id}`` on every status event (the manufacturer's
page also every 1.5 s while the suppliers are asked); the customer confirms the quotation, pays the invoice by
transfer (the manufacturer confirms it when its policy asks) and confirms the delivery.

Every GET is sent twice, with ``Accept-Encoding: gzip`` and with ``identity``, so the variants measure the
very same story; what counts is what arrives on the wire: the status line, the headers and the body as sent
(compressed or not). WebSocket messages count their frames, deflated as the server's permessage-deflate sends
them when the connection took it (browsers offer it). The variants:

* ``now``: gzip; the transcript fetched whole once per app, then kept by the ``negotiation-message`` events;
* ``no_compression``: the same without gzip;
* ``baseline``: no gzip, no negotiation events, and the whole transcript fetched again on every refresh (the
  manufacturer) and on every status change (the customer), as the app did before: measured in the same run.

The report gives each variant's bytes by kind (app shell, API, transcript, push) and the ratio of ``now`` to
the 1.35 MB of the issue and to the baseline of this run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import re
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import websockets

from cli.child_platform import child_env, child_platform
from gateway.demo.seed import CUSTOMER_EMAIL, CUSTOMER_PASSWORD, MANUFACTURER_EMAIL, MANUFACTURER_PASSWORD

OLD_FIGURE_BYTES = 1_350_000
"""The story's bytes in the app before (issue 16: measured in Chromium against ``make run``)."""
STARTUP_TIMEOUT = 120.0
RETRY_SECONDS = 3.0
"""A step the gateway refused (its question had not reached the agent yet) is tried again after this long."""
POLL_SECONDS = 1.5
"""The manufacturer's order page refetches this often while the suppliers are asked (views/manufacturer)."""
LIVE = frozenset({"sourcing", "negotiating"})
NEGOTIATED = frozenset(
    {
        "sourcing",
        "negotiating",
        "quoted",
        "countered",
        "confirmed",
        "declined",
        "contracting",
        "contracted",
        "in_production",
        "produced",
        "invoiced",
        "paid",
        "shipped",
        "delivered",
        "completed",
    }
)
"""Statuses in which both apps show the negotiation."""
DONE = frozenset({"completed", "delivered", "rejected", "declined", "cancelled", "failed"})
WEBAPP = Path(__file__).resolve().parents[1] / "webapp"
VARIANTS = ("now", "no_compression", "baseline")
KINDS = ("shell", "api", "transcript", "push")


def shell_files(service_worker: Path = WEBAPP / "sw.js") -> list[str]:
    """The app shell the service worker precaches (``SHELL``), as paths under ``/app/``."""
    text = service_worker.read_text(encoding="utf-8")
    found = re.search(r"const SHELL = \[(.*?)\];", text, re.DOTALL)
    if found is None:
        raise RuntimeError(f"no SHELL list in {service_worker}")
    names = re.findall(r"""["']([^"']*)["']""", found[1])
    return [f"/app/{name.removeprefix('./')}" for name in names]


def wire_bytes(response: httpx.Response, body: bytes) -> int:
    """What an HTTP/1.1 response takes on the wire: status line, headers, the body as sent."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    return head + sum(len(name) + len(value) + 4 for name, value in response.headers.raw) + len(body)


@dataclass
class Meter:
    """Bytes per variant and kind."""

    tally: dict[str, Counter[str]] = field(default_factory=lambda: {v: Counter() for v in VARIANTS})
    requests: Counter[str] = field(default_factory=Counter)

    def add(self, variants: tuple[str, ...], kind: str, count: int) -> None:
        for variant in variants:
            self.tally[variant][kind] += count

    def report(self) -> dict[str, Any]:
        variants = {
            variant: {"total": sum(counts.values()), **{kind: counts[kind] for kind in KINDS}}
            for variant, counts in self.tally.items()
        }
        now, baseline = variants["now"]["total"], variants["baseline"]["total"]
        return {
            "bytes": variants,
            "requests": dict(self.requests),
            "old_figure_bytes": OLD_FIGURE_BYTES,
            "ratio_to_old_figure": round(now / OLD_FIGURE_BYTES, 4),
            "ratio_to_baseline": round(now / baseline, 4) if baseline else None,
        }


class App:
    """One party's app: an HTTP client whose every request is measured compressed and not."""

    def __init__(self, http: httpx.AsyncClient, meter: Meter, role: str) -> None:
        self.http = http
        self.meter = meter
        self.role = role
        self.headers: dict[str, str] = {}

    async def call(
        self,
        method: str,
        path: str,
        *,
        kind: str = "api",
        variants: tuple[str, ...] = VARIANTS,
        **kwargs: Any,
    ) -> httpx.Response:
        """A GET with gzip (counted in ``now``) and without (the other ``variants``); an action once (its
        answer is small), counted in every variant. The response, decoded."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if method != "GET":
            return await self._send(method, path, "gzip", variants, kind, headers, kwargs)
        response: httpx.Response | None = None
        for encoding, counted in (("gzip", ("now",)), ("identity", ("no_compression", "baseline"))):
            chosen = tuple(v for v in counted if v in variants)
            if chosen:
                response = await self._send(method, path, encoding, chosen, kind, headers, kwargs)
        assert response is not None
        return response

    async def _send(
        self,
        method: str,
        path: str,
        encoding: str,
        variants: tuple[str, ...],
        kind: str,
        headers: dict[str, str],
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        sent = {**headers, "Accept-Encoding": encoding}
        async with self.http.stream(method, path, headers=sent, **kwargs) as streamed:
            raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
        self.meter.add(variants, kind, wire_bytes(streamed, raw))
        self.meter.requests[f"{self.role} {method} {kind} ({encoding})"] += 1
        gzipped = streamed.headers.get("content-encoding") == "gzip"
        plain = [
            (k, v)
            for k, v in streamed.headers.raw
            if k.lower() not in (b"content-encoding", b"content-length")
        ]
        return httpx.Response(
            streamed.status_code,
            headers=plain,
            content=gzip.decompress(raw) if gzipped else raw,
            request=streamed.request,
        )

    async def json(self, path: str, **kwargs: Any) -> Any:
        response = await self.call("GET", path, **kwargs)
        response.raise_for_status()
        return response.json()

    async def log_in(self, email: str, password: str) -> str:
        await self.call("GET", "/app/", kind="shell")
        for path in shell_files():
            await self.call("GET", path, kind="shell")
        login = await self.call(
            "POST", "/auth/token", data={"grant_type": "password", "username": email, "password": password}
        )
        login.raise_for_status()
        token = str(login.json()["access_token"])
        self.headers = {"Authorization": f"Bearer {token}"}
        await self.json("/me")
        return token


@contextlib.contextmanager
def platform(root: Path) -> Iterator[str]:
    """``lso run`` in a child process on free ports under ``root``: the gateway's URL while it runs."""
    env = child_env(root)
    with child_platform(env, timeout=STARTUP_TIMEOUT, stop_timeout=60.0):
        yield f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}"


class Refused(RuntimeError):
    """The gateway refused a step of the story for good."""


class Frames:
    """The size of each WebSocket message on the wire: its frame header and its payload, deflated with the
    context kept from message to message when the connection took permessage-deflate (RFC 7692)."""

    def __init__(self, deflated: bool) -> None:
        self.compressor = zlib.compressobj(wbits=-15) if deflated else None

    def size(self, data: bytes) -> int:
        payload = len(data)
        if self.compressor is not None:
            payload = len(self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)) - 4
        return payload + (2 if payload < 126 else 4 if payload < 65536 else 10)


class Story:
    """Both apps through one order, reacting to push events as the views do."""

    def __init__(self, url: str, customer: App, maker: App, timeout: float) -> None:
        self.url = url
        self.customer = customer
        self.maker = maker
        self.timeout = timeout
        self.order_id = ""
        self.status = "received"
        self.statuses: list[str] = []
        self.changed = asyncio.Event()
        self.transcript_open: set[str] = set()
        self.transcript_status: dict[str, str] = {}
        self.negotiation_events: Counter[str] = Counter()
        self.websocket_compressed = False
        self.actions: list[dict[str, Any]] = []

    async def listen(self, app: App, token: str, opened: asyncio.Event) -> None:
        """The app's WebSocket: every message counted as it travels (compressed when the server took
        permessage-deflate, as browsers offer it); negotiation messages not in the baseline."""
        ws_url = self.url.replace("http://", "ws://") + "/ws"
        meter = app.meter
        async with websockets.connect(ws_url, subprotocols=["lso.bearer", token], max_size=None) as socket:  # type: ignore[list-item]
            extensions = (
                socket.response.headers.get("Sec-WebSocket-Extensions", "") if socket.response else ""
            )
            deflated = "permessage-deflate" in extensions
            self.websocket_compressed = deflated
            now, before = Frames(deflated), Frames(deflated)
            async for text in socket:
                data = text if isinstance(text, bytes) else text.encode()
                message = json.loads(data)
                event = message.get("event") or {}
                negotiation = event.get("kind") == "negotiation-message"
                meter.add(("now", "no_compression"), "push", now.size(data))
                if not negotiation:
                    meter.add(("baseline",), "push", before.size(data))
                if message.get("type") == "hello":
                    opened.set()
                if not event or event.get("order_id") != self.order_id:
                    continue
                if negotiation:
                    self.negotiation_events[app.role] += 1
                    continue
                if event.get("status"):
                    self.status = str(event["status"])
                    self.changed.set()

    async def refresh(self, app: App) -> dict[str, Any]:
        """What a view does on an event: the order again; the transcript as the app fetches it."""
        order: dict[str, Any] = await app.json(f"/orders/{self.order_id}")
        path = f"/orders/{self.order_id}/negotiation"
        status = str(order["status"])
        if status not in NEGOTIATED:
            return order
        if app.role not in self.transcript_open:  # now: once, then the events
            self.transcript_open.add(app.role)
            await app.call("GET", path, kind="transcript", variants=("now", "no_compression"))
        # before: the manufacturer's page on every refresh, the customer's on every status change
        if app is self.maker or self.transcript_status.get(app.role) != status:
            self.transcript_status[app.role] = status
            await app.call("GET", path, kind="transcript", variants=("baseline",))
        return order

    async def poll(self) -> None:
        """The manufacturer's order page while the suppliers are asked."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if self.status in LIVE:
                await self.refresh(self.maker)

    async def run(self) -> None:
        customer, maker = self.customer, self.maker
        page = await customer.json("/products?limit=24&offset=0")
        product = page["items"][0]
        await customer.json(f"/products/{product['id']}")
        await maker.json("/orders?limit=50")  # the inbox
        body = {"product_id": product["id"], "delivery_date": str(date.today() + timedelta(days=90))}
        placed = await customer.call("POST", "/orders", json=body)
        if placed.status_code != 202:
            raise RuntimeError(f"POST /orders: {placed.status_code} {placed.text}")
        self.order_id = str(placed.json()["id"])
        self.changed.set()
        done: set[str] = set()
        async with asyncio.timeout(self.timeout):
            while self.status not in DONE:
                try:
                    await asyncio.wait_for(self.changed.wait(), RETRY_SECONDS)
                except TimeoutError:
                    await self.act(self.status, done)  # a refused step, tried again as its user would
                    continue
                self.changed.clear()
                order = await self.refresh(customer)
                await self.refresh(maker)
                self.status = str(order["status"])
                if self.status not in self.statuses:
                    self.statuses.append(self.status)
                await self.act(self.status, done)

    async def act(self, status: str, done: set[str]) -> None:
        """The customer's (and, when its policy asks, the manufacturer's) step at ``status``, once taken."""
        if status in done:
            return
        path = f"/orders/{self.order_id}"
        customer, maker = self.customer, self.maker
        if status == "quoted":
            answers = [await customer.call("POST", f"{path}/confirm")]
        elif status == "invoiced":
            terms = await customer.json(f"{path}/payment")
            paid = {"method": terms.get("method", "bank-transfer"), "reference": terms["reference"]}
            answers = [await customer.call("POST", f"{path}/payment", json=paid)]
            if terms.get("confirmed_by_hand") and answers[0].is_success:
                answers.append(await maker.call("POST", f"{path}/payment-confirmation"))
        elif status == "shipped":
            await customer.json(f"{path}/delivery")
            answers = [await customer.call("POST", f"{path}/delivery-confirmation")]
        else:
            return
        for answer in answers:
            self.actions.append(
                {
                    "at": status,
                    "step": answer.request.url.path.rsplit("/", 1)[-1],
                    "answer": answer.status_code,
                }
            )
        refused = [a for a in answers if a.is_client_error and a.status_code != 409]
        if refused:  # not a question still on its way (409): the story cannot go on
            raise Refused(
                f"{refused[0].request.url.path} answered {refused[0].status_code}: {refused[0].text}"
            )
        if all(answer.is_success for answer in answers):
            done.add(status)


async def measure(url: str, story_seconds: float) -> dict[str, Any]:
    meter = Meter()
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as customer_http,
        httpx.AsyncClient(base_url=url, timeout=60) as maker_http,
    ):
        customer, maker = App(customer_http, meter, "customer"), App(maker_http, meter, "manufacturer")
        customer_token = await customer.log_in(CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
        maker_token = await maker.log_in(MANUFACTURER_EMAIL, MANUFACTURER_PASSWORD)
        story = Story(url, customer, maker, story_seconds)
        opened = [asyncio.Event(), asyncio.Event()]
        tasks = [
            asyncio.create_task(story.listen(customer, customer_token, opened[0])),
            asyncio.create_task(story.listen(maker, maker_token, opened[1])),
            asyncio.create_task(story.poll()),
        ]
        started = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), 30)
            await story.run()
            ended = story.status
        except TimeoutError:
            ended = f"timed out in {story.status}"
        except Refused as exc:
            ended = f"stopped in {story.status}: {exc}"
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return {
        **meter.report(),
        "story": {
            "statuses": story.statuses,
            "ended": ended,
            "actions": story.actions,
            "negotiation_events": dict(story.negotiation_events),
            "websocket_permessage_deflate": story.websocket_compressed,
            "wall_s": round(time.perf_counter() - started, 2),
        },
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="lso-bench-app-bytes-") as directory,
        platform(Path(directory)) as url,
    ):
        report = await measure(url, args.timeout)
    return {
        "benchmark": "app_bytes",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {"timeout_s": args.timeout, "manufacturer_poll_s": POLL_SECONDS},
        "environment": {
            "platform": "lso run (demo data), own process, loopback",
            "counted": "HTTP/1.1 status line + headers + body as sent; WebSocket message text",
        },
        **report,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="JSON report to write")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds the story may take")
    args = parser.parse_args(argv)
    report = asyncio.run(main_async(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    sizes = report["bytes"]
    print(
        f"app bytes for one order's story ({report['story']['ended']}): now {sizes['now']['total']:,} B "
        f"(x{report['ratio_to_old_figure']} of the issue's {OLD_FIGURE_BYTES:,} B, "
        f"x{report['ratio_to_baseline']} of this run's baseline {sizes['baseline']['total']:,} B); "
        f"without compression "
        f"{sizes['no_compression']['total']:,} B; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
