"""``CustomerAgent``: places orders with a manufacturer, answers quotations, pays invoices.

An order is the order protocol (:mod:`protocols.order_request`, ``lso-order``) the customer
initiates with the manufacturer: a ``request`` with the :class:`~ontology.order.Order`; the
manufacturer ``refuse``s it, or ``agree``s (the order is taken) and then ``propose``s a
:class:`~ontology.quotation.Quotation` (or gives up with ``failure``); the customer's
:class:`~agents.customer.decisions.DecisionSource` accepts (``accept-proposal`` with
:class:`~ontology.quotation.AcceptQuotation`), declines (``reject-proposal``) or counters (a
revised ``cfp`` with a :class:`~ontology.quotation.CounterOffer`); after an acceptance the
manufacturer answers ``inform`` :class:`~ontology.contract.ContractCommitted` or ``failure``.
Invoices arrive later as a FIPA ``request`` with an :class:`~ontology.billing.Invoice`; the
decision source pays it (``inform`` :class:`~ontology.billing.Payment`) or not (``failure``). A request
is served only from the manufacturer agent an open order of this agent was sent to (the stamped sender),
and an invoice only about that order: anything else is refused ``not-authorised`` before a conversation
opens.

The manufacturer tells every status change of an order with a plain ``inform`` (no protocol)
carrying an :class:`~ontology.console.OrderStatusNotice`; each becomes an :class:`OrderEvent` of
kind ``status`` (content: the notice, detail: its note) through ``on_event``. Notices about an
order this agent did not place, or from anyone but the order's manufacturer, are ignored (logged).

An order is settled (its handle leaves :attr:`CustomerAgent.orders`) once it ended without a contract,
once its invoice was answered, or once its manufacturer announces a final status (paid, failed, ...).
The manufacturers of the last :data:`SETTLED_REMEMBERED` settled orders are remembered, so their late
notices are still heard; an invoice of a settled order is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from agents.customer.decisions import Decision, DecisionSource
from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour, utc_now
from agents.runtime.not_understood import not_understood_for
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from agents.runtime.transport import bare
from core.settings import Settings
from ontology.billing import Invoice, Payment
from ontology.codec import Content, ContentError, decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted
from ontology.order import Order, OrderStatus, is_terminal
from ontology.policy import CustomerDecision
from ontology.quotation import AcceptQuotation, CounterOffer, Quotation
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.order_request import OrderInitiator
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState

log = logging.getLogger(__name__)

NO_PROTOCOL = ""
"""What :meth:`PlatformAgent.serve` keys messages without a protocol by (status notices)."""

_S = ContractNetInitiatorState
GRACE = 5.0
SETTLED_REMEMBERED = 1000
"""Settled orders whose manufacturer is remembered (to hear its late notices)."""


@dataclass(frozen=True)
class CustomerTimings:
    quotation: timedelta = timedelta(seconds=120)
    """The manufacturer must refuse or quote within this (sourcing and negotiation included)."""
    decision: timedelta = timedelta(hours=1)
    """Time to decide a quotation (the decision source's bound)."""
    contract: timedelta = timedelta(seconds=90)
    """After an acceptance, the manufacturer confirms the contract within this."""
    payment: timedelta = timedelta(hours=1)
    """Time to pay an invoice (a person in the app needs more than seconds)."""
    max_rounds: int = 5
    """Quotation rounds (1 + counter-offers)."""


@dataclass(frozen=True)
class OrderEvent:
    """Something the gateway may push to the app."""

    order_id: UUID
    kind: str
    """quotation, refused, declined, contracted, failed, invoice, paid; status (a manufacturer's
    :class:`~ontology.console.OrderStatusNotice`)."""
    content: Content | None = None
    detail: str = ""


@dataclass
class OrderOutcome:
    status: str
    """contracted, refused, declined or failed."""
    reason: str = ""
    quotation: Quotation | None = None
    committed: ContractCommitted | None = None


@dataclass
class OrderHandle:
    """An order placed by this agent; await ``outcome`` (and ``payment`` once contracted)."""

    order: Order
    manufacturer: str
    outcome: asyncio.Future[OrderOutcome]
    payment: asyncio.Future[Payment]
    quotations: list[Quotation] = field(default_factory=list)
    conversation_id: str = ""


class CustomerAgent(PlatformAgent):
    def __init__(
        self,
        name: str,
        settings: Settings | None = None,
        *,
        decisions: DecisionSource,
        timings: CustomerTimings | None = None,
        on_event: Callable[[OrderEvent], None] | None = None,
        password: str | None = None,
    ) -> None:
        super().__init__(name, settings, password=password)
        self.decisions = decisions
        self.timings = timings or CustomerTimings()
        self.on_event = on_event
        self.orders: dict[UUID, OrderHandle] = {}
        """The orders under way (placed and not settled)."""
        self._settled: OrderedDict[UUID, str] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open_invoice, admit=self._admit_request)
        self.serve(NO_PROTOCOL, self._on_notice)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await super().stop()

    def _spawn(self, coroutine: object, name: str) -> None:
        task = asyncio.ensure_future(coroutine)  # type: ignore[call-overload]
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _emit(self, event: OrderEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("%s: on_event failed", self.address)

    # ----------------------------------------------------------------- ordering

    def place_order(self, order: Order, manufacturer: str) -> OrderHandle:
        """Send ``order`` to ``manufacturer`` (its JID); the handle follows it."""
        loop = asyncio.get_running_loop()
        handle = OrderHandle(order, manufacturer, loop.create_future(), loop.create_future())
        self.orders[order.id] = handle
        self._spawn(self._order(handle), f"order {order.id}")
        return handle

    async def _order(self, handle: OrderHandle) -> None:
        try:
            outcome = await self._negotiate(handle)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("%s: order %s", self.address, handle.order.id)
            outcome = OrderOutcome("failed", f"internal error: {type(exc).__name__}: {exc}")
        if not handle.outcome.done():
            handle.outcome.set_result(outcome)
        self._emit(OrderEvent(handle.order.id, outcome.status, outcome.committed, outcome.reason))
        if outcome.status != "contracted":
            self._settle(handle)

    def _settle(self, handle: OrderHandle) -> None:
        """Forget ``handle``'s order (nothing more is expected of it); remember its manufacturer a while."""
        order_id = handle.order.id
        if self.orders.get(order_id) is handle:
            del self.orders[order_id]
        self._settled[order_id] = bare(handle.manufacturer)
        self._settled.move_to_end(order_id)
        while len(self._settled) > SETTLED_REMEMBERED:
            self._settled.popitem(last=False)

    def manufacturer_of(self, order_id: UUID) -> str | None:
        """The bare JID of the manufacturer agent an order (under way or settled lately) was sent to."""
        handle = self.orders.get(order_id)
        return bare(handle.manufacturer) if handle is not None else self._settled.get(order_id)

    async def _negotiate(self, handle: OrderHandle) -> OrderOutcome:
        order, manufacturer, timings = handle.order, handle.manufacturer, self.timings
        machine = OrderInitiator(
            me=self.address,
            max_rounds=timings.max_rounds,
            patience=timings.decision,
            content_types={Performative.PROPOSE: (Quotation,), Performative.INFORM: (ContractCommitted,)},
        )
        handle.conversation_id = machine.conversation_id
        conversation = self.open_conversation(machine)
        reply_by = utc_now() + timings.quotation
        conversation.act(lambda m, now: m.start(order, [manufacturer], now=now, reply_by=reply_by))
        counters = 0
        try:
            while True:
                wait = (reply_by - utc_now()).total_seconds() + GRACE
                async with asyncio.timeout(max(wait, GRACE)):
                    await conversation.wait_until(lambda m: m.state is not _S.COLLECTING)
                if machine.finished:
                    return OrderOutcome("refused", _refusal(machine, manufacturer))
                quotation = decode(machine.proposals[manufacturer].content, Quotation)
                handle.quotations.append(quotation)
                self._emit(OrderEvent(order.id, "quotation", quotation))
                async with asyncio.timeout(timings.decision.total_seconds()):
                    decision = await self.decisions.decide(order, quotation, counters)
                if machine.state is not _S.EVALUATING:
                    return OrderOutcome("failed", f"no decision in time ({machine.state})", quotation)
                if decision.kind is CustomerDecision.COUNTER and machine.can_revise and decision.counter:
                    counters += 1
                    reply_by = utc_now() + timings.quotation
                    _revise(conversation, decision.counter, reply_by)
                    continue
                if decision.kind is CustomerDecision.ACCEPT:
                    return await self._accept(conversation, handle, quotation)
                why = decision.reason or "declined"
                if decision.kind is CustomerDecision.COUNTER:
                    why = "no rounds left to counter"
                _decline(conversation, why)
                return OrderOutcome("declined", why, quotation)
        except (TimeoutError, ConversationAborted) as exc:
            with contextlib.suppress(Exception):
                conversation.act(lambda m, now: m.cancel("the customer stopped waiting", now=now))
            return OrderOutcome("failed", f"no answer in time ({type(exc).__name__})")

    async def _accept(
        self,
        conversation: ConversationBehaviour[OrderInitiator],
        handle: OrderHandle,
        quotation: Quotation,
    ) -> OrderOutcome:
        manufacturer = handle.manufacturer
        accept = AcceptQuotation(order_id=quotation.order_id, quotation_id=quotation.id)
        result_by = utc_now() + self.timings.contract
        conversation.act(
            lambda m, now: m.award(
                [manufacturer], now=now, result_by=result_by, accept_content={manufacturer: accept}
            )
        )
        async with asyncio.timeout(self.timings.contract.total_seconds() + GRACE):
            outcome = await conversation.outcome()
        machine = conversation.machine
        result = machine.results.get(manufacturer)
        if outcome.state == _S.COMPLETED and result is not None:
            try:
                committed = decode(result.content, ContractCommitted)
            except ContentError as exc:
                return OrderOutcome("failed", f"bad contract confirmation: {exc}", quotation)
            return OrderOutcome("contracted", "", quotation, committed)
        failure = machine.failures.get(manufacturer)
        why = _reason_text(failure) if failure is not None else outcome.reason
        return OrderOutcome("failed", why, quotation)

    # ----------------------------------------------------------------- status notices

    def _on_notice(self, message: AclMessage) -> None:
        """A message outside any protocol: a manufacturer's status notice, else not understood."""
        try:
            if message.performative is not Performative.INFORM:
                raise ContentError(f"a {message.performative} outside any protocol")
            notice = decode(message.content, OrderStatusNotice, remember=False)
        except ContentError as exc:
            log.warning("%s: not-understood to %s: %s", self.address, message.sender, exc)
            self.send_acl(not_understood_for(self.address, message, f"only status notices come here: {exc}"))
            return
        if self.manufacturer_of(notice.order_id) != bare(message.sender):
            log.warning(
                "%s: ignoring a status notice of order %s from %s (not the order's manufacturer)",
                self.address,
                notice.order_id,
                message.sender,
            )
            return
        self._emit(OrderEvent(notice.order_id, "status", notice, notice.note))
        handle = self.orders.get(notice.order_id)
        final = is_terminal(notice.status) or notice.status is OrderStatus.PAID
        if handle is not None and final and handle.outcome.done():
            self._settle(handle)

    # ----------------------------------------------------------------- invoices

    async def _admit_request(self, message: AclMessage) -> Reason | None:
        """Requests come from the manufacturer agent of an open order only, and an invoice is about one of
        its orders (a request it cannot read is answered ``not-understood`` by its conversation)."""
        sender = bare(message.sender)
        try:
            invoice = decode(message.content, Invoice, remember=False)
        except ContentError:
            if any(bare(h.manufacturer) == sender for h in self.orders.values()):
                return None
            return Reason(
                reason=NOT_AUTHORISED,
                detail=f"{sender} is not the manufacturer agent of an order {self.address} placed",
            )
        handle = self.orders.get(invoice.order_id)
        if handle is not None and bare(handle.manufacturer) == sender:
            return None
        return Reason(
            reason=NOT_AUTHORISED,
            detail=f"{sender} is not the manufacturer agent of an open order {invoice.order_id} "
            f"placed by {self.address}",
        )

    def _open_invoice(self, message: AclMessage) -> None:
        machine = RequestParticipant.for_message(
            message,
            me=self.address,
            patience=self.timings.payment,
            content_types={Performative.REQUEST: (Invoice,)},
        )
        conversation = self.open_conversation(machine, opening=message, on_update=self._on_invoice)
        del conversation

    async def _on_invoice(self, conversation: ConversationBehaviour[RequestParticipant]) -> None:
        machine = conversation.machine
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or machine.request is None:
            return
        invoice = decode(machine.request.content, Invoice)
        handle = self.orders.get(invoice.order_id)
        if handle is None or bare(handle.manufacturer) != bare(machine.initiator):
            why = Reason(
                reason="unknown-order", detail=f"no order {invoice.order_id} with {machine.initiator}"
            )
            conversation.act(lambda m, now: m.refuse(why, now=now))
            return
        conversation.act(lambda m, now: m.agree(now=now))
        self._emit(OrderEvent(invoice.order_id, "invoice", invoice))
        try:
            answer = await self.decisions.pay(invoice.order_id, invoice)
            if not _agreed(machine):
                return
            if isinstance(answer, str):
                reason = Reason(reason="not-paid", detail=answer)
                conversation.act(lambda m, now: m.failure(reason, now=now))
                return
            payment = answer
            conversation.act(lambda m, now: m.inform(payment, now=now))
            if not handle.payment.done():
                handle.payment.set_result(payment)
            self._emit(OrderEvent(invoice.order_id, "paid", payment))
        finally:
            self._settle(handle)  # the manufacturer asks once: paid, refused or expired, it is over


Negotiation = ConversationBehaviour[OrderInitiator]


def _revise(conversation: Negotiation, counter: CounterOffer, reply_by: datetime) -> None:
    conversation.act(lambda m, now: m.revise(counter, now=now, reply_by=reply_by))


def _decline(conversation: Negotiation, why: str) -> None:
    conversation.act(lambda m, now: m.award([], now=now, reject_reason=why))


def _agreed(machine: RequestParticipant) -> bool:
    """Still agreed (the conversation may have moved on while the payment was decided)."""
    return machine.state is RequestParticipantState.AGREED


def _reason_text(message: AclMessage) -> str:
    try:
        reason = decode(message.content, Reason)
    except ContentError:
        return message.content[:2000]
    return f"{reason.reason}: {reason.detail}" if reason.detail else reason.reason


def _refusal(machine: OrderInitiator, manufacturer: str) -> str:
    refusal = machine.refusals.get(manufacturer)
    if refusal is not None:
        return _reason_text(refusal)
    return machine.outcome.reason if machine.outcome else str(machine.state)


__all__ = ["CustomerAgent", "CustomerTimings", "Decision", "OrderEvent", "OrderHandle", "OrderOutcome"]
