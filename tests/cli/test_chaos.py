"""Chaos, bounded: orders driven towards `paid` over the REST API alone while one process of `lso run` (the
gateway, the agents with the XMPP server, or the embedded ledger), drawn at random with a fixed seed, is
SIGKILLed every few seconds. Then, with nothing killed any more, every order gets paid or ends with a reason
(none stays between), and the store and the ledger agree: no order ended without a contract has an agreement
on the ledger, every contracted one has exactly one."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from ledger.identities.tokens import SignedUserTokens, load_or_create_secret
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.lifecycle.contracts import ORDER_AGREEMENT
from tests.lso_platform import lso_run, platform_env

ORDERS = 12
CONCURRENCY = 6
KILL_EVERY = 7.0
KILLS = 5
SETTLE = 240.0
SEED = 18

PAID = {"paid", "shipped", "delivered", "completed"}
ENDED = {"failed", "rejected", "declined", "cancelled"}
CONTRACTED = {"contracted", "in_production", "produced", "invoiced", *PAID}
LOGIN = {"grant_type": "password", "username": "customer@demo.lso.example", "password": "demo-customer-pass"}


def listener(port: str) -> int | None:
    """The PID of the process listening on loopback ``port``."""
    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    for line in listening.splitlines():
        if f"127.0.0.1:{port} " in line:
            found = re.search(r"pid=(\d+)", line)
            return int(found[1]) if found else None
    return None


@dataclass
class Chaos:
    env: dict[str, str]
    killed: list[str] = field(default_factory=list)

    def targets(self) -> dict[str, str]:
        return {
            "gateway": self.env["LSO_GATEWAY_PORT"],
            "agents": self.env["LSO_XMPP_PORT"],
            "ledger": self.env["LSO_LEDGER_JSON_API_PORT"],
        }

    async def run(self, stop: asyncio.Event) -> None:
        draw = random.Random(SEED)
        while len(self.killed) < KILLS and not stop.is_set():
            await asyncio.sleep(KILL_EVERY)
            name, port = draw.choice(sorted(self.targets().items()))
            pid = listener(port)
            if pid is None:  # still coming back from the last kill
                continue
            os.kill(pid, signal.SIGKILL)
            self.killed.append(name)


class Customer:
    """The demo customer, patient with a platform whose processes come and go."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.auth: dict[str, str] = {}

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """The answer, or None while the gateway is away (no answer, 502/503)."""
        try:
            if not self.auth:
                login = await self.http.post("/auth/token", data=LOGIN)
                if login.status_code != 200:
                    return None
                self.auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            answer = await self.http.request(method, path, headers=self.auth, **kwargs)
        except httpx.TransportError:
            return None
        return None if answer.status_code >= 500 else answer

    async def order(self, deadline: float) -> str | None:
        body = {"product_id": "demo-custom-shoes", "delivery_date": str(date.today() + timedelta(days=90))}
        while time.monotonic() < deadline:
            placed = await self.call("POST", "/orders", json=body)
            if placed is not None and placed.status_code == 202:
                return str(placed.json()["id"])
            await asyncio.sleep(1.0)
        return None

    async def drive(self, order_id: str, deadline: float) -> str:
        """Answer the order's quotation and invoice until it is paid or ends; its last status."""
        status = "received"
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            read = await self.call("GET", f"/orders/{order_id}")
            if read is None:
                continue
            status = str(read.json()["status"])
            if status == "quoted":
                await self.call("POST", f"/orders/{order_id}/confirm")
            elif status == "invoiced":
                terms = await self.call("GET", f"/orders/{order_id}/payment")
                if terms is not None and terms.status_code == 200:
                    transfer = {"method": "bank-transfer", "reference": terms.json()["reference"]}
                    await self.call("POST", f"/orders/{order_id}/payment", json=transfer)
            elif status in PAID or status in ENDED:
                return status
        return status


async def agreements(env: dict[str, str], data: Path) -> dict[str, int]:
    """Active order agreements on the ledger per order id, as the demo manufacturer's own ledger user reads
    them."""
    with sqlite3.connect(data / "lso.db") as db:
        [(user,)] = db.execute(
            "SELECT ledger_user FROM ledger_identities WHERE role = 'manufacturer'"
        ).fetchall()
    token = await SignedUserTokens(load_or_create_secret(data / "ledger-token.secret")).token(user)
    url = f"http://127.0.0.1:{env['LSO_LEDGER_JSON_API_PORT']}"
    async with JsonApiClient(url, static_token(token), timeout=30) as client:
        contracts = await client.query([ORDER_AGREEMENT])
    counts: dict[str, int] = {}
    for contract in contracts:
        order_id = str(contract.payload["orderId"])
        counts[order_id] = counts.get(order_id, 0) + 1
    return counts


async def story(env: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Every order placed, and its status once the chaos is over; what was killed."""
    chaos = Chaos(env)
    stop = asyncio.Event()
    base = f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        customer = Customer(http)
        deadline = time.monotonic() + SETTLE
        placed: list[str] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                order_id = await customer.order(deadline)
                if order_id is not None:
                    placed.append(order_id)
                    await customer.drive(order_id, deadline)

        killing = asyncio.create_task(chaos.run(stop))
        share = ORDERS // CONCURRENCY
        await asyncio.gather(*(worker(share) for _ in range(CONCURRENCY)))
        stop.set()
        await killing
        # the chaos is over: each order placed is driven once more, to its end
        final = await asyncio.gather(*(customer.drive(o, time.monotonic() + SETTLE) for o in placed))
    return dict(zip(placed, final, strict=True)), chaos.killed


def test_orders_survive_processes_killed_at_random_and_the_store_agrees_with_the_ledger(
    tmp_path: Path,
) -> None:
    env = platform_env(tmp_path)
    env["LSO_LOG_LEVEL"] = "INFO"
    with lso_run(env):
        statuses, killed = asyncio.run(story(env))
        on_ledger = asyncio.run(agreements(env, Path(env["LSO_DATA_DIR"])))
    report = json.dumps({"killed": killed, "statuses": statuses, "agreements": on_ledger}, indent=1)
    print(report)  # shown with -s, and with the assertion that fails
    assert len(killed) >= 3, report
    assert len(statuses) >= ORDERS, report
    stuck = {o: s for o, s in statuses.items() if s not in PAID | ENDED}
    assert not stuck, f"orders left between: {stuck}\n{report}"
    assert sum(s in PAID for s in statuses.values()) >= ORDERS // 2, f"most orders get paid\n{report}"
    for order_id, status in statuses.items():
        count = on_ledger.get(order_id, 0)
        if status in CONTRACTED:
            assert count == 1, f"order {order_id} is {status} with {count} agreements on the ledger\n{report}"
        else:
            assert count == 0, f"order {order_id} is {status}, yet the ledger holds its agreement\n{report}"
