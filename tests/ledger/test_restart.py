"""The ledger process stopped (cleanly or killed) and started again keeps every contract; the log verifies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ledger import samples
from ledger.engine import EmbeddedLedger
from ledger.engine.templates import MODULE
from ledger.jsonapi_client import (
    DuplicateCommand,
    JsonApiClient,
    LedgerUnavailable,
    RetryPolicy,
    static_token,
)
from ledger.testing import LedgerProcess, hs256_token

SECRET = "restart-test-secret-0123456789abcdef"


def client(process: LedgerProcess, *act_as: str, admin: bool = False, attempts: int = 3) -> JsonApiClient:
    token = hs256_token(SECRET, act_as=act_as, admin=admin)
    return JsonApiClient(
        process.info.json_api, static_token(token), retry=RetryPolicy(attempts=attempts, backoff=0.05)
    )


@pytest.mark.parametrize("crash", [False, True], ids=["sigterm", "sigkill"])
async def test_restart_keeps_every_contract(tmp_path: Path, crash: bool) -> None:
    process = LedgerProcess(tmp_path, secret=SECRET, grpc=False)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    await process.astart()
    try:
        c, m, s = samples.CUSTOMER, samples.MANUFACTURER, samples.SUPPLIER
        async with client(process, admin=True) as admin:
            for party in (c, m, s):
                await admin.ensure_party(party)
        async with client(process, c, m, s) as ledger:
            order = await ledger.create(
                f"{MODULE}:CustomerOrder", samples.customer_order("order-kept"), act_as=[c]
            )
            agreed = await ledger.create(f"{MODULE}:CustomerOrder", samples.customer_order(), act_as=[c])
            await ledger.exercise(f"{MODULE}:CustomerOrder", agreed.contract_id, "AcceptOrder", act_as=[m])
            proposal = await ledger.create(f"{MODULE}:SupplyProposal", samples.supply_terms(), act_as=[m])
            accepted = await ledger.exercise(
                f"{MODULE}:SupplyProposal",
                proposal.contract_id,
                "AcceptSupply",
                act_as=[s],
                command_id="acc-1",
            )
            before = {
                x.contract_id
                for x in await ledger.query([f"{MODULE}:CustomerOrder", f"{MODULE}:SupplyAgreement"])
            }
            assert before == {order.contract_id, accepted.exercise_result}

            if crash:
                process.kill()
            else:
                await process.astop()
            with pytest.raises(LedgerUnavailable):
                await ledger.query([f"{MODULE}:CustomerOrder"])
            await process.astart()

            after = {
                x.contract_id
                for x in await ledger.query([f"{MODULE}:CustomerOrder", f"{MODULE}:SupplyAgreement"])
            }
            assert after == before
            # the command's deduplication entry survives too: the same command id is refused (Daml's 409)
            with pytest.raises(DuplicateCommand):
                await ledger.exercise(
                    f"{MODULE}:SupplyProposal",
                    proposal.contract_id,
                    "AcceptSupply",
                    act_as=[s],
                    command_id="acc-1",
                )
    finally:
        await process.astop()
    engine = await EmbeddedLedger.open(f"sqlite+aiosqlite:///{tmp_path / 'ledger.db'}")
    try:
        assert await engine.verify_chain() == 5
    finally:
        await engine.close()


async def test_client_retries_until_the_ledger_is_back(tmp_path: Path) -> None:
    process = LedgerProcess(tmp_path, secret=SECRET, grpc=False)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    async with _late_client(process) as ledger:
        starter = asyncio.create_task(_start_later(process, 0.5))
        try:
            assert isinstance(await ledger.packages(), list)
        finally:
            await starter
            await process.astop()


def _late_client(process: LedgerProcess) -> JsonApiClient:
    token = hs256_token(SECRET, admin=True)
    return JsonApiClient(
        f"http://127.0.0.1:{process.json_port}",
        static_token(token),
        retry=RetryPolicy(attempts=40, backoff=0.1, backoff_max=0.3),
    )


async def _start_later(process: LedgerProcess, delay: float) -> None:
    await asyncio.sleep(delay)
    await process.astart()
