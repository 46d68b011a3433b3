"""The actions on an order: each checks who calls and the order's status, then goes to the agents (202)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from fastapi import FastAPI

from gateway.bridge.base import QuotationAnswer
from ontology.order import OrderStatus
from store.database import Database
from tests.gateway.recording_bridge import Call, RecordingBridge
from tests.gateway.world import People, User, advance, place

pytest_plugins = ("tests.gateway.fixtures",)

NEXT_WEEK = date.today() + timedelta(days=7)


@dataclass(frozen=True)
class Case:
    action: str
    customer: bool
    ready: OrderStatus
    body: dict[str, Any] | None
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "confirm",
        True,
        OrderStatus.QUOTED,
        None,
        "answer_quotation",
        (QuotationAnswer.CONFIRM,),
        {"price": None, "delivery_date": None, "reason": ""},
    ),
    Case(
        "decline",
        True,
        OrderStatus.QUOTED,
        {"reason": "too dear"},
        "answer_quotation",
        (QuotationAnswer.DECLINE,),
        {"price": None, "delivery_date": None, "reason": "too dear"},
    ),
    Case(
        "counter",
        True,
        OrderStatus.QUOTED,
        {"price": "450.00", "delivery_date": NEXT_WEEK.isoformat(), "note": "please"},
        "answer_quotation",
        (QuotationAnswer.COUNTER,),
        {"price": Decimal("450.00"), "delivery_date": NEXT_WEEK, "reason": "please"},
    ),
    Case("delivery-confirmation", True, OrderStatus.SHIPPED, None, "confirm_delivery"),
    Case("accept", False, OrderStatus.RECEIVED, None, "decide_order", (True, "")),
    Case(
        "reject",
        False,
        OrderStatus.RECEIVED,
        {"reason": "fully booked"},
        "decide_order",
        (False, "fully booked"),
    ),
    Case("sourcing", False, OrderStatus.ACCEPTED, None, "start_sourcing"),
    Case(
        "production",
        False,
        OrderStatus.CONTRACTED,
        {"percent": 40, "note": "welded"},
        "report_production",
        (40, "welded"),
    ),
    Case("production", False, OrderStatus.IN_PRODUCTION, {"percent": 100}, "report_production", (100, "")),
    Case("invoice", False, OrderStatus.PRODUCED, None, "raise_invoice"),
]


def _actor(people: People, case: Case) -> User:
    return people.alice if case.customer else people.maker


async def _post(client: httpx.AsyncClient, order_id: str, case: Case, user: User) -> httpx.Response:
    return await client.post(f"/orders/{order_id}/{case.action}", json=case.body, headers=user.headers)


async def _status(client: httpx.AsyncClient, people: People, order_id: str) -> str:
    status: str = (await client.get(f"/orders/{order_id}", headers=people.alice.headers)).json()["status"]
    return status


async def test_each_action_goes_to_the_agents_when_the_status_allows_it(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    for case in CASES:
        order_id = await place(client, people.alice)
        await advance(db, order_id, case.ready)
        bridge.calls.clear()
        response = await _post(client, order_id, case, _actor(people, case))
        assert response.status_code == 202, (case, response.text)
        assert response.json()["order_id"] == order_id
        assert response.json()["status"] == str(case.ready)
        assert bridge.calls == [Call(case.method, (UUID(order_id), *case.args), case.kwargs)], case
        assert await _status(client, people, order_id) == str(case.ready), "the gateway changes no status"


async def test_an_action_the_status_does_not_allow_is_409_naming_the_status(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    received = await place(client, people.alice)
    quoted = await place(client, people.alice)
    await advance(db, quoted, OrderStatus.QUOTED)
    bridge.calls.clear()
    for case in CASES:
        order_id = quoted if case.ready == OrderStatus.RECEIVED else received
        current = "quoted" if order_id == quoted else "received"
        response = await _post(client, order_id, case, _actor(people, case))
        assert response.status_code == 409, (case, response.text)
        assert f"is '{current}'" in response.json()["detail"]
    assert bridge.calls == []


async def test_a_finished_order_takes_no_more_actions(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.DECLINED)
    bridge.calls.clear()
    for case in CASES:
        assert (await _post(client, order_id, case, _actor(people, case))).status_code == 409
    assert bridge.calls == []


async def test_the_wrong_role_is_403_and_someone_elses_order_is_404(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    bridge.calls.clear()
    for case in CASES:
        wrong_role = people.maker if case.customer else people.alice
        assert (await _post(client, order_id, case, wrong_role)).status_code == 403, case
        outsider = people.bob if case.customer else people.rival
        assert (await _post(client, order_id, case, outsider)).status_code == 404, case
        assert (await client.post(f"/orders/{order_id}/{case.action}", json=case.body)).status_code == 401
    assert (await _post(client, "no-such-order", CASES[0], people.alice)).status_code == 404
    assert bridge.calls == []


async def test_when_the_agents_fail_the_action_is_503_and_the_order_unchanged(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.QUOTED)
    bridge.fail("the customer agent is offline")
    response = await client.post(f"/orders/{order_id}/confirm", headers=people.alice.headers)
    assert response.status_code == 503
    assert "the customer agent is offline" in response.json()["detail"]
    assert await _status(client, people, order_id) == "quoted"


async def test_without_agents_an_allowed_action_is_503(
    client: httpx.AsyncClient, gateway_app: FastAPI, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.QUOTED)
    gateway_app.state.bridge = None
    response = await client.post(f"/orders/{order_id}/confirm", headers=people.alice.headers)
    assert response.status_code == 503
    assert await _status(client, people, order_id) == "quoted"


async def test_bad_action_bodies_are_422(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.QUOTED)
    bridge.calls.clear()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for body in ({}, {"note": "cheaper"}, {"price": "-1"}, {"price": "abc"}, {"delivery_date": yesterday}):
        response = await client.post(f"/orders/{order_id}/counter", json=body, headers=people.alice.headers)
        assert response.status_code == 422, (body, response.text)
    await advance(db, order_id, OrderStatus.CONTRACTED)
    reports: list[dict[str, int]] = [{}, {"percent": 101}, {"percent": -1}, {"percent": 50, "extra": 1}]
    for report in reports:
        response = await client.post(
            f"/orders/{order_id}/production", json=report, headers=people.maker.headers
        )
        assert response.status_code == 422, (report, response.text)
    assert bridge.calls == []
