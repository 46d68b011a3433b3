"""Digital Asset's own client, ``@daml/ledger`` 2.10.4 in Node.js (``daml_client/streams.test.js``):
``streamQueries``, ``streamQuery`` (one WebSocket each, and multiplexed on one), ``streamFetchByKeys``; each
gets the existing contract, then ``live``, then a new create and an archive. A bad token ends the stream with
``close`` (code 4001) instead of crashing the Node process."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from pathlib import Path

import pytest

from tests.ledger.test_streams.conftest import Ledger, token

CLIENT_DIR = Path(__file__).resolve().parent.parent / "daml_client"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
async def test_daml_ledger_streams(ledger: Ledger, parties: dict[str, str]) -> None:
    assert (CLIENT_DIR / "node_modules" / "@daml" / "ledger").is_dir(), (
        "run npm ci in tests/ledger/daml_client"
    )
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
    node = await asyncio.create_subprocess_exec(
        "node",
        "streams.test.js",
        cwd=CLIENT_DIR,
        env={
            "PATH": str(Path(shutil.which("node") or "node").parent),
            "LSO_STREAMS_CONFIG": json.dumps(config),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(node.communicate(), 60)
    steps = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    assert node.returncode == 0, (steps, err.decode()[-2000:])
    by_step = {s["step"]: s for s in steps}
    for label in ("streamQueries", "streamQuery", "multiplexed"):
        assert by_step[f"{label}:live"]["orders"] == [f"{label}-pre-{config['unique']}"]
        assert by_step[f"{label}:created"]["events"] == ["created"]
        assert by_step[f"{label}:archived"]["events"] == ["archived"]
        assert by_step[f"{label}:archived"]["remaining"] == [f"{label}-new-{config['unique']}"]
    assert by_step["fetchByKeys:live"]["present"] == [True, False]
    assert by_step["fetchByKeys:archived"]["present"] == [False, True]
    assert by_step["badToken:closed"]["code"] == 4001
    assert "done" in by_step
