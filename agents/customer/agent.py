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

The customer's own steps on the ledger (model v2), when the agent is given the customers' ledger sessions
(``ledger``: :class:`~ledger.lifecycle.PartySessions`, the session of the customer an order is of; and
``ledger_parties``: :class:`~ledger.lifecycle.PartyIdentities`, where the manufacturer's party id is read),
see :mod:`agents.customer.ledger_steps`:

1. before the ``accept-proposal``, the customer's signed ``CustomerOrder`` at the quotation's terms (its
   contract id goes in :attr:`AcceptQuotation.customer_order_contract_id`); a ledger away is retried with
   a bounded backoff within the contract timing, then the order fails in words (the quotation is declined
   with that reason): nothing is accepted before the ledger holds the customer's signature;
7. before the ``inform`` :class:`~ontology.billing.Payment`, the customer's ``PaymentClaim`` on the
   invoice's ledger contract (:attr:`Invoice.contract_id`), named in :attr:`Payment.claim_contract_id`;
9. on a ``shipped`` status notice, the decision source's :meth:`~DecisionSource.confirm_delivery` (a simulated
   customer at once, an app customer when the customer says so), then ``ConfirmDelivery`` and, when late
   with an agreed penalty, ``ClaimPenalty``; the outcome is the handle's ``delivery``.

Without a ledger (simulations) those ledger steps are skipped (logged once).

An order is settled (its handle leaves :attr:`CustomerAgent.orders`) once it ended without a contract, once
its invoice was refused or left unpaid, or once its manufacturer announces that it is delivered, completed
or ended otherwise (failed, cancelled, ...).
The manufacturers of the last :data:`SETTLED_REMEMBERED` settled orders are remembered, so their late
notices are still heard; an invoice of a settled order is refused.

What survives a restart. Given a store (``agent.store = db`` before it starts: the launcher's ``share_store``,
the gateway's bridge), the agent keeps its side of each order's conversation there
(:mod:`agents.customer.journal`: the :class:`~protocols.order_request.OrderInitiator` snapshot, written when a
quotation arrives, after each counter-offer and the acceptance, and marked finished when the conversation
ends). On start it takes up again every order whose quotation waited for the customer's answer: the
conversation was evaluating the quotation, the order is still ``quoted`` in the store and the time to answer
(the stored deadline) has not run out. Its :class:`OrderHandle` is rebuilt (``resumed``), the conversation is
re-opened (the manufacturer's replies reach it) and the decision source is asked again, so the order goes on
as if nothing had happened; every other conversation left unfinished is marked finished (logged, with why).
Nothing else is kept: an order placed but not quoted yet, or accepted and waiting for its contract, is
forgotten by a restart (the manufacturer's own recovery ends or resumes it), and an invoice sent before the
restart is not asked about again (the gateway pays it straight on the ledger). Without a store given (a
simulation) everything is kept in memory only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from agents.customer.decisions import Decision, DecisionSource
from agents.customer.journal import CustomerJournal, NotResumed, resumable
from agents.customer.ledger_steps import Backoff, CustomerLedger, DeliveryConfirmed, LedgerStepFailed
from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour, utc_now
from agents.runtime.not_understood import not_understood_for
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from agents.runtime.transport import bare
from common.settings import Settings
from ledger.lifecycle import PartyIdentities, PartySessions
from ontology.billing import Invoice, Payment
from ontology.codec import Content, ContentError, decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted
from ontology.lifecycle import ShipmentInfo
from ontology.order import Order, OrderStatus, is_terminal
from ontology.policy import CustomerDecision
from ontology.quotation import AcceptQuotation, CounterOffer, Quotation
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.order_request import OrderInitiator
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState
from store.records import NegotiationState

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
    ledger: timedelta = timedelta(seconds=60)
    """A ledger step after the order's signature (payment claim, delivery) is retried within this while the
    ledger does not answer (the signature itself within :attr:`contract`)."""
    max_rounds: int = 5
    """Quotation rounds (1 + counter-offers)."""


@dataclass(frozen=True)
class OrderEvent:
    """Something the gateway may push to the app."""

    order_id: UUID
    kind: str
    """quotation, refused, declined, contracted, failed, invoice, paid, delivered (detail: in words),
    delivery-failed (detail: why); status (a manufacturer's :class:`~ontology.console.OrderStatusNotice`)."""
    content: Content | None = None
    detail: str = ""


@dataclass
class OrderOutcome:
    status: str
    """contracted, refused, declined or failed."""
    reason: str = ""
    quotation: Quotation | None = None
    committed: ContractCommitted | None = None


def _future() -> asyncio.Future[DeliveryConfirmed]:
    return asyncio.get_running_loop().create_future()


@dataclass
class OrderHandle:
    """An order placed by this agent; await ``outcome`` (and ``payment`` once contracted, ``delivery`` once
    shipped)."""

    order: Order
    manufacturer: str
    outcome: asyncio.Future[OrderOutcome]
    payment: asyncio.Future[Payment]
    quotations: list[Quotation] = field(default_factory=list)
    conversation_id: str = ""
    delivery: asyncio.Future[DeliveryConfirmed] = field(default_factory=_future)
    """The customer's confirmed receipt (an exception: why it could not be confirmed on the ledger)."""
    shipment: ShipmentInfo | None = None
    delivering: bool = False
    resumed: bool = False
    """Taken up again after a restart of the agent (its conversation restored from the store)."""


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
        ledger: PartySessions | None = None,
        ledger_parties: PartyIdentities | None = None,
        ledger_backoff: Backoff | None = None,
    ) -> None:
        """``ledger``: the sessions of the customers this agent acts for (``session(PartyRole.CUSTOMER,
        order.customer_id)``: a token of that customer's own ledger user); ``ledger_parties``: the identity
        store, where the manufacturer's party is read. Both or neither (then the ledger steps are skipped)."""
        super().__init__(name, settings, password=password)
        if (ledger is None) != (ledger_parties is None):
            raise ValueError("a customer agent on the ledger needs both its sessions and the identity store")
        self.decisions = decisions
        self.timings = timings or CustomerTimings()
        self.on_event = on_event
        self.ledger = (
            None
            if ledger is None or ledger_parties is None
            else CustomerLedger(ledger, ledger_parties, ledger_backoff)
        )
        self._told_no_ledger = False
        self.orders: dict[UUID, OrderHandle] = {}
        """The orders under way (placed and not settled)."""
        self._settled: OrderedDict[UUID, str] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._journal: CustomerJournal | None = None
        """The order conversations in the store, when this agent is given one (see :meth:`start`)."""

    async def start(self) -> None:
        """Connect; with a store given (``agent.store = db``, before this), the orders whose quotation waited
        for the customer's answer when the previous run ended are taken up again (see the module's
        docstring)."""
        store = self.given_store  # without one (a simulation) conversations are kept in memory only
        self._journal = None if store is None else CustomerJournal(store, self.address)
        await super().start()
        await self._resume_open_quotations()

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open_invoice, admit=self._admit_request)
        self.serve(NO_PROTOCOL, self._on_notice)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._journal is not None:
            await self._journal.drain()  # a snapshot being written is written whole
        await super().stop()

    def _no_ledger(self) -> bool:
        """True (logged once) when this agent has no ledger: its ledger steps are skipped."""
        if self.ledger is not None:
            return False
        if not self._told_no_ledger:
            self._told_no_ledger = True
            log.info(
                "%s: no ledger given: the customer's ledger steps are skipped (a simulation)", self.address
            )
        return True

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

    async def _order(self, handle: OrderHandle, restored: Negotiation | None = None) -> None:
        """The order's conversation, a new one or ``restored`` (after a restart), to its outcome."""
        try:
            if restored is None:
                outcome = await self._negotiate(handle)
            else:
                outcome = await self._converse(handle, restored)
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
        """Request the order from its manufacturer, then negotiate its quotation to the end."""
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
        await self._keep(handle, machine)  # a restart finds the conversation, even before the quotation
        return await self._converse(handle, conversation)

    async def _converse(self, handle: OrderHandle, conversation: Negotiation) -> OrderOutcome:
        """The order's conversation from where it stands (collecting the manufacturer's answer, or evaluating
        a quotation: a conversation restored after a restart) to its outcome; its snapshot is kept in the
        store on the way (when this agent has one) and marked finished at the end (not when the agent stops:
        the next start resumes it)."""
        try:
            outcome = await self._decide(handle, conversation)
        except asyncio.CancelledError:
            raise
        except Exception:
            await self._keep(handle, conversation.machine, finished=True)
            raise
        await self._keep(handle, conversation.machine, finished=True)
        return outcome

    async def _decide(self, handle: OrderHandle, conversation: Negotiation) -> OrderOutcome:
        """The decision loop: wait for the quotation (or the refusal), ask the decision source, answer it."""
        order, manufacturer, timings = handle.order, handle.manufacturer, self.timings
        machine = conversation.machine
        try:
            while True:
                if machine.state is _S.COLLECTING:
                    reply_by = machine.next_deadline or utc_now()
                    wait = (reply_by - utc_now()).total_seconds() + GRACE
                    async with asyncio.timeout(max(wait, GRACE)):
                        await conversation.wait_until(lambda m: m.state is not _S.COLLECTING)
                if machine.finished:
                    return OrderOutcome("refused", _refusal(machine, manufacturer))
                quotation = decode(machine.proposals[manufacturer].content, Quotation)
                if all(known.id != quotation.id for known in handle.quotations):
                    handle.quotations.append(quotation)
                    self._emit(OrderEvent(order.id, "quotation", quotation))
                await self._keep(handle, machine)
                async with asyncio.timeout(self._time_to_decide(machine)):
                    decision = await self.decisions.decide(order, quotation, machine.round - 1)
                if machine.state is not _S.EVALUATING:
                    return OrderOutcome("failed", f"no decision in time ({machine.state})", quotation)
                if decision.kind is CustomerDecision.COUNTER and machine.can_revise and decision.counter:
                    _revise(conversation, decision.counter, utc_now() + timings.quotation)
                    await self._keep(handle, machine)
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

    def _time_to_decide(self, machine: OrderInitiator) -> float:
        """Seconds the decision source has for the quotation: the timings' decision, and no longer than the
        conversation's own deadline (a restored conversation keeps its stored one) and a grace."""
        limit = self.timings.decision.total_seconds()
        deadline = machine.next_deadline
        if deadline is not None:
            limit = min(limit, (deadline - utc_now()).total_seconds() + GRACE)
        return max(limit, 0.0)

    # ----------------------------------------------------------------- the store (surviving a restart)

    async def _keep(self, handle: OrderHandle, machine: OrderInitiator, *, finished: bool = False) -> None:
        """Write the snapshot of the order's conversation (``finished``: the last write of one already kept;
        nothing is written for a conversation never kept, e.g. refused before any quotation). A store that
        fails is logged: the order goes on (it would not survive a restart)."""
        journal = self._journal
        if journal is None or (finished and not journal.kept(machine.conversation_id)):
            return
        try:
            await journal.save(machine, str(handle.order.id), finished=finished)
        except Exception:
            log.exception(
                "%s: order %s: the conversation could not be kept in the store", self.address, handle.order.id
            )

    async def _resume_open_quotations(self) -> None:
        """After a restart: resume each order whose quotation waited for the customer's answer (its
        conversation restored from the store); mark every other conversation left unfinished finished."""
        journal = self._journal
        if journal is None:
            return
        try:
            states = await journal.unfinished()
        except Exception:
            log.exception("%s: the conversations of the previous run could not be read", self.address)
            return
        for state in states:
            try:
                await self._resume_one(journal, state)
            except Exception:
                log.exception(
                    "%s: conversation %s (order %s) could not be resumed",
                    self.address,
                    state.conversation_id,
                    state.order_id,
                )

    async def _resume_one(self, journal: CustomerJournal, state: NegotiationState) -> None:
        order = None if not state.order_id else await journal.order(state.order_id)
        found = resumable(state, order, utc_now())
        if isinstance(found, OrderInitiator) and order is not None and order.id in self.orders:
            found = NotResumed("duplicate", "another conversation of the order is under way here")
        if isinstance(found, OrderInitiator) and order is not None and order.status is OrderStatus.QUOTED:
            found = await self._caught_up(journal, found)
        if isinstance(found, NotResumed):
            log.warning(
                "%s: order %s is not resumed after the restart: %s",
                self.address,
                state.order_id or "(none)",
                found.why,
            )
            await journal.mark_finished(state, found.note)
            return
        assert order is not None
        self._resume(order, found)
        log.info(
            "%s: order %s resumed after the restart: its quotation waits for the customer's answer until %s",
            self.address,
            order.id,
            "-" if found.next_deadline is None else f"{found.next_deadline:%Y-%m-%d %H:%M:%S} UTC",
        )

    async def _caught_up(
        self, journal: CustomerJournal, machine: OrderInitiator
    ) -> OrderInitiator | NotResumed:
        """``machine`` with what its manufacturer sent it while this agent was away (read back from the
        store's ACL log, where the manufacturer's agent logged it): its quotation, above all."""
        if machine.state is _S.EVALUATING:
            return machine
        manufacturer = machine.participants[0]
        now = utc_now()
        for message in await journal.sent_to_me(machine.conversation_id, bare(manufacturer)):
            if message.sender != manufacturer or machine.finished:
                continue
            if message.performative is Performative.AGREE and machine.agreed:
                continue
            machine.handle(message, now)  # what it would answer (a duplicate's not-understood) is not sent
            if _evaluating(machine):
                log.info(
                    "%s: order conversation %s: the quotation sent while this agent was away is read back "
                    "from the message log",
                    self.address,
                    machine.conversation_id,
                )
                return machine
        return NotResumed(
            "quotation-lost", "its quotation was sent while this agent was away and is not logged"
        )

    def _resume(self, order: Order, machine: OrderInitiator) -> OrderHandle:
        """Take the order up again with its restored conversation (evaluating its quotation): the handle
        rebuilt, the conversation re-opened (the manufacturer's replies reach it), the decision asked
        again."""
        manufacturer = machine.participants[0]
        loop = asyncio.get_running_loop()
        quotations = [
            decode(past.proposals[manufacturer].content, Quotation)
            for past in machine.rounds
            if manufacturer in past.proposals
        ]
        handle = OrderHandle(
            order,
            manufacturer,
            loop.create_future(),
            loop.create_future(),
            quotations=quotations,
            conversation_id=machine.conversation_id,
            resumed=True,
        )
        self.orders[order.id] = handle
        conversation = self.open_conversation(machine)
        self._spawn(self._order(handle, conversation), f"order {order.id} (resumed)")
        return handle

    async def _accept(
        self,
        conversation: ConversationBehaviour[OrderInitiator],
        handle: OrderHandle,
        quotation: Quotation,
    ) -> OrderOutcome:
        manufacturer = handle.manufacturer
        signed: str | None = None
        if not self._no_ledger():
            assert self.ledger is not None
            deadline = time.monotonic() + self.timings.contract.total_seconds()
            try:
                signed = await self.ledger.place_order(handle.order, quotation, deadline)
            except LedgerStepFailed as exc:
                why = f"the order could not be signed on the ledger: {exc}"
                log.warning("%s: order %s: %s", self.address, handle.order.id, why)
                _decline(conversation, Reason(reason="not-signed", detail=why))
                return OrderOutcome("failed", why, quotation)
        accept = AcceptQuotation(
            order_id=quotation.order_id, quotation_id=quotation.id, customer_order_contract_id=signed
        )
        result_by = utc_now() + self.timings.contract
        conversation.act(
            lambda m, now: m.award(
                [manufacturer], now=now, result_by=result_by, accept_content={manufacturer: accept}
            )
        )
        await self._keep(handle, conversation.machine)  # accepted: a restart does not ask again
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
        if handle is None:
            return
        if notice.status is OrderStatus.SHIPPED and not handle.delivering:
            handle.delivering = True
            handle.shipment = notice.shipment
            self._spawn(self._deliver(handle), f"delivery of {notice.order_id}")
        final = is_terminal(notice.status) or notice.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
        if final and handle.outcome.done():
            self._settle(handle)

    # ----------------------------------------------------------------- delivery

    async def _deliver(self, handle: OrderHandle) -> None:
        """Ask the decision source to confirm the delivery of a shipped order, then take the ledger steps."""
        order_id = handle.order.id
        try:
            await self.decisions.confirm_delivery(order_id, handle.shipment)
            await self.take_delivery(order_id, handle.order.customer_id, handle.order.manufacturer_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            why = (
                str(exc)
                if isinstance(exc, LedgerStepFailed)
                else f"internal error: {type(exc).__name__}: {exc}"
            )
            if not isinstance(exc, LedgerStepFailed):
                log.exception("%s: delivery of order %s", self.address, order_id)
            handle.delivering = False  # the customer may confirm again (the app's button)
            if not handle.delivery.done():
                handle.delivery.set_exception(
                    exc if isinstance(exc, LedgerStepFailed) else LedgerStepFailed(why)
                )
                handle.delivery.exception()  # retrieved: whoever awaits it sees it too
            handle.delivery = _future()
            self._emit(OrderEvent(order_id, "delivery-failed", None, why))

    async def take_delivery(
        self, order_id: UUID, customer_id: str, manufacturer_id: str
    ) -> DeliveryConfirmed:
        """The customer confirms the delivery of its shipped order on the ledger (``ConfirmDelivery``, and
        ``ClaimPenalty`` when late with an agreed penalty), as the customer; idempotent. Without a ledger the
        confirmation is only told (:class:`DeliveryConfirmed` without dates). Raises
        :class:`LedgerStepFailed` with the reason in words."""
        confirmed = DeliveryConfirmed()
        if not self._no_ledger():
            assert self.ledger is not None
            deadline = time.monotonic() + self.timings.ledger.total_seconds()
            confirmed = await self.ledger.confirm_delivery(order_id, customer_id, manufacturer_id, deadline)
        log.info("%s: order %s: %s", self.address, order_id, confirmed.words)
        handle = self.orders.get(order_id)
        if handle is not None:
            handle.delivering = True  # confirmed: a later shipped notice asks nobody again
            if not handle.delivery.done():
                handle.delivery.set_result(confirmed)
        self._emit(OrderEvent(order_id, "delivered", None, confirmed.words))
        return confirmed

    async def pay_from_ledger(
        self, order_id: UUID, customer_id: str, manufacturer_id: str, reference: str
    ) -> str:
        """The customer pays its order's open invoice straight on the ledger (``ClaimPayment`` with the
        transfer ``reference``, as the customer; idempotent): for an invoice no request of the manufacturer's
        asks about here (this agent started after it was sent). The claim's contract id; raises
        :class:`LedgerStepFailed` with the reason in words, also when there is no ledger to pay on."""
        if self._no_ledger():
            raise LedgerStepFailed(f"no invoice of order {order_id} waits for an answer here")
        assert self.ledger is not None
        deadline = time.monotonic() + self.timings.ledger.total_seconds()
        claim = await self.ledger.claim_open_invoice(
            order_id, customer_id, manufacturer_id, reference, deadline
        )
        log.info("%s: order %s: payment claimed on the ledger (%s)", self.address, order_id, reference)
        return claim

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
            payment = await self._claim(handle, invoice, answer)
            if isinstance(payment, str):
                if not handle.payment.done():  # whoever waits for the payment (the app) hears why
                    handle.payment.set_exception(LedgerStepFailed(payment))
                    handle.payment.exception()
                if _agreed(machine):
                    reason = Reason(reason="not-paid", detail=payment)
                    conversation.act(lambda m, now: m.failure(reason, now=now))
                return
            if not _agreed(machine):
                return
            conversation.act(lambda m, now: m.inform(payment, now=now))
            if not handle.payment.done():
                handle.payment.set_result(payment)
            self._emit(OrderEvent(invoice.order_id, "paid", payment))
        finally:
            if not handle.payment.done() or handle.payment.exception() is not None:
                self._settle(handle)  # the manufacturer asks once: refused or expired, it is over
            # paid: the order goes on (shipment, delivery) and is settled when delivered or completed

    async def _claim(self, handle: OrderHandle, invoice: Invoice, payment: Payment) -> Payment | str:
        """``payment`` with the customer's payment claim on the ledger, or why it could not be claimed."""
        if self._no_ledger():
            return payment
        assert self.ledger is not None
        deadline = time.monotonic() + self.timings.ledger.total_seconds()
        try:
            claim = await self.ledger.claim_payment(handle.order, invoice, payment, deadline)
        except LedgerStepFailed as exc:
            log.warning("%s: invoice %s: %s", self.address, invoice.id, exc)
            return f"the payment could not be claimed on the ledger: {exc}"
        return payment.model_copy(update={"claim_contract_id": claim})


Negotiation = ConversationBehaviour[OrderInitiator]


def _evaluating(machine: OrderInitiator) -> bool:
    return machine.state is _S.EVALUATING


def _revise(conversation: Negotiation, counter: CounterOffer, reply_by: datetime) -> None:
    conversation.act(lambda m, now: m.revise(counter, now=now, reply_by=reply_by))


def _decline(conversation: Negotiation, why: Reason | str) -> None:
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
