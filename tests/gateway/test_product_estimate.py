"""POST /products/{id}/estimate: the price range and delivery dates before ordering; the catalogue's "from"
price on the same basis."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from ontology.customisation import Customisation
from ontology.events import day
from ontology.negotiation import Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order
from ontology.policy import ManufacturerPolicy, to_cents
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from store.database import Database
from store.enums import PolicyKind
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, login

pytest_plugins = ("tests.gateway.fixtures",)

MARGIN = Decimal("0.20")


async def store_policy(db: Database, people: People, **changes: Any) -> None:
    body: dict[str, Any] = {
        "capacity_hours_per_week": 60,
        "own_processes": ["assembly"],
        "sourced_processes": ["welding", "painting"],
        "margin": str(MARGIN),
        "production_days": 2,
        "max_horizon_days": 120,
        **changes,
    }
    async with db.transaction() as repos:
        await repos.policies.put(
            "maker@localhost",
            PolicyKind.MANUFACTURER,
            ManufacturerPolicy.model_validate(body),
            owner_user_id=people.maker.id,
        )


async def estimate(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/products/bike/estimate", json=body, headers=headers)


async def test_a_customer_sees_the_range_the_dates_and_words_but_no_costs(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await store_policy(db, people)
    response = await estimate(client, people.alice.headers, options={"colour": "red"}, quantity=2)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["product_id"] == "bike" and body["quantity"] == 2
    low, high = Decimal(body["price"]["low"]), Decimal(body["price"]["high"])
    assert Decimal(0) < low < high and body["price"]["currency"] == "EUR"
    earliest = date.fromisoformat(body["earliest_delivery"])
    assert date.today() < earliest <= date.fromisoformat(body["latest_delivery"])
    assert body["latest_delivery"] == (date.today() + timedelta(days=120)).isoformat()
    assert "2 parts we buy from suppliers" in body["explanation"]
    assert not re.search(r"\d", body["explanation"].replace("2 pieces", "").replace("2 parts", ""))
    assert body["breakdown"] is None


async def test_the_manufacturer_sees_how_the_range_is_made_with_its_margin(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await store_policy(db, people)
    response = await estimate(client, people.maker.headers, options={"frame": "aluminium", "colour": "red"})
    assert response.status_code == 200, response.text
    body = response.json()
    breakdown = body["breakdown"]
    assert Decimal(breakdown["own_cost"]) == Decimal("480.00")  # 400 + 80 for aluminium
    assert Decimal(breakdown["margin"]) == MARGIN
    assert [part["basis"] for part in breakdown["parts"]] == ["supplier-data-set"] * 2
    assert [part["part"] for part in breakdown["parts"]] == ["welding", "painting"]
    parts_low = sum(Decimal(part["low"]) for part in breakdown["parts"])
    parts_high = sum(Decimal(part["high"]) for part in breakdown["parts"])
    assert Decimal(body["price"]["low"]) == to_cents((Decimal("480.00") + parts_low) * (1 + MARGIN))
    assert Decimal(body["price"]["high"]) == to_cents((Decimal("480.00") + parts_high) * (1 + MARGIN))


async def test_recent_accepted_offers_of_the_same_part_price_it(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await store_policy(db, people)
    frame = RequiredPart(part_id="frame", process=ProcessKind.WELDING, material="steel", machine_minutes=120)
    async with db.transaction() as repos:
        for price in ("55.00", "61.00", "58.00"):
            order = Order(
                customer_id=people.bob.id,
                manufacturer_id=people.maker.id,
                product_id="bike",
                customisation=Customisation(choices={"frame": "steel", "colour": "blue"}),
                delivery_date=date.today() + timedelta(days=40),
            )
            await repos.orders.add_order(order)
            offer = Offer(
                order_id=order.id,
                part_id="frame",
                supplier_id="SUP-0001",
                price=Decimal(price),
                currency="EUR",
                delivery_date=date.today() + timedelta(days=20),
                valid_until=datetime.now(UTC),
            )
            network = SupplyNetwork(order_id=order.id, assignments=(Assignment(part=frame, offer=offer),))
            await repos.orders.set_supply_network(str(order.id), network)
    response = await estimate(client, people.maker.headers, options={"colour": "blue"})
    assert response.status_code == 200, response.text
    [welding] = response.json()["breakdown"]["parts"]
    assert welding["basis"] == "recent-offers"
    assert (Decimal(welding["low"]), Decimal(welding["high"])) == (Decimal("55.00"), Decimal("61.00"))


async def test_the_catalogue_prices_from_the_low_end_of_the_cheapest_configuration(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await store_policy(db, people)
    product = (await client.get("/products/bike", headers=people.alice.headers)).json()
    listed = (await client.get("/products", headers=people.alice.headers)).json()["items"]
    lows = []
    for options in ({"colour": "red"}, {"colour": "blue"}, {"frame": "aluminium", "colour": "blue"}):
        answer = await estimate(client, people.alice.headers, options=options)
        lows.append(Decimal(answer.json()["price"]["low"]))
    assert Decimal(product["price_from"]) == min(lows) == Decimal(listed[0]["price_from"])


async def test_bad_options_unknown_products_and_other_callers_are_refused(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    assert (await client.post("/products/bike/estimate", json={})).status_code == 401
    no_policy = await estimate(client, people.alice.headers)
    assert no_policy.status_code == 409
    assert "no agent taking orders" in no_policy.json()["detail"]
    await store_policy(db, people)
    bad = await estimate(client, people.alice.headers, options={"frame": "gold", "size": "xl"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    messages = " ".join(error["message"] for error in bad.json()["errors"])
    assert "invalid choice 'gold'" in messages and "unknown option 'size'" in messages
    assert (await estimate(client, people.alice.headers, quantity=0)).status_code == 422
    missing = await client.post("/products/nothing/estimate", json={}, headers=people.alice.headers)
    assert missing.status_code == 404
    assert (await estimate(client, people.rival.headers)).status_code == 403
    researcher = await login(client, "ruth@example.org", "researcher")
    assert (await estimate(client, researcher.headers)).status_code == 403


async def test_a_configuration_nobody_here_makes_is_refused_in_words(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await store_policy(db, people, sourced_processes=["welding"])
    response = await estimate(client, people.alice.headers, options={"colour": "red"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "body.options"
    assert "painting, which this manufacturer neither makes nor buys" in error["message"]


async def test_an_order_for_a_date_the_estimate_does_not_offer_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, people: People, db: Database, bridge: RecordingBridge
) -> None:
    await store_policy(db, people)
    shown = (await estimate(client, people.alice.headers, options={"colour": "red"})).json()
    earliest, latest = (date.fromisoformat(shown[k]) for k in ("earliest_delivery", "latest_delivery"))
    body = {"product_id": "bike", "options": {"colour": "red"}}
    for when, words in (
        (earliest - timedelta(days=1), f"can promise for this order is {day(earliest)}"),
        (latest + timedelta(days=1), f"takes orders for delivery up to {day(latest)}"),
    ):
        refused = await client.post(
            "/orders", json={**body, "delivery_date": when.isoformat()}, headers=people.alice.headers
        )
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["errors"]
        assert problem["field"] == "body.delivery_date" and words in problem["message"]
    listed = await client.get("/orders", headers=people.alice.headers)
    assert listed.json()["items"] == [], "a refused date stores nothing"
    assert bridge.called("place_order") == [], "and hands nothing to the agents"
    for when in (earliest, latest):
        taken = await client.post(
            "/orders", json={**body, "delivery_date": when.isoformat()}, headers=people.alice.headers
        )
        assert taken.status_code == 202, taken.text
    assert [call.args[0].delivery_date for call in bridge.called("place_order")] == [earliest, latest]
