"""The embedded ledger engine: every template's happy path, DAML's authorization and visibility rules,
deduplication, atomicity, restart and the hash chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ledger import samples
from ledger.engine import (
    AuthorizationError,
    ChainBroken,
    Command,
    ContractNotFound,
    CreateAndExerciseCommand,
    CreateCommand,
    DuplicateCommand,
    EmbeddedLedger,
    ExerciseCommand,
    PartyExists,
    TemplateId,
    UnknownChoice,
    UnknownTemplate,
    ValidationError,
)
from ledger.engine.storage import log_table
from ledger.engine.templates import MODULE
from ledger.samples import CUSTOMER, MANUFACTURER, OUTSIDER, SUPPLIER

APP = "tests"


def tid(entity: str) -> TemplateId:
    return TemplateId("", MODULE, entity)


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path / 'ledger.db'}"


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[EmbeddedLedger]:
    engine = await EmbeddedLedger.open(url(tmp_path), ledger_id="test-ledger")
    for party in samples.PARTIES:
        await engine.allocate_party(party, party.lower())
    yield engine
    await engine.close()


async def create(
    ledger: EmbeddedLedger, entity: str, payload: dict[str, object], party: str, cmd: str
) -> str:
    tx = await ledger.submit(cmd, APP, [party], [CreateCommand(tid(entity), payload)])
    return tx.created[0].contract_id


async def order_agreement(ledger: EmbeddedLedger, order_id: str, cmd: str) -> str:
    """An order agreement for ``order_id``: the customer orders, the manufacturer accepts."""
    order = await create(ledger, "CustomerOrder", samples.customer_order(order_id), CUSTOMER, f"{cmd}-o")
    tx = await ledger.submit(
        f"{cmd}-a", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), order, "AcceptOrder")]
    )
    return str(tx.exercise_results[0])


async def test_customer_order_accepted_and_supply_proposed(ledger: EmbeddedLedger) -> None:
    order_cid = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "c1")
    order = await ledger.fetch(order_cid, [MANUFACTURER])
    assert order.signatories == (CUSTOMER,) and order.observers == (MANUFACTURER,)
    assert order.payload["quantity"] == 1

    tx = await ledger.submit(
        "c3", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), order_cid, "AcceptOrder")]
    )
    agreement_cid = tx.exercise_results[0]
    agreement = await ledger.fetch(agreement_cid, [CUSTOMER])
    assert agreement.signatories == (CUSTOMER, MANUFACTURER)
    assert agreement.payload["price"] == "120.5"
    assert agreement.payload["penalty"] == {"perDayLate": "5", "cap": "50"}
    assert agreement.payload["agreedAt"].rstrip("0Z") == tx.effective_at.rstrip("0Z")
    with pytest.raises(ContractNotFound):
        await ledger.fetch(order_cid, [CUSTOMER])
    flat = tx.flat_events({CUSTOMER})
    assert [type(e).__name__ for e in flat] == ["ArchivedEvent", "CreatedEvent"]

    tx = await ledger.submit(
        "c4",
        APP,
        [MANUFACTURER],
        [ExerciseCommand(tid("OrderAgreement"), agreement_cid, "ProposeSupply", samples.supply_argument())],
    )
    proposal = await ledger.fetch(tx.exercise_results[0], [SUPPLIER])
    assert proposal.template_id.entity_name == "SupplyProposal"
    assert proposal.payload["orderId"] == "order-1"
    await ledger.fetch(agreement_cid, [MANUFACTURER])  # nonconsuming: still active


async def test_supply_proposal_accept_reject_withdraw(ledger: EmbeddedLedger) -> None:
    for order_id in ("o1", "o2", "o3"):
        await order_agreement(ledger, order_id, f"ag-{order_id}")
    p1 = await create(ledger, "SupplyProposal", samples.supply_terms("o1"), MANUFACTURER, "s1")
    tx = await ledger.submit(
        "s2", APP, [SUPPLIER], [ExerciseCommand(tid("SupplyProposal"), p1, "AcceptSupply")]
    )
    agreement = await ledger.fetch(tx.exercise_results[0], [SUPPLIER])
    assert agreement.template_id.entity_name == "SupplyAgreement"
    assert agreement.signatories == (MANUFACTURER, SUPPLIER)

    p2 = await create(ledger, "SupplyProposal", samples.supply_terms("o2"), MANUFACTURER, "s3")
    tx = await ledger.submit(
        "s4",
        APP,
        [SUPPLIER],
        [ExerciseCommand(tid("SupplyProposal"), p2, "RejectSupply", {"reason": "busy"})],
    )
    assert tx.exercise_results == ({},)
    p3 = await create(ledger, "SupplyProposal", samples.supply_terms("o3"), MANUFACTURER, "s5")
    await ledger.submit(
        "s6", APP, [MANUFACTURER], [ExerciseCommand(tid("SupplyProposal"), p3, "WithdrawSupply")]
    )
    active, _ = await ledger.active_contracts([SUPPLIER])
    assert [c.contract_id for c in active] == [agreement.contract_id]


async def test_invoice_claimed_and_confirmed_gives_receipt(ledger: EmbeddedLedger) -> None:
    order = await order_agreement(ledger, "order-1", "i0")
    tx = await ledger.submit(
        "i1",
        APP,
        [MANUFACTURER],
        [ExerciseCommand(tid("OrderAgreement"), order, "RaiseInvoice", samples.raise_invoice_argument())],
    )
    invoice = tx.exercise_results[0]
    tx = await ledger.submit(
        "i2",
        APP,
        [CUSTOMER],
        [ExerciseCommand(tid("Invoice"), invoice, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT)],
    )
    claim = tx.exercise_results[0]
    tx = await ledger.submit(
        "i3", APP, [MANUFACTURER], [ExerciseCommand(tid("PaymentClaim"), claim, "ConfirmPayment")]
    )
    receipt = await ledger.fetch(tx.exercise_results[0], [MANUFACTURER])
    assert receipt.signatories == (CUSTOMER, MANUFACTURER)
    assert receipt.payload["paymentRef"] == "SEPA-0001"
    assert receipt.payload["amount"] == "120.5"
    with pytest.raises(ContractNotFound):
        await ledger.submit(
            "i4",
            APP,
            [CUSTOMER],
            [ExerciseCommand(tid("Invoice"), invoice, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT)],
        )


async def test_archive_by_signatories_only(ledger: EmbeddedLedger) -> None:
    order = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "a1")
    with pytest.raises(AuthorizationError):
        await ledger.submit(
            "a2", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), order, "Archive")]
        )
    await ledger.submit("a3", APP, [CUSTOMER], [ExerciseCommand(tid("CustomerOrder"), order, "Archive")])
    assert (await ledger.active_contracts([CUSTOMER]))[0] == []


async def test_create_by_non_signatory_refused(ledger: EmbeddedLedger) -> None:
    with pytest.raises(AuthorizationError, match="signatory"):
        await ledger.submit(
            "x1", APP, [MANUFACTURER], [CreateCommand(tid("CustomerOrder"), samples.customer_order())]
        )
    with pytest.raises(AuthorizationError):
        # an agreement needs both signatures: the manufacturer alone cannot create it
        await ledger.submit(
            "x2", APP, [MANUFACTURER], [CreateCommand(tid("OrderAgreement"), samples.order_agreement())]
        )
    assert await ledger.ledger_end() == 0


async def test_exercise_by_non_controller_refused(ledger: EmbeddedLedger) -> None:
    order = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "n1")
    # the customer sees its order but cannot accept it for the manufacturer
    with pytest.raises(AuthorizationError, match="controller"):
        await ledger.submit(
            "n2", APP, [CUSTOMER], [ExerciseCommand(tid("CustomerOrder"), order, "AcceptOrder")]
        )
    # an outsider does not even see it
    with pytest.raises(ContractNotFound):
        await ledger.submit(
            "n3", APP, [OUTSIDER], [ExerciseCommand(tid("CustomerOrder"), order, "AcceptOrder")]
        )
    await ledger.fetch(order, [MANUFACTURER])


async def test_non_stakeholder_sees_nothing(ledger: EmbeddedLedger) -> None:
    cid = await create(ledger, "SupplyProposal", samples.supply_terms(), MANUFACTURER, "v1")
    with pytest.raises(ContractNotFound):
        await ledger.fetch(cid, [OUTSIDER, CUSTOMER])
    assert (await ledger.active_contracts([OUTSIDER, CUSTOMER]))[0] == []
    assert await ledger.transactions([OUTSIDER]) == []
    assert len(await ledger.transactions([SUPPLIER])) == 1


async def test_duplicate_command_is_deduplicated(ledger: EmbeddedLedger) -> None:
    command = [CreateCommand(tid("CustomerOrder"), samples.customer_order())]
    first, dup1 = await ledger.submit_ex("same", APP, [CUSTOMER], command)
    again, dup2 = await ledger.submit_ex("same", APP, [CUSTOMER], command)
    assert (dup1, dup2) == (False, True)
    assert again == first
    assert await ledger.ledger_end() == 1
    assert len((await ledger.active_contracts([CUSTOMER]))[0]) == 1
    with pytest.raises(DuplicateCommand) as refused:  # submit answers a duplicate as Daml does
        await ledger.submit("same", APP, [CUSTOMER], command)
    assert (refused.value.offset, refused.value.transaction_id) == (1, first.transaction_id)
    # another application's command with the same id is a different command
    other = [CreateCommand(tid("CustomerOrder"), samples.customer_order("order-other"))]
    await ledger.submit("same", "other-app", [CUSTOMER], other)
    assert await ledger.ledger_end() == 2


async def test_failed_transaction_leaves_no_trace(ledger: EmbeddedLedger) -> None:
    order = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "f1")
    commands: list[Command] = [
        ExerciseCommand(tid("CustomerOrder"), order, "Archive"),
        CreateCommand(
            tid("CustomerOrder"), samples.customer_order(customer=MANUFACTURER, manufacturer=CUSTOMER)
        ),
    ]
    with pytest.raises(AuthorizationError):
        await ledger.submit("f2", APP, [CUSTOMER], commands)
    await ledger.fetch(order, [CUSTOMER])
    assert await ledger.ledger_end() == 1
    # the failed command id is not burnt
    await ledger.submit("f2", APP, [CUSTOMER], commands[:1])


async def test_create_and_exercise(ledger: EmbeddedLedger) -> None:
    await order_agreement(ledger, "order-1", "ce0")
    tx = await ledger.submit(
        "ce",
        APP,
        [MANUFACTURER, SUPPLIER],
        [CreateAndExerciseCommand(tid("SupplyProposal"), samples.supply_terms(), "AcceptSupply")],
    )
    assert [e.template_id.entity_name for e in tx.flat_events()] == ["SupplyAgreement"]
    assert len(tx.root_event_ids) == 2
    assert tx.exercise_results == (tx.flat_events()[0].contract_id,)
    assert len((await ledger.active_contracts([SUPPLIER]))[0]) == 1


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({**samples.customer_order(), "quantity": 0}, "precondition violated.*quantity"),
        ({**samples.customer_order(), "quantity": "one"}, "quantity"),
        ({**samples.customer_order(), "extra": 1}, "unknown field"),
        ({k: v for k, v in samples.customer_order().items() if k != "productId"}, "productId: missing"),
        ({**samples.customer_order(), "deliveryDate": "2027-02-30"}, "date"),
        ({**samples.customer_order(), "manufacturer": "Nobody"}, "unknown party"),
    ],
)
async def test_invalid_payload_refused(
    ledger: EmbeddedLedger, payload: dict[str, object], error: str
) -> None:
    with pytest.raises(ValidationError, match=error):
        await ledger.submit("bad", APP, [CUSTOMER], [CreateCommand(tid("CustomerOrder"), payload)])


async def test_unknown_template_choice_and_party(ledger: EmbeddedLedger) -> None:
    with pytest.raises(UnknownTemplate):
        await ledger.submit("u1", APP, [CUSTOMER], [CreateCommand(tid("Nope"), {})])
    cid = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "u2")
    with pytest.raises(UnknownChoice):
        await ledger.submit("u3", APP, [CUSTOMER], [ExerciseCommand(tid("CustomerOrder"), cid, "Nope")])
    with pytest.raises(ValidationError, match="unknown submitting"):
        await ledger.submit(
            "u4", APP, ["Ghost"], [CreateCommand(tid("CustomerOrder"), samples.customer_order())]
        )
    with pytest.raises(PartyExists):
        await ledger.allocate_party(CUSTOMER)
    assert (await ledger.ensure_party(CUSTOMER)).party == CUSTOMER


async def test_restart_keeps_everything_and_chain_verifies(tmp_path: Path) -> None:
    ledger = await EmbeddedLedger.open(url(tmp_path))
    for party in samples.PARTIES:
        await ledger.allocate_party(party)
    await ledger.upload_package("pkg1", b"\x00payload")
    proposal = await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "r1")
    tx = await ledger.submit(
        "r2", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), proposal, "AcceptOrder")]
    )
    await ledger.submit(
        "r3", APP, [MANUFACTURER, CUSTOMER], [CreateCommand(tid("Invoice"), samples.invoice())]
    )
    before, end = await ledger.active_contracts(samples.PARTIES)
    ledger_id = ledger.ledger_id
    await ledger.close()

    reopened = await EmbeddedLedger.open(url(tmp_path), ledger_id="ignored")
    try:
        assert reopened.ledger_id == ledger_id
        after, end_after = await reopened.active_contracts(samples.PARTIES)
        assert after == before and end_after == end == 3
        assert {p.party for p in await reopened.list_parties()} == set(samples.PARTIES)
        assert await reopened.get_package("pkg1") == b"\x00payload"
        assert await reopened.verify_chain() == 3
        # dedup survives the restart
        again, duplicate = await reopened.submit_ex(
            "r2", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), proposal, "AcceptOrder")]
        )
        assert duplicate and again == tx
        with pytest.raises(ContractNotFound, match="Contract could not be found with id"):  # not "archived"
            await reopened.submit(
                "r4", APP, [MANUFACTURER], [ExerciseCommand(tid("CustomerOrder"), proposal, "AcceptOrder")]
            )
        txs = await reopened.transactions(None)
        assert [t.offset for t in txs] == [1, 2, 3]
        assert txs[1].prev_hash == txs[0].hash
    finally:
        await reopened.close()


async def test_tampered_log_detected(ledger: EmbeddedLedger) -> None:
    await create(ledger, "CustomerOrder", samples.customer_order("a"), CUSTOMER, "t1")
    await create(ledger, "CustomerOrder", samples.customer_order("b"), CUSTOMER, "t2")
    assert await ledger.verify_chain() == 2
    async with ledger._storage.engine.begin() as conn:
        row = (await conn.execute(log_table.select().where(log_table.c.offset == 1))).one()
        await conn.execute(
            log_table.update().where(log_table.c.offset == 1).values(body=row.body.replace('"a"', '"z"'))
        )
    with pytest.raises(ChainBroken, match="altered"):
        await ledger.verify_chain()


async def test_wait_for_change(ledger: EmbeddedLedger) -> None:
    assert await ledger.wait_for_change(0, timeout=0.05) == 0
    await create(ledger, "CustomerOrder", samples.customer_order(), CUSTOMER, "w1")
    assert await ledger.wait_for_change(0, timeout=1) == 1
