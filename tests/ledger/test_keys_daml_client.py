"""Contract keys with Digital Asset's own JSON API client (``@daml/ledger`` 2.10.4: ``fetchByKey``,
``exerciseByKey``, ``archiveByKey``) against a running ``lso ledger serve``, on SQLite and PostgreSQL: runs
``node tests/ledger/daml_client/keys.test.js``."""

from __future__ import annotations

import json
import uuid

from ledger import samples
from tests.ledger.keys_support import KeyedLedger, keyed_ledger
from tests.ledger.node_client import run_script

__all__ = ["keyed_ledger"]


async def test_daml_ledger_client_fetches_and_exercises_by_key(keyed_ledger: KeyedLedger) -> None:
    ledger = keyed_ledger
    config = {
        "httpBaseUrl": ledger.json_api.rstrip("/") + "/",
        "packageId": ledger.process.info.package_id,
        "customer": ledger.customer,
        "manufacturer": ledger.manufacturer,
        "orderId": f"o-{uuid.uuid4().hex[:8]}",
        "deliveryDate": samples.in_days(90),
        "tokens": {
            "manufacturer": ledger.token(ledger.manufacturer),
            "customer": ledger.token(ledger.customer),
            "both": ledger.token(ledger.customer, ledger.manufacturer),
            "outsider": ledger.token(ledger.outsider),
        },
    }
    result = await run_script("keys.test.js", {"LSO_KEYS_CONFIG": json.dumps(config)})
    steps = [line for line in result.json_lines() if "step" in line]
    assert result.returncode == 0, result.tail()
    assert [s["step"] for s in steps] == [
        "create",
        "exerciseByKey",
        "fetchByKey",
        "ship",
        "duplicate",
        "hidden",
        "archiveByKey",
        "done",
    ]
