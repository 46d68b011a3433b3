"""Command deduplication as Daml 2.x does it, through both APIs of a running ``lso ledger serve`` (SQLite and
PostgreSQL): a command id accepted within the deduplication period is refused (JSON API 409 with Daml's
``DUPLICATE_COMMAND`` error, gRPC ``ALREADY_EXISTS``), whatever the payload; the period is the command's own
(``meta.deduplicationPeriod`` / ``deduplication_duration``), at most ``LSO_LEDGER_MAX_DEDUPLICATION_SECONDS``
(longer: ``INVALID_DEDUPLICATION_PERIOD``); after it the command runs again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import dazl
import grpc
import httpx
import pytest
from sqlalchemy import text

from ledger import samples
from ledger.engine import Command, CreateCommand, EmbeddedLedger, TemplateId
from ledger.engine import DuplicateCommand as DuplicateCommandError
from ledger.engine.dedup import dedup_key
from ledger.engine.storage import Storage
from ledger.engine.templates import MODULE
from ledger.jsonapi_client import DuplicateCommand, JsonApiClient, static_token
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.storages import STORAGES, storage_url

SECRET = "dedup-test-secret-0123456789abcdef"
APP = "lso-tests"  # the tokens' applicationId: the application id of both APIs' commands
MAX_SECONDS = 60


@dataclass
class Served:
    process: LedgerProcess
    customer: str
    manufacturer: str

    def token(self, *act_as: str, admin: bool = False) -> str:
        return hs256_token(SECRET, act_as=act_as, admin=admin, ledger_id=self.process.info.ledger_id)

    def headers(self, *act_as: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*act_as)}"}


@pytest.fixture(scope="module", params=STORAGES)
async def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    directory = tmp_path_factory.mktemp(f"dedup-{request.param}")
    async with storage_url(request.param, directory) as url:
        process = LedgerProcess(
            directory,
            secret=SECRET,
            database_url=url,
            env={"LSO_LEDGER_MAX_DEDUPLICATION_SECONDS": str(MAX_SECONDS)},
        )
        process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
        await process.astart()
        try:
            unique = uuid.uuid4().hex[:6]
            served = Served(process, f"Customer-{unique}", f"Manufacturer-{unique}")
            token = served.token(admin=True)
            async with JsonApiClient(process.info.json_api, static_token(token)) as admin:
                await admin.ensure_party(served.customer)
                await admin.ensure_party(served.manufacturer)
            yield served
        finally:
            await process.astop()


def order(served: Served, order_id: str) -> dict[str, Any]:
    return samples.customer_order(order_id, served.customer, served.manufacturer)


async def json_create(
    served: Served, order_id: str, command_id: str, period: dict[str, Any] | None = None, *act_as: str
) -> httpx.Response:
    meta: dict[str, Any] = {"commandId": command_id}
    if period is not None:
        meta["deduplicationPeriod"] = period
    parties = act_as or (served.customer,)
    body = {"templateId": f"{MODULE}:CustomerOrder", "payload": order(served, order_id), "meta": meta}
    async with httpx.AsyncClient(base_url=served.process.info.json_api, timeout=10) as http:
        return await http.post("/v1/create", json=body, headers=served.headers(*parties))


def dazl_connection(served: Served) -> Any:
    return dazl.connect(
        url=f"http://{served.process.info.grpc}",
        act_as=[dazl.Party(served.customer)],
        oauth_token=served.token(served.customer),
        application_name=APP,
    )


async def test_json_api_refuses_a_duplicate_with_409_even_with_another_payload(served: Served) -> None:
    command_id = f"dup-{uuid.uuid4().hex}"
    first = await json_create(served, f"o-{command_id}", command_id)
    assert first.status_code == 200, first.text
    again = await json_create(served, f"o2-{command_id}", command_id)
    assert again.status_code == 409
    body = again.json()
    assert body["status"] == 409
    assert body["errors"] == [body["errors"][0]] and body["errors"][0].startswith(
        "ALREADY_EXISTS: DUPLICATE_COMMAND(10,"
    )
    assert "A command with the given command id has already been successfully processed" in body["errors"][0]
    api_error = body["ledgerApiError"]
    assert api_error["code"] == 6  # gRPC ALREADY_EXISTS
    info = next(d["ErrorInfoDetail"] for d in api_error["details"] if "ErrorInfoDetail" in d)
    assert info["reason"] == "DUPLICATE_COMMAND"
    assert int(info["metadata"]["completion_offset"], 16) > 0
    # the typed error of our own client
    token = served.token(served.customer)
    async with JsonApiClient(served.process.info.json_api, static_token(token)) as client:
        with pytest.raises(DuplicateCommand) as refused:
            await client.create(
                f"{MODULE}:CustomerOrder", order(served, f"o3-{command_id}"), command_id=command_id
            )
        assert refused.value.status == 409 and refused.value.completion_offset
        orders = await client.query([f"{MODULE}:CustomerOrder"])
    assert [c.payload["orderId"] for c in orders if command_id in c.payload["orderId"]] == [f"o-{command_id}"]


async def test_the_change_id_includes_the_act_as_set(served: Served) -> None:
    command_id = f"actas-{uuid.uuid4().hex}"
    assert (await json_create(served, f"a-{command_id}", command_id)).status_code == 200
    # the same command id acting as {Customer, Manufacturer} is another change
    both = (served.customer, served.manufacturer)
    response = await json_create(served, f"b-{command_id}", command_id, None, *both)
    assert response.status_code == 200, response.text
    assert (await json_create(served, f"c-{command_id}", command_id, None, *both)).status_code == 409


async def test_json_api_period_elapses_then_the_command_runs_again(served: Served) -> None:
    command_id = f"period-{uuid.uuid4().hex}"
    period = {"type": "Duration", "durationInMillis": 300}
    assert (await json_create(served, f"p1-{command_id}", command_id, period)).status_code == 200
    assert (await json_create(served, f"p2-{command_id}", command_id, period)).status_code == 409
    await asyncio.sleep(0.4)
    again = await json_create(served, f"p3-{command_id}", command_id, period)
    assert again.status_code == 200, again.text
    # without a period the maximum (60 s) applies: still a duplicate of the last accepted one
    assert (await json_create(served, f"p4-{command_id}", command_id)).status_code == 409


async def test_json_api_refuses_a_period_longer_than_the_maximum(served: Served) -> None:
    command_id = f"long-{uuid.uuid4().hex}"
    too_long = {"type": "Duration", "durationInMillis": (MAX_SECONDS + 1) * 1000}
    response = await json_create(served, f"l-{command_id}", command_id, too_long)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0].startswith("FAILED_PRECONDITION: INVALID_DEDUPLICATION_PERIOD(9,")
    assert "exceeds the maximum deduplication time of PT1M" in body["errors"][0]
    info = next(d["ErrorInfoDetail"] for d in body["ledgerApiError"]["details"] if "ErrorInfoDetail" in d)
    assert info["metadata"]["longest_duration"] == "PT1M"
    malformed = await json_create(served, f"m-{command_id}", command_id, {"type": "Duration"})
    assert malformed.status_code == 400
    # nothing was committed: the command id is still free
    assert (await json_create(served, f"ok-{command_id}", command_id)).status_code == 200


async def test_grpc_refuses_a_duplicate_and_honours_the_period(served: Served) -> None:
    command_id = f"grpc-{uuid.uuid4().hex}"
    template = f"{MODULE}:CustomerOrder"
    async with dazl_connection(served) as conn:
        await conn.create(template, order(served, f"g1-{command_id}"), command_id=command_id)
        with pytest.raises(Exception, match="DUPLICATE_COMMAND") as refused:
            await conn.create(template, order(served, f"g2-{command_id}"), command_id=command_id)
        assert "ALREADY_EXISTS" in repr(refused.value) or "already" in str(refused.value)
        short = f"grpc-short-{uuid.uuid4().hex}"
        period = timedelta(milliseconds=300)
        await conn.create(
            template, order(served, f"s1-{short}"), command_id=short, deduplication_duration=period
        )
        with pytest.raises(Exception, match="DUPLICATE_COMMAND"):
            await conn.create(
                template, order(served, f"s2-{short}"), command_id=short, deduplication_duration=period
            )
        await asyncio.sleep(0.4)
        await conn.create(
            template, order(served, f"s3-{short}"), command_id=short, deduplication_duration=period
        )
        with pytest.raises(Exception, match="INVALID_DEDUPLICATION_PERIOD"):
            await conn.create(
                template,
                order(served, f"x-{short}"),
                command_id=f"x-{short}",
                deduplication_duration=timedelta(seconds=MAX_SECONDS + 1),
            )


async def test_both_apis_share_one_rule(served: Served) -> None:
    """A command id accepted through the JSON API is a duplicate on gRPC (same application, same act_as)."""
    command_id = f"shared-{uuid.uuid4().hex}"
    assert (await json_create(served, f"j-{command_id}", command_id)).status_code == 200
    async with dazl_connection(served) as conn:
        with pytest.raises(Exception, match="DUPLICATE_COMMAND"):
            await conn.create(
                f"{MODULE}:CustomerOrder", order(served, f"d-{command_id}"), command_id=command_id
            )
        other = f"shared2-{uuid.uuid4().hex}"
        await conn.create(f"{MODULE}:CustomerOrder", order(served, f"d-{other}"), command_id=other)
    assert (await json_create(served, f"j-{other}", other)).status_code == 409


async def test_grpc_ledger_configuration_gives_the_maximum(served: Served) -> None:
    """Daml's LedgerConfigurationService: max_deduplication_duration is the configured maximum."""
    from dazl._gen.com.daml.ledger.api.v1 import ledger_configuration_service_pb2 as pb
    from dazl._gen.com.daml.ledger.api.v1.ledger_configuration_service_pb2_grpc import (
        LedgerConfigurationServiceStub,
    )

    async with grpc.aio.insecure_channel(served.process.info.grpc) as channel:
        stream = LedgerConfigurationServiceStub(channel).GetLedgerConfiguration(
            pb.GetLedgerConfigurationRequest(), metadata=(("authorization", f"Bearer {served.token()}"),)
        )
        first = await asyncio.wait_for(stream.read(), 10)
        stream.cancel()
    assert first.ledger_configuration.max_deduplication_duration.seconds == MAX_SECONDS


@pytest.mark.parametrize("storage", STORAGES)
async def test_dedup_state_is_bounded_and_migrated(storage: str, tmp_path: Path) -> None:
    """Entries older than the maximum are pruned; an old store's ``ledger_commands`` entries move over."""
    order_template = TemplateId("", MODULE, "CustomerOrder")

    def create(order_id: str) -> list[Command]:
        return [CreateCommand(order_template, samples.customer_order(order_id))]

    async with storage_url(storage, tmp_path) as url:
        ledger = await EmbeddedLedger.open(url, max_deduplication_seconds=0.3)
        try:
            await ledger.ensure_party(samples.CUSTOMER)
            await ledger.ensure_party(samples.MANUFACTURER)
            first = await ledger.submit("a", APP, [samples.CUSTOMER], create("bounded-1"))
            with pytest.raises(DuplicateCommandError):
                await ledger.submit("a", APP, [samples.CUSTOMER], create("bounded-2"))
            await asyncio.sleep(0.4)
            await ledger.submit("b", APP, [samples.CUSTOMER], create("bounded-3"))
            assert await ledger.dedup_entries() == 2
            assert await ledger.prune_deduplication() == 1  # "a" expired, "b" is recent
            assert await ledger.dedup_entries() == 1
            await ledger.submit("a", APP, [samples.CUSTOMER], create("bounded-4"))  # runs again
        finally:
            await ledger.close()
        # a store written before deduplication periods: its entries sat in ledger_commands, for ever
        storage_ = Storage(url)
        try:
            async with storage_.engine.begin() as conn:
                await conn.execute(
                    text('CREATE TABLE ledger_commands (dedup_key VARCHAR(1024), "offset" INTEGER)')
                )
                await conn.execute(
                    text('INSERT INTO ledger_commands (dedup_key, "offset") VALUES (:k, 1)'),
                    {"k": dedup_key(APP, "legacy", [samples.CUSTOMER])},
                )
                await conn.execute(text("DELETE FROM ledger_dedup"))
        finally:
            await storage_.close()
        reopened = await EmbeddedLedger.open(url)  # default maximum: 7 days
        try:
            with pytest.raises(DuplicateCommandError) as refused:
                await reopened.submit("legacy", APP, [samples.CUSTOMER], create("bounded-5"))
            assert refused.value.transaction_id == first.transaction_id
            assert await reopened.dedup_entries() == 1
        finally:
            await reopened.close()
