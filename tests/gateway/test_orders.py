"""Placing, listing and reading orders; on SQLite and once on PostgreSQL.

Someone else's order is 404, an order the agents cannot take ends failed with the reason, and an
order that does not fit its product is refused before anything is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter

from gateway.app import create_app
from gateway.schemas.common import StoredAmount
from ontology.order import Order, OrderStatus
from store.database import Database
from store.migrate import upgrade
from store.records import NewInvoice, NewPayment
from tests.gateway.postgres import fresh_postgres_database
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, advance, login, order_body, place

pytest_plugins = ("tests.gateway.fixtures",)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def gateway_app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The gateway on a fresh SQLite file, or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
        await upgrade(url)
        app = create_app(url, data_dir=tmp_path)
        async with app.router.lifespan_context(app):
            yield app
        return
    async with fresh_postgres_database() as url:
        app = create_app(url, data_dir=tmp_path)
        async with app.router.lifespan_context(app):
            yield app


async def _list(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> list[dict[str, object]]:
    response = await client.get("/orders", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_an_order_is_stored_received_and_handed_to_the_agents(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    placed = await client.post("/orders", json=order_body(quantity=2), headers=people.alice.headers)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    assert placed.json()["status"] == "received"
    assert placed.headers["location"] == f"/orders/{order_id}"

    [call] = bridge.called("place_order")
    handed: Order = call.args[0]
    assert str(handed.id) == order_id
    assert (handed.customer_id, handed.manufacturer_id, handed.product_id) == (
        people.alice.id,
        people.maker.id,
        "bike",
    )
    assert handed.customisation.choices == {"frame": "steel", "colour": "red"}
    assert handed.quantity == 2

    read = await client.get(f"/orders/{order_id}", headers=people.alice.headers)
    assert read.status_code == 200
    order = read.json()
    assert order["status"] == "received"
    assert order["options"] == {"frame": "steel", "colour": "red"}
    assert order["quantity"] == 2
    assert order["history"] == []
    assert order["quotation"] is None and order["supply_network"] is None
    assert order["contract_ids"] == [] and order["invoices"] == []


async def test_orders_that_do_not_fit_are_422_and_nothing_is_stored(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    bad = [
        order_body(options={"colour": "green"}),
        order_body(options={"colour": "red", "wheels": "three"}),
        order_body(options={}),
        order_body(delivery_date=yesterday),
        order_body(product_id="nothing"),
        order_body(quantity=0),
        order_body(delivery_date="someday"),
        {"product_id": "bike"},
    ]
    for body in bad:
        response = await client.post("/orders", json=body, headers=people.alice.headers)
        assert response.status_code == 422, (body, response.text)
    wrong_choice = await client.post("/orders", json=bad[0], headers=people.alice.headers)
    assert "green" in wrong_choice.text
    past = await client.post("/orders", json=bad[3], headers=people.alice.headers)
    assert "in the past" in past.text
    assert await _list(client, people.alice.headers) == []
    assert bridge.calls == []


async def test_an_order_the_agents_cannot_take_ends_failed_with_the_reason(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    bridge.fail("the XMPP server is unreachable")
    response = await client.post("/orders", json=order_body(), headers=people.alice.headers)
    assert response.status_code == 503
    assert "the XMPP server is unreachable" in response.text
    assert len(bridge.called("place_order")) == 1

    [order] = await _list(client, people.alice.headers)
    assert order["status"] == "failed"
    read = (await client.get(f"/orders/{order['id']}", headers=people.alice.headers)).json()
    [change] = read["history"]
    assert (change["from_status"], change["to_status"], change["actor"]) == ("received", "failed", "gateway")
    assert (change["event"], change["params"]) == ("failed", {"reason": "agents-unreachable"})
    assert change["note"] == "The order stopped: the agents could not take it."
    assert read["quotation"] is None and read["invoices"] == [] and read["contract_ids"] == []


async def test_an_unexpected_bridge_error_fails_the_order_too(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    bridge.crash()
    response = await client.post("/orders", json=order_body(), headers=people.alice.headers)
    assert response.status_code == 503
    [order] = await _list(client, people.alice.headers)
    assert order["status"] == "failed"


async def test_without_agents_no_order_is_stored(client: httpx.AsyncClient, people: People) -> None:
    response = await client.post("/orders", json=order_body(), headers=people.alice.headers)
    assert response.status_code == 503
    assert await _list(client, people.alice.headers) == []


async def test_a_party_sees_its_orders_and_nobody_else_does(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    order_id = await place(client, people.alice)
    for outsider in (people.bob, people.rival):
        assert (await client.get(f"/orders/{order_id}", headers=outsider.headers)).status_code == 404
        assert await _list(client, outsider.headers) == []
    assert (await client.get(f"/orders/{order_id}", headers=people.maker.headers)).status_code == 200
    assert [o["id"] for o in await _list(client, people.maker.headers)] == [order_id]
    assert [o["id"] for o in await _list(client, people.alice.headers)] == [order_id]
    assert (await client.get("/orders/no-such-order", headers=people.alice.headers)).status_code == 404


async def test_only_customers_place_orders(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    response = await client.post("/orders", json=order_body(), headers=people.maker.headers)
    assert response.status_code == 403
    researcher = await login(client, "rita@example.org", "researcher")
    assert (await client.get("/orders", headers=researcher.headers)).status_code == 403
    assert bridge.calls == []


async def test_orders_filter_by_status_and_come_in_pages(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    ids = [await place(client, people.alice) for _ in range(3)]
    await advance(db, ids[1], OrderStatus.ACCEPTED)
    accepted = await _list(client, people.maker.headers, status="accepted")
    assert [o["id"] for o in accepted] == [ids[1]]
    assert len(await _list(client, people.alice.headers, status="received")) == 2
    first = (await client.get("/orders", params={"limit": 2}, headers=people.alice.headers)).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = (
        await client.get("/orders", params={"limit": 2, "offset": 2}, headers=people.alice.headers)
    ).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    seen = {o["id"] for o in first["items"]} | {o["id"] for o in rest["items"]}
    assert seen == set(ids)
    bogus = await client.get("/orders", params={"status": "bogus"}, headers=people.alice.headers)
    assert bogus.status_code == 422


async def test_an_order_shows_quotation_network_contracts_history_invoice_and_payment(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.INVOICED)
    async with db.transaction() as repos:
        await repos.orders.set_quotation(order_id, {"total_price": "512.50", "currency": "EUR"})
        await repos.orders.set_supply_network(order_id, {"order_id": order_id, "assignments": []})
        await repos.orders.add_contract_id(order_id, "ledger-contract-1")
        invoice = await repos.invoices.add(
            NewInvoice(
                order_id=order_id,
                lines=[{"description": "Bike", "quantity": 1, "unit_price": "512.50"}],
                total=Decimal("512.50"),
                currency="EUR",
                due_date=date.today() + timedelta(days=14),
            )
        )
        await repos.payments.record(
            NewPayment(invoice_id=invoice.id, amount=Decimal("512.50"), currency="EUR", method="ledger")
        )
    order = (await client.get(f"/orders/{order_id}", headers=people.maker.headers)).json()
    assert order["status"] == "invoiced"
    assert [c["to_status"] for c in order["history"]][-1] == "invoiced"
    assert order["quotation"]["total_price"] == "512.50"
    assert order["supply_network"]["assignments"] == []
    assert order["contract_ids"] == ["ledger-contract-1"]
    [shown] = order["invoices"]
    assert shown["status"] == "paid"
    assert (shown["total"], shown["payment"]["amount"]) == ("512.50", "512.50")  # the columns hold 4 places
    assert shown["payment"]["method"] == "ledger"


def test_stored_amounts_read_in_whole_cents_unless_finer() -> None:
    shown = TypeAdapter(StoredAmount)
    assert str(shown.validate_python(Decimal("1144.3600"))) == "1144.36"
    assert str(shown.validate_python(Decimal("0.1250"))) == "0.125"
    assert str(shown.validate_python(Decimal("12"))) == "12.00"
