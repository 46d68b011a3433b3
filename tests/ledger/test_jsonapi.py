"""The HTTP JSON API v1 of the embedded ledger, over real HTTP (the ledger in its own process, httpx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.conftest import SECRET, allocate, party_names, token


def tid(entity: str) -> str:
    return f"{MODULE}:{entity}"


class Api:
    """Raw JSON API calls as given parties (each with its own token)."""

    def __init__(self, http: httpx.AsyncClient, process: LedgerProcess) -> None:
        self.http = http
        self.process = process

    def auth(self, *act_as: str, admin: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(self.process, *act_as, admin=admin)}"}

    async def post(self, path: str, body: Any, *act_as: str, status: int = 200) -> Any:
        response = await self.http.post(path, json=body, headers=self.auth(*act_as))
        envelope = response.json()
        assert response.status_code == status == envelope["status"], response.text
        return envelope.get("result", envelope.get("errors"))

    async def create(
        self, entity: str, payload: dict[str, Any], party: str, *, status: int = 200, cmd: str | None = None
    ) -> Any:
        body: dict[str, Any] = {"templateId": tid(entity), "payload": payload}
        if cmd:
            body["meta"] = {"commandId": cmd}
        return await self.post("/v1/create", body, party, status=status)

    async def exercise(
        self,
        entity: str,
        cid: str,
        choice: str,
        party: str,
        argument: dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> Any:
        body = {"templateId": tid(entity), "contractId": cid, "choice": choice, "argument": argument or {}}
        return await self.post("/v1/exercise", body, party, status=status)


@pytest.fixture
async def api(
    http: httpx.AsyncClient, ledger_process: LedgerProcess, unique: str
) -> tuple[Api, dict[str, str]]:
    parties = party_names(unique)
    await allocate(http, ledger_process, *parties.values())
    return Api(http, ledger_process), parties


async def agree(a: Api, order_id: str, c: str, m: str) -> str:
    """The customer orders ``order_id``, the manufacturer accepts: the order agreement's id."""
    order = await a.create("CustomerOrder", samples.customer_order(order_id, c, m), c)
    accepted = await a.exercise("CustomerOrder", order["contractId"], "AcceptOrder", m)
    return str(accepted["exerciseResult"])


async def test_order_flow_happy_path(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c, m, s = p["Customer"], p["Manufacturer"], p["Supplier"]
    order = await a.create("CustomerOrder", samples.customer_order("o1", c, m), c)
    assert order["templateId"].endswith(f":{MODULE}:CustomerOrder")
    assert order["payload"]["quantity"] == "1"  # Int64 as a string, as the JSON API writes it
    assert order["signatories"] == [c] and order["observers"] == [m]

    accepted = await a.exercise("CustomerOrder", order["contractId"], "AcceptOrder", m)
    agreement_id = accepted["exerciseResult"]
    kinds = [next(iter(e)) for e in accepted["events"]]
    assert kinds == ["archived", "created"]
    assert accepted["events"][1]["created"]["contractId"] == agreement_id
    agreement = await a.post("/v1/fetch", {"contractId": agreement_id}, m)
    assert sorted(agreement["signatories"]) == sorted([c, m])
    assert agreement["payload"]["penaltyClaimed"] is False and agreement["payload"]["shipment"] is None

    proposed = await a.exercise(
        "OrderAgreement", agreement_id, "ProposeSupply", m, samples.supply_argument(s)
    )
    fetched = await a.post("/v1/fetch", {"contractId": proposed["exerciseResult"]}, s)
    assert fetched["payload"]["orderId"] == "o1" and fetched["payload"]["supplier"] == s


async def test_supply_and_invoice_happy_path(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c, m, s = p["Customer"], p["Manufacturer"], p["Supplier"]
    agreement_id = await agree(a, "o2", c, m)
    await agree(a, "o3", c, m)
    proposal = await a.create("SupplyProposal", samples.supply_terms("o2", m, s), m)
    accepted = await a.exercise("SupplyProposal", proposal["contractId"], "AcceptSupply", s)
    supply = await a.post("/v1/query", {"templateIds": [tid("SupplyAgreement")]}, s)
    assert [x["contractId"] for x in supply] == [accepted["exerciseResult"]]

    rejected = await a.create("SupplyProposal", samples.supply_terms("o3", m, s), m)
    reason = {"reason": "no capacity"}
    assert (await a.exercise("SupplyProposal", rejected["contractId"], "RejectSupply", s, reason))[
        "exerciseResult"
    ] == {}

    raised = await a.exercise(
        "OrderAgreement", agreement_id, "RaiseInvoice", m, samples.raise_invoice_argument("inv-o2")
    )
    claimed = await a.exercise(
        "Invoice", raised["exerciseResult"], "ClaimPayment", c, samples.CLAIM_PAYMENT_ARGUMENT
    )
    paid = await a.exercise("PaymentClaim", claimed["exerciseResult"], "ConfirmPayment", m)
    receipts = await a.post(
        "/v1/query", {"templateIds": [tid("PaymentReceipt")], "query": {"amount": "120.50"}}, m
    )
    assert [r["contractId"] for r in receipts] == [paid["exerciseResult"]]
    assert await a.post("/v1/query", {"templateIds": [tid("Invoice")]}, c) == []


async def test_non_signatory_create_and_non_controller_exercise_refused(
    api: tuple[Api, dict[str, str]],
) -> None:
    a, p = api
    c, m = p["Customer"], p["Manufacturer"]
    errors = await a.create("CustomerOrder", samples.customer_order("o4", c, m), m, status=400)
    assert "DAML_AUTHORIZATION_ERROR" in errors[0] and "signatory" in errors[0]
    await a.create("OrderAgreement", samples.order_agreement("o4", c, m), m, status=400)
    order = await a.create("CustomerOrder", samples.customer_order("o4", c, m), c)
    errors = await a.exercise("CustomerOrder", order["contractId"], "AcceptOrder", c, status=400)
    assert "DAML_AUTHORIZATION_ERROR" in errors[0] and "controller" in errors[0]
    # acting as a party the token does not carry
    body = {
        "templateId": tid("CustomerOrder"),
        "payload": samples.customer_order("o4", c, m),
        "meta": {"actAs": [c]},
    }
    await a.post("/v1/create", body, m, status=403)


async def test_non_stakeholder_cannot_see(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c, m, o = p["Customer"], p["Manufacturer"], p["Outsider"]
    order = await a.create("CustomerOrder", samples.customer_order("o5", c, m), c)
    assert await a.post("/v1/fetch", {"contractId": order["contractId"]}, o) is None
    assert await a.post("/v1/query", {"templateIds": [tid("CustomerOrder")]}, o) == []
    await a.exercise("CustomerOrder", order["contractId"], "Archive", o, status=404)
    # reading as a party the token does not carry is refused
    await a.post("/v1/query", {"templateIds": [tid("CustomerOrder")], "readers": [c]}, o, status=403)


async def test_duplicate_command_id_deduplicated(api: tuple[Api, dict[str, str]], unique: str) -> None:
    a, p = api
    c, m = p["Customer"], p["Manufacturer"]
    await a.create("CustomerOrder", samples.customer_order("o6", c, m), c, cmd=f"cmd-{unique}")
    # Daml: the same command id again is refused (409 DUPLICATE_COMMAND), even with another payload
    other = samples.customer_order("o6b", c, m)
    errors = await a.create("CustomerOrder", other, c, cmd=f"cmd-{unique}", status=409)
    assert "DUPLICATE_COMMAND" in errors[0]
    assert len(await a.post("/v1/query", {"templateIds": [tid("CustomerOrder")]}, c)) == 1


async def test_errors_are_envelopes(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c = p["Customer"]
    await a.post("/v1/create", {"templateId": tid("Nope"), "payload": {}}, c, status=400)
    await a.post("/v1/create", {"templateId": "no-colons", "payload": {}}, c, status=400)
    bad = {**samples.customer_order("o7", c, p["Manufacturer"]), "quantity": "many"}
    errors = await a.create("CustomerOrder", bad, c, status=400)
    assert "quantity" in errors[0]
    await a.exercise("CustomerOrder", "00" + "ab" * 32, "Archive", c, status=404)


@pytest.mark.parametrize(
    "case", ["missing", "garbage", "wrong-secret", "expired", "other-ledger", "not-bearer"]
)
async def test_bad_tokens_refused_with_401(
    http: httpx.AsyncClient, ledger_process: LedgerProcess, case: str
) -> None:
    ledger_id = ledger_process.info.ledger_id
    headers = {
        "missing": {},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "wrong-secret": {
            "Authorization": f"Bearer {hs256_token('other-secret-0123456789abcdef0123', act_as=['A'])}"
        },
        "expired": {"Authorization": f"Bearer {hs256_token(SECRET, act_as=['A'], expires_in=-60)}"},
        "other-ledger": {
            "Authorization": f"Bearer {hs256_token(SECRET, act_as=['A'], ledger_id=ledger_id + 'x')}"
        },
        "not-bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
    }[case]
    for method, path in (("GET", "/v1/parties"), ("POST", "/v1/query"), ("GET", "/v1/packages")):
        response = await http.request(method, path, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == 401, response.text
        assert response.json()["status"] == 401 and response.json()["errors"]


async def test_admin_needed_for_parties_and_packages(
    http: httpx.AsyncClient, ledger_process: LedgerProcess
) -> None:
    user = {"Authorization": f"Bearer {token(ledger_process, 'Someone')}"}
    response = await http.post("/v1/parties/allocate", json={"identifierHint": "x"}, headers=user)
    assert response.status_code == 403
    response = await http.post("/v1/packages", content=b"PK", headers=user)
    assert response.status_code == 403


async def test_dar_upload_and_list(http: httpx.AsyncClient, ledger_process: LedgerProcess) -> None:
    from ledger.lf.dar import build_dar, package_id

    admin = {"Authorization": f"Bearer {token(ledger_process, admin=True)}"}
    response = await http.post(
        "/v1/packages", content=build_dar(), headers={**admin, "Content-Type": "application/octet-stream"}
    )
    assert response.json() == {"status": 200, "result": 1}
    listed = (await http.get("/v1/packages", headers=admin)).json()["result"]
    assert package_id() in listed
    assert ledger_process.info.package_id == package_id()
    payload = await http.get(f"/v1/packages/{package_id()}", headers=admin)
    assert payload.status_code == 200 and payload.content
    bad = await http.post("/v1/packages", content=b"not a zip", headers=admin)
    assert bad.status_code == 400 and bad.json()["status"] == 400


async def test_full_template_ids_accepted(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c, m = p["Customer"], p["Manufacturer"]
    full = f"{a.process.info.package_id}:{MODULE}:CustomerOrder"
    body = {"templateId": full, "payload": samples.customer_order("o8", c, m)}
    created = await a.post("/v1/create", body, c)
    assert created["templateId"] == full
    found = await a.post("/v1/query", {"templateIds": [full], "query": {"orderId": "o8"}}, m)
    assert [x["contractId"] for x in found] == [created["contractId"]]


async def test_create_and_exercise_parties_and_user(api: tuple[Api, dict[str, str]]) -> None:
    a, p = api
    c, m, s = p["Customer"], p["Manufacturer"], p["Supplier"]
    await agree(a, "o9", c, m)
    body = {
        "templateId": tid("SupplyProposal"),
        "payload": samples.supply_terms("o9", m, s),
        "choice": "AcceptSupply",
        "argument": {},
        "meta": {"actAs": [m, s]},
    }
    result = await a.post("/v1/create-and-exercise", body, m, s)
    created = [e["created"] for e in result["events"] if "created" in e]
    assert created[-1]["contractId"] == result["exerciseResult"]  # after the transient SupplyProposal
    assert created[-1]["templateId"].endswith(":SupplyAgreement")
    known = await a.post("/v1/parties", [m, "nobody-at-all"], m)
    assert [x["identifier"] for x in known] == [m]
    response = await a.http.get("/v1/user", headers=a.auth(m))
    assert response.json()["result"]["primaryParty"] == m
