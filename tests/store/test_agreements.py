"""Agreements: customer order contracts and supply agreements of an order."""

from __future__ import annotations

import pytest

from store import ConflictError, Database, NotFoundError
from store.enums import AgreementKind
from store.records import NewAgreement, OrderRecord


async def test_agreements_of_an_order(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as repos:
        main = await repos.agreements.add(
            NewAgreement(
                order_id=order.id,
                kind=AgreementKind.ORDER,
                parties={"customer": "carla", "manufacturer": "bikes"},
                terms={"price": "1020.50", "currency": "EUR"},
            )
        )
        supply = await repos.agreements.add(
            NewAgreement(
                order_id=order.id,
                kind=AgreementKind.SUPPLY,
                parties={"manufacturer": "bikes", "supplier": "steel"},
                terms={"part": "frame"},
            )
        )
        committed = await repos.agreements.set_ledger_contract_id(main.id, "#10:1", status="committed")
        with pytest.raises(ConflictError):
            await repos.agreements.set_ledger_contract_id(supply.id, "#10:1")
        with pytest.raises(NotFoundError):
            await repos.agreements.add(
                NewAgreement(order_id="missing", kind=AgreementKind.ORDER, parties={}, terms={})
            )
    async with db.transaction() as repos:
        assert await repos.agreements.by_order(order.id) == [committed, supply]
        assert await repos.agreements.by_order(order.id, AgreementKind.SUPPLY) == [supply]
        assert await repos.agreements.get_by_ledger_contract_id("#10:1") == committed
        done = await repos.agreements.set_status(supply.id, "fulfilled")
    assert main.status == "pending" and committed.status == "committed"
    assert done.status == "fulfilled" and done.ledger_contract_id is None
