"""The JSON API v1 query language (Daml docs, "Query Language") against a running ledger, over httpx and over
Digital Asset's own client @daml/ledger (node), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.backends import allocate, auth, ledger_fixture, token
from tests.ledger.node_client import run_script


def tid(entity: str) -> str:
    return f"{MODULE}:{entity}"


ledger = ledger_fixture("query")


def by_name(cases: list[tuple[str, dict[str, Any], list[int]]]) -> pytest.MarkDecorator:
    """Parametrise ``what``, ``q`` and ``expected`` by the cases, each test named by its ``what``."""
    return pytest.mark.parametrize(("what", "q", "expected"), cases, ids=[c[0] for c in cases])


class Parties:
    def __init__(self) -> None:
        unique = uuid.uuid4().hex[:8]
        self.customer = f"QC-{unique}"
        self.manufacturer = f"QM-{unique}"
        self.supplier = f"QS-{unique}"


@pytest.fixture(scope="module")
async def seeded(ledger: LedgerProcess) -> Parties:
    """Five CustomerOrders (quantities 1..5, one date and timestamp each) and three SupplyProposals."""
    p = Parties()
    await allocate(ledger, p.customer, p.manufacturer, p.supplier)
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        for n in range(1, 6):
            order = {
                **samples.customer_order(f"order-{n}", p.customer, p.manufacturer),
                "quantity": n,
                "deliveryDate": f"2027-0{n}-15",
            }
            body = {"templateId": tid("CustomerOrder"), "payload": order}
            response = await http.post("/v1/create", json=body, headers=auth(ledger, p.customer))
            assert response.status_code == 200, response.text
            invoice = {
                **samples.invoice(f"order-{n}", p.manufacturer, p.customer),
                "issuedAt": f"2026-11-2{n}T10:00:00.5Z",
                "dueDate": "2027-01-01",
            }
            body = {"templateId": tid("Invoice"), "payload": invoice}
            response = await http.post(
                "/v1/create", json=body, headers=auth(ledger, p.manufacturer, p.customer)
            )
            assert response.status_code == 200, response.text
        for n, (price, penalty) in enumerate(
            [
                ("80", None),
                ("120.5", {"perDayLate": "5", "cap": None}),
                ("99.99", {"perDayLate": "2", "cap": "10"}),
            ]
        ):
            terms = {**samples.supply_terms(f"supply-{n}", p.manufacturer, p.supplier), "price": price}
            terms["penalty"] = penalty
            terms["items"] = [{**samples.ITEM, "itemId": f"item-{n}", "price": price}]
            body = {"templateId": tid("SupplyProposal"), "payload": terms}
            response = await http.post("/v1/create", json=body, headers=auth(ledger, p.manufacturer))
            assert response.status_code == 200, response.text
    return p


async def query(ledger: LedgerProcess, party: str, entity: str, q: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        body = {"templateIds": [tid(entity)], "query": q}
        return await http.post("/v1/query", json=body, headers=auth(ledger, party))


async def ids(ledger: LedgerProcess, party: str, entity: str, q: Any, key: str = "orderId") -> list[str]:
    response = await query(ledger, party, entity, q)
    assert response.status_code == 200, response.text
    return sorted(c["payload"][key] for c in response.json()["result"])


ORDER_CASES: list[tuple[str, dict[str, Any], list[int]]] = [
    ("Int64 %gt", {"quantity": {"%gt": 3}}, [4, 5]),
    ("Int64 %gte as string", {"quantity": {"%gte": "3"}}, [3, 4, 5]),
    ("Int64 %lt", {"quantity": {"%lt": 2}}, [1]),
    ("Int64 %lte", {"quantity": {"%lte": 2}}, [1, 2]),
    ("Int64 range", {"quantity": {"%gt": 1, "%lte": 4}}, [2, 3, 4]),
    ("Int64 equality", {"quantity": "3"}, [3]),
    ("Date range", {"deliveryDate": {"%gte": "2027-02-01", "%lt": "2027-04-15"}}, [2, 3]),
    ("Text %lte", {"orderId": {"%lte": "order-2"}}, [1, 2]),
    ("Text and Int64", {"orderId": {"%gt": "order-1"}, "quantity": {"%lt": 3}}, [2]),
    ("empty range", {"quantity": {"%gt": 4, "%lt": 5}}, []),
]


@by_name(ORDER_CASES)
async def test_comparison_operators(
    ledger: LedgerProcess, seeded: Parties, what: str, q: dict[str, Any], expected: list[int]
) -> None:
    found = await ids(ledger, seeded.customer, "CustomerOrder", {"customer": seeded.customer, **q})
    assert found == [f"order-{n}" for n in expected], what


TIMESTAMP_CASES: list[tuple[str, dict[str, Any], list[int]]] = [
    ("Timestamp %gt", {"issuedAt": {"%gt": "2026-11-23T10:00:00.5Z"}}, [4, 5]),
    ("Timestamp equality, other spelling", {"issuedAt": "2026-11-21T10:00:00.500000Z"}, [1]),
]


@by_name(TIMESTAMP_CASES)
async def test_timestamps(
    ledger: LedgerProcess, seeded: Parties, what: str, q: dict[str, Any], expected: list[int]
) -> None:
    found = await ids(ledger, seeded.customer, "Invoice", q)
    assert found == [f"order-{n}" for n in expected], what


SUPPLY_CASES: list[tuple[str, dict[str, Any], list[int]]] = [
    ("Numeric %gte", {"price": {"%gte": "99.99"}}, [1, 2]),
    ("Numeric %lt as number", {"price": {"%lt": 99.99}}, [0]),
    ("Numeric equality, other spelling", {"price": "120.50000"}, [1]),
    ("Optional None", {"penalty": None}, [0]),
    ("Optional Some nested record", {"penalty": {"perDayLate": "5"}}, [1]),
    ("Optional inside Optional record, None", {"penalty": {"cap": None}}, [1]),
    ("Optional nested range", {"penalty": {"cap": {"%gt": "5"}}}, [2]),
    ("list of records, element-wise", {"items": [{"itemId": "item-2"}]}, [2]),
    ("list of another length", {"items": [{"itemId": "item-2"}, {"itemId": "item-2"}]}, []),
]


@by_name(SUPPLY_CASES)
async def test_numeric_optional_nested_and_lists(
    ledger: LedgerProcess, seeded: Parties, what: str, q: dict[str, Any], expected: list[int]
) -> None:
    found = await ids(ledger, seeded.supplier, "SupplyProposal", {"supplier": seeded.supplier, **q})
    assert found == [f"supply-{n}" for n in expected], what


BAD_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("unknown operator", {"quantity": {"%ne": 3}}),
    ("%lt with %lte", {"quantity": {"%lt": 3, "%lte": 4}}),
    ("%gt with %gte", {"quantity": {"%gt": 3, "%gte": 4}}),
    ("operator on a Party", {"customer": {"%gt": "A"}}),
    ("operator in a record context", {"%gt": 1}),
    ("unknown field", {"colour": "red"}),
    ("ill-typed value", {"quantity": {"%gt": "three"}}),
    ("list for a Text", {"orderId": ["a", "b"]}),
    ("bad date", {"deliveryDate": {"%lt": "tomorrow"}}),
]


@pytest.mark.parametrize(("what", "q"), BAD_QUERIES, ids=[c[0] for c in BAD_QUERIES])
async def test_malformed_queries_answer_400(
    ledger: LedgerProcess, seeded: Parties, what: str, q: dict[str, Any]
) -> None:
    response = await query(ledger, seeded.customer, "CustomerOrder", q)
    assert response.status_code == 400, (what, response.text)
    body = response.json()
    assert body["status"] == 400 and body["errors"], what


async def test_daml_ledger_client_queries_and_create_and_exercise(ledger: LedgerProcess) -> None:
    """Digital Asset's @daml/ledger: comparison queries, a 400 on a bad operator, createAndExercise events."""
    p = Parties()
    await allocate(ledger, p.customer, p.manufacturer, p.supplier)
    config = {
        "httpBaseUrl": ledger.info.json_api + "/",
        "packageId": ledger.info.package_id,
        "customer": p.customer,
        "manufacturer": p.manufacturer,
        "supplier": p.supplier,
        "customerToken": token(ledger, p.customer),
        "bothToken": token(ledger, p.manufacturer, p.supplier),
        "orderDate": samples.in_days(90),
        "supplyDate": samples.in_days(60),
    }
    result = await run_script("query.test.js", {"LSO_QUERY_CONFIG": json.dumps(config)})
    assert result.returncode == 0, result.tail()
    by_step = result.steps()
    assert by_step["range"]["orderIds"] == ["q-2", "q-3"]
    assert by_step["badOperator"]["status"] == 400
    kinds = by_step["createAndExercise"]["events"]
    assert kinds == ["created:SupplyProposal", "archived:SupplyProposal", "created:SupplyAgreement"]
