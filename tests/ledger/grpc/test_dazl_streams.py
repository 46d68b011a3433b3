"""Streams through dazl (ACS, then live transactions), transaction trees, restarting ``python -m ledger``."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from pathlib import Path

import dazl
import grpc
import pytest
from dazl._gen.com.daml.ledger.api import v1 as lapi

from ledger import samples
from ledger.dazl_client import Archived, Checkpoint, Created, DazlLedgerClient
from ledger.engine.templates import MODULE
from ledger.lf import build_dar
from ledger.samples import CUSTOMER, MANUFACTURER
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.grpc.conftest import GrpcLedger, client, make_token


def t(entity: str) -> str:
    return f"{MODULE}:{entity}"


async def test_stream_gives_the_snapshot_then_live_creates_and_archives(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    async with (
        client(grpc_ledger, MANUFACTURER, CUSTOMER) as both,
        client(grpc_ledger, CUSTOMER) as customer,
    ):
        before = await both.create(t("Invoice"), samples.invoice("order-s1"))
        seen: list[tuple[str, str]] = []
        live = asyncio.Event()
        token = make_token([CUSTOMER])
        async with dazl.connect(
            url=grpc_ledger.url, act_as=[dazl.Party(CUSTOMER)], oauth_token=token
        ) as conn:
            stream = conn.stream(t("Invoice"))

            async def read() -> None:
                async for event in stream:
                    if isinstance(event, dazl.ledger.CreateEvent):
                        seen.append(("create", event.contract_id.value))
                    elif isinstance(event, dazl.ledger.ArchiveEvent):
                        seen.append(("archive", event.contract_id.value))
                    if len(seen) == 3:
                        live.set()

            reader = asyncio.create_task(read())
            await asyncio.sleep(0.2)
            after = await both.create(t("Invoice"), samples.invoice("order-s2"))
            await customer.exercise(
                t("Invoice"), before.contract_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT
            )
            await asyncio.wait_for(live.wait(), 10)
            await stream.close()
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
    assert seen[:3] == [
        ("create", before.contract_id),
        ("create", after.contract_id),
        ("archive", before.contract_id),
    ]


async def test_transaction_trees_show_each_party_its_view(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, CUSTOMER) as customer:
        start = await customer.ledger_end()
        order = await customer.create(t("CustomerOrder"), samples.customer_order("order-s3"))
        await manufacturer.exercise(t("CustomerOrder"), order.contract_id, "AcceptOrder")
    request = lapi.GetTransactionsRequest(
        begin=lapi.LedgerOffset(absolute=start),
        end=lapi.LedgerOffset(boundary=lapi.LedgerOffset.LedgerBoundary.LEDGER_END),
        filter=lapi.TransactionFilter(filters_by_party={CUSTOMER: lapi.Filters()}),
    )
    metadata = (("authorization", f"Bearer {make_token([CUSTOMER])}"),)
    async with grpc.aio.insecure_channel(grpc_ledger.url.removeprefix("http://")) as channel:
        stub = lapi.TransactionServiceStub(channel)
        trees = [
            tx async for r in stub.GetTransactionTrees(request, metadata=metadata) for tx in r.transactions
        ]
        flats = [tx async for r in stub.GetTransactions(request, metadata=metadata) for tx in r.transactions]
    kinds = [sorted(e.WhichOneof("kind") for e in tree.events_by_id.values()) for tree in trees]
    assert kinds == [["created"], ["created", "exercised"]]
    exercise = next(
        e.exercised for e in trees[1].events_by_id.values() if e.WhichOneof("kind") == "exercised"
    )
    assert (exercise.choice, exercise.consuming, list(exercise.acting_parties)) == (
        "AcceptOrder",
        True,
        [MANUFACTURER],
    )
    assert list(trees[1].root_event_ids) == [exercise.event_id]
    flat_kinds = [[e.WhichOneof("event") for e in tx.events] for tx in flats]
    assert flat_kinds == [["created"], ["archived", "created"]]
    assert all(tx.offset > start for tx in flats)


async def test_offset_beyond_the_end_is_out_of_range(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    request = lapi.GetTransactionsRequest(
        begin=lapi.LedgerOffset(absolute=f"{10**9:016x}"),
        filter=lapi.TransactionFilter(filters_by_party={CUSTOMER: lapi.Filters()}),
    )
    metadata = (("authorization", f"Bearer {make_token([CUSTOMER])}"),)
    async with grpc.aio.insecure_channel(grpc_ledger.url.removeprefix("http://")) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            async for _ in lapi.TransactionServiceStub(channel).GetTransactions(request, metadata=metadata):
                pass
    assert failure.value.code() == grpc.StatusCode.OUT_OF_RANGE


async def test_contracts_survive_a_restart_of_the_ledger_process(tmp_path: Path) -> None:
    secret = "restart-secret-restart-secret-restart-secret"
    ledger = LedgerProcess(tmp_path / "ledger", secret=secret)
    ledger.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    await ledger.astart()
    try:
        assert ledger.info.grpc is not None
        url = f"http://{ledger.info.grpc}"
        admin_token = hs256_token(secret, admin=True, application_id="lot-size-one")
        async with DazlLedgerClient(url, admin=True, token=admin_token) as admin:
            for party in (CUSTOMER, MANUFACTURER):
                await admin.allocate_party(party)
            await admin.upload_dar(build_dar())
        token = hs256_token(secret, act_as=[CUSTOMER], application_id="lot-size-one")
        async with DazlLedgerClient(url, act_as=[CUSTOMER], token=token) as customer:
            order = await customer.create(t("CustomerOrder"), samples.customer_order("order-restart"))
        await ledger.astop()
        await ledger.astart()
        async with DazlLedgerClient(url, act_as=[CUSTOMER], token=token) as customer:
            assert [c.contract_id for c in await customer.query(t("CustomerOrder"))] == [order.contract_id]
            closed = await customer.exercise(t("CustomerOrder"), order.contract_id, "Archive")
            assert closed.archived == [order.contract_id]
    finally:
        await ledger.astop()


async def test_client_stream_resumes_from_a_checkpoint(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, CUSTOMER) as customer:
        first = await customer.create(t("CustomerOrder"), samples.customer_order("order-s4"))
        checkpoint: str | None = None
        async with aclosing(manufacturer.stream(t("CustomerOrder"))) as snapshot:
            async for event in snapshot:
                if isinstance(event, Checkpoint):
                    checkpoint = event.offset
                    break
        assert checkpoint is not None
        second = await customer.create(t("CustomerOrder"), samples.customer_order("order-s5"))
        await customer.exercise(t("CustomerOrder"), first.contract_id, "Archive")
        later: list[object] = []
        async with (
            asyncio.timeout(10),
            aclosing(manufacturer.stream(t("CustomerOrder"), offset=checkpoint)) as tail,
        ):
            async for event in tail:
                if not isinstance(event, Checkpoint):
                    later.append(event)
                if len(later) == 2:
                    break
    assert later == [Created(second), Archived(first.contract_id)]
