"""``/v1/stream/query`` over a real WebSocket (python ``websockets``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.ledger.test_streams.conftest import (
    HEARTBEAT,
    ORDER,
    Ledger,
    archived_ids,
    created_ids,
    has_offset,
    receive,
    receive_until,
    token,
)


async def test_acs_then_live_marker_then_creates_and_archives(
    ledger: Ledger, parties: dict[str, str]
) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    first = await ledger.create_order("o1", c, m)
    second = await ledger.create_order("o2", c, m, quantity=7)
    async with ledger.connect("/v1/stream/query", token(ledger.process, c)) as ws:
        assert ws.subprotocol == "daml.ws.auth"
        queries = [
            {"templateIds": [ORDER], "query": {"quantity": {"%gt": 5}}},
            {"templateIds": [ORDER]},
            {"templateIds": [ledger.order_template], "query": {"orderId": "o3"}},
        ]
        await ws.send(json.dumps(queries))
        acs = await receive(ws)
        assert "offset" not in acs
        matched = {e["created"]["contractId"]: e["matchedQueries"] for e in acs["events"]}
        assert matched == {first["contractId"]: [1], second["contractId"]: [0, 1]}
        assert acs["events"][0]["created"]["payload"]["orderId"] == "o1"
        marker = await receive(ws)
        assert marker["events"] == [] and isinstance(marker["offset"], str)

        third = await ledger.create_order("o3", c, m)
        (live,) = await receive_until(ws, lambda f: f["events"])
        assert created_ids(live) == [third["contractId"]]
        assert live["events"][0]["matchedQueries"] == [1, 2]
        assert live["offset"] > marker["offset"]
        assert live["events"][0]["created"]["templateId"] == ledger.order_template

        await ledger.archive(first["contractId"], c)
        (archived,) = await receive_until(ws, lambda f: f["events"])
        assert archived_ids(archived) == [first["contractId"]]
        assert archived["events"][0]["archived"]["templateId"] == ledger.order_template
        assert archived["offset"] > live["offset"]


async def test_only_the_tokens_parties_contracts(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m, outsider = parties["Customer"], parties["Manufacturer"], parties["Outsider"]
    await ledger.allocate(c, m, outsider)
    order = await ledger.create_order("v1", c, m)
    query = json.dumps({"templateIds": [ORDER]})
    async with (
        ledger.connect("/v1/stream/query", token(ledger.process, outsider)) as hidden,
        ledger.connect("/v1/stream/query", token(ledger.process, read_as=(m,))) as observer,
    ):
        await hidden.send(query)
        await observer.send(query)
        observer_acs = await receive_until(observer, has_offset)
        seen = [cid for frame in observer_acs for cid in created_ids(frame)]
        assert order["contractId"] in seen
        assert all(m in e["created"]["observers"] for f in observer_acs for e in f["events"])
        hidden_acs = await receive_until(hidden, has_offset)
        assert hidden_acs == [{"events": [], "offset": hidden_acs[-1]["offset"]}]

        later = await ledger.create_order("v2", c, m)
        await ledger.archive(order["contractId"], c)
        frames = await receive_until(observer, lambda f: archived_ids(f))
        assert later["contractId"] in [cid for f in frames for cid in created_ids(f)]
        # the outsider gets only heartbeats: no event of the customer's contracts
        for _ in range(2):
            assert (await receive(hidden, HEARTBEAT * 4))["events"] == []


async def test_resume_after_an_offset_sends_no_acs(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    before = await ledger.create_order("r1", c, m)
    bearer = token(ledger.process, c)
    async with ledger.connect("/v1/stream/query", bearer) as ws:
        await ws.send(json.dumps({"templateIds": [ORDER]}))
        marker = (await receive_until(ws, has_offset))[-1]
    after = await ledger.create_order("r2", c, m)
    await ledger.archive(before["contractId"], c)

    async with ledger.connect("/v1/stream/query", bearer) as ws:  # a leading {"offset": ...} message
        await ws.send(json.dumps({"offset": marker["offset"]}))
        await ws.send(json.dumps([{"templateIds": [ORDER]}]))
        frames = await receive_until(ws, lambda f: f["events"] == [] and has_offset(f))
        assert [cid for f in frames for cid in created_ids(f)] == [after["contractId"]]
        assert [cid for f in frames for cid in archived_ids(f)] == [before["contractId"]]
        assert all(has_offset(f) for f in frames)

    async with ledger.connect(
        "/v1/stream/query", bearer
    ) as ws:  # per-query offsets (the multiplexing client)
        await ws.send(
            json.dumps(
                [
                    {"templateIds": [ORDER], "offset": marker["offset"]},
                    {"templateIds": [ORDER], "query": {"orderId": "r2"}},
                ]
            )
        )
        acs = await receive(ws)
        assert acs == {"events": [{**acs["events"][0], "matchedQueries": [1]}]}
        assert created_ids(acs) == [after["contractId"]]
        frames = await receive_until(ws, lambda f: archived_ids(f))
        replayed = [e for f in frames for e in f["events"] if "created" in e]
        assert [(e["created"]["contractId"], e["matchedQueries"]) for e in replayed] == [
            (after["contractId"], [0])
        ]


async def test_idle_stream_heartbeat_carries_the_last_offset(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    await ledger.create_order("h1", c, m)
    async with ledger.connect("/v1/stream/query", token(ledger.process, c)) as ws:
        await ws.send(json.dumps({"templateIds": [ORDER]}))
        marker = (await receive_until(ws, has_offset))[-1]
        beat = await receive(ws, HEARTBEAT * 4)
        assert beat["events"] == [] and beat["offset"] >= marker["offset"]


async def test_request_errors_end_the_stream(ledger: Ledger, parties: dict[str, str]) -> None:
    c = parties["Customer"]
    await ledger.allocate(c)
    bearer = token(ledger.process, c)
    cases = [
        ("not json", 400, "JSON parser error"),
        (json.dumps({"templateIds": []}), 400, "templateIds"),
        (json.dumps({"templateIds": ["Nope:Nothing"]}), 400, "Cannot resolve any template ID"),
        (json.dumps({"templateIds": [ORDER], "query": {"noSuchField": 1}}), 400, "noSuchField"),
        (json.dumps({"offset": "zz"}), 400, "offset"),
        (json.dumps({"offset": "", "templateIds": [ORDER]}), 400, "leading, separate object"),
    ]
    for message, status, text in cases:
        async with ledger.connect("/v1/stream/query", bearer) as ws:
            await ws.send(message)
            frame = await receive(ws)
            assert frame["status"] == status and text in frame["errors"][0], (message, frame)
            await ws.wait_closed()

    async with ledger.connect("/v1/stream/query", bearer) as ws:
        await ws.send(json.dumps({"templateIds": [ORDER, "Nope:Nothing"]}))
        assert await receive(ws) == {"warnings": {"unknownTemplateIds": ["Nope:Nothing"]}}
        await receive_until(ws, has_offset)
        await ws.send(json.dumps({"templateIds": [ORDER]}))
        frames = await receive_until(ws, lambda f: "errors" in f)
        assert frames[-1] == {
            "errors": ["Multiple requests over the same WebSocket connection are not allowed."],
            "status": 400,
        }
        await ws.wait_closed()
