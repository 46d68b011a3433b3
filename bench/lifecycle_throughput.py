"""Whole order lifecycles against `lso run`, its processes split (the default) against the same run's single
process: paid orders per second and the customer's waits, driven over the REST API alone.

    python -m bench.lifecycle_throughput --out bench-lifecycle.json [--orders 60] [--concurrency 20]

For each layout (``LSO_RUN_PROCESSES=single``, then ``split``) a fresh `lso run` starts in a child process on
its own data directory and free loopback ports. A closed loop of ``--concurrency`` workers, logged in as the
demo customer, each places an order of the demo shoes, confirms its quotation, pays its invoice and waits
until it is ``paid``, then places the next, until ``--orders`` were placed. The workers learn of each step
from the customer's one SSE stream (an order is read after ``READ_EVERY`` seconds without news). An order
that ends otherwise is counted with its status and the last event of its history. Reported per layout: paid
orders per second (first placed to last paid), order->quoted p50 and p95, order->paid p50, orders that
failed or were not paid in time. The ratios are split / single (goal of the scale issue: >= 2.5 paid orders/s
and order->quoted p95 <= 5 s at concurrency 50 on 2 cores).

Bounded: at most ``--orders`` orders and ``--deadline`` seconds per layout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from cli.child_platform import child_env, child_platform

PRODUCT = "demo-custom-shoes"
READ_EVERY = 10.0
"""Seconds without news after which a worker reads its order (an event may have been missed)."""
STARTUP_TIMEOUT = 240.0
LOGIN = {"grant_type": "password", "username": "customer@demo.lso.example", "password": "demo-customer-pass"}
ENDED = {"failed", "rejected", "declined", "cancelled"}


@dataclass
class Lifecycle:
    placed: float
    quoted: float | None = None
    paid: float | None = None
    ended: str = ""


@dataclass
class Layout:
    layout: str
    orders: int
    paid: int
    failed: int
    unfinished: int
    paid_per_second: float
    quoted_p50_s: float | None
    """None: no order was quoted."""
    quoted_p95_s: float | None
    paid_p50_s: float | None
    seconds: float
    ended: dict[str, int] = field(default_factory=dict)


def percentile(values: list[float], fraction: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 2) if ordered else None


class Statuses:
    """The newest status of each order, as the customer's one SSE stream tells it (a read of the order now and
    then in case an event was missed)."""

    def __init__(self) -> None:
        self.of: dict[str, str] = {}
        self.changed = asyncio.Condition()

    async def follow(self, http: httpx.AsyncClient, auth: dict[str, str], opened: asyncio.Event) -> None:
        async with http.stream("GET", "/notifications/stream", headers=auth, timeout=None) as stream:
            opened.set()
            async for line in stream.aiter_lines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    await self.set(str(event["order_id"]), str(event["status"]))

    async def set(self, order_id: str, status: str) -> None:
        async with self.changed:
            self.of[order_id] = status
            self.changed.notify_all()

    async def next(self, order_id: str, seen: str, within: float) -> str:
        """The order's status once it is not ``seen`` (or ``seen`` after ``within`` seconds)."""
        async with self.changed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await self.changed.wait_for(lambda: self.of.get(order_id, seen) != seen)
            return self.of.get(order_id, seen)


async def pay(http: httpx.AsyncClient, auth: dict[str, str], order_id: str) -> None:
    terms = (await http.get(f"/orders/{order_id}/payment", headers=auth)).json()
    transfer = {"method": "bank-transfer", "reference": terms["reference"]}
    await http.post(f"/orders/{order_id}/payment", headers=auth, json=transfer)


async def lifecycle(
    http: httpx.AsyncClient, auth: dict[str, str], statuses: Statuses, deadline: float
) -> Lifecycle:
    """One order from placing it to ``paid`` (or to its end, or the deadline)."""
    body = {"product_id": PRODUCT, "delivery_date": str(date.today() + timedelta(days=90))}
    placed = await http.post("/orders", headers=auth, json=body)
    if placed.status_code != 202:
        return Lifecycle(time.monotonic(), ended=f"refused {placed.status_code}")
    order_id = str(placed.json()["id"])
    life = Lifecycle(time.monotonic())
    status = "received"
    while time.monotonic() < deadline:
        told = await statuses.next(order_id, status, READ_EVERY)
        if told == status:  # no news: an event may have been missed
            told = str((await http.get(f"/orders/{order_id}", headers=auth)).json()["status"])
        status = told
        if status == "quoted" and life.quoted is None:
            life.quoted = time.monotonic()
            await http.post(f"/orders/{order_id}/confirm", headers=auth)
        elif status == "invoiced":
            await pay(http, auth, order_id)
        elif status in ("paid", "shipped", "delivered", "completed"):
            life.paid = time.monotonic()
            return life
        elif status in ENDED:
            order = (await http.get(f"/orders/{order_id}", headers=auth)).json()
            last = order["history"][-1] if order.get("history") else {}
            life.ended = f"{status}: {last.get('event')} {json.dumps(last.get('params') or {})}"
            return life
    life.ended = "not paid in time"
    return life


async def load(base: str, orders: int, concurrency: int, seconds: float) -> tuple[list[Lifecycle], float]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        login = await http.post("/auth/token", data=LOGIN)
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        statuses, opened = Statuses(), asyncio.Event()
        listener = asyncio.create_task(statuses.follow(http, auth, opened))
        await asyncio.wait_for(opened.wait(), 30)
        deadline = time.monotonic() + seconds
        remaining = orders
        done: list[Lifecycle] = []

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                done.append(await lifecycle(http, auth, statuses, deadline))

        started = time.monotonic()
        try:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        return done, started


def summary(name: str, done: list[Lifecycle], started: float) -> Layout:
    paid = [life for life in done if life.paid is not None]
    last = max((life.paid for life in paid if life.paid is not None), default=started)
    quoted = [life.quoted - life.placed for life in done if life.quoted is not None]
    ended: dict[str, int] = {}
    for life in done:
        if life.ended:
            ended[life.ended] = ended.get(life.ended, 0) + 1
    return Layout(
        layout=name,
        orders=len(done),
        paid=len(paid),
        failed=sum(n for what, n in ended.items() if what != "not paid in time"),
        unfinished=ended.get("not paid in time", 0),
        paid_per_second=round(len(paid) / (last - started), 3) if last > started else 0.0,
        quoted_p50_s=percentile(quoted, 0.5),
        quoted_p95_s=percentile(quoted, 0.95),
        paid_p50_s=round(statistics.median([p.paid - p.placed for p in paid if p.paid]), 2) if paid else None,
        seconds=round(time.monotonic() - started, 1),
        ended=ended,
    )


def run_layout(name: str, orders: int, concurrency: int, seconds: float) -> Layout:
    with tempfile.TemporaryDirectory(prefix=f"lso-bench-{name}-") as root:
        env = child_env(Path(root))
        env["LSO_RUN_PROCESSES"] = name
        with child_platform(env, timeout=STARTUP_TIMEOUT, stop_timeout=60.0):
            base = f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}"
            done, started = asyncio.run(load(base, orders, concurrency, seconds))
    return summary(name, done, started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("bench-lifecycle.json"))
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds per layout at most")
    args = parser.parse_args()
    layouts = {
        name: run_layout(name, args.orders, args.concurrency, args.deadline) for name in ("single", "split")
    }
    single, split = layouts["single"], layouts["split"]
    report: dict[str, Any] = {
        "benchmark": "lifecycle_throughput",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "orders": args.orders,
        "concurrency": args.concurrency,
        "layouts": {name: asdict(layout) for name, layout in layouts.items()},
        "ratio_paid_per_second_split_to_single": (
            round(split.paid_per_second / single.paid_per_second, 3) if single.paid_per_second else None
        ),
        "ratio_quoted_p95_split_to_single": (
            round(split.quoted_p95_s / single.quoted_p95_s, 3)
            if split.quoted_p95_s is not None and single.quoted_p95_s
            else None
        ),
    }
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
