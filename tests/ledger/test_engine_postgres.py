"""The embedded ledger persisted in PostgreSQL (the server at 127.0.0.1:5432): commit, restart, verify."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ledger import samples
from ledger.engine import CreateCommand, EmbeddedLedger, ExerciseCommand, TemplateId
from ledger.engine.templates import MODULE
from tests.ledger.storages import postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with postgres_database() as url:
        yield url


def tid(entity: str) -> TemplateId:
    return TemplateId("", MODULE, entity)


async def test_postgres_commit_restart_and_chain(database_url: str) -> None:
    ledger = await EmbeddedLedger.open(database_url)
    for party in samples.PARTIES:
        await ledger.allocate_party(party)
    invoice = await ledger.submit(
        "p1",
        "t",
        [samples.MANUFACTURER, samples.CUSTOMER],
        [CreateCommand(tid("Invoice"), samples.invoice())],
    )
    paid = await ledger.submit(
        "p2",
        "t",
        [samples.CUSTOMER],
        [
            ExerciseCommand(
                tid("Invoice"), invoice.created[0].contract_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT
            )
        ],
    )
    await ledger.upload_package("pkg", b"\x00\x01")
    before, _ = await ledger.active_contracts(samples.PARTIES)
    await ledger.close()

    reopened = await EmbeddedLedger.open(database_url)
    try:
        after, end = await reopened.active_contracts(samples.PARTIES)
        assert after == before and end == 2
        assert [c.contract_id for c in after] == [paid.exercise_results[0]]
        assert await reopened.verify_chain() == 2
        assert await reopened.get_package("pkg") == b"\x00\x01"
        again, duplicate = await reopened.submit_ex(
            "p1",
            "t",
            [samples.MANUFACTURER, samples.CUSTOMER],
            [CreateCommand(tid("Invoice"), samples.invoice())],
        )
        assert duplicate and again == invoice
    finally:
        await reopened.close()
