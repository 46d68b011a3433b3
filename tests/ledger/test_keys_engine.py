"""Contract keys in the engine, on SQLite and PostgreSQL: uniqueness of active keys (one agreement per order),
lookup visibility, exercise by key, keys freed by archives (also within one transaction), persistence."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from ledger import samples
from ledger.engine import (
    CreateAndExerciseCommand,
    CreateCommand,
    EmbeddedLedger,
    ExerciseCommand,
    TemplateId,
    ValidationError,
)
from ledger.engine.errors import (
    ContractKeyNotFound,
    ContractNotFound,
    DuplicateContractKey,
    UnhandledException,
)
from ledger.engine.keys import key_of
from ledger.engine.model import ExerciseByKeyCommand
from ledger.engine.storage import contracts_table
from ledger.engine.templates import MODEL, MODULE
from ledger.samples import CUSTOMER, MANUFACTURER, OUTSIDER, SUPPLIER
from tests.ledger.storages import STORAGES, storage_url

APP = "keys"
BOTH = (CUSTOMER, MANUFACTURER)


def tid(entity: str) -> TemplateId:
    return TemplateId("", MODULE, entity)


def order_key(order_id: str = "order-1") -> dict[str, str]:
    return {"manufacturer": MANUFACTURER, "orderId": order_id}


@pytest.fixture(params=STORAGES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with storage_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def ledger(database_url: str) -> AsyncIterator[EmbeddedLedger]:
    engine = await EmbeddedLedger.open(database_url)
    for party in samples.PARTIES:
        await engine.allocate_party(party)
    yield engine
    await engine.close()


def rows_of(rows: Any, entity: str) -> str:
    """The contract id of the one row of ``entity``."""
    [cid] = [cid for template, cid in rows if template.endswith(f":{entity}")]
    return str(cid)


def _cmd() -> str:
    return uuid.uuid4().hex


async def place(ledger: EmbeddedLedger, order_id: str = "order-1") -> str:
    """The customer's CustomerOrder."""
    placed = await ledger.submit(
        _cmd(), APP, [CUSTOMER], [CreateCommand(tid("CustomerOrder"), samples.customer_order(order_id))]
    )
    return placed.created[0].contract_id


async def agreement(ledger: EmbeddedLedger, order_id: str = "order-1") -> str:
    """An OrderAgreement as the platform makes it: the customer orders, the manufacturer accepts."""
    order = await place(ledger, order_id)
    accepted = await ledger.submit(
        _cmd(), APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), order, "AcceptOrder")]
    )
    result = accepted.exercise_results[0]
    assert isinstance(result, str)
    return result


async def test_one_agreement_per_order(ledger: EmbeddedLedger) -> None:
    first = await agreement(ledger)
    # the order is archived by AcceptOrder, so the customer may place the order id again ...
    again = await place(ledger)
    # ... but accepting it would make a second agreement for (manufacturer, orderId)
    with pytest.raises(DuplicateContractKey) as refused:
        await ledger.submit(
            _cmd(), APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), again, "AcceptOrder")]
        )
    assert str(refused.value).startswith("DUPLICATE_CONTRACT_KEY(10,")
    assert refused.value.grpc_status == "ALREADY_EXISTS" and refused.value.http_status == 409
    # nothing of the refused transaction happened: the order is still active, one agreement
    await ledger.fetch(again, [CUSTOMER])
    agreements, _ = await ledger.active_contracts([CUSTOMER], [tid("OrderAgreement")])
    assert [c.contract_id for c in agreements] == [first]
    # a direct create of a second agreement (both signatories acting) is refused as well
    with pytest.raises(DuplicateContractKey):
        await ledger.submit(
            _cmd(), APP, BOTH, [CreateCommand(tid("OrderAgreement"), samples.order_agreement())]
        )
    # another order, another customer of the same manufacturer: its own key
    await agreement(ledger, "order-2")


async def test_a_second_active_order_with_the_same_id_is_refused(ledger: EmbeddedLedger) -> None:
    create = CreateCommand(tid("CustomerOrder"), samples.customer_order("o-dup"))
    await ledger.submit(_cmd(), APP, [CUSTOMER], [create])
    with pytest.raises(DuplicateContractKey):
        await ledger.submit(_cmd(), APP, [CUSTOMER], [create])


async def test_fetch_by_key_only_for_stakeholders(ledger: EmbeddedLedger) -> None:
    cid = await agreement(ledger)
    for party in BOTH:
        found = await ledger.fetch_by_key(tid("OrderAgreement"), order_key(), [party])
        assert found.contract_id == cid
        assert key_of(MODEL.template(MODULE, "OrderAgreement"), found.payload) == order_key()
    with pytest.raises(ContractKeyNotFound) as hidden:
        await ledger.fetch_by_key(tid("OrderAgreement"), order_key(), [OUTSIDER])
    with pytest.raises(ContractKeyNotFound) as unused:
        await ledger.fetch_by_key(tid("OrderAgreement"), order_key("no-such-order"), [CUSTOMER])
    # the same answer for a hidden contract and an unused key (and a ContractNotFound for callers)
    assert isinstance(hidden.value, ContractNotFound)
    assert hidden.value.code == unused.value.code == "CONTRACT_KEY_NOT_FOUND"
    assert hidden.value.grpc_status == "NOT_FOUND" and hidden.value.http_status == 404
    # keys are per template: the agreement's key names no CustomerOrder
    with pytest.raises(ValidationError):
        await ledger.fetch_by_key(tid("CustomerOrder"), order_key(), [CUSTOMER])


async def test_exercise_by_key_and_the_shipment_once(ledger: EmbeddedLedger) -> None:
    await agreement(ledger)
    ship = ExerciseByKeyCommand(tid("OrderAgreement"), order_key(), "Ship", dict(samples.SHIP_ARGUMENT))
    tx = await ledger.submit(_cmd(), APP, [MANUFACTURER], [ship])
    shipped = tx.created[0]
    assert shipped.template_id.entity_name == "OrderAgreement"
    assert shipped.payload["shipment"]["carrier"] == "DHL"
    found = await ledger.fetch_by_key(tid("OrderAgreement"), order_key(), [CUSTOMER])
    assert found.contract_id == shipped.contract_id
    # Ship re-creates the agreement under its key; a second Ship is refused by its assert
    with pytest.raises(UnhandledException, match="already shipped"):
        await ledger.submit(_cmd(), APP, [MANUFACTURER], [ship])
    # a non-stakeholder cannot exercise by key: not found, as for an unused key
    with pytest.raises(ContractKeyNotFound):
        await ledger.submit(
            _cmd(), APP, [SUPPLIER], [ExerciseByKeyCommand(tid("OrderAgreement"), order_key(), "Archive")]
        )
    # a stakeholder that is no controller: the usual authorization error
    with pytest.raises(Exception) as denied:
        await ledger.submit(_cmd(), APP, [CUSTOMER], [ship])
    assert type(denied.value).__name__ == "DamlAuthorizationError"


async def test_archive_frees_the_key_even_within_one_transaction(ledger: EmbeddedLedger) -> None:
    create = CreateCommand(tid("CustomerOrder"), samples.customer_order("o-free"))
    key = {"customer": CUSTOMER, "orderId": "o-free"}
    archive = ExerciseByKeyCommand(tid("CustomerOrder"), key, "Archive")
    # create, archive by key and create again in one transaction: fine
    tx = await ledger.submit(_cmd(), APP, [CUSTOMER], [create, archive, create])
    last = tx.created[-1].contract_id
    assert (await ledger.fetch_by_key(tid("CustomerOrder"), key, [CUSTOMER])).contract_id == last
    # two creates with the same key in one transaction: refused, and nothing is committed
    end = await ledger.ledger_end()
    with pytest.raises(DuplicateContractKey):
        await ledger.submit(_cmd(), APP, [CUSTOMER], [archive, create, create])
    assert await ledger.ledger_end() == end
    assert (await ledger.fetch_by_key(tid("CustomerOrder"), key, [CUSTOMER])).contract_id == last
    # archived by key: the key is free for a new contract
    await ledger.submit(_cmd(), APP, [CUSTOMER], [archive])
    with pytest.raises(ContractKeyNotFound):
        await ledger.fetch_by_key(tid("CustomerOrder"), key, [CUSTOMER])
    await ledger.submit(_cmd(), APP, [CUSTOMER], [create])
    # a transient keyed contract (created and archived by one command) leaves no key behind
    pay = CreateAndExerciseCommand(
        tid("Invoice"), samples.invoice("o-free"), "ClaimPayment", dict(samples.CLAIM_PAYMENT_ARGUMENT)
    )
    await ledger.submit(_cmd(), APP, [MANUFACTURER, CUSTOMER], [pay])
    with pytest.raises(ContractKeyNotFound):
        await ledger.fetch_by_key(
            tid("Invoice"), {"issuer": MANUFACTURER, "invoiceId": "inv-o-free"}, [MANUFACTURER]
        )
    claim = await ledger.fetch_by_key(
        tid("PaymentClaim"), {"issuer": MANUFACTURER, "invoiceId": "inv-o-free"}, [CUSTOMER]
    )
    assert claim.payload["paymentRef"] == samples.CLAIM_PAYMENT_ARGUMENT["paymentRef"]


async def test_malformed_keys_are_refused(ledger: EmbeddedLedger) -> None:
    with pytest.raises(ValidationError):
        await ledger.fetch_by_key(tid("OrderAgreement"), {"manufacturer": MANUFACTURER}, [CUSTOMER])
    with pytest.raises(ValidationError):
        await ledger.fetch_by_key(tid("OrderAgreement"), {**order_key(), "extra": 1}, [CUSTOMER])
    with pytest.raises(ValidationError):
        await ledger.fetch_by_key(tid("OrderAgreement"), "order-1", [CUSTOMER])


async def test_keys_persist_and_are_backfilled(database_url: str) -> None:
    ledger = await EmbeddedLedger.open(database_url)
    try:
        for party in samples.PARTIES:
            await ledger.allocate_party(party)
        cid = await agreement(ledger)
        await ledger.submit(
            _cmd(), APP, [CUSTOMER], [CreateCommand(tid("CustomerOrder"), samples.customer_order("o-2"))]
        )
        supply = await ledger.submit(
            _cmd(), APP, [MANUFACTURER], [CreateCommand(tid("SupplyProposal"), samples.supply_terms())]
        )
        active = contracts_table.c.archived_offset.is_(None) & contracts_table.c.key_hash.is_not(None)
        async with ledger._storage.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(contracts_table.c.template_id, contracts_table.c.contract_id).where(active)
                )
            ).all()
        assert sorted((template.split(":", 1)[1], cid) for template, cid in rows) == sorted(
            [
                ("LotSizeOne.Contract:OrderAgreement", cid),
                ("LotSizeOne.Contract:CustomerOrder", rows_of(rows, "CustomerOrder")),
                ("LotSizeOne.Contract:SupplyProposal", supply.created[0].contract_id),
            ]
        )
        # a ledger written before keys existed has no key column: it is added and filled when it opens
        async with ledger._storage.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE ledger_contracts DROP COLUMN key_hash"))
    finally:
        await ledger.close()
    for _ in range(2):
        reopened = await EmbeddedLedger.open(database_url)
        try:
            found = await reopened.fetch_by_key(tid("OrderAgreement"), order_key(), [MANUFACTURER])
            assert found.contract_id == cid
            with pytest.raises(DuplicateContractKey):
                await reopened.submit(
                    _cmd(), APP, BOTH, [CreateCommand(tid("OrderAgreement"), samples.order_agreement())]
                )
            supply_key = {"manufacturer": MANUFACTURER, "orderId": "order-1", "supplier": SUPPLIER}
            await reopened.fetch_by_key(tid("SupplyProposal"), supply_key, [SUPPLIER])
        finally:
            await reopened.close()


async def test_verify_checks_the_stored_keys(ledger: EmbeddedLedger) -> None:
    cid = await agreement(ledger, "o-verify")
    assert (await ledger.verify()).ok
    async with ledger._storage.engine.begin() as conn:
        await conn.execute(
            contracts_table.update().where(contracts_table.c.contract_id == cid).values(key_hash="0" * 64)
        )
    report = await ledger.verify()
    assert not report.ok
    assert any(cid in problem for problem in report.problems)
