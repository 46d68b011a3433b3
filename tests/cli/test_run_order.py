"""`lso run` wires the order story: the demo customer's order goes through the gateway, its bridge and the
platform's agents (manufacturer, matchmaker, supplier proxies, each party signing for itself on the embedded
ledger) to completed, and every step reaches the customer's SSE stream."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.lso_platform import lso_run
from tests.lso_platform import platform_env as build_platform_env

WAIT = 60.0


async def _order_story(base: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        login = await http.post(
            "/auth/token",
            data={
                "grant_type": "password",
                "username": "customer@demo.lso.example",
                "password": "demo-customer-pass",
            },
        )
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        events: list[dict[str, Any]] = []
        arrived = asyncio.Condition()
        opened = asyncio.Event()

        async def listen() -> None:
            async with http.stream("GET", "/notifications/stream", headers=auth, timeout=None) as stream:
                opened.set()
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        async with arrived:
                            events.append(json.loads(line[5:]))
                            arrived.notify_all()

        async def until(status: str) -> dict[str, Any]:
            async with asyncio.timeout(WAIT), arrived:
                await arrived.wait_for(lambda: any(e["status"] == status for e in events))
            return next(e for e in events if e["status"] == status)

        listener = asyncio.create_task(listen())
        try:
            await asyncio.wait_for(opened.wait(), 10)
            delivery = date.today() + timedelta(days=90)
            body = {"product_id": "demo-custom-shoes", "delivery_date": str(delivery)}
            placed = await http.post("/orders", headers=auth, json=body)
            assert placed.status_code == 202, placed.text
            order_id = placed.json()["id"]
            quotation = await until("quoted")
            assert quotation["order_id"] == order_id and float(quotation["price"]) > 0
            assert (await http.post(f"/orders/{order_id}/confirm", headers=auth)).status_code == 202
            invoice = await until("invoiced")
            assert invoice["price"] == quotation["price"]
            assert (await http.post(f"/orders/{order_id}/payment", headers=auth)).status_code == 202
            await until("paid")
            shipped = await until("shipped")
            assert shipped["carrier"] and shipped["reference"], shipped
            confirmed = await http.post(f"/orders/{order_id}/delivery-confirmation", headers=auth)
            assert confirmed.status_code == 202, confirmed.text
            await until("delivered")
            await until("completed")
            order = (await http.get(f"/orders/{order_id}", headers=auth)).json()
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    return events, order


def test_lso_run_takes_the_demo_customers_order_to_completed(tmp_path: Path) -> None:
    platform_env = build_platform_env(tmp_path)
    with lso_run(platform_env) as banner:
        assert "manufacturer@localhost" in banner and "suppliers@localhost" in banner
        events, order = asyncio.run(_order_story(f"http://127.0.0.1:{platform_env['LSO_GATEWAY_PORT']}"))
    assert order["status"] == "completed" and order["contract_ids"]
    statuses = [e["status"] for e in events]
    moves = [status for i, status in enumerate(statuses) if i == 0 or statuses[i - 1] != status]
    steps = ("accepted", "sourcing", "negotiating", "quoted", "confirmed", "contracted", "produced", "paid")
    steps += ("shipped", "delivered", "completed")
    for status in steps:
        assert moves.count(status) == 1, moves
