"""The people and things the resource tests need: two customers, two manufacturers, a product, orders.

The fixtures over them are in :mod:`tests.gateway.fixtures` (a plugin the test modules name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from ontology.order import ORDER_TRANSITIONS, OrderStatus
from store.database import Database
from tests.gateway.conftest import register_and_login


@dataclass(frozen=True)
class User:
    id: str
    headers: dict[str, str]


@dataclass(frozen=True)
class People:
    alice: User
    """a customer"""
    bob: User
    """another customer"""
    maker: User
    """the manufacturer of the product"""
    rival: User
    """another manufacturer"""


async def login(client: httpx.AsyncClient, email: str, role: str) -> User:
    headers = await register_and_login(client, email, role=role)
    me = await client.get("/me", headers=headers)
    assert me.status_code == 200, me.text
    return User(me.json()["id"], headers)


def part(part_id: str, process: str, material: str | None = None, minutes: float = 30) -> dict[str, Any]:
    return {"part_id": part_id, "process": process, "material": material, "machine_minutes": minutes}


def bike_body(product_id: str = "bike") -> dict[str, Any]:
    """A product a manufacturer posts: a frame in one of two materials, an optional bell."""
    return {
        "id": product_id,
        "name": "Bike",
        "description": "A made-to-measure bike",
        "base_cost": "400.00",
        "base_parts": [part("assembly", "assembly", minutes=60)],
        "options": [
            {
                "id": "frame",
                "label": "Frame",
                "default": "steel",
                "choices": [
                    {"id": "steel", "label": "Steel", "parts": [part("frame", "welding", "steel", 120)]},
                    {
                        "id": "aluminium",
                        "label": "Aluminium",
                        "cost_delta": "80.00",
                        "parts": [part("frame", "welding", "aluminium", 130)],
                    },
                ],
            },
            {
                "id": "colour",
                "label": "Colour",
                "choices": [
                    {"id": "red", "label": "Red", "parts": [part("paint", "painting", minutes=20)]},
                    {"id": "blue", "label": "Blue", "cost_delta": "5.00"},
                ],
            },
            {
                "id": "bell",
                "label": "Bell",
                "required": False,
                "choices": [{"id": "brass", "label": "Brass bell", "cost_delta": "12.50"}],
            },
        ],
    }


def order_body(product_id: str = "bike", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_id": product_id,
        "options": {"colour": "red"},
        "quantity": 1,
        "delivery_date": (date.today() + timedelta(days=30)).isoformat(),
    }
    return {**body, **changes}


async def people_and_bike(client: httpx.AsyncClient) -> People:
    people = People(
        alice=await login(client, "alice@example.org", "customer"),
        bob=await login(client, "bob@example.org", "customer"),
        maker=await login(client, "maker@example.org", "manufacturer"),
        rival=await login(client, "rival@example.org", "manufacturer"),
    )
    created = await client.post("/products", json=bike_body(), headers=people.maker.headers)
    assert created.status_code == 201, created.text
    return people


async def place(client: httpx.AsyncClient, customer: User, **changes: Any) -> str:
    placed = await client.post("/orders", json=order_body(**changes), headers=customer.headers)
    assert placed.status_code == 202, placed.text
    order_id: str = placed.json()["id"]
    return order_id


async def advance(db: Database, order_id: str, to: OrderStatus) -> None:
    """Walk the order along the status machine to ``to`` (what the agents would do)."""
    async with db.transaction() as repos:
        current = OrderStatus((await repos.orders.require(order_id)).status)
        path = ORDER_TRANSITIONS.path(current, to)
        assert path is not None, f"no way from {current} to {to}"
        for status in path[1:]:
            await repos.orders.change_status(order_id, status, actor="manufacturer@localhost")
