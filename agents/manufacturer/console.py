"""The manufacturer's console: FIPA ``request`` conversations from the JIDs it trusts (the gateway's
bridge) that drive the manual steps of an order.

A console sends a ``request`` (protocol ``fipa-request``) carrying one of
:class:`~ontology.console.OrderDecision` (a ``received`` order, policy ``auto_accept`` off),
:class:`~ontology.console.StartSourcing` (``accepted``, ``auto_source`` off),
:class:`~ontology.console.ProductionProgress` (``in_production``, ``auto_produce`` off),
:class:`~ontology.console.RaiseInvoice` (``produced``, ``auto_invoice`` off) and, with the manufacturer on the
ledger, :class:`~ontology.console.ConfirmParts` (``contracted``, ``auto_receive_parts`` off: the shipped parts
arrived), :class:`~ontology.console.StartProduction` (``contracted``, parts awaited: start anyway, for the
reason given), :class:`~ontology.console.PaymentReceived` (``invoiced``, the customer announced a bank
transfer and the policy's ``payment.confirm_by_hand`` is on) or :class:`~ontology.console.ShipOrder`
(``paid``, ``auto_ship`` off). The agent answers:

* ``refuse`` :class:`~ontology.common.Reason` when the sender is not one of its consoles
  (``not-a-console``: refused before a conversation opens, logged by the Python logger only, nothing
  stored), the order is unknown (``unknown-order``) or another manufacturer's
  (``not-this-manufacturer``), its status does not fit (``wrong-status``: "order X is quoted, not
  received"), or no step of the order waits for this request (``not-awaited``: the policy does it
  by itself, or the order's flow is not running);
* else ``agree``, then, once the order's flow took the step, ``inform``
  :class:`~ontology.common.Done` (or ``failure`` with the reason it could not).

An order's flow opens a :class:`Gate` for the request it waits for *before* it moves the order to
the status the request needs, so a console that reacts to the status notice finds the gate open.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Any, Generic, TypeVar

from agents.manufacturer.host import DeskHost
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.transport import bare
from ontology.codec import Content, decode
from ontology.common import Reason
from ontology.console import (
    ConfirmParts,
    OrderDecision,
    PaymentReceived,
    ProductionProgress,
    RaiseInvoice,
    ShipOrder,
    StartProduction,
    StartSourcing,
)
from ontology.order import OrderStatus
from protocols.acl import AclMessage
from protocols.performative import Performative
from protocols.request import RequestParticipant, RequestParticipantState

log = logging.getLogger(__name__)

ConsoleRequest = (
    OrderDecision
    | StartSourcing
    | ProductionProgress
    | RaiseInvoice
    | ConfirmParts
    | StartProduction
    | ShipOrder
    | PaymentReceived
)
CONSOLE_REQUESTS: tuple[type[ConsoleRequest], ...] = (
    OrderDecision,
    StartSourcing,
    ProductionProgress,
    RaiseInvoice,
    ConfirmParts,
    StartProduction,
    ShipOrder,
    PaymentReceived,
)

#: The status an order must have for each request, and why its flow may not wait for it (the policy flag that
#: makes it manual, or what else).
NEEDS: dict[type[ConsoleRequest], tuple[OrderStatus, str]] = {
    OrderDecision: (OrderStatus.RECEIVED, "the policy's auto_accept is on"),
    StartSourcing: (OrderStatus.ACCEPTED, "the policy's auto_source is on"),
    ProductionProgress: (OrderStatus.IN_PRODUCTION, "the policy's auto_produce is on"),
    RaiseInvoice: (OrderStatus.PRODUCED, "the policy's auto_invoice is on"),
    ConfirmParts: (OrderStatus.CONTRACTED, "the policy's auto_receive_parts is on"),
    StartProduction: (OrderStatus.CONTRACTED, "its parts are not awaited on the ledger"),
    ShipOrder: (OrderStatus.PAID, "the policy's auto_ship is on"),
    PaymentReceived: (
        OrderStatus.INVOICED,
        "the policy takes an announced payment as received (no bank details, or payment.confirm_by_hand off)",
    ),
}

PATIENCE = timedelta(seconds=30)
"""How long a console's request may wait for the order's flow to take the step."""

NOT_A_CONSOLE = "not-a-console"
UNKNOWN_ORDER = "unknown-order"
NOT_THIS_MANUFACTURER = "not-this-manufacturer"
WRONG_STATUS = "wrong-status"
NOT_AWAITED = "not-awaited"

R = TypeVar("R", bound=ConsoleRequest)


@dataclass
class Pending(Generic[R]):
    """A console's request handed to an order's flow; the flow answers it once."""

    request: R
    answered: asyncio.Future[Reason | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def done(self) -> None:
        """The step was taken (the console hears ``inform`` Done)."""
        if not self.answered.done():
            self.answered.set_result(None)

    def fail(self, reason: Reason) -> None:
        """The step could not be taken (the console hears ``failure`` with ``reason``)."""
        if not self.answered.done():
            self.answered.set_result(reason)


class Gate(Generic[R]):
    """Where one order's flow waits for one kind of console request (a context manager)."""

    def __init__(self, desk: ConsoleDesk, order_id: str, kind: type[R]) -> None:
        self.desk = desk
        self.order_id = order_id
        self.kind = kind
        self._queue: asyncio.Queue[Pending[R]] = asyncio.Queue()

    def __enter__(self) -> Gate[R]:
        self.desk._open(self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.desk._close(self)
        while not self._queue.empty():
            self._queue.get_nowait().fail(
                Reason(reason=NOT_AWAITED, detail=f"order {self.order_id} moved on before this request")
            )

    def put(self, pending: Pending[R]) -> None:
        self._queue.put_nowait(pending)

    async def next(self) -> Pending[R]:
        """The next request of this kind for this order (bound it with ``asyncio.timeout``)."""
        return await self._queue.get()


class ConsoleDesk:
    """Serves console requests for a manufacturer agent (seen as a :class:`DeskHost`); ``consoles`` are
    trusted bare JIDs."""

    def __init__(self, agent: DeskHost, consoles: Iterable[str]) -> None:
        self.agent = agent
        self.consoles = frozenset(bare(jid) for jid in consoles)
        self._gates: dict[tuple[str, type[Content]], Gate[Any]] = {}

    def gate(self, order_id: str, kind: type[R]) -> Gate[R]:
        """A gate for ``kind`` requests about ``order_id``; use it as ``with desk.gate(...) as g:``."""
        return Gate(self, order_id, kind)

    def _open(self, gate: Gate[R]) -> None:
        self._gates[(gate.order_id, gate.kind)] = gate

    def _close(self, gate: Gate[R]) -> None:
        key = (gate.order_id, gate.kind)
        if self._gates.get(key) is gate:
            del self._gates[key]

    def waits_for(self, order_id: str, kind: type[ConsoleRequest]) -> bool:
        return (order_id, kind) in self._gates

    # ----------------------------------------------------------------- the responder

    async def admit(self, message: AclMessage) -> Reason | None:
        """Only the consoles open requests here."""
        if bare(message.sender) in self.consoles:
            return None
        return Reason(
            reason=NOT_A_CONSOLE, detail=f"{message.sender} is not a console of {self.agent.address}"
        )

    def open_request(self, message: AclMessage) -> None:
        """Responder of ``fipa-request`` conversations opened with the agent."""
        machine = RequestParticipant.for_message(
            message,
            me=self.agent.address,
            patience=PATIENCE,
            content_types={Performative.REQUEST: CONSOLE_REQUESTS},
        )
        self.agent.open_conversation(machine, opening=message, on_update=self._on_update)

    async def _on_update(self, conversation: ConversationBehaviour[RequestParticipant]) -> None:
        machine = conversation.machine
        message = machine.request
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or message is None:
            return
        request: Content = decode(message.content)
        assert isinstance(request, CONSOLE_REQUESTS)
        why = await self._check(message, request)
        if why is not None:
            log.warning(
                "%s: refused %s from %s: %s %s",
                self.agent.address,
                type(request).content_type,
                message.sender,
                why.reason,
                why.detail,
            )
            conversation.act(lambda m, now: m.refuse(why, now=now))
            return
        gate = self._gates[(str(request.order_id), type(request))]
        conversation.act(lambda m, now: m.agree(now=now, result_by=now + PATIENCE))
        pending: Pending[ConsoleRequest] = Pending(request)
        gate.put(pending)
        try:
            async with asyncio.timeout(PATIENCE.total_seconds()):
                answer = await asyncio.shield(pending.answered)
        except TimeoutError:
            answer = Reason(reason="no-answer", detail=f"order {request.order_id} did not take the step")
        if not _agreed(machine):
            return
        if answer is None:
            conversation.act(lambda m, now: m.inform(now=now))
        else:
            failure = answer
            conversation.act(lambda m, now: m.failure(failure, now=now))

    async def _check(self, message: AclMessage, request: ConsoleRequest) -> Reason | None:
        """Why ``request`` is refused, or None."""
        me = self.agent.address
        if bare(message.sender) not in self.consoles:
            return Reason(reason=NOT_A_CONSOLE, detail=f"{message.sender} is not a console of {me}")
        order_id = str(request.order_id)
        if self.agent.order_task(order_id) is not None:  # logged under the order while its flow runs
            self.agent.track(message.conversation_id or "", order_id)
        record = await self.agent.journal.order_record(order_id)
        if record is None:
            return Reason(reason=UNKNOWN_ORDER, detail=f"no order {order_id}")
        if record.manufacturer_id != self.agent.manufacturer_id:
            return Reason(
                reason=NOT_THIS_MANUFACTURER,
                detail=f"order {order_id} is for {record.manufacturer_id}, not {self.agent.manufacturer_id}",
            )
        needed, flag = NEEDS[type(request)]
        if record.status != needed:
            return Reason(reason=WRONG_STATUS, detail=f"order {order_id} is {record.status}, not {needed}")
        if not self.waits_for(order_id, type(request)):
            return Reason(
                reason=NOT_AWAITED,
                detail=f"order {order_id} does not wait for {type(request).content_type} "
                f"({flag}, or its flow is not running)",
            )
        return None


def _agreed(machine: RequestParticipant) -> bool:
    """Still agreed (the conversation may have ended while the flow took the step)."""
    return machine.state is RequestParticipantState.AGREED
