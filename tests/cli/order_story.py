"""The demo customer's order told through the gateway's REST API and its SSE stream, from placing it to
`completed` (the customer confirms the quotation, pays, and confirms the delivery): shared by the tests that
run the whole platform in child processes."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from typing import Any

import httpx

from ontology.events import EVENTS

WAIT = 60.0


async def order_story(base: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
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
            terms = (await http.get(f"/orders/{order_id}/payment", headers=auth)).json()
            transfer = {"method": "bank-transfer", "reference": terms["reference"]}
            paying = await http.post(f"/orders/{order_id}/payment", headers=auth, json=transfer)
            assert paying.status_code == 202, paying.text
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


def check_moves(events: list[dict[str, Any]]) -> None:
    """Every step of the order story reached the stream once (notes in between may repeat a status).

    A negotiation message's event carries the order's status when the gateway read the message from the log,
    which may trail a status event pushed meanwhile: those events change no status and are left out."""
    statuses = [e["status"] for e in events if e["kind"] != "negotiation-message"]
    moves = [status for i, status in enumerate(statuses) if i == 0 or statuses[i - 1] != status]
    steps = ["accepted", "sourcing", "negotiating", "quoted", "confirmed", "contracted", "produced", "paid"]
    steps += ["shipped", "delivered", "completed"]
    for status in steps:
        assert moves.count(status) == 1, moves


#: What a customer must never read in an order's history or its status events: ids, addresses, hashes,
#: minutes, protocol words.
NOT_WORDS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}|[0-9a-f]{16}|@|\bmin\b|\bround \d|"
    r"\b(cfp|propose|accept-proposal|reject-proposal|inform|not-understood|performative)\b",
    re.IGNORECASE,
)


def check_words(events: list[dict[str, Any]], order: dict[str, Any]) -> None:
    """Every entry of the customer's order history is a known event, and nothing of the history nor of the
    status events the customer heard holds an id, an address, a hash, minutes or a protocol word."""
    for change in order["history"]:
        assert change["event"] in EVENTS, change
        said = json.dumps([change["note"], change["params"]])
        assert not NOT_WORDS.search(said), change
    for event in events:
        if event.get("kind") in ("status", "quotation", "invoice"):
            said = json.dumps([event.get("note", ""), event.get("params")])
            assert not NOT_WORDS.search(said), event
