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
    return samples.customer_order(order_id, customer=ledger.customer, manufacturer=ledger.manufacturer)


def agreement_terms(ledger: KeyedLedger, order_id: str) -> dict[str, Any]:
    return samples.order_agreement(order_id, customer=ledger.customer, manufacturer=ledger.manufacturer)


def customer_key(ledger: KeyedLedger, order_id: str) -> dict[str, str]:
    return {"customer": ledger.customer, "orderId": order_id}


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
        order = await customer.create(template("CustomerOrder"), terms(ledger, order_id))
        assert order.key == customer_key(ledger, order_id)

        accepted = await maker.exercise(order.contract_id, "AcceptOrder", {})
        [agreement] = created(accepted.events)
        assert accepted.result == agreement.contract_id
        assert agreement.key == order_key(ledger, order_id)

        shipped = await maker.exercise_by_key(
            template("OrderAgreement"), "Ship", order_key(ledger, order_id), dict(samples.SHIP_ARGUMENT)
        )
        [agreement] = created(shipped.events)
        assert str(agreement.contract_id.value_type).endswith("OrderAgreement")
        assert agreement.key == order_key(ledger, order_id)
        assert agreement.payload["shipment"]["carrier"] == "DHL"

        # the active contract set carries the keys too
        async with customer.query(template("OrderAgreement")) as stream:
            mine = [e async for e in stream.creates() if e.contract_id == agreement.contract_id]
        assert [e.key for e in mine] == [order_key(ledger, order_id)]


async def test_duplicate_key_refused(keyed_ledger: KeyedLedger) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    async with connect(ledger, ledger.customer, ledger.manufacturer) as both:
        first = await both.create(template("OrderAgreement"), agreement_terms(ledger, order_id))
        with pytest.raises(Exception) as refused:
            await both.create(template("OrderAgreement"), agreement_terms(ledger, order_id))
        code, details = status_of(refused.value)
        assert code == grpc.StatusCode.ALREADY_EXISTS
        assert details.startswith("DUPLICATE_CONTRACT_KEY(")
        # archived by key, the key is free again
        await both.exercise_by_key(template("OrderAgreement"), "Archive", order_key(ledger, order_id))
        second = await both.create(template("OrderAgreement"), agreement_terms(ledger, order_id))
        assert second.contract_id != first.contract_id


async def test_by_key_hidden_from_non_stakeholders(keyed_ledger: KeyedLedger) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    async with connect(ledger, ledger.customer) as customer, connect(ledger, ledger.outsider) as outsider:
        await customer.create(template("CustomerOrder"), terms(ledger, order_id))
        answers = []
        for key in (customer_key(ledger, order_id), customer_key(ledger, order_id + "-none")):
            with pytest.raises(Exception) as missing:
                await outsider.exercise_by_key(template("CustomerOrder"), "Archive", key)
            answers.append(status_of(missing.value))
        assert [code for code, _ in answers] == [grpc.StatusCode.NOT_FOUND] * 2
        assert all(details.startswith("CONTRACT_KEY_NOT_FOUND(") for _, details in answers)
