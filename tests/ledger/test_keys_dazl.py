"""Contract keys over the gRPC Ledger API of a running ``lso ledger serve`` (SQLite and PostgreSQL), with the
real dazl: ``contract_key`` on created events and the active contract set, ``exercise_by_key``, a duplicate
key refused with ALREADY_EXISTS / DUPLICATE_CONTRACT_KEY, a hidden key NOT_FOUND."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import dazl
import grpc
import pytest
from dazl.ledger import CreateEvent

from ledger import samples
from tests.ledger.keys_support import KeyedLedger, keyed_ledger, template

__all__ = ["keyed_ledger"]


@asynccontextmanager
async def connect(ledger: KeyedLedger, *act_as: str) -> AsyncIterator[Any]:
    conn = dazl.connect(
        url=ledger.grpc,
        act_as=list[Any](act_as),
        oauth_token=ledger.token(*act_as),
        application_name="lso-tests",
        retry_timeout=5,
    )
    await conn.open()
    try:
        yield conn
    finally:
        await conn.close()


def terms(ledger: KeyedLedger, order_id: str) -> dict[str, Any]:
    return samples.order_terms(order_id, customer=ledger.customer, manufacturer=ledger.manufacturer)


def order_key(ledger: KeyedLedger, order_id: str) -> dict[str, str]:
    return {"manufacturer": ledger.manufacturer, "orderId": order_id}


def status_of(exc: BaseException) -> tuple[Any, str]:
    """(gRPC status code, details) of a dazl failure (dazl re-raises the grpc error)."""
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, grpc.aio.AioRpcError):
            return current.code(), current.details() or ""
        current = current.__cause__ or current.__context__
    raise AssertionError(f"not a gRPC error: {exc!r}")


def created(events: Sequence[Any]) -> list[CreateEvent]:
    return [e for e in events if isinstance(e, CreateEvent)]


async def test_exercise_by_key_and_keys_on_events(keyed_ledger: KeyedLedger) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    async with connect(ledger, ledger.manufacturer) as maker, connect(ledger, ledger.customer) as customer:
        proposal = await maker.create(template("OrderProposal"), terms(ledger, order_id))
        assert proposal.key == order_key(ledger, order_id)

        accepted = await customer.exercise_by_key(
            template("OrderProposal"), "AcceptOrder", order_key(ledger, order_id), {}
        )
        [agreement] = created(accepted.events)
        assert accepted.result == agreement.contract_id
        assert agreement.key == order_key(ledger, order_id)

        committed = await maker.exercise_by_key(
            template("OrderAgreement"), "CommitDelivery", order_key(ledger, order_id)
        )
        [delivery] = created(committed.events)
        assert str(delivery.contract_id.value_type).endswith("DeliveryCommitment")
        assert delivery.key == order_key(ledger, order_id)

        # the active contract set carries the keys too
        async with customer.query(template("OrderAgreement")) as stream:
            mine = [e async for e in stream.creates() if e.contract_id == agreement.contract_id]
        assert [e.key for e in mine] == [order_key(ledger, order_id)]


async def test_duplicate_key_refused(keyed_ledger: KeyedLedger) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    async with connect(ledger, ledger.customer, ledger.manufacturer) as both:
        first = await both.create(template("OrderAgreement"), terms(ledger, order_id))
        with pytest.raises(Exception) as refused:
            await both.create(template("OrderAgreement"), terms(ledger, order_id))
        code, details = status_of(refused.value)
        assert code == grpc.StatusCode.ALREADY_EXISTS
        assert details.startswith("DUPLICATE_CONTRACT_KEY(")
        # a second delivery commitment for the order neither
        await both.exercise_by_key(template("OrderAgreement"), "CommitDelivery", order_key(ledger, order_id))
        with pytest.raises(Exception) as again:
            await both.exercise_by_key(
                template("OrderAgreement"), "CommitDelivery", order_key(ledger, order_id)
            )
        assert status_of(again.value)[0] == grpc.StatusCode.ALREADY_EXISTS
        # archived by key, the key is free again
        await both.exercise_by_key(template("OrderAgreement"), "Archive", order_key(ledger, order_id))
        second = await both.create(template("OrderAgreement"), terms(ledger, order_id))
        assert second.contract_id != first.contract_id


async def test_by_key_hidden_from_non_stakeholders(keyed_ledger: KeyedLedger) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    async with connect(ledger, ledger.manufacturer) as maker, connect(ledger, ledger.outsider) as outsider:
        await maker.create(template("OrderProposal"), terms(ledger, order_id))
        answers = []
        for key in (order_key(ledger, order_id), order_key(ledger, order_id + "-none")):
            with pytest.raises(Exception) as missing:
                await outsider.exercise_by_key(template("OrderProposal"), "Archive", key)
            answers.append(status_of(missing.value))
        assert [code for code, _ in answers] == [grpc.StatusCode.NOT_FOUND] * 2
        assert all(details.startswith("CONTRACT_KEY_NOT_FOUND(") for _, details in answers)
