"""``XmppAgentBridge``: the gateway's bridge to the real agents, over XMPP.

Two agents live in the gateway's process:

* the customer agent (``customers@<domain>``, one account acting for every app customer: orders
  carry their ``customer_id``) places the stored orders with the manufacturer agent of each order,
  and waits for the app's answers to quotations, invoices and deliveries (:class:`AppDecisions`); given the
  customers' ledger sessions (``ledger``, ``ledger_parties``) it takes each customer's own ledger steps with
  that customer's session (signing the order, claiming the payment, confirming the delivery);
* the console agent (``console@<domain>``) sends the manufacturers' manual steps (accept or reject,
  start sourcing, confirm parts, start production early, production progress, invoice, confirm a
  payment's receipt, ship) as FIPA
  requests to the manufacturer agent of the order, and hears every status notice of the manufacturers
  that trust it (from accounts the store binds as a manufacturer's agent).

Both read whom to trust from the gateway's store (its bindings): the customer agent must be bound there as
customer ``*`` for the manufacturers to take its orders (only orders the gateway stored first).

The manufacturer agent of an order is the agent whose ``agent_policies`` row the order's
manufacturer user owns. Events come from three sources (the customer agent, the notices, the tail of
the status history, see :mod:`gateway.bridge.history_tail`), are deduplicated
(:mod:`gateway.bridge.dedupe`) and fanned out to the push connections (:mod:`gateway.bridge.hub`).
The bridge decides nothing about a negotiation: it carries the users' requests and the agents' answers.

What survives a restart of the gateway: the customer agent is given the gateway's store, where it keeps
its side of each order's conversation (:mod:`agents.customer.journal`). A quotation that waited for the
customer's answer when the gateway stopped (the order still ``quoted``, the time to answer not run out) is
taken up again when the bridge starts: the customer agent asks :class:`AppDecisions` again, so
``POST /orders/{id}/confirm``, ``/decline`` and ``/counter`` work as before the restart, and the order's
events reach the push channels (its parties are read from the store). An invoice sent before the restart is
paid straight on the ledger (:meth:`XmppAgentBridge.pay`), a shipped order's delivery confirmed there
(:meth:`XmppAgentBridge.confirm_delivery`); the manufacturers' events come from the store's history as
always.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from agents.customer.agent import CustomerAgent, CustomerTimings
from agents.customer.agent import OrderEvent as CustomerEvent
from agents.customer.decisions import Decision
from agents.customer.ledger_steps import DeliveryState, LedgerStepFailed
from common.settings import Settings
from gateway.bridge.base import AgentBridge, BridgeError, OrderEvent, QuotationAnswer
from gateway.bridge.console_agent import ConsoleAgent
from gateway.bridge.decisions import AppDecisions, NothingOpen
from gateway.bridge.dedupe import Deduplicator, Source
from gateway.bridge.directory import Directory, Parties
from gateway.bridge.events import from_customer_agent, from_notice
from gateway.bridge.history_tail import AclTail, HistoryTail
from gateway.bridge.hub import EventHub, Subscription, SubscriptionClosed
from gateway.bridge.notices import NoticeHandler
from gateway.bridge.settings import BridgeSettings
from ledger.lifecycle import PartyIdentities, PartySessions
from ontology.common import Reason
from ontology.console import (
    ConfirmParts,
    OrderDecision,
    OrderStatusNotice,
    PaymentReceived,
    ProductionProgress,
    RaiseInvoice,
    ShipOrder,
    StartProduction,
    StartSourcing,
)
from ontology.events import REASONS, failed
from ontology.order import Order, OrderStatus
from ontology.quotation import CounterOffer
from store.database import Database

log = logging.getLogger(__name__)

NOT_ANSWERED, REFUSED = "not-answered", "refused"
"""Why an order the manufacturer never took failed, when its refusal names no reason of
:data:`ontology.events.REASONS` (which words them)."""

Step = (
    OrderDecision
    | StartSourcing
    | ProductionProgress
    | RaiseInvoice
    | ConfirmParts
    | StartProduction
    | ShipOrder
    | PaymentReceived
)


class XmppAgentBridge(AgentBridge):
    """Start with :meth:`start` (connects both agents), end with :meth:`stop`."""

    def __init__(
        self,
        db: Database,
        settings: Settings | None = None,
        bridge_settings: BridgeSettings | None = None,
        *,
        customer_timings: CustomerTimings | None = None,
        ledger: PartySessions | None = None,
        ledger_parties: PartyIdentities | None = None,
    ) -> None:
        """``ledger`` and ``ledger_parties``: the app customers' ledger sessions and the identity store, for
        the customer agent (see :class:`~agents.customer.agent.CustomerAgent`); without them the customer's
        ledger steps are skipped."""
        self.db = db
        self.config = bridge_settings or BridgeSettings()
        self.directory = Directory(db)
        self.hub = EventHub(capacity=self.config.subscriber_queue, replay=self.config.replay_events)
        self._dedupe = Deduplicator()
        self.decisions = AppDecisions()
        self.customer = CustomerAgent(
            self.config.customer_agent,
            settings,
            decisions=self.decisions,
            timings=customer_timings,
            on_event=self._on_customer_event,
            ledger=ledger,
            ledger_parties=ledger_parties,
        )
        self.console = ConsoleAgent(self.config.console_agent, settings)
        self.console.on_notice = self._notice_handler(Source.CONSOLE_NOTICE)
        for agent in (self.customer, self.console):
            agent.store = db  # whom they trust: the bindings of the gateway's store
        self._tail = HistoryTail(db, self._from_history, self.config.history_poll_seconds)
        # each negotiation message once, straight to the hub (no status change to deduplicate)
        self._messages = AclTail(db, self.hub.publish, self.config.history_poll_seconds)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False

    @property
    def console_jid(self) -> str:
        return self.console.address

    @property
    def customer_jid(self) -> str:
        return self.customer.address

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        await self.customer.start()  # takes up the quotations left waiting by the previous run
        for order_id, handle in self.customer.orders.items():
            self.directory.remember(order_id, Parties(handle.order.customer_id, handle.order.manufacturer_id))
        try:
            await self.console.start()
            if self.config.history_poll_seconds > 0:
                await self._tail.start()
                await self._messages.start()
        except BaseException:
            await self.customer.stop()
            raise
        self._started = True

    async def stop(self) -> None:
        self._started = False
        await self._tail.stop()
        await self._messages.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for agent in (self.console, self.customer):
            try:
                await agent.stop()
            except Exception:
                log.warning("could not stop %s", agent.address, exc_info=True)
        self.hub.close()

    async def __aenter__(self) -> XmppAgentBridge:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- the customer's side

    async def place_order(self, order: Order) -> None:
        self._require_started()
        manufacturer = await self._manufacturer_agent(order.manufacturer_id)
        self.directory.remember(order.id, Parties(order.customer_id, order.manufacturer_id))
        if order.id in self.customer.orders:
            raise BridgeError(f"order {order.id} was placed already", status_code=409)
        try:
            self.customer.place_order(order, manufacturer)
        except Exception as exc:
            raise BridgeError(f"the customer agent could not place the order: {exc}") from exc

    async def answer_quotation(
        self,
        order_id: UUID,
        answer: QuotationAnswer,
        *,
        price: Decimal | None = None,
        delivery_date: date | None = None,
        reason: str = "",
    ) -> None:
        self._require_started()
        patience = await self._patience(order_id, OrderStatus.QUOTED)
        try:
            quotation = await self.decisions.open_quotation(order_id, patience)
            if answer is QuotationAnswer.CONFIRM:
                decision = Decision.accept()
            elif answer is QuotationAnswer.DECLINE:
                decision = Decision.decline(reason or "declined by the customer")
            else:
                if price is None and delivery_date is None:
                    raise BridgeError("a counter-offer names a price or a delivery date", status_code=422)
                counter = CounterOffer(
                    order_id=order_id,
                    quotation_id=quotation.id,
                    price=price if price is not None else quotation.total_price,
                    currency=quotation.currency,
                    delivery_date=delivery_date,
                    note=reason[:2000],
                )
                decision = Decision.counter_with(counter)
            await self.decisions.answer(order_id, decision)
        except NothingOpen as exc:
            raise BridgeError(str(exc), status_code=409) from exc

    async def pay(self, order_id: UUID, reference: str) -> None:
        """Pay the open invoice (a transfer with ``reference``); returns once the customer agent sent the
        payment. When no invoice request waits for it here (this gateway started after the manufacturer sent
        it, or the request expired), the customer's payment is claimed straight on the ledger, as the
        customer; without a ledger that is a 409."""
        self._require_started()
        from_ledger = partial(self.customer.pay_from_ledger, order_id, reference=reference)
        not_sent = f"the payment of order {order_id} was not sent"
        if self.customer.orders.get(order_id) is None:  # a restart forgot the order: nobody asks again
            await self._customer_step(order_id, from_ledger, not_sent)
            return
        patience = await self._patience(order_id, OrderStatus.INVOICED)
        try:
            await self.decisions.settle_invoice(order_id, reference, patience)
        except NothingOpen as exc:
            if self.customer.ledger is None:
                raise BridgeError(str(exc), status_code=409) from exc
            await self._customer_step(order_id, from_ledger, not_sent)
            return
        handle = self.customer.orders.get(order_id)
        if handle is None:
            return
        try:
            async with asyncio.timeout(max(self.config.answer_wait_seconds, 1.0)):
                await asyncio.shield(handle.payment)
        except TimeoutError:
            raise BridgeError(
                f"the payment of order {order_id} was not sent: the manufacturer's invoice request expired",
                status_code=409,
            ) from None
        except LedgerStepFailed as exc:
            raise BridgeError(
                f"the payment of order {order_id} was not sent: {exc}", status_code=409
            ) from None

    async def confirm_delivery(self, order_id: UUID) -> None:
        """The customer has the shipped order: the customer agent confirms the delivery on the ledger as the
        customer (and claims the agreed penalty when late). Returns once it did (or once it took longer than
        ``answer_wait_seconds``: it goes on); a refusal is a 409, a ledger away a 503, both in words."""
        self._require_started()
        handle = self.customer.orders.get(order_id)
        if handle is not None and handle.delivering and not handle.delivery.done():
            waiting = handle.delivery
            patience = await self._patience(order_id, OrderStatus.SHIPPED)
            try:
                await self.decisions.delivered(order_id, patience)
            except NothingOpen:
                pass  # the agent's question did not come: take the step here
            else:
                await self._settled(waiting, f"the delivery of order {order_id} could not be confirmed")
                return
        # nobody waits for the customer's word (this gateway started after the order shipped, or an earlier
        # confirmation failed): the customer's step, at once
        await self._customer_step(
            order_id,
            partial(self.customer.take_delivery, order_id),
            f"the delivery of order {order_id} could not be confirmed",
        )

    async def delivery(self, order_id: UUID) -> DeliveryState | None:
        ledger = self.customer.ledger
        if ledger is None:
            return None
        parties = await self.directory.parties(order_id)
        if parties is None:
            return None
        try:
            return await ledger.delivery(order_id, parties.customer_id, parties.manufacturer_id)
        except LedgerStepFailed as exc:
            raise BridgeError(str(exc), status_code=503 if exc.unavailable else 502) from None

    async def _customer_step(
        self, order_id: UUID, step: Callable[[str, str], Coroutine[Any, Any, Any]], failed: str
    ) -> None:
        """The customer agent's ledger ``step`` (given the order's customer and manufacturer ids), taken at
        once in a task of its own, which goes on when the answer wait runs out; ``failed``: what a refusal
        says before the ledger's words."""
        parties = await self.directory.parties(order_id)
        if parties is None:
            raise BridgeError(f"no order {order_id}", status_code=404)
        task = asyncio.create_task(step(parties.customer_id, parties.manufacturer_id))
        self._tasks.add(task)
        task.add_done_callback(_forget(self._tasks))
        await self._settled(task, failed)

    async def _settled(self, step: asyncio.Future[Any], failed: str) -> None:
        """Wait up to ``answer_wait_seconds`` for a customer's ledger ``step``: a refusal is a 409, a ledger
        away a 503 (``failed``, then the reason)."""
        try:
            async with asyncio.timeout(max(self.config.answer_wait_seconds, 1.0)):
                await asyncio.shield(step)
        except TimeoutError:
            return  # still at it (a ledger slow to answer): the order's events tell the outcome
        except LedgerStepFailed as exc:
            raise BridgeError(f"{failed}: {exc}", status_code=503 if exc.unavailable else 409) from None

    async def _patience(self, order_id: UUID, status: OrderStatus) -> float:
        """Wait for the question only when the store says it was asked (the event came first)."""
        async with self.db.transaction(flush_acl_log=False) as repos:
            record = await repos.orders.get(str(order_id))
        return self.config.answer_wait_seconds if record is not None and record.status == status else 0.0

    # ----------------------------------------------------------------- the manufacturer's console

    async def decide_order(self, order_id: UUID, accept: bool, reason: str = "") -> None:
        await self._step(order_id, OrderDecision(order_id=order_id, accept=accept, reason=reason[:2000]))

    async def start_sourcing(self, order_id: UUID) -> None:
        await self._step(order_id, StartSourcing(order_id=order_id))

    async def report_production(self, order_id: UUID, percent: int, note: str = "") -> None:
        await self._step(order_id, ProductionProgress(order_id=order_id, percent=percent, note=note[:2000]))

    async def raise_invoice(self, order_id: UUID) -> None:
        await self._step(order_id, RaiseInvoice(order_id=order_id))

    async def confirm_parts(self, order_id: UUID) -> None:
        await self._step(order_id, ConfirmParts(order_id=order_id))

    async def start_production(self, order_id: UUID, reason: str) -> None:
        await self._step(order_id, StartProduction(order_id=order_id, reason=reason[:2000]))

    async def ship_order(self, order_id: UUID, carrier: str, reference: str) -> None:
        await self._step(
            order_id, ShipOrder(order_id=order_id, carrier=carrier[:200], reference=reference[:200])
        )

    async def confirm_payment(self, order_id: UUID) -> None:
        await self._step(order_id, PaymentReceived(order_id=order_id))

    async def _step(self, order_id: UUID, step: Step) -> None:
        self._require_started()
        parties = await self.directory.parties(order_id)
        if parties is None:
            raise BridgeError(f"no order {order_id}", status_code=404)
        manufacturer = await self._manufacturer_agent(parties.manufacturer_id)
        timeout = timedelta(seconds=self.config.request_timeout_seconds)
        await self.console.request(manufacturer, step, timeout)

    async def _manufacturer_agent(self, manufacturer_id: str) -> str:
        jid = await self.directory.manufacturer_agent(manufacturer_id)
        if jid is None:
            raise BridgeError(
                f"manufacturer {manufacturer_id} has no agent on this platform", status_code=503
            )
        return jid

    def _require_started(self) -> None:
        if not self._started:
            raise BridgeError("the agents bridge is not running", status_code=503)

    # ----------------------------------------------------------------- events

    async def events(self) -> AsyncIterator[OrderEvent]:
        async with self.hub.subscribe() as subscription:
            while True:
                try:
                    item = await subscription.get()
                except SubscriptionClosed:
                    return
                if item is not None:
                    yield item.event

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        return self.hub.subscribe(last_event_id)

    def _publish(self, source: Source, event: OrderEvent) -> None:
        if self._dedupe.first(source, event):
            self.hub.publish(event)

    def _from_history(self, event: OrderEvent) -> None:
        self._publish(Source.HISTORY, event)

    def _on_customer_event(self, event: CustomerEvent) -> None:
        parties = self.directory.parties_known(event.order_id)
        if parties is None:  # an order this process did not place (taken up after a restart): its parties
            self._spawn(self._customer_event_of_stored_order(event))
            return
        self._customer_event(event, parties)

    async def _customer_event_of_stored_order(self, event: CustomerEvent) -> None:
        parties = await self.directory.parties(event.order_id)
        if parties is None:
            log.warning("customer agent event of an unknown order %s", event.order_id)
            return
        self._customer_event(event, parties)

    def _customer_event(self, event: CustomerEvent, parties: Parties) -> None:
        if event.kind == "status" and isinstance(event.content, OrderStatusNotice):
            # a status notice, which the customer agent checked came from the order's manufacturer
            self._publish(Source.CUSTOMER_NOTICE, from_notice(event.content, parties))
            return
        converted = from_customer_agent(event, parties)
        if converted is not None:
            self._publish(Source.CUSTOMER, converted)
        elif event.kind in ("refused", "failed"):
            self._spawn(self._settle_unanswered(event))

    def _notice_handler(self, source: Source) -> NoticeHandler:
        def handle(notice: OrderStatusNotice, sender: str) -> None:
            self._spawn(self._notice(source, notice, sender))

        return handle

    async def _notice(self, source: Source, notice: OrderStatusNotice, sender: str) -> None:
        parties = await self.directory.parties(notice.order_id)
        if parties is None:
            log.info("status notice of an unknown order %s from %s", notice.order_id, sender)
            return
        agent = await self.directory.manufacturer_agent(parties.manufacturer_id)
        if agent != sender:
            log.warning(
                "ignored a status notice of order %s from %s (not its manufacturer)", notice.order_id, sender
            )
            return
        self._publish(source, from_notice(notice, parties))

    async def _settle_unanswered(self, event: CustomerEvent) -> None:
        """The customer agent gave up on an order the manufacturer never took (still ``received``):
        record it as failed, so the order does not wait for ever (the history tail tells the app)."""
        why, reason = event.detail or event.kind, NOT_ANSWERED
        if isinstance(event.content, Reason):
            why = f"{event.content.reason}: {event.content.detail or ''}"
            reason = event.content.reason if event.content.reason in REASONS else REFUSED
        try:
            async with self.db.transaction() as repos:
                record = await repos.orders.get(str(event.order_id))
                if record is None or record.status != OrderStatus.RECEIVED:
                    return
                await repos.orders.change_status(
                    record.id, OrderStatus.FAILED, actor=self.customer.address, event=failed(reason)
                )
            log.info("order %s failed: the manufacturer did not take it (%s: %s)", record.id, event.kind, why)
        except Exception:
            log.warning("could not record order %s as failed", event.order_id, exc_info=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _forget(tasks: set[asyncio.Task[Any]]) -> Callable[[asyncio.Task[Any]], None]:
    """A done callback: the task leaves ``tasks``, its failure retrieved (whoever awaited it was told)."""

    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()

    return done
