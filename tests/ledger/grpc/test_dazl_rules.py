"""DAML's rules and the token checks, as the real dazl client meets them over the gRPC Ledger API."""

from __future__ import annotations

import uuid

import grpc
import pytest
from dazl._gen.com.daml.ledger.api import v1 as lapi

from ledger import samples
from ledger.dazl_client import (
    DazlLedgerClient,
    LedgerClientError,
    LedgerDuplicateCommand,
    LedgerInvalidArgument,
    LedgerNotFound,
    LedgerPermissionDenied,
    LedgerUnauthenticated,
    LedgerUnavailable,
)
from ledger.engine.templates import MODULE
from ledger.samples import CUSTOMER, MANUFACTURER, OUTSIDER, SUPPLIER
from tests.ledger.grpc.conftest import USER, GrpcLedger, client, make_token, user_token


def t(entity: str) -> str:
    return f"{MODULE}:{entity}"


async def test_create_by_a_non_signatory_is_refused(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, MANUFACTURER) as manufacturer:
        with pytest.raises(LedgerInvalidArgument, match=r"DAML_AUTHORIZATION_ERROR.*Customer"):
            await manufacturer.create(t("CustomerOrder"), samples.customer_order("order-r1"))
        assert await manufacturer.query(t("CustomerOrder")) == []


async def test_exercise_by_a_non_controller_is_refused(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, CUSTOMER) as customer:
        order = await customer.create(t("CustomerOrder"), samples.customer_order("order-r2"))
        with pytest.raises(LedgerInvalidArgument, match="DAML_AUTHORIZATION_ERROR"):
            await customer.exercise(t("CustomerOrder"), order.contract_id, "AcceptOrder")
        assert [c.contract_id for c in await customer.query(t("CustomerOrder"))] == [order.contract_id]


async def test_a_non_stakeholder_neither_sees_nor_exercises(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    async with client(grpc_ledger, MANUFACTURER, CUSTOMER) as both, client(grpc_ledger, OUTSIDER) as outsider:
        invoice = await both.create(t("Invoice"), samples.invoice("order-r3"))
        assert await outsider.query(t("Invoice")) == []
        with pytest.raises((LedgerNotFound, LedgerPermissionDenied)):
            await outsider.exercise(
                t("Invoice"), invoice.contract_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT
            )


async def test_acting_beyond_the_token_is_refused(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, MANUFACTURER, token=make_token([CUSTOMER])) as impostor:
        with pytest.raises(LedgerPermissionDenied, match="token"):
            await impostor.create(t("SupplyProposal"), samples.supply_terms("order-r4"))
    async with client(grpc_ledger, CUSTOMER, token=make_token([SUPPLIER], read_as=[CUSTOMER])) as reader:
        with pytest.raises(LedgerPermissionDenied):
            await reader.create(t("CustomerOrder"), samples.customer_order("order-r4"))
    async with client(grpc_ledger, OUTSIDER, read_as=[CUSTOMER], token=make_token([OUTSIDER])) as snoop:
        with pytest.raises(LedgerPermissionDenied):
            await snoop.query(t("CustomerOrder"))


async def test_a_duplicate_command_id_is_deduplicated(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    command_id = f"dedup-{uuid.uuid4().hex}"
    async with client(grpc_ledger, CUSTOMER) as customer:
        first = await customer.create(
            t("CustomerOrder"), samples.customer_order("order-dedup"), command_id=command_id
        )
        with pytest.raises(LedgerDuplicateCommand, match="DUPLICATE_COMMAND"):
            await customer.create(
                t("CustomerOrder"), samples.customer_order("order-dedup"), command_id=command_id
            )
        orders = [
            c for c in await customer.query(t("CustomerOrder")) if c.payload["orderId"] == "order-dedup"
        ]
    assert [c.contract_id for c in orders] == [first.contract_id]


@pytest.mark.parametrize(
    "token",
    [
        make_token([CUSTOMER], secret="another-secret-another-secret-another-secret"),
        make_token([CUSTOMER], expires_in=-60),
        make_token([CUSTOMER], ledger_id="some-other-ledger"),
    ],
    ids=["bad-signature", "expired", "other-ledger"],
)
async def test_a_bad_token_is_unauthenticated(
    grpc_ledger: GrpcLedger, parties: list[str], token: str
) -> None:
    async with client(grpc_ledger, CUSTOMER, token=token) as customer:
        with pytest.raises(LedgerUnauthenticated):
            await customer.create(t("CustomerOrder"), samples.customer_order("order-r5"))


async def test_admin_calls_need_an_admin_token(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with DazlLedgerClient(grpc_ledger.url, act_as=[CUSTOMER], token=make_token([CUSTOMER])) as customer:
        with pytest.raises(LedgerPermissionDenied):
            await customer.allocate_party("Mallory")
    async with DazlLedgerClient(grpc_ledger.url, token=None) as anonymous:
        with pytest.raises(LedgerUnauthenticated):
            await anonymous.list_parties()


async def test_invalid_payload_is_an_invalid_argument(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, CUSTOMER) as customer:
        with pytest.raises(LedgerInvalidArgument):
            await customer.create(t("CustomerOrder"), {**samples.customer_order("order-r6"), "quantity": 0})
        with pytest.raises(LedgerInvalidArgument):
            await customer.create(t("NoSuchTemplate"), {})


@pytest.mark.parametrize(
    "metadata", [(), (("authorization", "Bearer not-a-jwt"),), (("authorization", "Basic x"),)]
)
async def test_the_server_refuses_missing_or_malformed_tokens(
    grpc_ledger: GrpcLedger, metadata: tuple[tuple[str, str], ...]
) -> None:
    async with grpc.aio.insecure_channel(grpc_ledger.url.removeprefix("http://")) as channel:
        stub = lapi.TransactionServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.GetLedgerEnd(lapi.GetLedgerEndRequest(), metadata=metadata)
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_user_token_acts_with_the_users_rights(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    """dazl reads a 2.x user token's rights with ListUserRights, then acts as the user's parties."""
    async with DazlLedgerClient(grpc_ledger.url, token=user_token(), application_id=USER) as app:
        proposal = await app.create(f"{MODULE}:SupplyProposal", samples.supply_terms("order-user"))
        assert proposal.payload["manufacturer"] == MANUFACTURER
        with pytest.raises(LedgerInvalidArgument, match="DAML_AUTHORIZATION_ERROR"):
            await app.create(f"{MODULE}:CustomerOrder", samples.customer_order("order-user"))
    async with DazlLedgerClient(
        grpc_ledger.url, token=user_token("nobody"), application_id="nobody"
    ) as nobody:
        with pytest.raises(LedgerClientError):
            await nobody.create(f"{MODULE}:SupplyProposal", samples.supply_terms("order-nobody"))


async def test_the_server_binds_to_loopback_only(grpc_ledger: GrpcLedger) -> None:
    from ledger.grpc.server import start_grpc_server

    with pytest.raises(ValueError, match="loopback"):
        await start_grpc_server(grpc_ledger.engine, "0.0.0.0", 0)


async def test_an_unreachable_ledger_is_unavailable() -> None:
    from ledger.testing import free_port

    url = f"http://127.0.0.1:{free_port()}"
    async with DazlLedgerClient(
        url, act_as=[CUSTOMER], token=make_token([CUSTOMER]), timeout=0.5
    ) as customer:
        with pytest.raises(LedgerUnavailable):
            await customer.ledger_end()
