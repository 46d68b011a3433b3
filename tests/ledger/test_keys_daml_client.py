"""Contract keys with Digital Asset's own JSON API client (``@daml/ledger`` 2.10.4: ``fetchByKey``,
``exerciseByKey``, ``archiveByKey``) against a running ``lso ledger serve``, on SQLite and PostgreSQL: runs
``node tests/ledger/daml_client/keys.test.js``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.ledger.keys_support import KeyedLedger, keyed_ledger

__all__ = ["keyed_ledger"]

CLIENT_DIR = Path(__file__).parent / "daml_client"


def test_daml_ledger_client_fetches_and_exercises_by_key(keyed_ledger: KeyedLedger) -> None:
    node = shutil.which("node")
    if node is None or not (CLIENT_DIR / "node_modules" / "@daml" / "ledger").is_dir():
        pytest.fail("node and tests/ledger/daml_client/node_modules are needed (make test runs npm ci)")
    ledger = keyed_ledger
    config = {
        "httpBaseUrl": ledger.json_api.rstrip("/") + "/",
        "packageId": ledger.process.info.package_id,
        "customer": ledger.customer,
        "manufacturer": ledger.manufacturer,
        "orderId": f"o-{uuid.uuid4().hex[:8]}",
        "tokens": {
            "manufacturer": ledger.token(ledger.manufacturer),
            "customer": ledger.token(ledger.customer),
            "both": ledger.token(ledger.customer, ledger.manufacturer),
            "outsider": ledger.token(ledger.outsider),
        },
    }
    result = subprocess.run(
        [node, "keys.test.js"],
        cwd=CLIENT_DIR,
        env={**os.environ, "LSO_KEYS_CONFIG": json.dumps(config)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    steps = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"step"')]
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert [s["step"] for s in steps] == [
        "create",
        "exerciseByKey",
        "fetchByKey",
        "commitDelivery",
        "duplicate",
        "hidden",
        "archiveByKey",
        "done",
    ]
