"""Streams read the stored log: after a restart (nothing of the log in memory) a stream resumed from an old
offset replays every later transaction, more than one page of them, in order."""

from __future__ import annotations

import json

from ledger.jsonapi.streams.source import PAGE
from tests.ledger.test_streams.conftest import ORDER, Ledger, created_ids, receive_until, token


async def test_resume_replays_the_stored_log_after_a_restart(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    bearer = token(ledger.process, c)
    await ledger.create_order("p-first", c, m)  # the ledger is not empty: the live marker has an offset
    async with ledger.connect("/v1/stream/query", bearer) as ws:
        await ws.send(json.dumps({"templateIds": [ORDER]}))
        start = (await receive_until(ws, lambda f: "offset" in f))[-1]["offset"]
    created = [(await ledger.create_order(f"p-{i}", c, m))["contractId"] for i in range(PAGE + 6)]

    await ledger.process.astop()
    await ledger.process.astart()

    async with ledger.connect("/v1/stream/query", bearer) as ws:
        await ws.send(json.dumps({"offset": start}))
        await ws.send(json.dumps({"templateIds": [ORDER], "query": {"customer": c}}))
        frames = await receive_until(ws, lambda f: f["events"] == [])
    replayed = [f for f in frames if f["events"]]
    assert [cid for f in replayed for cid in created_ids(f)] == created
    offsets = [f["offset"] for f in replayed]
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets) and offsets[0] > start
    assert frames[-1]["offset"] == offsets[-1]
