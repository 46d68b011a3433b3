"""An order's negotiation transcript: its conversations from the ACL log, each message once, decoded."""

from __future__ import annotations

from typing import Any

import httpx

from ontology.codec import encode
from ontology.common import Reason
from store.database import Database
from store.enums import Direction
from store.records import NewAclMessage
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, place

pytest_plugins = ("tests.gateway.fixtures",)

CUSTOMER = "customer@localhost"
MAKER = "manufacturer@localhost"
SUPPLIER = "suppliers@localhost/SUP-0001"


def message(performative: str, sender: str, receiver: str, conversation: str, content: str) -> dict[str, Any]:
    return {
        "performative": performative,
        "sender": sender,
        "receiver": [receiver],
        "conversation-id": conversation,
        "protocol": "fipa-iterated-contract-net",
        "ontology": "lot-size-one",
        "language": "application/json",
        "content": content,
    }


async def _log(db: Database, order_id: str, agent: str, direction: Direction, raw: dict[str, Any]) -> None:
    async with db.transaction() as repos:
        await repos.acl.log(
            NewAclMessage.from_message(raw, agent_jid=agent, direction=direction, order_id=order_id)
        )


async def test_both_parties_read_the_conversations_of_their_order(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    other_order = await place(client, people.alice)
    order = bridge.called("place_order")[0].args[0]
    cfp = message("cfp", CUSTOMER, MAKER, f"order-{order_id}", encode(order))
    await _log(db, order_id, CUSTOMER, Direction.OUT, cfp)
    await _log(db, order_id, MAKER, Direction.IN, cfp)  # the same message, as its receiver logged it
    sourcing = message("cfp", MAKER, SUPPLIER, f"sourcing-{order_id}", "not ontology content")
    await _log(db, order_id, MAKER, Direction.OUT, sourcing)
    refuse = message("refuse", MAKER, CUSTOMER, f"order-{order_id}", encode(Reason(reason="no capacity")))
    await _log(db, order_id, MAKER, Direction.OUT, refuse)
    await _log(db, other_order, CUSTOMER, Direction.OUT, message("cfp", CUSTOMER, MAKER, "other", "{}"))

    for party in (people.alice, people.maker):
        response = await client.get(f"/orders/{order_id}/negotiation", headers=party.headers)
        assert response.status_code == 200, response.text
        transcript = response.json()
        assert transcript["order_id"] == order_id
        first, *others = transcript["conversations"]
        assert first["conversation_id"] == f"order-{order_id}"
        assert first["protocol"] == "fipa-iterated-contract-net"
        assert first["participants"] == [CUSTOMER, MAKER]
        assert [m["performative"] for m in first["messages"]] == ["cfp", "refuse"]
        opening = first["messages"][0]
        assert (opening["sender"], opening["receivers"]) == (CUSTOMER, [MAKER])
        assert opening["decoded"]["type"] == "Order"
        assert opening["decoded"]["data"]["id"] == order_id
        assert opening["at"]
        assert first["messages"][1]["decoded"] == {
            "type": "Reason",
            "data": {"reason": "no capacity", "detail": None},
        }
        if party is people.alice:  # the customer reads its own conversation only (test_privacy.py)
            assert others == []
            continue
        [second] = others
        assert second["conversation_id"] == f"sourcing-{order_id}"
        [supplier_cfp] = second["messages"]
        assert supplier_cfp["content"] == "not ontology content"
        assert supplier_cfp["decoded"] is None


async def test_an_order_without_messages_has_an_empty_transcript(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    order_id = await place(client, people.alice)
    response = await client.get(f"/orders/{order_id}/negotiation", headers=people.alice.headers)
    assert response.json() == {"order_id": order_id, "conversations": []}


async def test_nobody_else_reads_the_transcript(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge
) -> None:
    order_id = await place(client, people.alice)
    for outsider in (people.bob, people.rival):
        response = await client.get(f"/orders/{order_id}/negotiation", headers=outsider.headers)
        assert response.status_code == 404
    assert (await client.get(f"/orders/{order_id}/negotiation")).status_code == 401
