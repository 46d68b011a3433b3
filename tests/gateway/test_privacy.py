"""Privacy by role: a customer never reads a supplier's id, name or price, nor the manufacturer's target or
reservation prices, in any response or push event of an order that went through sourcing; its manufacturer
reads all of it.

The order is built in the store as the agents leave it: its quotation (one customer line of quantity 2),
its supply network (two suppliers and their prices), an invoice, its history, and the ACL log of the whole
story (the customer's conversation, the matchmaker's answer, the suppliers' calls for proposals with a
target price and their bids, the contract keeper's commit). A second order failed in sourcing, with the
details in its note and in the failure sent to the customer. Push events come from the real event sources
(the store's tails, status notices, the customer agent's events) through the filter and the payload the SSE
and WebSocket channels send.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import httpx

from agents.customer.agent import OrderEvent as CustomerEvent
from gateway.bridge.base import OrderEvent
from gateway.bridge.directory import Parties
from gateway.bridge.events import from_customer_agent, from_notice
from gateway.bridge.history_tail import AclTail, HistoryTail
from gateway.bridge.hub import EventHub, Subscription, SubscriptionClosed
from gateway.core.principal import Principal
from gateway.privacy import customer_content, customer_network, customer_quotation, public_note
from gateway.push.access import events_for
from gateway.push.sse import sse_block
from ontology.billing import invoice_lines
from ontology.codec import decode, encode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted, SupplyContractRef
from ontology.negotiation import CallForProposals, Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from ontology.quotation import AcceptQuotation, Quotation, QuotationLine
from store.database import Database
from store.enums import Direction, UserRole
from store.records import NewAclMessage, NewInvoice
from tests.gateway.recording_bridge import RecordingBridge
from tests.gateway.world import People, User, advance, place

pytest_plugins = ("tests.gateway.fixtures",)

CUSTOMER = "customers@localhost"
MAKER = "manufacturer@localhost"
MATCHMAKER = "matchmaker@localhost"
KEEPER = "contracts@localhost"
WELDER = ("SUP-0001", "Acme Welding GmbH", "123.45")
PAINTER = ("SUP-0002", "Colour & Co Painters", "67.89")
TARGET = "99.99"
RESERVATION = "111.11"
SECRETS = (
    *WELDER,
    *PAINTER,
    TARGET,
    RESERVATION,
    "suppliers@localhost",
    MATCHMAKER,
    KEEPER,
    "supply-contract-",
)
NOW = datetime.now(UTC)
PRIVATE_FAILURE = (
    f"part-not-covered: frame: no acceptable offer ({WELDER[0]}: price {WELDER[2]} is above the "
    f"reservation price {RESERVATION})"
)


def supplier_agent(supplier: tuple[str, str, str]) -> str:
    return f"suppliers@localhost/{supplier[0]}"


async def log(
    db: Database, order_id: str, sender: str, receiver: str, performative: str, content: str
) -> None:
    """One message, logged by its sender and by its receiver (as the agents do)."""
    raw = {
        "performative": performative,
        "sender": sender,
        "receiver": [receiver],
        "conversation-id": "+".join(sorted({sender.split("/")[0], receiver.split("/")[0]})),
        "protocol": "fipa-request",
        "ontology": "lot-size-one",
        "language": "application/json",
        "content": content,
    }
    async with db.transaction() as repos:
        for agent, direction in ((sender, Direction.OUT), (receiver, Direction.IN)):
            await repos.acl.log(
                NewAclMessage.from_message(raw, agent_jid=agent, direction=direction, order_id=order_id)
            )


def network_of(order: Order) -> SupplyNetwork:
    def assignment(part_id: str, process: ProcessKind, supplier: tuple[str, str, str]) -> Assignment:
        part = RequiredPart(part_id=part_id, process=process, description=f"the {part_id}")
        offer = Offer(
            order_id=order.id,
            part_id=part_id,
            supplier_id=supplier[0],
            price=Decimal(supplier[2]),
            delivery_date=date.today() + timedelta(days=10),
            valid_until=NOW + timedelta(hours=1),
        )
        return Assignment(part=part, offer=offer)

    return SupplyNetwork(
        order_id=order.id,
        assignments=(
            assignment("frame", ProcessKind.WELDING, WELDER),
            assignment("paint", ProcessKind.PAINTING, PAINTER),
        ),
    )


def quotation_of(order: Order) -> Quotation:
    line = QuotationLine(
        part_id="bike",
        description="Bike: Frame Steel, Colour Red",
        quantity=2,
        unit_price=Decimal("250.00"),
        price=Decimal("500.00"),
    )
    return Quotation(
        order_id=order.id,
        lines=(line,),
        total_price=Decimal("500.00"),
        delivery_date=order.delivery_date,
        valid_until=NOW + timedelta(days=1),
    )


def committed_of(order: Order) -> ContractCommitted:
    return ContractCommitted(
        order_id=order.id,
        order_contract_id="order-contract-1",
        supply_contracts=(
            SupplyContractRef(supplier_id=WELDER[0], contract_id="supply-contract-1"),
            SupplyContractRef(supplier_id=PAINTER[0], contract_id="supply-contract-2"),
        ),
    )


async def sourced_order(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> Order:
    """An invoiced order of alice's (quantity 2) that went through sourcing, with its whole ACL log."""
    order_id = await place(client, people.alice, quantity=2)
    order: Order = bridge.called("place_order")[-1].args[0]
    network, quotation, committed = network_of(order), quotation_of(order), committed_of(order)
    await advance(db, order_id, OrderStatus.INVOICED)
    async with db.transaction() as repos:
        await repos.orders.set_supply_network(order_id, network.model_dump(mode="json"))
        await repos.orders.set_quotation(order_id, quotation.model_dump(mode="json"))
        for contract_id in committed.contract_ids:
            await repos.orders.add_contract_id(order_id, contract_id)
        await repos.invoices.add(
            NewInvoice(
                order_id=order_id,
                lines=[line.model_dump(mode="json") for line in invoice_lines(quotation)],
                total=quotation.total_price,
                currency="EUR",
                due_date=date.today() + timedelta(days=14),
            )
        )
    found = (
        '{"candidates": [{"part_id": "frame", "suppliers": [{"id": "SUP-0001", '
        '"name": "Acme Welding GmbH"}]}, {"part_id": "paint", "suppliers": [{"id": "SUP-0002", '
        '"name": "Colour & Co Painters"}]}]}'
    )
    await log(db, order_id, CUSTOMER, MAKER, "request", encode(order))
    await log(db, order_id, MAKER, CUSTOMER, "agree", encode(order))
    await log(db, order_id, MAKER, MATCHMAKER, "request", '{"parts": ["frame", "paint"]}')
    await log(db, order_id, MATCHMAKER, MAKER, "inform", found)
    for assignment, supplier in zip(network.assignments, (WELDER, PAINTER), strict=True):
        cfp = CallForProposals(
            order_id=order.id,
            part=assignment.part,
            delivery_date=date.today() + timedelta(days=12),
            reply_by=NOW + timedelta(minutes=5),
            round=2,
            target_price=Decimal(TARGET),
        )
        await log(db, order_id, MAKER, supplier_agent(supplier), "cfp", encode(cfp))
        await log(db, order_id, supplier_agent(supplier), MAKER, "propose", encode(assignment.offer))
    await log(db, order_id, MAKER, CUSTOMER, "propose", encode(quotation))
    accept = AcceptQuotation(order_id=order.id, quotation_id=quotation.id)
    await log(db, order_id, CUSTOMER, MAKER, "accept-proposal", encode(accept))
    await log(
        db, order_id, MAKER, KEEPER, "request", json.dumps({"network": network.model_dump(mode="json")})
    )
    await log(db, order_id, KEEPER, MAKER, "inform", encode(committed))
    await log(db, order_id, MAKER, CUSTOMER, "inform", encode(committed))
    notice = OrderStatusNotice(order_id=order.id, status=OrderStatus.CONTRACTED, note="2 contract(s)")
    await log(db, order_id, MAKER, CUSTOMER, "inform", encode(notice))
    return order


async def failed_order(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> Order:
    """Alice's order that failed in sourcing: its details name a supplier, its price, the reservation."""
    order_id = await place(client, people.alice)
    order: Order = bridge.called("place_order")[-1].args[0]
    await advance(db, order_id, OrderStatus.NEGOTIATING)
    async with db.transaction() as repos:
        await repos.orders.change_status(order_id, OrderStatus.FAILED, actor=MAKER, note=PRIVATE_FAILURE)
    await log(db, order_id, CUSTOMER, MAKER, "request", encode(order))
    offer = network_of(order).assignments[0].offer
    await log(db, order_id, supplier_agent(WELDER), MAKER, "propose", encode(offer))
    reason = Reason(reason="part-not-covered", detail=PRIVATE_FAILURE.split(": ", 1)[1])
    await log(db, order_id, MAKER, CUSTOMER, "failure", encode(reason))
    return order


async def bodies(client: httpx.AsyncClient, user: User, order_ids: list[str]) -> dict[str, str]:
    """Every body ``user`` reads about the orders: list, order, transcript (whole and from a position)."""
    paths = ["/orders", "/orders?status=failed"]
    for order_id in order_ids:
        paths += [
            f"/orders/{order_id}",
            f"/orders/{order_id}/negotiation",
            f"/orders/{order_id}/negotiation?after=0",
            f"/orders/{order_id}/delivery",
        ]
    read: dict[str, str] = {}
    for path in paths:
        response = await client.get(path, headers=user.headers)
        assert response.status_code in (200, 403, 404), f"{path}: {response.status_code} {response.text}"
        read[path] = response.text
    return read


def leaks(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {secret!r}" for where, text in texts.items() for secret in SECRETS if secret in text]


async def test_a_customer_reads_no_supplier_nor_manufacturer_price_in_a_response_its_manufacturer_does(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order = await sourced_order(client, people, bridge, db)
    failed = await failed_order(client, people, bridge, db)
    ids = [str(order.id), str(failed.id)]

    assert leaks(await bodies(client, people.alice, ids)) == []

    mine = (await client.get(f"/orders/{order.id}", headers=people.alice.headers)).json()
    [line] = mine["quotation"]["lines"]
    assert (line["quantity"], line["unit_price"], line["price"]) == (2, "250.00", "500.00")
    assert line["description"] == "Bike: Frame Steel, Colour Red"
    assert mine["supply_network"] == {
        "order_id": str(order.id),
        "parts": [
            {
                "part_id": part_id,
                "process": process,
                "material": None,
                "description": f"the {part_id}",
                "quantity": 1,
                "expected_date": (date.today() + timedelta(days=10)).isoformat(),
            }
            for part_id, process in (("frame", "welding"), ("paint", "painting"))
        ],
    }
    assert mine["contract_ids"] == ["order-contract-1"]  # how many supply agreements there are is not its
    [invoice] = mine["invoices"]
    assert invoice["lines"] == [
        {"description": "Bike: Frame Steel, Colour Red", "quantity": 2, "unit_price": "250.00"}
    ]
    transcript = (await client.get(f"/orders/{order.id}/negotiation", headers=people.alice.headers)).json()
    shown = [
        (m["sender"], m["receivers"], m["decoded"]["type"] if m["decoded"] else None)
        for conversation in transcript["conversations"]
        for m in conversation["messages"]
    ]
    assert shown == [
        (CUSTOMER, [MAKER], "Order"),
        (MAKER, [CUSTOMER], "Order"),
        (MAKER, [CUSTOMER], "Quotation"),
        (CUSTOMER, [MAKER], "AcceptQuotation"),
        (MAKER, [CUSTOMER], "ContractCommitted"),
        (MAKER, [CUSTOMER], "OrderStatusNotice"),
    ]
    [conversation] = transcript["conversations"]
    assert conversation["participants"] == [CUSTOMER, MAKER]
    confirmation = conversation["messages"][4]["decoded"]["data"]
    assert (confirmation["order_contract_id"], confirmation["supply_contracts"]) == ("order-contract-1", [])
    lost = (await client.get(f"/orders/{failed.id}", headers=people.alice.headers)).json()
    assert lost["history"][-1]["note"] == public_note(PRIVATE_FAILURE)

    # its manufacturer reads everything of its orders
    read = await bodies(client, people.maker, ids)
    whole = "".join(read.values())
    for secret in SECRETS:
        assert secret in whole, secret
    assert PRIVATE_FAILURE in read[f"/orders/{failed.id}"]
    network = json.loads(read[f"/orders/{order.id}"])["supply_network"]
    assert json.loads(read[f"/orders/{order.id}"])["contract_ids"] == list(committed_of(order).contract_ids)
    assert [a["offer"]["supplier_id"] for a in network["assignments"]] == [WELDER[0], PAINTER[0]]


def principal(user: User, role: UserRole) -> Principal:
    return Principal(user_id=user.id, role=role, token_id="t", expires_at=NOW + timedelta(hours=1))


async def test_a_customer_hears_no_supplier_and_no_manufacturer_price_in_any_push_event(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    hub = EventHub(capacity=1000)
    customer = hub.subscribe()
    customer.only(events_for(principal(people.alice, UserRole.CUSTOMER)))
    maker = hub.subscribe()
    maker.only(events_for(principal(people.maker, UserRole.MANUFACTURER)))
    history = HistoryTail(db, hub.publish)
    messages = AclTail(db, hub.publish)

    order = await sourced_order(client, people, bridge, db)
    failed = await failed_order(client, people, bridge, db)
    assert await history.poll() > 0
    assert await messages.poll() > 0
    parties = Parties(people.alice.id, people.maker.id)
    notice = OrderStatusNotice(order_id=failed.id, status=OrderStatus.FAILED, note=PRIVATE_FAILURE)
    hub.publish(from_notice(notice, parties))
    contracted = from_customer_agent(CustomerEvent(order.id, "contracted", committed_of(order)), parties)
    assert contracted is not None
    hub.publish(contracted)

    heard = [block async for block in _drain(customer)]
    assert len(heard) > 10
    assert leaks(dict(enumerate(heard))) == []  # type: ignore[arg-type]
    assert any('"negotiation-message"' in block and "Quotation" in block for block in heard)
    told = [block async for block in _drain(maker)]
    assert all(secret in "".join(told) for secret in (WELDER[2], TARGET))  # the bids and the targets
    assert len(told) > len(heard)


async def _drain(subscription: Subscription) -> AsyncIterator[str]:
    """The SSE blocks of every event queued for ``subscription`` (closed first: it ends after them)."""
    subscription.close()
    with contextlib.suppress(SubscriptionClosed):
        while (item := await subscription.get()) is not None:
            yield sse_block(item)


def test_a_quotation_made_before_customer_lines_is_shown_as_one_line_of_its_total() -> None:
    order_id = UUID(int=7)
    legacy = Quotation(
        order_id=order_id,
        lines=(
            QuotationLine(part_id="bike:in-house", description="Bike (in house)", price=Decimal("300.00")),
            QuotationLine(part_id="frame", description=f"welding by {WELDER[0]}", price=Decimal("201.00")),
        ),
        total_price=Decimal("501.00"),
        delivery_date=date.today() + timedelta(days=30),
        valid_until=NOW + timedelta(days=1),
    )
    shown = customer_quotation(legacy.model_dump(mode="json"), 3)
    assert shown is not None
    assert shown["lines"] == [
        {"part_id": "order", "description": "", "quantity": 3, "unit_price": "167.00", "price": "501.00"}
    ]
    assert WELDER[0] not in json.dumps(shown)
    assert customer_quotation(legacy.model_dump(mode="json"), 7)["lines"][0]["unit_price"] is None  # type: ignore[index]
    in_transcript = decode(customer_content(encode(legacy), 3), Quotation)
    assert [(line.quantity, line.unit_price) for line in in_transcript.lines] == [(3, Decimal("167.00"))]
    as_event = decode(customer_content(encode(legacy)), Quotation)  # the order's quantity unknown
    assert [(line.quantity, line.unit_price, line.description) for line in as_event.lines] == [
        (None, None, "")
    ]
    assert customer_quotation({"total_price": "nonsense"}, 1) is None
    assert customer_network({"assignments": "nonsense"}) is None


def test_only_failures_whose_details_are_the_manufacturers_are_put_in_neutral_words() -> None:
    assert public_note(PRIVATE_FAILURE) == (
        "part-not-covered: no supplier offered one of the parts on acceptable terms"
    )
    assert (
        public_note("internal-error")
        == "internal-error: an error on the manufacturer's side stopped the order"
    )
    kept = "infeasible-delivery-date: the earliest delivery is 2030-01-10"
    assert public_note(kept) == kept
    assert (
        public_note("Quotation: €500.00, delivered on 1 March.")
        == "Quotation: €500.00, delivered on 1 March."
    )
    event = OrderEvent(
        order_id=UUID(int=1),
        customer_id="c",
        manufacturer_id="m",
        kind="status",
        status=OrderStatus.FAILED,
        at=NOW,
        note=PRIVATE_FAILURE,
    )
    assert WELDER[0] not in event.note
