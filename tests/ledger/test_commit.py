"""Committing an agreement through dazl (gRPC Ledger API): the contracts, idempotence under Daml's dedup
(a duplicate command is refused, the agreement is found on the ledger), a crash at every step, two committers
racing, the transaction stream followed, and another agreement already on the ledger for the order (never
reused)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ledger.commit import (
    AGREEMENT_FIELDS,
    DELIVERY,
    FOLLOWED,
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
from ledger.commit_dazl import DazlCommitLedger
from ledger.jsonapi_client import (
    ExerciseResult,
    JsonApiClient,
    LedgerRejected,
    LedgerUnavailable,
    static_token,
)
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.backends import SECRET, ledger_fixture
from tests.ledger.examples import commit_request, priced, with_network

PARTIES = ("c1", "m1", "s1", "s2")
ALL = [ORDER, ORDER_PROPOSAL, ORDER_AGREEMENT, SUPPLY_AGREEMENT, DELIVERY]


def token() -> str:
    return hs256_token(SECRET, act_as=PARTIES, admin=True)


# the ledger on SQLite, then on PostgreSQL (a crash and restart keep what was committed on both)
ledger = ledger_fixture("commit")


def grpc_url(ledger: LedgerProcess) -> str:
    return f"http://{ledger.start().grpc}"


@pytest.fixture
async def client(ledger: LedgerProcess) -> AsyncIterator[DazlCommitLedger]:
    async with DazlCommitLedger(grpc_url(ledger), token(), timeout=5.0) as c:
        yield c


@pytest.fixture
async def reader(ledger: LedgerProcess) -> AsyncIterator[JsonApiClient]:
    """What the ledger holds, read through the JSON API."""
    async with JsonApiClient(ledger.start().json_api, static_token(token())) as c:
        yield c


async def contracts_of(client: JsonApiClient, order_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for template in ALL:
        for c in await client.query([template], {"orderId": order_id}):
            found.setdefault(template.rsplit(":", 1)[1], []).append(c.contract_id)
    return found


async def test_commit_writes_one_set_and_is_idempotent(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    request = commit_request()
    committed = await AgreementCommitter(client).commit(request)
    assert {ref.supplier_id for ref in committed.supply_contracts} == {"s1", "s2"}
    found = await contracts_of(reader, str(request.order.id))
    assert found == {
        "CustomerOrder": found["CustomerOrder"],
        "OrderAgreement": [committed.order_contract_id],
        "SupplyAgreement": found["SupplyAgreement"],
        "DeliveryCommitment": found["DeliveryCommitment"],
    }
    assert sorted(found["SupplyAgreement"]) == sorted(r.contract_id for r in committed.supply_contracts)
    assert len(found["CustomerOrder"]) == len(found["DeliveryCommitment"]) == 1

    agreement = await reader.fetch(committed.order_contract_id, readers=["c1"])
    assert agreement is not None and sorted(agreement.signatories) == ["c1", "m1"]
    assert agreement.payload["price"] == "420" and agreement.payload["deliveryDate"] == "2030-06-20"
    s1 = next(r.contract_id for r in committed.supply_contracts if r.supplier_id == "s1")
    supply = await reader.fetch(s1, readers=["s1"])
    assert supply is not None and sorted(supply.signatories) == ["m1", "s1"]
    assert [i["itemId"] for i in supply.payload["items"]] == ["frame", "paint"]
    assert await reader.fetch(s1, readers=["s2"]) is None  # the other supplier does not see it

    again = await AgreementCommitter(client).commit(request)
    assert again.contract_ids == committed.contract_ids
    assert await contracts_of(reader, str(request.order.id)) == found


async def test_commands_are_refused_as_duplicates_and_the_agreement_is_found(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    """Daml dedup: the same command id again is refused (ALREADY_EXISTS), not answered with its first
    result; a commit whose every step was written before finds each one on the ledger."""
    request = commit_request()
    committed = await AgreementCommitter(client).commit(request)
    p = plan(request)
    with pytest.raises(LedgerRejected) as duplicate:
        await client.create(
            ORDER, p.order_payload, act_as=[p.customer], command_id=command_id(p.order_id, "order")
        )
    assert duplicate.value.status == 409 and "ALREADY_EXISTS" in str(duplicate.value)
    blind = BlindCommitter(client)  # sees nothing on the ledger before writing: every write is a duplicate
    assert (await blind.commit(request)).contract_ids == committed.contract_ids
    assert len((await contracts_of(reader, str(request.order.id)))["OrderAgreement"]) == 1


class BlindCommitter(AgreementCommitter):
    """Reads nothing before writing (as a commit racing another one does), only to resolve duplicates."""

    def __init__(self, client: DazlCommitLedger) -> None:
        super().__init__(client)
        self.first = True

    async def _found(self, expected: Any, readers: Any) -> Any:
        if self.first:
            self.first = False
            return {template: [] for template in AGREEMENT_FIELDS}
        return await super()._found(expected, readers)


async def test_two_committers_racing_make_one_set(ledger: LedgerProcess, reader: JsonApiClient) -> None:
    request = commit_request()
    async with (
        DazlCommitLedger(grpc_url(ledger), token(), timeout=5.0) as one,
        DazlCommitLedger(grpc_url(ledger), token(), timeout=5.0) as two,
    ):
        first, second = await asyncio.gather(
            AgreementCommitter(one).commit(request), AgreementCommitter(two).commit(request)
        )
    assert first.contract_ids == second.contract_ids
    found = await contracts_of(reader, str(request.order.id))
    assert found["OrderAgreement"] == [first.order_contract_id] and len(found["SupplyAgreement"]) == 2


async def test_the_commit_follows_its_transactions(client: DazlCommitLedger) -> None:
    """The contracts handed back are confirmed on the transaction stream from before the first write; a
    contract that never shows there is not confirmed (retry later)."""
    since = await client.ledger_end()
    committed = await AgreementCommitter(client).commit(commit_request())
    seen = await client.follow(FOLLOWED, since, committed.contract_ids, readers=list(PARTIES))
    assert set(seen) == set(committed.contract_ids)
    assert seen[committed.order_contract_id].payload["price"] == "420"
    quick = DazlCommitLedger(client.url, token(), timeout=0.3)
    with pytest.raises(LedgerUnavailable, match="did not show"):
        await quick.follow(FOLLOWED, since, ["#0:0-unknown"], readers=list(PARTIES))
    await quick.aclose()


class CrashAfter(DazlCommitLedger):
    """Forwards commands; after the ``n``-th one (create/exercise) is committed, kills the ledger and loses
    the answer, as a crash of the ledger host would. The commands of a commit: 1 customer order, 2 order
    proposal, 3 its acceptance, 4-7 proposal and acceptance per supplier, 8 the delivery commitment."""

    def __init__(self, process: LedgerProcess, n: int) -> None:
        super().__init__(grpc_url(process), token(), timeout=2.0)
        self.process = process
        self.n = n
        self.commands = 0

    def _counted(self) -> None:
        self.commands += 1
        if self.commands == self.n:
            self.process.kill()
            raise LedgerUnavailable(503, ["UNAVAILABLE: connection lost"])

    async def create(self, *args: Any, **kwargs: Any) -> Any:
        created = await super().create(*args, **kwargs)
        self._counted()
        return created

    async def exercise(self, *args: Any, **kwargs: Any) -> ExerciseResult:
        result = await super().exercise(*args, **kwargs)
        self._counted()
        return result


@pytest.mark.parametrize("crash_after", [2, 3, 6, 8])
async def test_ledger_crash_during_commit_yields_exactly_one_set(
    ledger: LedgerProcess, crash_after: int
) -> None:
    request = commit_request()
    async with CrashAfter(ledger, crash_after) as crashing:
        with pytest.raises(LedgerUnavailable):
            await AgreementCommitter(crashing).commit(request)
    assert not ledger.running
    await ledger.astart()
    async with DazlCommitLedger(grpc_url(ledger), token(), timeout=5.0) as client:
        committed = await AgreementCommitter(client).commit(request)
    async with JsonApiClient(ledger.info.json_api, static_token(token())) as reader:
        found = await contracts_of(reader, str(request.order.id))
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


async def test_a_different_agreement_on_the_ledger_is_never_reused(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    """The attack: a forged request for a real order (price 1.00) was committed first; the order's own
    agreement then finds it on the ledger (and the same command ids) and fails instead of reusing it."""
    request = commit_request()
    forged = await AgreementCommitter(client).commit(priced(request, "1.00"))
    before = await contracts_of(reader, str(request.order.id))
    with pytest.raises(AgreementConflict) as conflict:
        await AgreementCommitter(client).commit(request)
    assert isinstance(conflict.value, LedgerRejected)
    message = str(conflict.value)
    assert message.startswith(f"a different agreement for order {request.order.id} is on the ledger")
    assert forged.order_contract_id in message and "price" in message and "items" in message
    assert await contracts_of(reader, str(request.order.id)) == before  # nothing written


async def test_another_supply_network_on_the_ledger_is_a_conflict(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    request = commit_request()
    await AgreementCommitter(client).commit(with_network(request, "1.00"))
    with pytest.raises(AgreementConflict, match="supply agreement"):
        await AgreementCommitter(client).commit(request)


async def test_a_pending_forged_proposal_is_not_accepted(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    """A forged proposal pending under the command id the commit uses: the commit finds it on the ledger and
    stops before writing (it is never accepted)."""
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
    found = await contracts_of(reader, str(request.order.id))
    assert "OrderAgreement" not in found and len(found["OrderProposal"]) == 1


async def test_a_deduplicated_command_returning_another_contract_is_a_conflict(
    client: DazlCommitLedger, reader: JsonApiClient
) -> None:
    """The forged proposal was withdrawn (so no query finds it), but its command id is still deduplicated:
    the create is refused as a duplicate, no proposal of this agreement is on the ledger, and the commit stops
    there."""
    request = commit_request()
    p = plan(priced(request, "1.00"))
    forged = await client.create(
        ORDER_PROPOSAL,
        p.order_terms,
        act_as=[p.manufacturer],
        command_id=command_id(p.order_id, "order-proposal"),
    )
    await client.exercise(ORDER_PROPOSAL, forged.contract_id, "WithdrawOrder", act_as=[p.manufacturer])
    with pytest.raises(AgreementConflict, match="order-proposal was refused as a duplicate"):
        await AgreementCommitter(client).commit(request)
    found = await contracts_of(reader, str(request.order.id))
    assert "OrderAgreement" not in found and "OrderProposal" not in found


async def test_existing_only_writes_nothing(client: DazlCommitLedger, reader: JsonApiClient) -> None:
    request = commit_request()
    with pytest.raises(AgreementMissing) as missing:
        await AgreementCommitter(client).commit(request, existing_only=True)
    assert "order agreement" in str(missing.value)
    assert await contracts_of(reader, str(request.order.id)) == {}
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
