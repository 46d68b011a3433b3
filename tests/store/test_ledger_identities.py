"""Ledger identities in the store (SQLite and PostgreSQL): one row per platform party and per ledger user,
the first writer wins, party ids kept exactly as the ledger allocated them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ontology.contract import PartyRole
from store import Database
from store.records import NewLedgerIdentity

PARTY = "supplier-SUP-0001::1220" + "ab" * 32


def _new(
    platform_id: str = "SUP-0001", party: str = PARTY, user: str = "lso-supplier-sup-0001"
) -> NewLedgerIdentity:
    return NewLedgerIdentity(
        role=PartyRole.SUPPLIER,
        platform_id=platform_id,
        ledger_party=party,
        ledger_user=user,
        display_name="Sandberg Laser AB",
        created_by="tests",
    )


async def test_record_keeps_the_identity_as_given(db: Database) -> None:
    async with db.transaction() as repos:
        record, created = await repos.ledger_identities.record(_new())
    assert created
    assert (record.role, record.platform_id, record.ledger_party, record.ledger_user) == (
        PartyRole.SUPPLIER,
        "SUP-0001",
        PARTY,
        "lso-supplier-sup-0001",
    )
    assert record.created_at.tzinfo is not None
    async with db.transaction() as repos:
        assert await repos.ledger_identities.get(PartyRole.SUPPLIER, "SUP-0001") == record
        assert await repos.ledger_identities.get(PartyRole.MANUFACTURER, "SUP-0001") is None
        assert await repos.ledger_identities.by_user("lso-supplier-sup-0001") == record
        assert await repos.ledger_identities.of_party(PARTY) == [record]


async def test_the_first_writer_wins(db: Database) -> None:
    async with db.transaction() as repos:
        first, _ = await repos.ledger_identities.record(_new())
        same_party, created = await repos.ledger_identities.record(
            _new(party="supplier-other::1220" + "cd" * 32)
        )
        assert not created and same_party == first
        same_user, created_user = await repos.ledger_identities.record(_new(platform_id="SUP-0002"))
        assert not created_user and same_user == first, "one ledger user never signs for two platform parties"
        assert await repos.ledger_identities.list_all() == [first]


async def test_list_by_role(db: Database) -> None:
    async with db.transaction() as repos:
        supplier, _ = await repos.ledger_identities.record(_new())
        customer, _ = await repos.ledger_identities.record(
            NewLedgerIdentity(
                role=PartyRole.CUSTOMER,
                platform_id="c-1",
                ledger_party="customer-c-1::1220" + "ef" * 32,
                ledger_user="lso-customer-c-1",
                created_by="tests",
            )
        )
        assert await repos.ledger_identities.list_all() == [customer, supplier]
        assert await repos.ledger_identities.list_all(PartyRole.SUPPLIER) == [supplier]


def test_new_identities_are_checked() -> None:
    with pytest.raises(ValidationError):
        _new(party="")
    with pytest.raises(ValidationError):
        NewLedgerIdentity.model_validate({**_new().model_dump(), "role": "operator"})
