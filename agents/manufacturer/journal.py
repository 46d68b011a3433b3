"""Everything the manufacturer persists, through the store: order status (with history), the ACL
log, negotiation snapshots, invoices and payments. One lock serialises the agent's transactions
(SQLite allows one writer; the agent's order tasks run concurrently)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from ontology.billing import Invoice, Payment
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.product import Product
from ontology.quotation import Quotation
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from store.database import Database
from store.enums import Direction, NegotiationRole
from store.errors import StaleStateError
from store.records import NegotiationState, NewAclMessage, NewInvoice, NewPayment, NewProduct, OrderRecord

log = logging.getLogger(__name__)


class Journal:
    """The manufacturer's persistence; ``actor`` is recorded in every status change."""

    def __init__(self, db: Database, agent_jid: str) -> None:
        self.db = db
        self.agent_jid = agent_jid
        self._lock = asyncio.Lock()
        self._versions: dict[str, int] = {}

    async def publish(self, products: Iterable[Product]) -> None:
        """Store the catalogue's products the store does not hold yet (orders refer to them)."""
        async with self._lock, self.db.transaction() as repos:
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

    async def add_order(self, order: Order) -> bool:
        """Store a received order; ``False`` if an order with its id exists already."""
        async with self._lock, self.db.transaction() as repos:
            if await repos.orders.get(str(order.id)) is not None:
                return False
            await repos.orders.add_order(order)
            return True

    async def status(self, order_id: str, to: OrderStatus, note: str = "") -> OrderStatus:
        """Move the order to ``to`` (no-op when it is there already); the new status."""
        async with self._lock, self.db.transaction() as repos:
            current = await repos.orders.require(order_id)
            if current.status != to:
                await repos.orders.change_status(order_id, to, actor=self.agent_jid, note=note[:2000])
        return to

    async def current_status(self, order_id: str) -> OrderStatus | None:
        async with self._lock, self.db.transaction() as repos:
            record = await repos.orders.get(order_id)
        return None if record is None else OrderStatus(record.status)

    async def order_record(self, order_id: str) -> OrderRecord | None:
        async with self._lock, self.db.transaction() as repos:
            return await repos.orders.get(order_id)

    async def load_order(self, order_id: str) -> Order | None:
        async with self._lock, self.db.transaction() as repos:
            return await repos.orders.load_order(order_id)

    async def orders_in(self, manufacturer_id: str, *statuses: OrderStatus) -> list[Order]:
        async with self._lock, self.db.transaction() as repos:
            found: list[Order] = []
            for status in statuses:
                for record in await repos.orders.list_by_manufacturer(manufacturer_id, status):
                    order = await repos.orders.load_order(record.id)
                    if order is not None:
                        found.append(order)
            return found

    async def set_network(self, order_id: str, network: SupplyNetwork) -> None:
        async with self._lock, self.db.transaction() as repos:
            await repos.orders.set_supply_network(order_id, network)

    async def set_quotation(self, order_id: str, quotation: Quotation) -> None:
        async with self._lock, self.db.transaction() as repos:
            await repos.orders.set_quotation(order_id, quotation)

    async def add_contract_ids(self, order_id: str, contract_ids: tuple[str, ...]) -> None:
        async with self._lock, self.db.transaction() as repos:
            for contract_id in contract_ids:
                await repos.orders.add_contract_id(order_id, contract_id)

    async def add_invoice(self, invoice: Invoice) -> None:
        async with self._lock, self.db.transaction() as repos:
            await repos.invoices.add(
                NewInvoice(
                    id=str(invoice.id),
                    order_id=str(invoice.order_id),
                    lines=[line.model_dump(mode="json") for line in invoice.lines],
                    total=invoice.total,
                    currency=invoice.currency,
                    due_date=invoice.due_date,
                )
            )

    async def record_payment(self, payment: Payment) -> None:
        async with self._lock, self.db.transaction() as repos:
            await repos.payments.record(
                NewPayment(
                    id=str(payment.id),
                    invoice_id=str(payment.invoice_id),
                    amount=payment.amount,
                    currency=payment.currency,
                    method=str(payment.method),
                    reference=payment.reference or None,
                    paid_at=payment.paid_at,
                )
            )

    async def log_acl(self, message: AclMessage, direction: Direction, order_id: str | None) -> None:
        try:
            async with self._lock, self.db.transaction() as repos:
                await repos.acl.log(
                    NewAclMessage.from_message(
                        message, agent_jid=self.agent_jid, direction=direction, order_id=order_id
                    )
                )
        except Exception:  # the log must never break a conversation
            log.exception("%s: could not log a %s message", self.agent_jid, message.performative)

    async def save_machine(
        self, machine: Conversation[Any], role: NegotiationRole, order_id: str, round: int = 0
    ) -> None:
        """Save the machine's current snapshot as the next version of its row.

        Shielded from cancellation (an ``on_update`` task is cancelled when its conversation closes),
        so a committed write always updates the known version; a version found stale anyway is
        re-read once (the agent is the only writer of its rows, and the newest snapshot wins).
        """
        await asyncio.shield(self._save_machine(machine, role, order_id, round))

    async def _save_machine(
        self, machine: Conversation[Any], role: NegotiationRole, order_id: str, round: int
    ) -> None:
        cid = machine.conversation_id
        async with self._lock:
            for attempt in range(2):
                try:
                    async with self.db.transaction() as repos:
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
                            state=machine.to_snapshot().model_dump(mode="json"),
                            order_id=order_id,
                            round=round,
                            deadline=machine.next_deadline,
                            finished=machine.finished,
                            version=version,
                        )
                        saved = await repos.negotiations.save(state)
                except StaleStateError:
                    if attempt:
                        raise
                    continue
                self._versions[cid] = saved.version
                return

    async def unfinished(self) -> list[NegotiationState]:
        async with self._lock, self.db.transaction() as repos:
            states = await repos.negotiations.unfinished(self.agent_jid)
        for state in states:
            self._versions[state.conversation_id] = state.version
        return states

    async def mark_finished(self, state: NegotiationState, note: str) -> None:
        async with self._lock, self.db.transaction() as repos:
            saved = await repos.negotiations.save(state.evolve(finished=True, state_name=note[:64]))
        self._versions[state.conversation_id] = saved.version
