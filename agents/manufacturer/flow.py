"""One order, from the customer's request to payment (one asyncio task per order).

The customer's conversation is the order protocol (:mod:`protocols.order_request`): ``request``
(:class:`~ontology.order.Order`) -> ``refuse`` (:class:`~ontology.common.Reason`) or ``agree``
once the order is accepted (then ``failure`` if it cannot be quoted) and, after sourcing and
negotiating, ``propose`` (:class:`~ontology.quotation.Quotation`) -> the customer's
``accept-proposal`` (:class:`~ontology.quotation.AcceptQuotation`), ``reject-proposal`` (declined)
or a revised ``cfp`` (:class:`~ontology.quotation.CounterOffer`, answered by a revised quotation)
-> after the contract step ``inform`` (:class:`~ontology.contract.ContractCommitted`) or
``failure``. Production follows; then a FIPA ``request`` with the
:class:`~ontology.billing.Invoice` to the customer, answered by ``inform``
:class:`~ontology.billing.Payment`. With the manufacturer on the ledger
(the host's ``ledger``) the order goes on there to ``completed``
(:mod:`agents.manufacturer.ledger_life`: parts received, production, invoice and payment on the
ledger, shipment, delivery, suppliers paid). Every status change goes through the store (with history)
and is told to the order's followers (:meth:`~agents.manufacturer.host.OrderHost.change_status`); every
step's conversation snapshot is saved. The flow sees its agent through
:class:`~agents.manufacturer.host.OrderHost` only.

With the policy's ``auto_accept``, ``auto_source``, ``auto_produce`` or ``auto_invoice`` off, the
flow waits at that step for its console (:mod:`agents.manufacturer.console`): an
:class:`~ontology.console.OrderDecision` (unless an ``approver`` was given), a
:class:`~ontology.console.StartSourcing` (both before the customer's reply-by), production
progress reports up to 100 % (:class:`~ontology.console.ProductionProgress`), a
:class:`~ontology.console.RaiseInvoice`; with its bank transfer confirmed by hand
(``payment.confirm_by_hand``) the customer's payment is announced, and recorded on the console's
:class:`~ontology.console.PaymentReceived`. The policy is read once per new order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from agents.manufacturer.assessment import Assessment, Refusal
from agents.manufacturer.console import Gate, Pending
from agents.manufacturer.contracting import COMMIT_PENDING
from agents.manufacturer.estimate import too_soon
from agents.manufacturer.host import OrderHost
from agents.manufacturer.order_estimate import OrderEstimate, order_estimate
from agents.manufacturer.pricing import (
    CostLine,
    answer_counter,
    build_quotation,
    cost_lines,
    first_price,
    quoted_delivery,
    revised_quotation,
)
from agents.manufacturer.requests import ask
from agents.manufacturer.resumption import CONTRACTING, PRODUCTION, Resumption
from agents.manufacturer.sourcing import NotCovered, Sourcing
from agents.runtime.conversation_behaviour import ConversationBehaviour, utc_now
from ontology.billing import Invoice, Payment, invoice_lines
from ontology.codec import ContentError, decode
from ontology.common import Reason
from ontology.console import (
    OrderDecision,
    OrderStatusNotice,
    PaymentReceived,
    ProductionProgress,
    RaiseInvoice,
    ShipOrder,
    StartSourcing,
)
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.customisation import estimated_cost
from ontology.events import EventCode, HistoryEvent, days, failed
from ontology.matchmaking import FindSuppliers, SupplierCandidates
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.quotation import AcceptQuotation, CounterOffer, Quotation
from ontology.values import Money
from protocols.acl import AclMessage
from protocols.order_request import OrderParticipant, OrderRequestState
from protocols.performative import Performative
from store.enums import NegotiationRole

log = logging.getLogger(__name__)

CustomerConversation = ConversationBehaviour[OrderParticipant]
_P = OrderRequestState
_S = OrderStatus
GRACE = timedelta(seconds=5)
COMMIT_RETRY_FIRST = 5.0
"""Seconds before the contract step is asked again when its commit may still land."""
COMMIT_RETRY_MOST = 60.0
T = TypeVar("T")


def customer_side(opening: AclMessage, *, me: str, patience: timedelta) -> OrderParticipant:
    """The manufacturer's side of the order conversation the customer's ``opening`` request opens."""
    return OrderParticipant.for_message(
        opening,
        me=me,
        patience=patience,
        content_types={
            Performative.REQUEST: (Order,),
            Performative.CFP: (CounterOffer,),
            Performative.ACCEPT_PROPOSAL: (AcceptQuotation, Quotation),
        },
    )


class OrderFailed(Exception):
    """The order cannot go on; ``reason`` is a short code, ``detail`` says why; ``event``: what the history
    of a refused order records instead of the reason alone (a date it cannot take)."""

    def __init__(self, reason: str, detail: str = "", *, event: HistoryEvent | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.event = event


def as_contracting(order: Order) -> Order:
    """``order`` as it was when it was being contracted (its history up to ``contracting``)."""
    steps = [i for i, change in enumerate(order.history) if change.to_status is _S.CONTRACTING]
    if not steps:
        raise OrderFailed("contract-failed", f"order {order.id} was never contracting")
    history = order.history[: steps[-1] + 1]
    return order.model_copy(update={"status": _S.CONTRACTING, "history": history})


class OrderFlow:
    def __init__(
        self,
        agent: OrderHost,
        conversation: CustomerConversation,
        order: Order,
        *,
        may_create: bool = False,
    ) -> None:
        """``may_create``: the customer's agent acts for exactly the order's customer, so an order the
        store does not hold yet is stored (else only an order stored already is taken)."""
        self.agent = agent
        self.conversation = conversation
        self.order = order
        self.may_create = may_create
        self.order_id = str(order.id)
        self.journal = agent.journal
        self.customer = conversation.machine.initiator
        self.policy: ManufacturerPolicy = agent.policy
        self.estimate: OrderEstimate | None = None
        agent.follow(self.order_id, self.customer)

    # ----------------------------------------------------------------- helpers

    async def status(
        self,
        to: OrderStatus,
        event: HistoryEvent | None = None,
        *,
        price: Money | None = None,
        currency: str | None = None,
    ) -> None:
        await self.agent.change_status(self.order_id, to, event, price=price, currency=currency)

    async def _before_reply_by(self, waiting: Awaitable[T], what: str) -> T:
        """``waiting``, bounded by the customer's reply-by (60 s when there is none)."""
        deadline = self.conversation.machine.next_deadline
        seconds = (deadline - utc_now()).total_seconds() if deadline else 60.0
        try:
            async with asyncio.timeout(max(seconds, 1.0)):
                return await waiting
        except TimeoutError:
            raise OrderFailed(what, "no decision before the customer's reply-by") from None

    async def save(self) -> None:
        await self.agent.save_conversation(self.conversation, NegotiationRole.PARTICIPANT, self.order_id)

    async def _wait(self, seconds: float, predicate: Callable[[OrderParticipant], bool]) -> None:
        async with asyncio.timeout(max(seconds, 1.0)):
            await self.conversation.wait_until(predicate)

    # ----------------------------------------------------------------- the flow

    async def run(self) -> None:
        """The whole flow, from the customer's cfp."""
        await self._guarded(self._run())

    async def resume(self, point: Resumption) -> None:
        """Carry on after a restart from ``point`` (:mod:`agents.manufacturer.resumption`): a quotation the
        customer has not answered yet; an accepted quotation whose contract step was interrupted (the
        contract step is asked again: a repeated CommitAgreement of the same order returns the same
        contracts); or an order contracted or in production (produce, then bill)."""
        await self._guarded(self._resume(point))

    async def _resume(self, point: Resumption) -> None:
        quotation, network = point.quotation, point.network
        if point.stage is PRODUCTION or network is None:
            await self._produce_and_bill(quotation, None)
            return
        if point.stage is CONTRACTING:
            confirmed: Quotation | None = quotation
        else:
            assert point.product is not None  # the quoted stage needs it
            own = estimated_cost(point.product, self.order.customisation, self.order.quantity)
            lines = cost_lines(self.order, point.product, own, network)
            confirmed = await self._await_confirmation(quotation, lines)
        if confirmed is None:
            return
        committed = await self._contract(network, confirmed)
        await self._produce_and_bill(confirmed, committed)

    async def _guarded(self, steps: Coroutine[Any, Any, None]) -> None:
        try:
            await steps
        except asyncio.CancelledError:
            raise
        except OrderFailed as exc:
            await self.fail(exc.reason, exc.detail, exc.event)
        except Exception as exc:
            log.exception("%s: order %s failed", self.agent.address, self.order_id)
            await self.fail("internal-error", f"{type(exc).__name__}: {exc}")

    async def fail(self, reason: str, detail: str, event: HistoryEvent | None = None) -> None:
        """Order failed (or rejected, before acceptance): the status first (its followers hear it),
        then the customer is told when the protocol allows. ``event``: what a rejection records, when more
        than its reason."""
        why = Reason(reason=reason, detail=detail[:10_000] or None)
        try:
            await self._fail_status(reason, detail, event)
        finally:
            machine = self.conversation.machine
            with contextlib.suppress(Exception):  # the conversation may have closed meanwhile
                if machine.state is _P.REQUESTED:
                    self.conversation.act(lambda m, now: m.refuse(why, now=now))
                elif machine.state is _P.ACCEPTED:
                    self.conversation.act(lambda m, now: m.failure(why, now=now))
            await self.save()

    async def _fail_status(self, reason: str, detail: str, event: HistoryEvent | None) -> None:
        current = await self.journal.current_status(self.order_id)
        if current is None or self.order.model_copy(update={"status": current}).is_terminal:
            return
        target = _S.REJECTED if current is _S.RECEIVED and reason != "internal-error" else _S.FAILED
        if target not in self.order.model_copy(update={"status": current}).allowed_transitions():
            log.warning(
                "%s: order %s cannot fail from %s: %s %s",
                self.agent.address,
                self.order_id,
                current,
                reason,
                detail,
            )
            return
        log.info("%s: order %s %s: %s %s", self.agent.address, self.order_id, target, reason, detail)
        if target is _S.REJECTED:
            await self.status(target, event or HistoryEvent.of(EventCode.REJECTED, reason=reason))
        else:
            await self.status(target, HistoryEvent.of(EventCode.FAILED, reason=reason))

    async def _run(self) -> None:
        machine = self.conversation.machine
        await self._wait(GRACE.total_seconds(), lambda m: m.state is not _P.AWAITING_REQUEST)
        if machine.state is not _P.REQUESTED:
            return
        # Refused here without touching the store's order: it is not ours (or not stored at all).
        # An order the gateway stored (received, same customer, product, manufacturer) is taken.
        try:
            why = await self.journal.take_order(self.order, create=self.may_create)
        except Exception as exc:
            why = Reason(reason="order-not-stored", detail=str(exc)[:2000])
        if why is not None:
            refusal = why
            self.conversation.act(lambda m, now: m.refuse(refusal, now=now))
            return
        await self.save()
        self.policy = await self.agent.current_policy()
        assessment = await self.agent.assess(self.order, self.policy)
        if isinstance(assessment, Refusal):
            self._notify_received()
            raise OrderFailed(
                assessment.reason.reason, assessment.reason.detail or "", event=assessment.event
            )
        earliest = await self._earliest_delivery(assessment)
        if self.policy.auto_accept:
            self._notify_received()
        else:
            await self._manual_acceptance(assessment)
        accepted = HistoryEvent.of(EventCode.ACCEPTED, earliest_delivery=earliest)
        if self.policy.auto_source:
            await self.status(_S.ACCEPTED, accepted)
            self._agree()
        else:
            with self.agent.desk.gate(self.order_id, StartSourcing) as gate:
                await self.status(_S.ACCEPTED, accepted)
                self._agree()
                start = await self._before_reply_by(gate.next(), "sourcing-not-started")
            start.done()
        network = await self._source(assessment)
        quotation, lines = await self._quote(assessment, network)
        confirmed = await self._await_confirmation(quotation, lines)
        if confirmed is None:
            return
        committed = await self._contract(network, confirmed)
        await self._produce_and_bill(confirmed, committed)

    async def _earliest_delivery(self, assessment: Assessment) -> date:
        """The earliest delivery the order can be promised, as the customer's estimate showed it: the own work
        and, for the bought parts, the quickest candidate suppliers' lead times (:mod:`order_estimate`);
        refused (:class:`OrderFailed`) when the order asks for an earlier date."""
        today = date.today()
        earliest = assessment.production.earliest_delivery(today)
        self.estimate = await order_estimate(
            self.agent.db, self.order, assessment.product, self.policy, today, catalogue=self.agent.catalogue
        )
        if self.estimate is None or self.estimate.earliest <= earliest:
            return earliest
        earliest = self.estimate.earliest
        if self.order.delivery_date < earliest:
            self._notify_received()
            production = days(self.policy.production_days)
            refused = too_soon(
                earliest,
                self.order.delivery_date,
                f"the bought parts take the quickest suppliers' lead times, and production {production}",
            )
            raise OrderFailed(refused.reason, refused.detail, event=refused.event)
        return earliest

    def _agree(self) -> None:
        """Tell the customer the order is taken (its quotation follows)."""
        if self.conversation.machine.state is not _P.REQUESTED:
            raise OrderFailed(
                "customer-gone", f"the customer's conversation is {self.conversation.machine.state}"
            )
        self.conversation.act(lambda m, now: m.agree(now=now))

    def _notify_received(self) -> None:
        taken = HistoryEvent.of(EventCode.ORDER_TAKEN)
        self.agent.notify(
            OrderStatusNotice(order_id=self.order.id, status=_S.RECEIVED, note=taken.sentence(), event=taken)
        )

    async def _manual_acceptance(self, assessment: Assessment) -> None:
        """The approver's decision when one was given, else the console's :class:`OrderDecision`."""
        approver = self.agent.approver
        if approver is None and self.agent.desk.consoles:
            with self.agent.desk.gate(self.order_id, OrderDecision) as gate:
                self._notify_received()
                pending = await self._before_reply_by(gate.next(), "manual-acceptance")
            pending.done()
            if not pending.request.accept:
                raise OrderFailed(
                    "rejected-by-manufacturer", pending.request.reason or "the order was not approved"
                )
            return
        self._notify_received()
        if approver is None:
            raise OrderFailed(
                "manual-acceptance", "the policy wants manual acceptance and no one approves orders"
            )
        approved = await self._before_reply_by(approver(self.order, assessment), "manual-acceptance")
        if not approved:
            raise OrderFailed("rejected-by-manufacturer", "the order was not approved")

    async def _source(self, assessment: Assessment) -> SupplyNetwork:
        agent, policy = self.agent, self.policy
        sourced = assessment.split.sourced
        await self.status(_S.SOURCING, _parts_event(EventCode.SOURCING, len(sourced)))
        candidates = SupplierCandidates(order_id=self.order.id)
        if sourced:
            found = await ask(
                agent,
                agent.matchmaker,
                FindSuppliers(
                    order_id=self.order.id, parts=sourced, max_per_part=policy.max_suppliers_per_part
                ),
                SupplierCandidates,
                timeout=agent.timings.matchmaking,
                opened=self._track_request,
            )
            if isinstance(found, Reason):
                raise OrderFailed(
                    "sourcing-failed", f"matchmaker: {found.reason} {found.detail or ''}".strip()
                )
            candidates = found
            missing = candidates.uncovered(p.part_id for p in sourced)
            if missing:
                raise OrderFailed("no-supplier", f"no candidate supplier for {', '.join(missing)}")
        await self.status(_S.NEGOTIATING, _parts_event(EventCode.NEGOTIATING, len(sourced)))
        sourcing = Sourcing(
            agent=agent,
            policy=policy,
            scorer=agent.scorer_for(policy),
            timings=agent.timings,
            persist=self._persist_negotiation,
            track=lambda cid: agent.track(cid, self.order_id),
        )
        results = await asyncio.gather(
            *(
                sourcing.source(
                    self.order.id,
                    part,
                    [agent.with_agent(s) for s in candidates.for_part(part.part_id)],
                    assessment.latest_part_delivery,
                )
                for part in sourced
            )
        )
        uncovered = [r for r in results if isinstance(r, NotCovered)]
        if uncovered:
            raise OrderFailed("part-not-covered", "; ".join(f"{r.part_id}: {r.reason}" for r in uncovered))
        network = SupplyNetwork(
            order_id=self.order.id, assignments=tuple(r for r in results if isinstance(r, Assignment))
        )
        problems = network.coverage_problems(sourced)
        if problems:
            raise OrderFailed("network-incomplete", "; ".join(problems))
        latest = network.latest_delivery
        if latest is not None and latest > assessment.latest_part_delivery:
            raise OrderFailed("network-too-late", f"parts arrive {latest.isoformat()}")
        await self.journal.set_network(self.order_id, network)
        return network

    async def _quote(
        self, assessment: Assessment, network: SupplyNetwork
    ) -> tuple[Quotation, list[CostLine]]:
        policy = self.policy
        own = estimated_cost(assessment.product, self.order.customisation, self.order.quantity)
        lines = cost_lines(self.order, assessment.product, own, network)
        earliest = assessment.production.earliest_delivery(date.today())
        delivery = quoted_delivery(self.order, network, policy, earliest)
        quotation = build_quotation(
            self.order,
            assessment.product,
            first_price(policy, lines),
            delivery,
            now=utc_now(),
            currency=policy.currency,
            validity=self.agent.timings.quotation_validity,
            penalty=policy.customer_penalty,
        )
        note = "" if self.estimate is None else self.estimate.compared(quotation.total_price)
        quotation = quotation.model_copy(update={"note": note})
        await self._propose(quotation)
        return quotation, lines

    async def _propose(self, quotation: Quotation) -> None:
        if self.conversation.machine.state is not _P.REQUESTED:
            raise OrderFailed(
                "customer-gone", f"the customer's conversation is {self.conversation.machine.state}"
            )
        await self.journal.set_quotation(self.order_id, quotation)
        await self.status(
            _S.QUOTED,
            HistoryEvent.of(
                EventCode.QUOTATION_SENT if quotation.round <= 1 else EventCode.QUOTATION_REVISED,
                total=quotation.total_price,
                currency=quotation.currency,
                delivery_date=quotation.delivery_date,
            ),
            price=quotation.total_price,
            currency=quotation.currency,
        )
        self.conversation.act(lambda m, now: m.propose(quotation, now=now, valid_until=quotation.valid_until))
        await self.save()

    async def _await_confirmation(self, quotation: Quotation, lines: list[CostLine]) -> Quotation | None:
        """Wait for the customer's answer, revising on counters; the quotation it accepted (the last
        one proposed), or None when it did not."""
        machine = self.conversation.machine
        policy = self.policy
        while True:
            seconds = (quotation.valid_until - utc_now() + GRACE).total_seconds()
            try:
                await self._wait(seconds, lambda m: m.finished or m.state in (_P.ACCEPTED, _P.REQUESTED))
            except TimeoutError:
                raise OrderFailed("quotation-lapsed", "the customer did not answer the quotation") from None
            if machine.state is _P.ACCEPTED:
                await self.status(_S.CONFIRMED, HistoryEvent.of(EventCode.QUOTATION_ACCEPTED))
                return quotation
            if machine.state is _P.REQUESTED and machine.cfp is not None:
                try:
                    counter = decode(machine.cfp.content, CounterOffer)
                    revised: Decimal | None = answer_counter(policy, lines, counter, quotation)
                except (ContentError, ValueError) as exc:
                    raise OrderFailed("bad-counter-offer", str(exc)) from None
                await self.status(
                    _S.COUNTERED,
                    HistoryEvent.of(EventCode.COUNTER_OFFER, price=counter.price, currency=counter.currency),
                )
                total = quotation.total_price if revised is None else revised
                quotation = revised_quotation(
                    quotation,
                    total,
                    now=utc_now(),
                    validity=self.agent.timings.quotation_validity,
                    penalty=policy.customer_penalty,
                )
                await self._propose(quotation)
                continue
            outcome = machine.outcome
            why = outcome.reason if outcome else str(machine.state)
            await self.save()
            log.info(
                "%s: order %s: the customer's conversation ended: %s", self.agent.address, self.order_id, why
            )
            if machine.state is _P.REJECTED:
                await self.status(_S.DECLINED, HistoryEvent.of(EventCode.QUOTATION_DECLINED))
            elif machine.state is _P.CANCELLED:
                await self.status(_S.CANCELLED, HistoryEvent.of(EventCode.CANCELLED))
            else:
                await self.status(_S.FAILED, failed("customer-gone"))
            return None

    async def _contract(self, network: SupplyNetwork, quotation: Quotation) -> ContractCommitted:
        """Commit (again: the contract agent is idempotent), also when the order is contracted
        already (the contract agent's store writes, or a restart before the customer heard it)."""
        if await self.journal.current_status(self.order_id) is not _S.CONTRACTED:
            await self.status(_S.CONTRACTING, HistoryEvent.of(EventCode.CONTRACTING))
        await self.save()
        order = await self.journal.load_order(self.order_id)
        assert order is not None
        if order.status is _S.CONTRACTED:  # committed before: ask again with the order as it was then
            order = as_contracting(order)
        request = CommitAgreement(order=order, network=network, quotation=quotation)
        result = await self._commit_certainly(request)
        if isinstance(result, Reason):
            raise OrderFailed("contract-failed", f"{result.reason} {result.detail or ''}".strip())
        await self.journal.add_contract_ids(self.order_id, result.contract_ids)
        await self.status(_S.CONTRACTED, HistoryEvent.of(EventCode.CONTRACTS_COMMITTED))
        if self.conversation.machine.state is _P.ACCEPTED:
            # the customer hears of its own agreement only: the supply agreements name the suppliers
            told = result.model_copy(update={"supply_contracts": ()})
            self.conversation.act(lambda m, now: m.inform_result(told, now=now))
        await self.save()
        return result

    async def _commit_certainly(self, request: CommitAgreement) -> ContractCommitted | Reason:
        """The contract step's answer once it is certain: while the commit may still land (the ledger or the
        contract agent away) the order stays ``contracting`` (noted once, in words) and the idempotent step
        is asked again, after :data:`COMMIT_RETRY_FIRST` s, doubling up to :data:`COMMIT_RETRY_MOST` s."""
        waits, order_id = 0, self.order_id
        while True:
            result = await self.agent.contract_step.commit(request, opened=self._track_request)
            if not isinstance(result, Reason) or result.reason != COMMIT_PENDING:
                if waits:
                    log.info("%s: order %s: the contract step answers again", self.agent.address, order_id)
                return result
            delay = min(COMMIT_RETRY_FIRST * 2**waits, COMMIT_RETRY_MOST)
            log.warning(
                "%s: order %s stays contracting (%s); asking again in %.0f s",
                self.agent.address,
                self.order_id,
                result.detail,
                delay,
            )
            if not waits:
                await self.journal.note(self.order_id, HistoryEvent.of(EventCode.CONTRACT_WAITING))
            waits += 1
            await asyncio.sleep(delay)

    async def _produce_and_bill(self, quotation: Quotation, committed: ContractCommitted | None) -> None:
        """Produce (from ``contracted``, or resumed ``in_production`` when ``committed`` is None),
        then invoice (at once, or on the console's :class:`RaiseInvoice`) and collect the payment; with the
        manufacturer on the ledger, the whole life of the order there (:meth:`_ledger_life`)."""
        if committed is not None:
            log.info(
                "%s: order %s contracts %s",
                self.agent.address,
                self.order_id,
                ", ".join(committed.contract_ids),
            )
        if self.agent.ledger is not None:
            await self._ledger_life(quotation)
            return
        with contextlib.ExitStack() as stack:
            invoice_gate: Gate[RaiseInvoice] | None = None
            if not self.policy.auto_invoice:
                invoice_gate = stack.enter_context(self.agent.desk.gate(self.order_id, RaiseInvoice))
            await self._produce(HistoryEvent.of(EventCode.PRODUCTION_STARTED))
            if invoice_gate is not None:
                (await invoice_gate.next()).done()
        await self._bill(quotation)

    async def _ledger_life(self, quotation: Quotation) -> None:
        """From ``contracted`` (or wherever a restart left the order) to ``completed``, each step on the
        ledger as the manufacturer (:class:`~agents.manufacturer.ledger_life.LedgerLife`): parts received,
        produced, invoiced, paid, shipped, delivered, suppliers paid. Every step reads the ledger first."""
        from agents.manufacturer.ledger_life import LedgerLife

        assert self.agent.ledger is not None
        life = LedgerLife(self, self.agent.ledger, quotation)
        current = await self.journal.current_status(self.order_id)
        if current is _S.CONTRACTED:
            current = await self._produce_gated(await life.receive_parts())
        elif current in (_S.IN_PRODUCTION, _S.PRODUCED):
            current = await self._produce_gated(HistoryEvent.of(EventCode.PRODUCTION_STARTED))
        if current in (_S.PRODUCED, _S.INVOICED, _S.PAID):
            with contextlib.ExitStack() as stack:
                ship_gate: Gate[ShipOrder] | None = None
                if not self.policy.auto_ship:
                    ship_gate = stack.enter_context(self.agent.desk.gate(self.order_id, ShipOrder))
                if current is not _S.PAID:
                    await life.bill()
                await life.ship(ship_gate)
            current = _S.SHIPPED
        if current is _S.SHIPPED:
            await life.delivered()
            current = _S.DELIVERED
        if current is _S.DELIVERED:
            await life.settle()

    async def _produce_gated(self, started: HistoryEvent) -> OrderStatus:
        """Produce (then the console's :class:`RaiseInvoice` awaited, when the policy wants it)."""
        with contextlib.ExitStack() as stack:
            invoice_gate: Gate[RaiseInvoice] | None = None
            if not self.policy.auto_invoice:
                invoice_gate = stack.enter_context(self.agent.desk.gate(self.order_id, RaiseInvoice))
            await self._produce(started)
            if invoice_gate is not None:
                (await invoice_gate.next()).done()
        return _S.PRODUCED

    async def _produce(self, started: HistoryEvent) -> None:
        if await self.journal.current_status(self.order_id) is _S.PRODUCED:
            return  # resumed after a restart: produced already
        if self.policy.auto_produce:
            await self.status(_S.IN_PRODUCTION, started)
            await asyncio.sleep(self.agent.timings.production.total_seconds())
            await self.status(_S.PRODUCED, HistoryEvent.of(EventCode.PRODUCED))
            return
        with self.agent.desk.gate(self.order_id, ProductionProgress) as gate:
            await self.status(_S.IN_PRODUCTION, started)
            reported = 0
            while True:
                pending = await gate.next()
                if not await self._progress(pending, reported):
                    continue
                reported = pending.request.percent
                pending.done()
                if reported == 100:
                    return

    async def _progress(self, pending: Pending[ProductionProgress], reported: int) -> bool:
        """Record one progress report (at 100: produced); False (the console is told why) when it
        goes backwards."""
        report = pending.request
        if report.percent < reported:
            pending.fail(
                Reason(reason="progress-backwards", detail=f"{report.percent} % after {reported} % reported")
            )
            return False
        progress = HistoryEvent.of(EventCode.PRODUCTION_PROGRESS, percent=report.percent, note=report.note)
        if report.percent == 100:
            done = HistoryEvent.of(EventCode.PRODUCED)
            await self.agent.change_status(self.order_id, _S.PRODUCED, done, progress=100)
            return True
        await self.journal.note(self.order_id, progress)
        self.agent.notify(
            OrderStatusNotice(
                order_id=self.order.id,
                status=_S.IN_PRODUCTION,
                note=progress.sentence(),
                progress=report.percent,
                event=progress,
            )
        )
        return True

    async def _bill(self, quotation: Quotation) -> None:
        timings = self.agent.timings
        now = utc_now()
        invoice = Invoice(
            order_id=self.order.id,
            issuer=self.order.manufacturer_id,
            payer=self.order.customer_id,
            lines=invoice_lines(quotation),
            total=quotation.total_price,
            currency=quotation.currency,
            issued_at=now,
            due_date=now.date() + timedelta(days=timings.invoice_due_days),
        )
        raised = HistoryEvent.of(
            EventCode.INVOICE_RAISED,
            total=invoice.total,
            currency=invoice.currency,
            due_date=invoice.due_date,
        )
        invoice = await self.journal.raise_invoice(invoice, raised)
        # moved by the journal already: its followers are told here
        await self.status(_S.INVOICED, raised, price=invoice.total, currency=invoice.currency)
        answer = await ask(
            self.agent, self.customer, invoice, Payment, timeout=timings.payment, opened=self._track_request
        )
        if isinstance(answer, Reason):
            log.warning("%s: invoice %s not paid: %s", self.agent.address, invoice.id, answer)
            return
        try:
            answer.check_against(invoice)
            confirming = await self._payment_received(answer)
        except Exception as exc:
            log.warning("%s: payment for invoice %s refused: %s", self.agent.address, invoice.id, exc)
            return
        await self.status(
            _S.PAID,
            HistoryEvent.of(
                EventCode.PAYMENT_RECEIVED, total=answer.amount, currency=answer.currency, date=answer.paid_at
            ),
        )
        if confirming is not None:
            confirming.done()

    async def _payment_received(self, payment: Payment) -> Pending[PaymentReceived] | None:
        """Record the customer's payment: at once or, when the policy's bank transfer is confirmed by hand,
        announced (a note tells both sides) and recorded once the console's :class:`PaymentReceived` says it
        arrived (returned, to be told the outcome once the order is paid)."""
        terms = self.policy.payment
        if terms is None or not terms.confirm_by_hand:
            await self.journal.record_payment(payment)
            return None
        with self.agent.desk.gate(self.order_id, PaymentReceived) as gate:
            if await self.journal.announce_payment(payment):
                announced = HistoryEvent.of(
                    EventCode.PAYMENT_ANNOUNCED, total=payment.amount, currency=payment.currency
                )
                await self.journal.note(self.order_id, announced)
                self.agent.notify(
                    OrderStatusNotice(
                        order_id=self.order.id, status=_S.INVOICED, note=announced.sentence(), event=announced
                    )
                )
            pending = await gate.next()
        try:
            await self.journal.confirm_payment(str(payment.invoice_id))
        except Exception as exc:
            pending.fail(Reason(reason="not-recorded", detail=str(exc)[:2000]))
            raise
        return pending

    # ----------------------------------------------------------------- snapshots

    async def _persist_negotiation(self, negotiation: ConversationBehaviour) -> None:  # type: ignore[type-arg]
        await self.agent.save_conversation(negotiation, NegotiationRole.INITIATOR, self.order_id)

    async def _track_request(self, request: ConversationBehaviour) -> None:  # type: ignore[type-arg]
        self.agent.track(request.conversation_id, self.order_id)
        await self.agent.save_conversation(request, NegotiationRole.INITIATOR, self.order_id)


def _parts_event(code: EventCode, parts: int) -> HistoryEvent:
    """Sourcing or negotiating ``parts`` parts (none: every part is made in house)."""
    return HistoryEvent.of(code, parts=parts) if parts else HistoryEvent.of(EventCode.NOTHING_TO_SOURCE)
