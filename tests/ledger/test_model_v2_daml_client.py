"""Model v2 with Digital Asset's own JSON API client (``@daml/ledger`` 2.10.4) against a running ``lso ledger
serve`` with Canton-style party ids, each party with its own ledger user's token: runs
``node tests/ledger/daml_client/model_v2.test.js``."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest

from ledger import samples
from ledger.testing import LedgerProcess
from tests.ledger.node_client import run_script
from tests.ledger.users_support import user_token
from tests.ledger.v2_support import parties, start_v2_ledger


@pytest.fixture(scope="module")
async def ledger(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LedgerProcess]:
    process = await start_v2_ledger(tmp_path_factory.mktemp("v2-daml-client"))
    try:
        yield process
    finally:
        await process.astop()


async def test_daml_ledger_client_runs_the_agreement_to_its_receipt(ledger: LedgerProcess) -> None:
    p = await parties(ledger)
    config = {
        "httpBaseUrl": ledger.info.json_api.rstrip("/") + "/",
        "packageId": ledger.info.package_id,
        "customer": p["customer"].id,
        "manufacturer": p["manufacturer"].id,
        "orderId": f"o-{uuid.uuid4().hex[:8]}",
        "deliveryDate": samples.in_days(30),
        "dueDate": samples.in_days(60),
        "tokens": {role: user_token(p[role].user) for role in ("customer", "manufacturer")},
    }
    result = await run_script("model_v2.test.js", {"LSO_V2_CONFIG": json.dumps(config)})
    assert result.returncode == 0, result.tail()
    steps = [line["step"] for line in result.json_lines() if "step" in line]
    assert steps == [
        "order",
        "delivered",
        "forgedInvoice",
        "invoice",
        "payerCannotConfirm",
        "receipt",
        "done",
    ]
