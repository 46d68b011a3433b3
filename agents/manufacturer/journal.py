"""Everything the manufacturer persists, through the store: order status (with history), the ACL
log, negotiation snapshots, invoices and payments. One lock serialises the agent's transactions
(SQLite allows one writer; the agent's order tasks run concurrently). Each step is one transaction; while the
database refuses it (disk full, server gone) the step pauses and is tried again (:mod:`store.refusal`), so an
order waits for the database instead of failing for it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from agents.runtime.refusals import NOT_AUTHORISED
from ledger.lifecycle import Contract, PaymentReceipt
from ontology.billing import Invoice, Payment, PaymentMethod
from ontology.codec import ContentError, decode
from ontology.common import Reason
from ontology.events import HistoryEvent
from ontology.matchmaking import SupplierCandidates
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.product import Product
from ontology.quotation import Quotation
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from protocols.performative import ProtocolName
from store.database import Database
from store.enums import Direction, InvoiceStatus, NegotiationRole
from store.errors import StaleStateError
from store.product_rows import product_of
from store.records import NegotiationState, NewAclMessage, NewInvoice, NewPayment, NewProduct, OrderRecord
from store.refusal import pausing
from store.repositories import Repositories

log = logging.getLogger(__name__)

ORDER = ProtocolName.ORDER.value

ACL_FLUSH_DELAY = 0.005
"""Seconds an ACL message logged with :meth:`Journal.log_acl` waits at most to be written (batched)."""
VERSIONS_REMEMBERED = 10_000
"""Snapshot versions remembered at most (a version not remembered is read from the store)."""
DUPLICATE_ORDER = "duplicate-order"


@dataclass
class _PendingSave:
    """A requested save of a machine that has not started yet."""

    machine: Conversation[Any]
    role: NegotiationRole
    order_id: str
    round: int
    done: asyncio.Future[None]
    saves: int = 1
    """Requests joined in this save (the version advances by as many)."""


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # whoever awaited it saw it; no "never retrieved" warning otherwise


class Journal:
    """The manufacturer's persistence; ``actor`` is recorded in every status change."""

    def __init__(self, db: Database, agent_jid: str) -> None:
        self.db = db
        self.agent_jid = agent_jid
        self._lock = asyncio.Lock()
        self._versions: OrderedDict[str, int] = OrderedDict()
        self._flush_task: asyncio.Task[None] | None = None
        self._pending_saves: dict[str, _PendingSave] = {}
        self._save_tasks: set[asyncio.Future[None]] = set()

    def forget(self, conversation_id: str) -> None:
        """Stop remembering the snapshot version of a conversation (its next save reads it)."""
        self._versions.pop(conversation_id, None)

    def _remember(self, conversation_id: str, version: int) -> None:
        self._versions[conversation_id] = version
        self._versions.move_to_end(conversation_id)
        while len(self._versions) > VERSIONS_REMEMBERED:
            self._versions.popitem(last=False)

    def _transaction(self) -> AbstractAsyncContextManager[Repositories]:
        """A store transaction; queued ACL messages are left to the log's own flush (within a few ms)."""
        return self.db.transaction(flush_acl_log=False)

    @pausing
    async def publish(self, products: Iterable[Product]) -> None:
        """Store the catalogue's products the store does not hold yet (orders refer to them)."""
        async with self._lock, self._transaction() as repos:
            for product in products:
                if await repos.products.get(product.id) is None:
                    await repos.products.add(
                        NewProduct(
                            id=product.id,
                            manufacturer_id=product.manufacturer_id,
                            name=product.name,
                            description=product.description,
                            options=product.model_dump(mode="json")["options"],
                            base_price=product.base_cost,
                            currency=product.currency,
                        )
                    )

    @pausing
    async def add_order(self, order: Order) -> bool:
        """Store a received order; ``False`` if an order with its id exists already."""
        async with self._lock, self._transaction() as repos:
            if await repos.orders.get(str(order.id)) is not None:
                return False
            await repos.orders.add_order(order)
            return True

    @pausing
    async def take_order(self, order: Order, *, create: bool = True) -> Reason | None:
        """Take the order stored already (by the gateway, before the customer's agent sent it) when it is
        still ``received`` and has the same terms (customer, manufacturer, product, quantity, date, options),
        or (``create``) store
        it as a new ``received`` order (whatever status and history it claims); None when taken, else why
        not (``duplicate-order``, or ``not-authorised`` when it is not stored and may not be created)."""
        async with self._lock, self._transaction() as repos:
            stored = await repos.orders.get(str(order.id))
            if stored is None:
                if not create:
                    return Reason(reason=NOT_AUTHORISED, detail=f"no order {order.id} is stored")
                fresh = order.model_copy(update={"status": OrderStatus.RECEIVED, "history": ()})
                await repos.orders.add_order(fresh)
                return None
            same = (
                stored.customer_id,
                stored.product_id,
                stored.manufacturer_id,
                stored.quantity,
                stored.delivery_date,
                stored.customisation,
            ) == (
                order.customer_id,
                order.product_id,
                order.manufacturer_id,
                order.quantity,
                order.delivery_date,
                order.customisation.model_dump(mode="json"),
            )
            if stored.status == OrderStatus.RECEIVED and same:
                return None
            if not same:
                why = (
                    f"order {order.id} is stored with other terms "
                    "(customer, product, quantity, date or options)"
                )
            else:
                why = f"order {order.id} exists and is {stored.status}"
            return Reason(reason=DUPLICATE_ORDER, detail=why)

    @pausing
    async def status(self, order_id: str, to: OrderStatus, event: HistoryEvent | None = None) -> bool:
        """Move the order to ``to`` (``event``: what happened, in the history); False (nothing written)
        when it is there already."""
        async with self._lock, self._transaction() as repos:
            current = await repos.orders.require(order_id)
            if current.status == to:
                return False
            await repos.orders.change_status(order_id, to, actor=self.agent_jid, event=event)
        return True

    @pausing
    async def note(self, order_id: str, event: HistoryEvent) -> None:
        """A remark in the order's status history without a change (from and to: its status)."""
        async with self._lock, self._transaction() as repos:
            await repos.orders.add_remark(order_id, actor=self.agent_jid, event=event)

    @pausing
    async def events_noted(self, order_id: str) -> Counter[str]:
        """How often each event code stands in the order's history."""
        async with self._lock, self._transaction() as repos:
            history = await repos.orders.history(order_id)
        return Counter(change.event for change in history if change.event is not None)

    @pausing
    async def customer_conversation(self, order_id: str) -> NegotiationState | None:
        """The newest saved state of the customer's order conversation of ``order_id`` (this agent's)."""
        async with self._lock, self._transaction() as repos:
            states = await repos.negotiations.by_order(order_id)
        ours = [
            s
            for s in states
            if s.agent_jid == self.agent_jid and s.role == NegotiationRole.PARTICIPANT and s.protocol == ORDER
        ]
        return ours[-1] if ours else None

    @pausing
    async def stored_product(self, product_id: str) -> Product | None:
        """A product of the store (added through the gateway), or None (also when it does not parse)."""
        async with self._lock, self._transaction() as repos:
            record = await repos.products.get(product_id)
        if record is None:
            return None
        try:
            return product_of(record)
        except ValueError as exc:
            log.warning("%s: stored product %s unusable: %s", self.agent_jid, product_id, exc)
            return None

    @pausing
    async def current_status(self, order_id: str) -> OrderStatus | None:
        async with self._lock, self._transaction() as repos:
            record = await repos.orders.get(order_id)
        return None if record is None else OrderStatus(record.status)

    @pausing
    async def order_record(self, order_id: str) -> OrderRecord | None:
        async with self._lock, self._transaction() as repos:
            return await repos.orders.get(order_id)

    @pausing
    async def load_order(self, order_id: str) -> Order | None:
        async with self._lock, self._transaction() as repos:
            return await repos.orders.load_order(order_id)

    @pausing
    async def orders_in(self, manufacturer_id: str, *statuses: OrderStatus) -> list[Order]:
        async with self._lock, self._transaction() as repos:
            found: list[Order] = []
            for status in statuses:
                for record in await repos.orders.list_by_manufacturer(manufacturer_id, status):
                    order = await repos.orders.load_order(record.id)
                    if order is not None:
                        found.append(order)
            return found

    @pausing
    async def set_network(self, order_id: str, network: SupplyNetwork) -> None:
        async with self._lock, self._transaction() as repos:
            await repos.orders.set_supply_network(order_id, network)

    @pausing
    async def set_quotation(self, order_id: str, quotation: Quotation) -> None:
        async with self._lock, self._transaction() as repos:
            await repos.orders.set_quotation(order_id, quotation)

    @pausing
    async def add_contract_ids(self, order_id: str, contract_ids: tuple[str, ...]) -> None:
        async with self._lock, self._transaction() as repos:
            for contract_id in contract_ids:
                await repos.orders.add_contract_id(order_id, contract_id)

    @pausing
    async def raise_invoice(self, invoice: Invoice, event: HistoryEvent) -> Invoice:
        """The order's invoice stored and the order moved to ``invoiced`` (``event``) in one transaction; when
        the order has an issued invoice already (billed before a restart), that invoice, and nothing is
        added. The invoice the customer is asked to pay."""
        order_id = str(invoice.order_id)
        async with self._lock, self._transaction() as repos:
            issued = [r for r in await repos.invoices.by_order(order_id) if r.status == InvoiceStatus.ISSUED]
            if issued:
                first = issued[0]
                invoice = invoice.model_copy(
                    update={
                        "id": uuid.UUID(first.id),
                        "issued_at": first.created_at,
                        "due_date": first.due_date,
                    }
                )
            else:
                await repos.invoices.add(_new_invoice(invoice))
            current = await repos.orders.require(order_id)
            if current.status != OrderStatus.INVOICED:
                await repos.orders.change_status(
                    order_id, OrderStatus.INVOICED, actor=self.agent_jid, event=event
                )
        return invoice

    @pausing
    async def mirror_invoice(self, invoice: Invoice) -> None:
        """The store's row of a ledger invoice (``invoice.contract_id``): added when missing (a restart after
        the ledger raised it), its contract id set when the row has none."""
        async with self._lock, self._transaction() as repos:
            stored = await repos.invoices.get(str(invoice.id))
            if stored is None:
                await repos.invoices.add(_new_invoice(invoice))
            elif stored.ledger_contract_id is None and invoice.contract_id is not None:
                await repos.invoices.set_ledger_contract_id(stored.id, invoice.contract_id)

    @pausing
    async def mirror_payment(
        self,
        invoice: Invoice,
        receipt: Contract[PaymentReceipt],
        payment: Payment | None = None,
        claim_id: str | None = None,
    ) -> None:
        """The store's payment row of a ledger ``receipt`` of ``invoice`` (once; the invoice row is marked
        paid with it): its claim's (``claim_id``, else the one the payer named) and receipt's contract ids,
        the payer's payment id when it told one."""
        claim_id = claim_id or (None if payment is None else payment.claim_contract_id)
        async with self._lock, self._transaction() as repos:
            if await repos.payments.for_invoice(str(invoice.id)) is not None:
                stored = await repos.invoices.get(str(invoice.id))
                if stored is not None and stored.status == InvoiceStatus.ISSUED:  # announced: now received
                    await repos.payments.confirm(
                        str(invoice.id), paid_at=receipt.data.paid_at, ledger_contract_id=receipt.contract_id
                    )
                return
            data = receipt.data
            await repos.payments.record(
                NewPayment(
                    id=str(payment.id) if payment is not None else str(uuid.uuid4()),
                    invoice_id=str(invoice.id),
                    amount=data.amount,
                    currency=data.currency,
                    method=str(payment.method if payment is not None else PaymentMethod.LEDGER),
                    reference=data.payment_ref,
                    paid_at=data.paid_at,
                    ledger_claim_contract_id=claim_id,
                    ledger_contract_id=receipt.contract_id,
                )
            )

    @pausing
    async def announce_payment(self, payment: Payment) -> bool:
        """The store's row of a payment the customer announced (a transfer on its way), its invoice still
        open until :meth:`confirm_payment` or :meth:`mirror_payment`; False when it was stored already."""
        async with self._lock, self._transaction() as repos:
            if await repos.payments.for_invoice(str(payment.invoice_id)) is not None:
                return False
            await repos.payments.announce(_new_payment(payment, payment.claim_contract_id))
        return True

    @pausing
    async def confirm_payment(self, invoice_id: str) -> None:
        """The announced payment of the invoice arrived (the manufacturer said so): the invoice is paid."""
        async with self._lock, self._transaction() as repos:
            await repos.payments.confirm(invoice_id)

    @pausing
    async def record_payment(self, payment: Payment) -> None:
        async with self._lock, self._transaction() as repos:
            await repos.payments.record(_new_payment(payment))

    async def log_acl(self, message: AclMessage, direction: Direction, order_id: str | None) -> None:
        """Log a message (never raises): queued in the store (write-behind) and written with the
        messages queued alongside it in one transaction, about :data:`ACL_FLUSH_DELAY` seconds later
        (under the journal's lock), or earlier by any other store transaction (so whoever reads the
        log through the store sees it) or when the store closes."""
        try:
            record = NewAclMessage.from_message(
                message, agent_jid=self.agent_jid, direction=direction, order_id=order_id
            )
        except Exception:  # the log must never break a conversation
            log.exception("%s: could not log a %s message", self.agent_jid, message.performative)
            return
        self.db.log_acl_later(record)
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.get_running_loop().create_task(
                self._flush_soon(), name=f"acl log flush {self.agent_jid}"
            )

    @pausing
    async def supplier_names(self, order_id: str) -> dict[str, str]:
        """The names of the suppliers the matchmaker found for an order, by supplier id, from its answers in
        the order's message log (what a restarted agent knows of them: it did not ask the matchmaker)."""
        async with self._transaction() as repos:
            logged = await repos.acl.by_order(order_id)
        names: dict[str, str] = {}
        for record in logged:
            if record.direction != Direction.IN or record.performative != "inform":
                continue
            try:
                found = decode(record.content, SupplierCandidates, remember=False)
            except ContentError:
                continue
            for entry in found.candidates:
                for supplier in entry.suppliers:
                    names.setdefault(supplier.id, supplier.name)
        return names

    async def flush_acl(self) -> None:
        """Write every queued ACL message now."""
        async with self._lock:
            await self.db.flush_acl_log()

    async def _flush_soon(self) -> None:
        await asyncio.sleep(ACL_FLUSH_DELAY)
        try:
            await self.flush_acl()
        except Exception:  # kept queued: the next flush, transaction or close writes it
            log.exception("%s: could not write the ACL log", self.agent_jid)

    async def save_machine(
        self, machine: Conversation[Any], role: NegotiationRole, order_id: str, round: int = 0
    ) -> None:
        """Save the machine's current snapshot as the next version of its row.

        Shielded from cancellation (an ``on_update`` task is cancelled when its conversation closes),
        so a committed write always updates the known version; a version found stale anyway is
        re-read once (the agent is the only writer of its rows, and the newest snapshot wins).

        Saves of one machine coalesce: while a save of it waits for the journal, another request
        joins that save instead of queueing its own (the snapshot is taken once the save runs, so it
        holds every state change made before either request; the latest ``round`` etc. are used).
        """
        cid = machine.conversation_id
        pending = self._pending_saves.get(cid)
        if pending is not None and pending.machine is machine:
            pending.role, pending.order_id, pending.round = role, order_id, round
            pending.saves += 1
        else:
            pending = _PendingSave(machine, role, order_id, round, asyncio.get_running_loop().create_future())
            pending.done.add_done_callback(_retrieve)
            self._pending_saves[cid] = pending
            task = asyncio.ensure_future(self._run_save(pending))
            self._save_tasks.add(task)
            task.add_done_callback(self._save_tasks.discard)
        await asyncio.shield(pending.done)

    async def _run_save(self, pending: _PendingSave) -> None:
        cid = pending.machine.conversation_id
        try:
            async with self._lock:
                if self._pending_saves.get(cid) is pending:
                    del self._pending_saves[cid]  # later requests need a later snapshot: a new save
                await self._save_machine(
                    pending.machine, pending.role, pending.order_id, pending.round, pending.saves
                )
        except BaseException as exc:
            if self._pending_saves.get(cid) is pending:
                del self._pending_saves[cid]
            if not pending.done.done():
                if isinstance(exc, asyncio.CancelledError):
                    pending.done.cancel()
                else:
                    pending.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
        else:
            if not pending.done.done():
                pending.done.set_result(None)

    @pausing
    async def _save_machine(
        self, machine: Conversation[Any], role: NegotiationRole, order_id: str, round: int, saves: int = 1
    ) -> None:
        """Under the journal's lock."""
        cid = machine.conversation_id
        for attempt in range(2):
            try:
                async with self._transaction() as repos:
                    version = None if attempt else self._versions.get(cid)
                    if version is None:
                        existing = await repos.negotiations.load(self.agent_jid, cid)
                        version = 0 if existing is None else existing.version
                    state = NegotiationState(
                        agent_jid=self.agent_jid,
                        conversation_id=cid,
                        role=role,
                        protocol=str(machine.protocol),
                        state_name=str(machine.state),
                        state=machine.snapshot_json(),
                        order_id=order_id,
                        round=round,
                        deadline=machine.next_deadline,
                        finished=machine.finished,
                        version=version,
                    )
                    saved = await repos.negotiations.save(state, saves=saves)
            except StaleStateError:
                if attempt:
                    raise
                continue
            self._remember(cid, saved.version)
            return

    @pausing
    async def unfinished(self) -> list[NegotiationState]:
        async with self._lock, self._transaction() as repos:
            states = await repos.negotiations.unfinished(self.agent_jid)
        for state in states:
            self._remember(state.conversation_id, state.version)
        return states

    @pausing
    async def mark_finished(self, state: NegotiationState, note: str) -> None:
        async with self._lock, self._transaction() as repos:
            saved = await repos.negotiations.save(state.evolve(finished=True, state_name=note[:64]))
        self._remember(state.conversation_id, saved.version)


def _new_invoice(invoice: Invoice) -> NewInvoice:
    """The store's row of ``invoice`` (with its ledger contract id when it has one)."""
    return NewInvoice(
        id=str(invoice.id),
        order_id=str(invoice.order_id),
        lines=[line.model_dump(mode="json") for line in invoice.lines],
        total=invoice.total,
        currency=invoice.currency,
        due_date=invoice.due_date,
        ledger_contract_id=invoice.contract_id,
    )


def _new_payment(payment: Payment, claim_contract_id: str | None = None) -> NewPayment:
    """The store's row of ``payment`` (with the ledger's payment claim, when it names one)."""
    return NewPayment(
        id=str(payment.id),
        invoice_id=str(payment.invoice_id),
        amount=payment.amount,
        currency=payment.currency,
        method=str(payment.method),
        reference=payment.reference or None,
        paid_at=payment.paid_at,
        ledger_claim_contract_id=claim_contract_id,
    )
