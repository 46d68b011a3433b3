"""Status notices: on every status change of an order (and every production progress report) the
manufacturer sends a plain ``inform`` (no protocol) with an :class:`~ontology.console.OrderStatusNotice`
to the order's customer agent and to each of its consoles.

All notices of one order share the conversation-id ``<order id>/status`` (so a follower can tell
them apart from its own conversations); each has its own reply-with. Nothing answers a notice.
:class:`Followers` keeps, per order, who hears its notices and the status last told them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TypedDict

from ontology.console import OrderStatusNotice
from ontology.lifecycle import ShipmentInfo
from ontology.order import OrderStatus
from ontology.values import Money
from protocols.acl import AclMessage
from protocols.performative import Performative

NOTICE_SUFFIX = "/status"


class NoticeInfo(TypedDict, total=False):
    """What a status notice may tell besides the status (see :class:`OrderStatusNotice`)."""

    price: Money | None
    currency: str | None
    progress: int | None
    shipment: ShipmentInfo | None
    delivery_date: date | None


def notice_conversation(order_id: str) -> str:
    """The conversation-id of the status notices of ``order_id``."""
    return f"{order_id}{NOTICE_SUFFIX}"


def notice_message(me: str, followers: Iterable[str], notice: OrderStatusNotice) -> AclMessage | None:
    """The ``inform`` carrying ``notice`` to ``followers`` (``me`` left out), or None when no one follows."""
    receivers = tuple(dict.fromkeys(jid for jid in followers if jid and jid != me))
    if not receivers:
        return None
    return AclMessage.build(
        Performative.INFORM,
        me,
        receivers,
        notice,
        protocol=None,
        conversation_id=notice_conversation(str(notice.order_id)),
    )


class Followers:
    """Who hears each order's status notices (its customer agent and the consoles) and the status last told
    them. ``send`` carries a notice's message (it is told the order); ``consoles`` hear every order."""

    def __init__(self, me: str, consoles: Iterable[str], send: Callable[[AclMessage, str], None]) -> None:
        self.me = me
        self.consoles = frozenset(consoles)
        self._send = send
        self._customers: dict[str, str] = {}
        """The customer agent of each order this run knows."""
        self._announced: dict[str, OrderStatus] = {}

    def follow(self, order_id: str, customer_agent: str) -> None:
        """``customer_agent`` hears the notices of ``order_id`` from now on."""
        self._customers[order_id] = customer_agent

    def customer_of(self, order_id: str) -> str | None:
        return self._customers.get(order_id)

    def announcing(self, order_id: str, status: OrderStatus, *, changed: bool) -> bool:
        """Whether the followers are to hear that ``order_id`` is ``status`` now: when it ``changed`` in the
        store, or they have not heard it yet (another agent moved the order there first); never twice. From
        now on they count as having heard it."""
        if changed or self._announced.get(order_id) is not status:
            self._announced[order_id] = status
            return True
        return False

    def notify(self, notice: OrderStatusNotice) -> None:
        """Send ``notice`` to the order's customer agent (when known) and to every console."""
        order_id = str(notice.order_id)
        followers = [self._customers.get(order_id, ""), *sorted(self.consoles)]
        message = notice_message(self.me, followers, notice)
        if message is not None:
            self._send(message, order_id)

    def orders(self) -> set[str]:
        return {*self._customers, *self._announced}

    def forget(self, order_id: str) -> None:
        self._customers.pop(order_id, None)
        self._announced.pop(order_id, None)

    def sizes(self) -> dict[str, int]:
        """How many entries each of its maps holds (tests, diagnostics)."""
        return {"customers": len(self._customers), "announced": len(self._announced)}
