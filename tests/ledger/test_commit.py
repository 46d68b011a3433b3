"""Committing an agreement through the JSON API: the contracts, idempotence, a crash at every step, and
another agreement already on the ledger for the order (never reused)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from ledger.commit import (
    AGREEMENT_FIELDS,
    DELIVERY,
    ORDER,
    ORDER_AGREEMENT,
    ORDER_PROPOSAL,
    SUPPLY_AGREEMENT,
    AgreementCommitter,
    AgreementConflict,
    AgreementMissing,
    command_id,
    differing_fields,
    ledger_party,
    plan,
)
from ledger.jsonapi_client import JsonApiClient, LedgerRejected, LedgerUnavailable, RetryPolicy, static_token
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.examples import commit_request, priced, with_network

SECRET = "commit-test-secret-0123456789abcdef"
PARTIES = ("c1", "m1", "s1", "s2")
ALL = [ORDER, ORDER_PROPOSAL, ORDER_AGREEMENT, SUPPLY_AGREEMENT, DELIVERY]


def token() -> str:
    return hs256_token(SECRET, act_as=PARTIES, admin=True)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("commit"), secret=SECRET, grpc=False)
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def client(ledger: LedgerProcess) -> AsyncIterator[JsonApiClient]:
    ledger.start()
    async with JsonApiClient(
        ledger.info.json_api, static_token(token()), retry=RetryPolicy(attempts=2, backoff=0.05)
    ) as c:
        yield c


async def contracts_of(client: JsonApiClient, order_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for template in ALL:
        for c in await client.query([template], {"orderId": order_id}):
            found.setdefault(template.rsplit(":", 1)[1], []).append(c.contract_id)
    return found


async def test_commit_writes_one_set_and_is_idempotent(client: JsonApiClient) -> None:
    request = commit_request()
    committed = await AgreementCommitter(client).commit(request)
    assert {ref.supplier_id for ref in committed.supply_contracts} == {"s1", "s2"}
    found = await contracts_of(client, str(request.order.id))
    assert found == {
        "CustomerOrder": found["CustomerOrder"],
        "OrderAgreement": [committed.order_contract_id],
        "SupplyAgreement": found["SupplyAgreement"],
        "DeliveryCommitment": found["DeliveryCommitment"],
    }
    assert sorted(found["SupplyAgreement"]) == sorted(r.contract_id for r in committed.supply_contracts)
    assert len(found["CustomerOrder"]) == len(found["DeliveryCommitment"]) == 1

    agreement = await client.fetch(committed.order_contract_id, readers=["c1"])
    assert agreement is not None and sorted(agreement.signatories) == ["c1", "m1"]
    assert agreement.payload["price"] == "420" and agreement.payload["deliveryDate"] == "2030-06-20"
    s1 = next(r.contract_id for r in committed.supply_contracts if r.supplier_id == "s1")
    supply = await client.fetch(s1, readers=["s1"])
    assert supply is not None and sorted(supply.signatories) == ["m1", "s1"]
    assert [i["itemId"] for i in supply.payload["items"]] == ["frame", "paint"]
    assert await client.fetch(s1, readers=["s2"]) is None  # the other supplier does not see it

    again = await AgreementCommitter(client).commit(request)
    assert again.contract_ids == committed.contract_ids
    assert await contracts_of(client, str(request.order.id)) == found


class CrashAfter(httpx.AsyncBaseTransport):
    """Forwards requests; after the ``n``-th command (create/exercise) is committed, kills the ledger and
    loses the answer, as a crash of the ledger host would."""

    def __init__(self, process: LedgerProcess, n: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.process = process
        self.n = n
        self.commands = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path in ("/v1/create", "/v1/exercise"):
            self.commands += 1
            if self.commands == self.n:
                await response.aread()
                self.process.kill()
                raise httpx.ReadError("connection lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("crash_after", [1, 3, 5, 6])
async def test_ledger_crash_during_commit_yields_exactly_one_set(
    ledger: LedgerProcess, crash_after: int
) -> None:
    request = commit_request()
    url = ledger.start().json_api
    crashing = JsonApiClient(
        url,
        static_token(token()),
        retry=RetryPolicy(attempts=2, backoff=0.05),
        transport=CrashAfter(ledger, crash_after),
    )
    async with crashing:
        with pytest.raises(LedgerUnavailable):
            await AgreementCommitter(crashing).commit(request)
    assert not ledger.running
    await ledger.astart()
    async with JsonApiClient(url, static_token(token())) as client:
        committed = await AgreementCommitter(client).commit(request)
        found = await contracts_of(client, str(request.order.id))
    assert found["OrderAgreement"] == [committed.order_contract_id]
    assert sorted(found["SupplyAgreement"]) == sorted(r.contract_id for r in committed.supply_contracts)
    assert len(found["SupplyAgreement"]) == 2
    assert len(found["CustomerOrder"]) == len(found["DeliveryCommitment"]) == 1
    assert "OrderProposal" not in found


def test_ledger_party_mapping() -> None:
    assert ledger_party("m1") == "m1"
    odd = ledger_party("anna@example.org")
    assert odd.startswith("anna_example.org-") is False and odd.startswith("anna_example_org-")
    assert ledger_party("a@b") != ledger_party("a.b")


async def test_a_different_agreement_on_the_ledger_is_never_reused(client: JsonApiClient) -> None:
    """The attack: a forged request for a real order (price 1.00) was committed first; the order's own
    agreement then finds it on the ledger (and the same command ids) and fails instead of reusing it."""
    request = commit_request()
    forged = await AgreementCommitter(client).commit(priced(request, "1.00"))
    before = await contracts_of(client, str(request.order.id))
    with pytest.raises(AgreementConflict) as conflict:
        await AgreementCommitter(client).commit(request)
    assert isinstance(conflict.value, LedgerRejected)
    message = str(conflict.value)
    assert message.startswith(f"a different agreement for order {request.order.id} is on the ledger")
    assert forged.order_contract_id in message and "price" in message and "items" in message
    assert await contracts_of(client, str(request.order.id)) == before  # nothing written


async def test_another_supply_network_on_the_ledger_is_a_conflict(client: JsonApiClient) -> None:
    request = commit_request()
    await AgreementCommitter(client).commit(with_network(request, "1.00"))
    with pytest.raises(AgreementConflict, match="supply agreement"):
        await AgreementCommitter(client).commit(request)


async def test_a_pending_forged_proposal_is_not_accepted(client: JsonApiClient) -> None:
    """A forged proposal under the command id the commit uses: the ledger deduplicates the command and hands
    back the forged proposal, which must not be accepted."""
    request = commit_request()
    p = plan(priced(request, "1.00"))
    await client.create(
        ORDER, p.order_payload, act_as=[p.customer], command_id=command_id(p.order_id, "order")
    )
    await client.create(
        ORDER_PROPOSAL,
        p.order_terms,
        act_as=[p.manufacturer],
        command_id=command_id(p.order_id, "order-proposal"),
    )
    with pytest.raises(AgreementConflict, match="order proposal"):
        await AgreementCommitter(client).commit(request)
    found = await contracts_of(client, str(request.order.id))
    assert "OrderAgreement" not in found and len(found["OrderProposal"]) == 1


async def test_a_deduplicated_command_returning_another_contract_is_a_conflict(
    client: JsonApiClient,
) -> None:
    """The forged proposal was withdrawn (so no query finds it), but its command id is still deduplicated:
    the create hands back the forged proposal, and the commit stops there."""
    request = commit_request()
    p = plan(priced(request, "1.00"))
    forged = await client.create(
        ORDER_PROPOSAL,
        p.order_terms,
        act_as=[p.manufacturer],
        command_id=command_id(p.order_id, "order-proposal"),
    )
    await client.exercise(ORDER_PROPOSAL, forged.contract_id, "WithdrawOrder", act_as=[p.manufacturer])
    with pytest.raises(AgreementConflict, match=forged.contract_id):
        await AgreementCommitter(client).commit(request)
    found = await contracts_of(client, str(request.order.id))
    assert "OrderAgreement" not in found and "OrderProposal" not in found


async def test_existing_only_writes_nothing(client: JsonApiClient) -> None:
    request = commit_request()
    with pytest.raises(AgreementMissing) as missing:
        await AgreementCommitter(client).commit(request, existing_only=True)
    assert "order agreement" in str(missing.value)
    assert await contracts_of(client, str(request.order.id)) == {}
    committed = await AgreementCommitter(client).commit(request)
    again = await AgreementCommitter(client).commit(request, existing_only=True)
    assert again.contract_ids == committed.contract_ids


def test_same_terms_whatever_the_json_spelling() -> None:
    wanted = plan(commit_request()).order_terms
    spelled = {
        **wanted,
        "price": "420.0000000000",
        "items": [
            {**i, "quantity": str(i["quantity"]), "price": i["price"] + ".00"} for i in wanted["items"]
        ],
        "penalty": {"perDayLate": "5.0", "cap": None},
    }
    assert differing_fields(spelled, wanted, AGREEMENT_FIELDS[ORDER_AGREEMENT]) == []
    assert differing_fields({**wanted, "price": "1"}, wanted, ["price"]) == ["price"]
    assert differing_fields({**wanted, "penalty": None}, wanted, ["penalty"]) == ["penalty"]
    assert differing_fields({"price": "abc"}, wanted, ["price", "currency"]) == ["price", "currency"]
