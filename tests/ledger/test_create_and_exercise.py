"""``POST /v1/create-and-exercise`` answers Daml's ``exerciseResult`` + ``events``: the submitter's
transaction tree in pre-order (the created contract, its archival by a consuming choice, what the choice
created), the same events dazl gets over gRPC for the same command (SQLite and PostgreSQL). The node half
(Digital Asset's @daml/ledger) is in test_query.py."""

from __future__ import annotations

import uuid
from typing import Any

import dazl
import httpx

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.backends import allocate, auth, ledger_fixture, token

ledger = ledger_fixture("create_and_exercise")


def entity(template_id: Any) -> str:
    return str(template_id).rsplit(":", 1)[-1]


def json_kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(kind, entity(body["templateId"])) for e in events for kind, body in e.items()]


async def exercise(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    template: str,
    contract_id: str,
    choice: str,
    argument: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``POST /v1/exercise`` of ``choice`` on a contract of ``template``: the result."""
    body = {
        "templateId": f"{MODULE}:{template}",
        "contractId": contract_id,
        "choice": choice,
        "argument": argument or {},
    }
    response = await http.post("/v1/exercise", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


async def agree(ledger: LedgerProcess, order_id: str, customer: str, manufacturer: str) -> dict[str, Any]:
    """The customer orders, the manufacturer accepts (``AcceptOrder``): the exercise's result."""
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        placed = await http.post(
            "/v1/create",
            json={
                "templateId": f"{MODULE}:CustomerOrder",
                "payload": samples.customer_order(order_id, customer, manufacturer),
            },
            headers=auth(ledger, customer),
        )
        assert placed.status_code == 200, placed.text
        cid = placed.json()["result"]["contractId"]
        return await exercise(http, auth(ledger, manufacturer), "CustomerOrder", cid, "AcceptOrder")


async def test_create_and_exercise_events_match_dazl(ledger: LedgerProcess) -> None:
    unique = uuid.uuid4().hex[:8]
    customer, manufacturer, supplier = f"CC-{unique}", f"CM-{unique}", f"CS-{unique}"
    await allocate(ledger, customer, manufacturer, supplier)
    for order_id in (f"cae-{unique}", f"cae-dazl-{unique}"):
        await agree(ledger, order_id, customer, manufacturer)
    body = {
        "templateId": f"{MODULE}:SupplyProposal",
        "payload": samples.supply_terms(f"cae-{unique}", manufacturer, supplier),
        "choice": "AcceptSupply",
        "argument": {},
        "meta": {"actAs": [manufacturer, supplier]},
    }
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        response = await http.post(
            "/v1/create-and-exercise", json=body, headers=auth(ledger, manufacturer, supplier)
        )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    events = result["events"]
    assert json_kinds(events) == [
        ("created", "SupplyProposal"),
        ("archived", "SupplyProposal"),
        ("created", "SupplyAgreement"),
    ]
    proposal, archived, agreement = events[0]["created"], events[1]["archived"], events[2]["created"]
    assert archived["contractId"] == proposal["contractId"]
    assert result["exerciseResult"] == agreement["contractId"]
    assert agreement["payload"]["orderId"] == f"cae-{unique}"
    assert sorted(agreement["signatories"]) == sorted([manufacturer, supplier])
    assert result["completionOffset"]

    url = f"http://{ledger.info.grpc}"
    both = token(ledger, manufacturer, supplier)
    async with dazl.connect(
        url=url, oauth_token=both, act_as=[dazl.Party(manufacturer), dazl.Party(supplier)]
    ) as conn:
        terms = samples.supply_terms(f"cae-dazl-{unique}", manufacturer, supplier)
        answer = await conn.create_and_exercise(f"{MODULE}:SupplyProposal", terms, "AcceptSupply", {})
    dazl_kinds = [
        (
            "created" if isinstance(e, dazl.ledger.CreateEvent) else "archived",
            entity(e.contract_id.value_type),
        )
        for e in answer.events
    ]
    assert dazl_kinds == json_kinds(events)
    assert answer.result is not None
    assert answer.result.value == answer.events[-1].contract_id.value


async def test_exercise_events_are_the_tree_the_submitter_sees(ledger: LedgerProcess) -> None:
    unique = uuid.uuid4().hex[:8]
    customer, manufacturer, supplier = f"EC-{unique}", f"EM-{unique}", f"ES-{unique}"
    await allocate(ledger, customer, manufacturer, supplier)
    result = await agree(ledger, f"ex-{unique}", customer, manufacturer)
    assert json_kinds(result["events"]) == [("archived", "CustomerOrder"), ("created", "OrderAgreement")]
    agreement = result["events"][1]["created"]["contractId"]
    assert result["exerciseResult"] == agreement
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        proposed = await exercise(
            http,
            auth(ledger, manufacturer),
            "OrderAgreement",
            agreement,
            "ProposeSupply",
            samples.supply_argument(supplier),
        )
    # a nonconsuming choice archives nothing
    assert json_kinds(proposed["events"]) == [("created", "SupplyProposal")]
