"""``/v1/stream/fetch`` (by contract key, and by contract id) over a real WebSocket, SQLite and PostgreSQL."""

from __future__ import annotations

import json

from tests.ledger.test_streams.conftest import (
    ORDER,
    Ledger,
    archived_ids,
    created_ids,
    has_offset,
    receive,
    receive_until,
    token,
)


async def test_fetch_by_key_follows_the_keys(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    a = await ledger.create_order("k-a", c, m)
    other = await ledger.create_order("k-other", c, m)
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, c)) as ws:
        await ws.send(
            json.dumps(
                [
                    {"templateId": ORDER, "key": {"customer": c, "orderId": "k-a"}},
                    {"templateId": ORDER, "key": {"customer": c, "orderId": "k-b"}},
                ]
            )
        )
        acs = await receive(ws)
        assert created_ids(acs) == [a["contractId"]]
        assert acs["events"][0]["created"]["key"] == {"customer": c, "orderId": "k-a"}
        assert "matchedQueries" not in acs["events"][0]
        marker = await receive(ws)
        assert marker["events"] == [] and has_offset(marker)

        await ledger.archive(other["contractId"], c)  # not a requested key: no (phantom) archive
        b = await ledger.create_order("k-b", c, m)
        (created,) = await receive_until(ws, lambda f: f["events"])
        assert created_ids(created) == [b["contractId"]] and archived_ids(created) == []

        await ledger.archive(a["contractId"], c)
        (archived,) = await receive_until(ws, lambda f: f["events"])
        assert archived_ids(archived) == [a["contractId"]]
        resume_at = archived["offset"]

    again = await ledger.create_order("k-a", c, m)  # the key is free again
    await ledger.archive(b["contractId"], c)
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, c)) as ws:
        await ws.send(json.dumps({"offset": resume_at}))
        await ws.send(
            json.dumps(
                [
                    {
                        "templateId": ORDER,
                        "key": {"customer": c, "orderId": "k-a"},
                        "contractIdAtOffset": None,
                    },
                    {
                        "templateId": ORDER,
                        "key": {"customer": c, "orderId": "k-b"},
                        "contractIdAtOffset": b["contractId"],
                    },
                ]
            )
        )
        frames = await receive_until(ws, lambda f: f["events"] == [])
        assert [cid for f in frames for cid in created_ids(f)] == [again["contractId"]]
        assert [cid for f in frames for cid in archived_ids(f)] == [b["contractId"]]


async def test_fetch_by_contract_id_and_unknown_keys(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m, outsider = parties["Customer"], parties["Manufacturer"], parties["Outsider"]
    await ledger.allocate(c, m, outsider)
    order = await ledger.create_order("cid-1", c, m)
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, outsider)) as ws:
        await ws.send(json.dumps([{"contractId": order["contractId"]}]))
        assert (await receive(ws))["events"] == []  # not a stakeholder: nothing but the live marker
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, m)) as ws:
        await ws.send(
            json.dumps(
                [
                    {"templateId": ORDER, "contractId": order["contractId"]},
                    {"templateId": ORDER, "key": {"customer": c, "orderId": 5}},  # ill-typed: matches nothing
                ]
            )
        )
        assert created_ids(await receive(ws)) == [order["contractId"]]
        await receive_until(ws, has_offset)
        await ledger.archive(order["contractId"], c)
        (archived,) = await receive_until(ws, lambda f: f["events"])
        assert archived_ids(archived) == [order["contractId"]]
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, c)) as ws:
        key = {"customer": c, "orderId": "cid-1"}
        items = [{"templateId": "Nope:Nothing", "key": key}, {"templateId": ORDER, "key": key}]
        await ws.send(json.dumps(items))
        assert await receive(ws) == {"warnings": {"unknownTemplateIds": ["Nope:Nothing"]}}
        assert (await receive(ws))["events"] == []  # archived above: no contract has the key
    async with ledger.connect("/v1/stream/fetch", token(ledger.process, c)) as ws:
        await ws.send(json.dumps([{"templateId": ORDER}]))
        frame = await receive(ws)
        assert frame["status"] == 400 and "key" in frame["errors"][0]
