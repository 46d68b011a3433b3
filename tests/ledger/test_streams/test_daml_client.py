"""Digital Asset's own client, ``@daml/ledger`` 2.10.4 in Node.js (``daml_client/streams.test.js``):
``streamQueries``, ``streamQuery`` (one WebSocket each, and multiplexed on one), ``streamFetchByKeys``; each
gets the existing contract, then ``live``, then a new create and an archive. A bad token ends the stream with
``close`` (code 4001) instead of crashing the Node process."""

from __future__ import annotations

import json
import uuid

from tests.ledger.node_client import run_script
from tests.ledger.test_streams.conftest import Ledger, token


async def test_daml_ledger_streams(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    config = {
        "httpBaseUrl": ledger.process.info.json_api + "/",
        "wsBaseUrl": ledger.ws_base + "/",
        "token": token(ledger.process, c),
        "badToken": "not-a-token",
        "packageId": ledger.process.info.package_id,
        "customer": c,
        "manufacturer": m,
        "unique": uuid.uuid4().hex[:8],
    }
    result = await run_script("streams.test.js", {"LSO_STREAMS_CONFIG": json.dumps(config)})
    assert result.returncode == 0, result.tail()
    by_step = result.steps()
    for label in ("streamQueries", "streamQuery", "multiplexed"):
        assert by_step[f"{label}:live"]["orders"] == [f"{label}-pre-{config['unique']}"]
        assert by_step[f"{label}:created"]["events"] == ["created"]
        assert by_step[f"{label}:archived"]["events"] == ["archived"]
        assert by_step[f"{label}:archived"]["remaining"] == [f"{label}-new-{config['unique']}"]
    assert by_step["fetchByKeys:live"]["present"] == [True, False]
    assert by_step["fetchByKeys:archived"]["present"] == [False, True]
    assert by_step["badToken:closed"]["code"] == 4001
    assert "done" in by_step
