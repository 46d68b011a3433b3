"""One "not found" for every contract a party may not use (issue 14, item 11), as Daml 2.x answers it
(``CONTRACT_NOT_FOUND: Contract could not be found with id ...``; JSON API 404; ``/v1/fetch`` answers
``result: null``): an unknown id, a contract archived before (whether the party was a stakeholder of it or
not) and a hidden contract all get the same answer, on the JSON API (httpx) and on gRPC (dazl), SQLite and
PostgreSQL."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from ledger import samples
from ledger.dazl_client import DazlLedgerClient, LedgerNotFound
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.users_support import allocate, bearer, custom_token, ledger_fixture

INVOICE = f"{MODULE}:Invoice"


ledger = ledger_fixture("not-found")


@pytest.fixture(scope="module")
async def contracts(ledger: LedgerProcess) -> dict[str, str]:
    """Parties (issuer M, payer C, outsider O) and contract ids: a hidden invoice, an archived one, an unknown
    id."""
    uid = uuid.uuid4().hex[:8]
    m, c, o = f"M-{uid}", f"C-{uid}", f"O-{uid}"
    await allocate(ledger, m, c, o)
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:

        async def create(order_id: str) -> str:
            body = {"templateId": INVOICE, "payload": samples.invoice(order_id, m, c)}
            response = await http.post("/v1/create", json=body, headers=bearer(custom_token(m, c)))
            assert response.status_code == 200, response.text
            return str(response.json()["result"]["contractId"])

        hidden = await create(f"h-{uid}")
        archived = await create(f"a-{uid}")
        pay = {
            "templateId": INVOICE,
            "contractId": archived,
            "choice": "ClaimPayment",
            "argument": samples.CLAIM_PAYMENT_ARGUMENT,
        }
        response = await http.post("/v1/exercise", json=pay, headers=bearer(custom_token(c)))
        assert response.status_code == 200, response.text
    return {
        "M": m,
        "C": c,
        "O": o,
        "hidden": hidden,
        "archived": archived,
        "unknown": "00" + uuid.uuid4().hex * 2,
    }


def normalized(message: str, contract_id: str) -> str:
    """The message with the contract id and a Daml error's correlation id taken out."""
    return re.sub(r"\(\d+,[0-9a-f]+\)", "(..)", message.replace(contract_id, "<id>"))


async def test_json_api_exercise_and_fetch(ledger: LedgerProcess, contracts: dict[str, str]) -> None:
    outsider, payer = custom_token(contracts["O"]), custom_token(contracts["C"])
    answers = set()
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        cases = [(outsider, "hidden"), (outsider, "archived"), (outsider, "unknown"), (payer, "archived")]
        for token, which in cases:
            cid = contracts[which]
            body = {
                "templateId": INVOICE,
                "contractId": cid,
                "choice": "ClaimPayment",
                "argument": samples.CLAIM_PAYMENT_ARGUMENT,
            }
            response = await http.post("/v1/exercise", json=body, headers=bearer(token))
            assert response.status_code == 404, (which, response.text)
            errors = response.json()["errors"]
            answers.add(normalized(" ".join(errors), cid))
            fetched = await http.post("/v1/fetch", json={"contractId": cid}, headers=bearer(token))
            assert fetched.status_code == 200 and fetched.json()["result"] is None, fetched.text
    assert len(answers) == 1, answers
    (answer,) = answers
    assert "Contract could not be found with id <id>" in answer
    assert not re.search(r"archiv|visible|hidden|unknown|stakeholder", answer, re.IGNORECASE)


async def test_grpc_exercise(ledger: LedgerProcess, contracts: dict[str, str]) -> None:
    url = f"http://{ledger.info.grpc}"
    answers = set()
    for party, which in [("O", "hidden"), ("O", "archived"), ("O", "unknown"), ("C", "archived")]:
        cid = contracts[which]
        async with DazlLedgerClient(
            url, act_as=[contracts[party]], token=custom_token(contracts[party])
        ) as client:
            with pytest.raises(LedgerNotFound) as refused:
                await client.exercise(INVOICE, cid, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT)
        answers.add(normalized(str(refused.value), cid))
    assert len(answers) == 1, answers
    (answer,) = answers
    assert "CONTRACT_NOT_FOUND" in answer and "Contract could not be found with id <id>" in answer
    assert not re.search(r"archiv|visible|hidden|unknown|stakeholder", answer, re.IGNORECASE)


async def test_a_stakeholder_still_uses_its_active_contract(
    ledger: LedgerProcess, contracts: dict[str, str]
) -> None:
    """The uniform answer is no blanket refusal: the payer sees and pays the hidden-to-others invoice."""
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        fetched = await http.post(
            "/v1/fetch",
            json={"contractId": contracts["hidden"]},
            headers=bearer(custom_token(contracts["C"])),
        )
        assert fetched.json()["result"]["contractId"] == contracts["hidden"]
