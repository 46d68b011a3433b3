"""``lso ledger verify`` covers the active contract set: the contracts table must be what replaying the
hash-chained log gives. An edited price, an un-archived contract, a deleted row or an extra row is reported
with its contract id and a non-zero exit (the real CLI, as a subprocess), on SQLite and PostgreSQL; and a
ledger whose contracts table or chain head does not match its log refuses to open (``lso ledger serve`` does
not start), as a Daml participant does not start on a corrupt store."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from ledger import samples
from ledger.engine import ChainBroken, CreateCommand, EmbeddedLedger, ExerciseCommand, TemplateId
from ledger.engine.storage import Storage, contracts_table, log_table
from ledger.engine.templates import MODULE
from ledger.testing import REPO_ROOT, LedgerProcess
from tests.ledger.storages import STORAGES, storage_url

FAKE_ID = "00" + "ee" * 32


@dataclass
class Store:
    url: str
    priced: str  # an active invoice (its amount gets edited)
    paid: str  # an archived invoice (gets un-archived)
    order: str  # an active order (its row gets deleted)


async def build(url: str) -> Store:
    ledger = await EmbeddedLedger.open(url)
    try:
        for party in samples.PARTIES:
            await ledger.ensure_party(party)
        invoice = TemplateId("", MODULE, "Invoice")
        m, c = [samples.MANUFACTURER, samples.CUSTOMER], [samples.CUSTOMER]
        priced = await ledger.submit("v1", "t", m, [CreateCommand(invoice, samples.invoice("order-v1"))])
        paid = await ledger.submit("v2", "t", m, [CreateCommand(invoice, samples.invoice("order-v2"))])
        paid_id = paid.created[0].contract_id
        await ledger.submit(
            "v3", "t", c, [ExerciseCommand(invoice, paid_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT)]
        )
        order = TemplateId("", MODULE, "CustomerOrder")
        ordered = await ledger.submit(
            "v4", "t", c, [CreateCommand(order, samples.customer_order("order-v4"))]
        )
        return Store(url, priced.created[0].contract_id, paid_id, ordered.created[0].contract_id)
    finally:
        await ledger.close()


@pytest.fixture(scope="module", params=STORAGES)
async def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Store]:
    async with storage_url(request.param, tmp_path_factory.mktemp(f"verify-{request.param}")) as url:
        yield await build(url)


#: tamper -> (the contract it touches, what verify says about it)
TAMPERS = {
    "edited-price": ("priced", 'argument \'amount\' is "1.00" in the table, "120.5" in the log'),
    "un-archived": ("paid", "active in the table but archived by the log at offset 3"),
    "deleted-row": ("order", "active in the log (created at offset 4) but missing from the table"),
    "extra-row": ("priced", "active row in the table that no transaction of the log creates"),
}


def target(kind: str, s: Store) -> str:
    return FAKE_ID if kind == "extra-row" else str(getattr(s, TAMPERS[kind][0]))


async def tamper(storage: Storage, s: Store, kind: str) -> Callable[[], Awaitable[None]]:
    """Change the contracts table as ``kind`` says; returns the undo."""
    cid = getattr(s, TAMPERS[kind][0])
    where = contracts_table.c.contract_id == cid
    async with storage.engine.begin() as conn:
        saved = (await conn.execute(select(contracts_table).where(where))).one()._asdict()
        if kind == "edited-price":
            edited = saved["payload"].replace('"amount":"120.5"', '"amount":"1.00"')
            assert edited != saved["payload"]
            await conn.execute(update(contracts_table).where(where).values(payload=edited))
        elif kind == "un-archived":
            await conn.execute(update(contracts_table).where(where).values(archived_offset=None))
        elif kind == "deleted-row":
            await conn.execute(delete(contracts_table).where(where))
        else:
            await conn.execute(insert(contracts_table).values({**saved, "contract_id": FAKE_ID}))

    async def undo() -> None:
        async with storage.engine.begin() as conn:
            await conn.execute(
                delete(contracts_table).where(contracts_table.c.contract_id.in_([cid, FAKE_ID]))
            )
            await conn.execute(insert(contracts_table).values(saved))

    return undo


def verify_cli(url: str, *, lso: bool = False) -> subprocess.CompletedProcess[str]:
    """``lso ledger verify`` (``python -m cli.main ledger verify``; or the same typer app, ``cli.ledger``)."""
    entry = ["-m", "cli.main", "ledger"] if lso else ["-m", "cli.ledger"]
    return subprocess.run(
        [sys.executable, *entry, "verify", "--database-url", url],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )


async def test_intact_store_verifies(store: Store) -> None:
    result = verify_cli(store.url, lso="sqlite" in store.url)
    assert result.returncode == 0, result.stderr
    assert "ok: 4 transactions, hash chain intact; 3 active contracts match the log" in result.stdout


@pytest.mark.parametrize("kind", list(TAMPERS))
async def test_each_tamper_is_found_and_the_ledger_refuses_to_open(store: Store, kind: str) -> None:
    storage = Storage(store.url)
    try:
        undo = await tamper(storage, store, kind)
        try:
            report = await _verify(storage)
            assert not report.ok
            assert f"contract {target(kind, store)}: {TAMPERS[kind][1]}" in report.problems
            with pytest.raises(ChainBroken, match="active contract set"):
                await EmbeddedLedger.open(store.url)
        finally:
            await undo()
        assert (await _verify(storage)).ok
    finally:
        await storage.close()


async def test_the_cli_names_every_tampered_contract(store: Store) -> None:
    storage = Storage(store.url)
    undos = []
    try:
        for kind in TAMPERS:
            undos.append(await tamper(storage, store, kind))
        result = verify_cli(store.url)
        assert result.returncode == 1
        for kind, (_, says) in TAMPERS.items():
            assert f"BROKEN: contract {target(kind, store)}: {says}" in result.stderr, result.stderr
    finally:
        for undo in reversed(undos):
            await undo()
        assert (await _verify(storage)).ok
        await storage.close()


async def test_an_altered_log_entry_breaks_the_chain(store: Store) -> None:
    storage = Storage(store.url)
    try:
        async with storage.engine.begin() as conn:
            body = (await conn.execute(select(log_table.c.body).where(log_table.c.offset == 2))).scalar_one()
            altered = body.replace('"120.5"', '"0.01"')
            assert altered != body
            await conn.execute(update(log_table).where(log_table.c.offset == 2).values(body=altered))
        try:
            result = verify_cli(store.url)
            assert result.returncode == 1
            assert "BROKEN: hash chain: log entry 2 was altered" in result.stderr
        finally:
            async with storage.engine.begin() as conn:
                await conn.execute(update(log_table).where(log_table.c.offset == 2).values(body=body))
    finally:
        await storage.close()


async def test_serve_refuses_a_store_whose_chain_head_does_not_verify(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}"
    await build(url)
    storage = Storage(url)
    try:
        async with storage.engine.begin() as conn:
            await conn.execute(update(log_table).where(log_table.c.offset == 4).values(hash="f" * 64))
    finally:
        await storage.close()
    with pytest.raises(ChainBroken, match="log entry 4 was altered"):
        await EmbeddedLedger.open(url)
    process = LedgerProcess(tmp_path, database_url=url)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    with pytest.raises(RuntimeError, match="ChainBroken"):
        await process.astart(timeout=30)


async def _verify(storage: Storage) -> Any:
    from ledger.engine.verify import verify_store

    return await verify_store(storage)
