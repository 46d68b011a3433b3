"""What each party may read about an order: the role views every body and push event goes through.

A manufacturer reads everything of its own orders. A customer reads its order, its quotation and invoices,
and never what the manufacturer keeps to itself:

* **its conversation with the manufacturer only**: the ACL messages between its agent and the manufacturer's
  agent (:func:`customer_transcript`). The calls for proposals to suppliers, their bids, the manufacturer's
  target prices, the matchmaker's and the contract keeper's messages are not in it;
* **a supply network without suppliers**: per sourced part what it is (process, material, description,
  quantity) and when it is expected; no supplier, no price, no offer (:func:`customer_network`);
* **a quotation of customer lines** (the product with quantity and unit price): a quotation stored before
  quotations had them is shown as one line of its total (:func:`customer_quotation`);
* **notes in neutral words**: a failure whose details name suppliers, their prices or the manufacturer's
  reservation prices reads as its reason and a sentence (:func:`public_note`), in the history, in status
  notices and in every push event (:class:`gateway.bridge.base.OrderEvent` notes pass through it).

Push events: :func:`customer_hears` says which events a customer may hear at all (status, quotation,
invoice events, and the negotiation messages of its own conversation; an unknown kind is not heard), and
every event is built public (:func:`public_event`, applied by :class:`~gateway.bridge.base.OrderEvent`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

import ontology  # noqa: F401  (registers every content type with the codec)
from gateway.core.principal import Principal
from gateway.schemas.negotiation import AclMessagePublic
from gateway.schemas.orders import CustomerSupplyNetwork, OrderPublic, SourcedPartPublic
from gateway.transcript import decoded
from ontology.codec import Content, ContentError, decode, encode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted
from ontology.network import SupplyNetwork
from ontology.order import Order
from ontology.quotation import Quotation, QuotationLine
from store.enums import UserRole
from store.records import AclMessageRecord, OrderDetail, OrderRecord

if TYPE_CHECKING:
    from gateway.bridge.base import OrderEvent

log = logging.getLogger(__name__)

#: Reasons an order fails for whose details are the manufacturer's (they name suppliers, their offers, the
#: reservation prices): what a customer reads instead of the details.
PRIVATE_FAILURES: dict[str, str] = {
    "sourcing-failed": "the parts could not be sourced",
    "no-supplier": "no supplier makes one of the parts",
    "part-not-covered": "no supplier offered one of the parts on acceptable terms",
    "network-incomplete": "the parts could not all be sourced",
    "network-too-late": "the parts would arrive too late",
    "contract-failed": "the contracts could not be made",
    "internal-error": "an error on the manufacturer's side stopped the order",
}

_FAILURE = re.compile(r"^\s*(?P<reason>[a-z][a-z0-9-]*)\s*(?::|$)")

#: The kinds of events (:class:`~gateway.bridge.base.EventKind`) a customer hears about its orders (a
#: negotiation message only when it is not for the manufacturer only).
CUSTOMER_EVENTS = frozenset({"status", "quotation", "invoice", "negotiation-message"})


def is_customer(user: Principal) -> bool:
    return user.role is UserRole.CUSTOMER


# ---------------------------------------------------------------------------------------------- notes


def public_note(note: str) -> str:
    """``note`` as anyone may read it: a failure note ``reason: details`` of a reason in
    :data:`PRIVATE_FAILURES` becomes ``reason: <its sentence>``; every other note is kept."""
    found = _FAILURE.match(note)
    if found is None:
        return note
    reason = found["reason"]
    words = PRIVATE_FAILURES.get(reason)
    return note if words is None else f"{reason}: {words}"


def _public_reason(reason: Reason) -> Reason:
    words = PRIVATE_FAILURES.get(reason.reason)
    return reason if words is None else reason.model_copy(update={"detail": words})


# ---------------------------------------------------------------------------------------------- orders


def customer_quotation(data: dict[str, Any] | None, quantity: int) -> dict[str, Any] | None:
    """A stored quotation as its customer reads it: as it is when its lines are customer lines (each with
    quantity and unit price), else (a quotation made before) one line of its total for the order's
    ``quantity``."""
    if data is None:
        return None
    try:
        quotation = Quotation.model_validate(data)
    except ValidationError:
        log.warning("a stored quotation does not parse; its customer sees none")
        return None
    return _customer_lines(quotation, quantity).model_dump(mode="json")


def _customer_lines(quotation: Quotation, quantity: int | None) -> Quotation:
    """``quotation`` with customer lines: itself, or one line of its total (for ``quantity`` units at a whole
    number of cents each when it divides so, else priced as a whole)."""
    if all(line.quantity is not None for line in quotation.lines):
        return quotation
    total = quotation.total_price
    unit = total / (quantity or 1)
    priced = quantity is not None and unit == unit.quantize(Decimal("0.01"))
    line = QuotationLine(
        part_id=quotation.lines[0].part_id if len(quotation.lines) == 1 else "order",
        quantity=quantity if priced else None,
        unit_price=unit if priced else None,
        price=total,
    )
    return quotation.model_copy(update={"lines": (line,)})


def customer_network(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored supply network as the order's customer reads it: the sourced parts and when each is
    expected, without suppliers, offers or prices."""
    if data is None:
        return None
    try:
        network = SupplyNetwork.model_validate(data)
    except ValidationError:
        log.warning("a stored supply network does not parse; its customer sees none")
        return None
    parts = [
        SourcedPartPublic(
            part_id=assignment.part.part_id,
            process=str(assignment.part.process),
            material=assignment.part.material,
            description=assignment.part.description,
            quantity=assignment.part.quantity,
            expected_date=assignment.offer.delivery_date,
        )
        for assignment in network.assignments
    ]
    return CustomerSupplyNetwork(order_id=str(network.order_id), parts=parts).model_dump(mode="json")


def order_view(user: Principal, detail: OrderDetail) -> OrderPublic:
    """The order of ``detail`` as ``user`` (one of its parties) may read it."""
    order = OrderPublic.of_detail(detail)
    if not is_customer(user):
        return order
    record = detail.order
    return order.model_copy(
        update={
            "history": [
                change.model_copy(update={"note": public_note(change.note)}) for change in order.history
            ],
            "quotation": customer_quotation(record.quotation, record.quantity),
            "supply_network": customer_network(record.supply_network),
            # the order agreement's id is recorded first (ContractCommitted.contract_ids); the supply
            # agreements' would tell how many suppliers there are
            "contract_ids": record.contract_ids[:1],
        }
    )


# ---------------------------------------------------------------------------------------------- transcript


def _bare(address: str) -> str:
    return address.split("/", 1)[0]


def customer_side(records: Iterable[AclMessageRecord], order_id: str) -> frozenset[str] | None:
    """The bare addresses of the order's customer agent and manufacturer agent: the sender and the receiver
    of the message that carried the order (None while no such message is logged)."""
    for record in records:
        if not record.receivers:
            continue
        try:
            content = decode(record.content, Order, remember=False)
        except ContentError:
            continue
        if str(content.id) == order_id:
            return frozenset({_bare(record.sender), *map(_bare, record.receivers)})
    return None


def between(side: frozenset[str], sender: str, receivers: Iterable[str]) -> bool:
    """Whether a message from ``sender`` to ``receivers`` is one of the customer's conversation with the
    manufacturer (``side``: :func:`customer_side`): sent by one of them to the other only."""
    addressed = [_bare(receiver) for receiver in receivers]
    return _bare(sender) in side and bool(addressed) and all(a in side for a in addressed)


def customer_content(content: str, quantity: int | None = None) -> str:
    """A message's content as the customer reads it: a contract confirmation without the supply contracts,
    a failure or status notice in neutral words, a quotation of customer lines (``quantity``: the order's,
    for a quotation made before quotations had them); anything else as sent."""
    try:
        model: Content = decode(content, remember=False)
    except ContentError:
        return content
    public = _public_content(model, quantity)
    return content if public is model else encode(public)


def _public_content(model: Content, quantity: int | None) -> Content:
    if isinstance(model, ContractCommitted) and model.supply_contracts:
        return model.model_copy(update={"supply_contracts": ()})
    if isinstance(model, Reason):
        return _public_reason(model)
    if isinstance(model, OrderStatusNotice):
        note = public_note(model.note)
        return model if note == model.note else model.model_copy(update={"note": note})
    if isinstance(model, Quotation):
        return _customer_lines(model, quantity)
    return model


def customer_transcript(records: list[AclMessageRecord], order: OrderRecord) -> list[AclMessageRecord]:
    """The logged messages of ``order`` its customer may read: those between its agent and the manufacturer's,
    their contents as :func:`customer_content` shows them."""
    side = customer_side(records, order.id)
    if side is None:
        return []
    return [
        record.model_copy(update={"content": customer_content(record.content, order.quantity)})
        for record in records
        if between(side, record.sender, record.receivers)
    ]


def transcript_view(
    user: Principal, records: list[AclMessageRecord], order: OrderRecord
) -> list[AclMessageRecord]:
    """The logged messages of ``order`` as ``user`` (one of its parties) may read them."""
    return customer_transcript(records, order) if is_customer(user) else records


# ---------------------------------------------------------------------------------------------- events


def customer_hears(event: OrderEvent) -> bool:
    """Whether the order's customer may hear ``event``: an event of a kind customers hear that is not for the
    manufacturer only (what it carries is public already: :func:`public_event`)."""
    return event.kind in CUSTOMER_EVENTS and not event.manufacturer_only


def public_message(message: AclMessagePublic) -> AclMessagePublic:
    """One transcript message as its customer reads it (:func:`customer_content`)."""
    content = customer_content(message.content)
    if content == message.content:
        return message
    return message.model_copy(update={"content": content, "decoded": decoded(content)})


def public_event(data: Any) -> Any:
    """The fields of an :class:`~gateway.bridge.base.OrderEvent` (before validation) as anyone may hear them:
    its note in neutral words (:func:`public_note`), and a message its customer hears as the customer reads it
    (:func:`public_message`). Both parties hear the same event; the manufacturer reads the details in the
    order's history and transcript."""
    if not isinstance(data, dict):
        return data
    public = dict(data)
    note = public.get("note")
    if isinstance(note, str):
        public["note"] = public_note(note)
    message = public.get("message")
    if message is not None and not public.get("manufacturer_only", False):
        public["message"] = public_message(AclMessagePublic.model_validate(message))
    return public
