"""The demo customer's order through the app's REST API, from placing it to paid."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx

CUSTOMER = ("customer@demo.lso.example", "demo-customer-pass")
WAIT = 90.0
#: Paid, and the steps that follow at once (the manufacturer ships a paid order by itself).
PAID_OR_LATER = ("paid", "shipped", "delivered", "completed")


async def login(
    http: httpx.AsyncClient, email: str = CUSTOMER[0], password: str = CUSTOMER[1]
) -> dict[str, str]:
    answer = await http.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def status_of(http: httpx.AsyncClient, auth: dict[str, str], order_id: str) -> dict[str, Any]:
    answer = await http.get(f"/orders/{order_id}", headers=auth)
    assert answer.status_code == 200, answer.text
    order: dict[str, Any] = answer.json()
    return order


async def until(
    http: httpx.AsyncClient, auth: dict[str, str], order_id: str, *statuses: str
) -> dict[str, Any]:
    """Poll the order until its status is one of ``statuses`` (fails on a terminal status or in time)."""
    async with asyncio.timeout(WAIT):
        while True:
            order = await status_of(http, auth, order_id)
            if order["status"] in statuses:
                return order
            assert order["status"] not in ("failed", "rejected", "declined", "cancelled"), order["history"]
            await asyncio.sleep(0.3)


async def place(
    http: httpx.AsyncClient, auth: dict[str, str], product: str = "demo-custom-shoes", **extra: Any
) -> str:
    body = {"product_id": product, "delivery_date": str(date.today() + timedelta(days=90)), **extra}
    placed = await http.post("/orders", headers=auth, json=body)
    assert placed.status_code == 202, placed.text
    order_id: str = placed.json()["id"]
    return order_id


async def to_paid(
    base: str, product: str = "demo-custom-shoes", order_id: str | None = None
) -> dict[str, Any]:
    """Place an order (or take ``order_id`` on), confirm its quotation, pay its invoice; the paid order."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        auth = await login(http)
        order_id = order_id or await place(http, auth, product)
        await until(http, auth, order_id, "quoted")
        confirmed = await http.post(f"/orders/{order_id}/confirm", headers=auth)
        assert confirmed.status_code == 202, confirmed.text
        await until(http, auth, order_id, "invoiced")
        terms = (await http.get(f"/orders/{order_id}/payment", headers=auth)).json()
        transfer = {"method": "bank-transfer", "reference": terms["reference"]}
        paid = await http.post(f"/orders/{order_id}/payment", headers=auth, json=transfer)
        assert paid.status_code == 202, paid.text
        return await until(http, auth, order_id, *PAID_OR_LATER)
