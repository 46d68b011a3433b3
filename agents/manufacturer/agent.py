"""``ManufacturerAgent``: takes customers' orders, sources parts, quotes, contracts, bills.

Serves order conversations (:mod:`protocols.order_request`, protocol ``lso-order``) that a
customer opens with a ``request`` carrying an :class:`~ontology.order.Order`; each order runs as
one asyncio task (:class:`~agents.manufacturer.flow.OrderFlow`). Its policy
(:class:`~ontology.policy.ManufacturerPolicy`) is given (fixed) or read from the store's policies,
again for each new order (a policy changed through the gateway applies to the next negotiation).
Products not in its catalogue are read from the store. Serves ``fipa-request`` conversations from
its consoles (:mod:`agents.manufacturer.console`) that drive the manual steps, and tells the
order's customer agent and its consoles of every status change
(:mod:`agents.manufacturer.notices`). Every ACL message of its conversations, in and out, is logged
to the store; every conversation's snapshot is saved; on start, conversations left unfinished by a
previous run are resumed or ended (see :mod:`agents.manufacturer.recovery`).

Who may order (identity from the transport, authority from the store's bindings, see
:mod:`agents.runtime.directory`): an order request is taken only when the order names this agent's
manufacturer and its stamped sender either acts for exactly the order's customer (it may then place a new
order) or is bound as customer ``*`` (the gateway's bridge agent) and the order is already stored by the
gateway, still ``received``, with the same customer, product and manufacturer (never creating one). Anyone
else is refused ``not-authorised`` before a conversation opens: nothing of it is stored or logged to the
store (the refusal is logged, with the sender, by the Python logger). Console requests come only from the
configured consoles (:mod:`agents.manufacturer.console`).

What the agent keeps about an order (its customer agent and the status last announced:
:class:`~agents.manufacturer.notices.Followers`; the conversations of the order and its flow:
:class:`~agents.manufacturer.order_registry.OrderRegistry`, which also says how the flows are started and
stopped) is dropped once the order's flow ends; a conversation still open then keeps its entry until it
closes. The flow, the console desk and the recovery see the agent through the narrow protocols of
:mod:`agents.manufacturer.host` only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar, Unpack

from agents.manufacturer.assessment import QUEUED, Assessment, Refusal, assess, queue_minutes
from agents.manufacturer.console import ConsoleDesk
from agents.manufacturer.contracting import ContractAgentStep, ContractStep
from agents.manufacturer.flow import OrderFlow, customer_side
from agents.manufacturer.host import OnUpdate
from agents.manufacturer.journal import Journal
from agents.manufacturer.ledger_contract import LedgerContractStep
from agents.manufacturer.notices import Followers, NoticeInfo
from agents.manufacturer.options import Approver, DecisionHooks, LedgerSeat
from agents.manufacturer.order_registry import OrderRegistry
from agents.manufacturer.recovery import recover
from agents.manufacturer.resumption import Stage, load_resumption
from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.selection import OfferScorer
from agents.manufacturer.settings import Timings
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings
from ontology.codec import ContentError, decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.events import HistoryEvent
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy, NegotiationStrategy
from ontology.product import Product
from ontology.supplier import Supplier
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from protocols.order_request import OrderParticipant
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, Direction, NegotiationRole

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Conversation[Any])

__all__ = ["Approver", "ManufacturerAgent", "PolicyMissing"]


class PolicyMissing(RuntimeError):
    """No policy was given and the store holds none for this agent."""


class ManufacturerAgent(PlatformAgent):
    def __init__(
        self,
        name: str,
        settings: Settings | None = None,
        *,
        db: Database,
        catalogue: Mapping[str, Product],
        matchmaker: str,
        contract_agent: str | None = None,
        contract_step: ContractStep | None = None,
        policy: ManufacturerPolicy | None = None,
        manufacturer_id: str | None = None,
        decisions: DecisionHooks | None = None,
        timings: Timings | None = None,
        supplier_agent: Callable[[Supplier], str | None] | None = None,
        consoles: Iterable[str] = (),
        password: str | None = None,
        ledger: LedgerSeat | None = None,
    ) -> None:
        """``consoles``: bare JIDs trusted to drive the manual steps (:mod:`agents.manufacturer.console`).

        ``ledger``: the manufacturer on the ledger; with it the agent contracts itself
        (:class:`LedgerContractStep`, unless ``contract_step`` is given) and takes every later step of the
        order's life on the ledger (:mod:`.ledger_life`). ``decisions``: an offer scorer or an approver of
        orders instead of the defaults. ``supplier_agent``: the agent to negotiate with for a supplier
        (default: the supplier's own ``agent``)."""
        super().__init__(name, settings, password=password)
        if contract_agent is None and contract_step is None and ledger is None:
            raise ValueError("give the contract agent's JID, a contract step or the manufacturer's ledger")
        hooks = decisions or DecisionHooks()
        self.db = db
        self.store = db
        self.catalogue = dict(catalogue)
        self.matchmaker = matchmaker
        self.timings = timings or Timings()
        self.ledger = None if ledger is None else ledger.session
        self.identities = None if ledger is None else ledger.identities
        self._supplier_jids: dict[str, str] = {}
        self._supplier_names: dict[str, str] = {}
        self._supplier_jid = None if ledger is None else ledger.supplier_jid
        if contract_step is None and ledger is not None:
            contract_step = LedgerContractStep(
                self,
                ledger.session,
                ledger.identities,
                self.timings.contract,
                supplier_jid=self.supplier_jid,
                supplier_penalty=lambda: self.policy.supplier_penalty,
            )
        self.contract_step: ContractStep = contract_step or ContractAgentStep(
            self, contract_agent or "", self.timings.contract
        )
        self._policy = policy
        self._policy_fixed = policy is not None
        self._stored_products: dict[str, Product] = {}
        self.desk = ConsoleDesk(self, consoles)
        self.manufacturer_id = manufacturer_id or self.address.split("@", 1)[0]
        self._scorer = hooks.scorer
        self._scorers: dict[NegotiationStrategy, OfferScorer] = {}
        self.approver = hooks.approver
        self._supplier_agent = supplier_agent
        self.journal = Journal(db, self.address)
        self.followers = Followers(self.address, self.desk.consoles, self._send_notice)
        """Who hears each order's status notices."""
        self.orders = OrderRegistry(
            is_open=lambda cid: self.conversation(cid) is not None,
            released=self.journal.forget,
            memories=(self.followers,),
        )
        """Each order's flow and conversations."""
        self._may_create: set[str] = set()
        """Order conversations admitted from a sender acting for exactly the order's customer, until they
        open: only they may store a new order."""
        self._log_queue: asyncio.Queue[tuple[AclMessage, Direction, str | None]] = asyncio.Queue()
        self._log_task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- lifecycle

    @property
    def policy(self) -> ManufacturerPolicy:
        if self._policy is None:
            raise PolicyMissing(f"{self.address} has no policy")
        return self._policy

    @property
    def scorer(self) -> OfferScorer:
        """The scorer given, else the negotiation package's, following the policy's strategy."""
        return self.scorer_for(self.policy)

    def scorer_for(self, policy: ManufacturerPolicy) -> OfferScorer:
        """The scorer given, else the negotiation package's, following ``policy``'s strategy (one
        per strategy, kept: it caches what it computed)."""
        if self._scorer is not None:
            return self._scorer
        scorer = self._scorers.get(policy.strategy)
        if scorer is None:
            scorer = self._scorers[policy.strategy] = NegotiationScorer(policy.strategy)
        return scorer

    async def current_policy(self) -> ManufacturerPolicy:
        """The policy for a new order: the one given, else the store's newest (the last one read
        when the store cannot be read or holds none any more)."""
        if self._policy_fixed:
            return self.policy
        try:
            async with self.db.transaction() as repos:
                stored = await repos.policies.get_as(self.address, ManufacturerPolicy)
        except Exception:
            log.exception("%s: could not read the policy; keeping the last one", self.address)
            stored = None
        if stored is not None:
            self._policy = stored
        return self.policy

    async def load_policy(self) -> ManufacturerPolicy:
        if self._policy is None:
            async with self.db.transaction() as repos:
                self._policy = await repos.policies.get_as(self.address, ManufacturerPolicy)
            if self._policy is None:
                raise PolicyMissing(f"no policy given and none stored for {self.address}")
        return self._policy

    async def start(self) -> None:
        await self.load_policy()
        try:
            await self.journal.publish(self.catalogue.values())
        except Exception:
            log.exception("%s: could not store the catalogue", self.address)
        await super().start()
        await recover(self)

    async def setup(self) -> None:
        self._log_task = asyncio.create_task(self._write_log(), name=f"acl log {self.address}")
        self.serve(ProtocolName.ORDER, self._open_order, admit=self._admit_order)
        self.serve(ProtocolName.REQUEST, self.desk.open_request, admit=self.desk.admit)

    async def stop(self) -> None:
        await self.orders.stop()
        await self.flush_log()
        if self._log_task is not None:
            self._log_task.cancel()
            await asyncio.gather(self._log_task, return_exceptions=True)
        await super().stop()

    async def flush_log(self) -> None:
        """Wait until every ACL message so far is logged."""
        await self._log_queue.join()

    # ----------------------------------------------------------------- orders

    async def _admit_order(self, message: AclMessage) -> Reason | None:
        """Why ``message`` may not open an order conversation, or None (also when it carries no order: the
        responder answers that it is not understood)."""
        if message.performative is not Performative.REQUEST:
            return None
        try:
            order = decode(message.content, Order, remember=False)
        except ContentError:
            return None
        sender, order_id = message.sender, str(order.id)
        if order.manufacturer_id != self.manufacturer_id:
            return Reason(
                reason=NOT_AUTHORISED,
                detail=f"order {order_id} is for manufacturer {order.manufacturer_id}, "
                f"and {self.address} takes orders for {self.manufacturer_id} only",
            )
        directory = self.directory
        if await directory.acts_for_exactly(sender, AgentRole.CUSTOMER, order.customer_id):
            self._may_create.add(message.conversation_id or "")
            return None
        if not await directory.acts_for_exactly(sender, AgentRole.CUSTOMER, ANY_PARTY):
            return Reason(
                reason=NOT_AUTHORISED, detail=f"{sender} does not act for the customer of this order"
            )
        stored = await self.journal.order_record(order_id)
        if stored is None:
            return Reason(
                reason=NOT_AUTHORISED,
                detail=f"{sender} places orders the platform stored, and no order {order_id} is stored",
            )
        if (stored.customer_id, stored.product_id, stored.manufacturer_id) != (
            order.customer_id,
            order.product_id,
            order.manufacturer_id,
        ):
            return Reason(
                reason=NOT_AUTHORISED,
                detail=f"the stored order {order_id} has another customer, product or manufacturer",
            )
        if stored.status != OrderStatus.RECEIVED:
            return Reason(
                reason=NOT_AUTHORISED, detail=f"the stored order {order_id} is {stored.status}, not received"
            )
        return None

    def _open_order(self, message: AclMessage) -> None:
        may_create = message.conversation_id in self._may_create
        self._may_create.discard(message.conversation_id or "")
        if message.performative is not Performative.REQUEST:
            self.send_acl(_reason(self.address, message, "an order conversation opens with a request"))
            return
        try:
            order = decode(message.content, Order)
        except ContentError as exc:
            self.send_acl(_reason(self.address, message, f"a request here carries an Order: {exc}"))
            return
        order_id = str(order.id)
        if self.orders.running(order_id):
            self.refuse(message, Reason(reason="duplicate-order", detail=f"order {order_id} is under way"))
            return
        machine = customer_side(message, me=self.address, patience=self.timings.quotation_validity)
        self.track(machine.conversation_id, order_id)
        self.follow(order_id, message.sender)
        conversation = self.open_conversation(
            machine, opening=message, on_update=self._customer_update(order_id)
        )
        flow = OrderFlow(self, conversation, order, may_create=may_create)
        self.orders.start(order_id, flow.run())

    async def resume(self, stage: Stage, order_id: str, machine: OrderParticipant | None = None) -> bool:
        """Resume (after a restart) the flow of ``order_id`` from ``stage`` (:mod:`.resumption`);
        ``machine``: the customer's unfinished conversation, else the one the store holds. False when the
        store lacks what the stage needs."""
        point = await load_resumption(self.journal, self.product, stage, order_id, machine)
        if point is None:
            return False
        conversation: ConversationBehaviour[OrderParticipant]
        if stage.serves_conversation:
            self.track(point.machine.conversation_id, order_id)
            conversation = self.open_conversation(point.machine, on_update=self._customer_update(order_id))
        else:  # a finished conversation only names the customer: it is not served again
            conversation = ConversationBehaviour(point.machine)
        self.orders.start(order_id, OrderFlow(self, conversation, point.order).resume(point))
        return True

    def _customer_update(
        self, order_id: str
    ) -> Callable[[ConversationBehaviour[OrderParticipant]], Awaitable[None]]:
        """Saves the customer's conversation of ``order_id`` after every change."""

        async def save(conversation: ConversationBehaviour[OrderParticipant]) -> None:
            await self.save_conversation(conversation, NegotiationRole.PARTICIPANT, order_id)

        return save

    def with_agent(self, supplier: Supplier) -> Supplier:
        """``supplier`` naming the agent to negotiate with (the resolver given, else its own ``agent``);
        remembered as the agent that signs for it, with its name."""
        if self._supplier_agent is not None:
            supplier = supplier.model_copy(update={"agent": self._supplier_agent(supplier) or supplier.agent})
        self._supplier_names[supplier.id] = supplier.name
        if supplier.agent:
            self._supplier_jids[supplier.id] = supplier.agent
        return supplier

    def supplier_jid(self, supplier_id: str) -> str | None:
        """The agent that signs for ``supplier_id``: the one negotiated with in this run, else the
        resolver's."""
        known = self._supplier_jids.get(supplier_id)
        if known:
            return known
        return None if self._supplier_jid is None else self._supplier_jid(supplier_id)

    def supplier_name(self, supplier_id: str) -> str:
        """The supplier's name (as the matchmaker told it in this run), else its id."""
        return self._supplier_names.get(supplier_id, supplier_id)

    def order_task(self, order_id: str) -> asyncio.Task[None] | None:
        return self.orders.task(order_id)

    # ----------------------------------------------------------------- memory

    def forget(self, order_id: str) -> None:
        """Drop what this run keeps about ``order_id`` (see :meth:`OrderRegistry.forget`)."""
        self.orders.forget(order_id)

    def forget_idle(self) -> None:
        self.orders.forget_idle()

    def unregister_conversation(self, conversation_id: str, conversation: object | None = None) -> None:
        super().unregister_conversation(conversation_id, conversation)
        self.orders.closed(conversation_id)

    @property
    def orders_in_memory(self) -> dict[str, int]:
        """How many entries each per-order map holds (tests, diagnostics)."""
        return {**self.followers.sizes(), **self.orders.sizes(), "admitted": len(self._may_create)}

    async def product(self, product_id: str) -> Product | None:
        """A product of the catalogue, else of the store (read again each time: it may change)."""
        product = self.catalogue.get(product_id)
        if product is not None:
            return product
        stored = await self.journal.stored_product(product_id)
        if stored is not None:
            self._stored_products[product_id] = stored
        return stored

    async def assess(self, order: Order, policy: ManufacturerPolicy | None = None) -> Assessment | Refusal:
        policy = policy or self.policy
        await self.product(order.product_id)
        products = {**self._stored_products, **self.catalogue}
        queued = await self.journal.orders_in(self.manufacturer_id, *QUEUED)
        minutes = queue_minutes(queued, products, policy)
        return assess(order, self.manufacturer_id, products, policy, minutes, date.today())

    # ----------------------------------------------------------------- status and notices

    async def change_status(
        self, order_id: str, to: OrderStatus, event: HistoryEvent | None = None, **notice: Unpack[NoticeInfo]
    ) -> bool:
        """Move the order to ``to`` in the store (``event``: what happened) and tell its followers (also when
        another agent, the contract agent, moved it there first; never twice); False when it was there
        already."""
        changed = await self.journal.status(order_id, to, event)
        note = "" if event is None else event.sentence()
        if changed:
            log.info("%s: order %s -> %s %s", self.address, order_id, to, note)
        if self.followers.announcing(order_id, to, changed=changed):
            fields = {"order_id": order_id, "status": to, "note": note[:2000], "event": event, **notice}
            self.notify(OrderStatusNotice.model_validate(fields))
        self.forget(order_id)  # when no flow runs for it (a recovery ending it)
        return changed

    def follow(self, order_id: str, customer_agent: str) -> None:
        self.followers.follow(order_id, customer_agent)

    def notify(self, notice: OrderStatusNotice) -> None:
        """Send ``notice`` to the order's customer agent (when known) and to every console."""
        self.followers.notify(notice)

    def _send_notice(self, message: AclMessage, order_id: str) -> None:
        self.track(message.conversation_id or "", order_id)
        try:
            self.send_acl(message)
        except Exception as exc:  # a notice never stops an order
            log.warning("%s: status notice of order %s not sent: %s", self.address, order_id, exc)

    # ----------------------------------------------------------------- persistence

    def track(self, conversation_id: str, order_id: str) -> None:
        """Log this conversation's messages under ``order_id`` (until the order's flow ends)."""
        self.orders.track(conversation_id, order_id)

    async def save_conversation(
        self, conversation: ConversationBehaviour[Any], role: NegotiationRole, order_id: str
    ) -> None:
        machine: Conversation[Any] = conversation.machine
        try:
            await self.journal.save_machine(machine, role, order_id, getattr(machine, "round", 0))
        except Exception:
            log.exception("%s: could not save conversation %s", self.address, machine.conversation_id)

    def open_conversation(
        self, machine: M, *, on_update: OnUpdate[M] = None, opening: AclMessage | None = None
    ) -> ConversationBehaviour[M]:
        behaviour = super().open_conversation(machine, on_update=on_update, opening=opening)
        if opening is not None:  # admitted: its conversation is ours now
            self._log(opening, Direction.IN)
        return behaviour

    def send_acl(self, message: AclMessage) -> None:
        super().send_acl(message)
        self._log(message, Direction.OUT)

    def receive_acl(self, message: AclMessage) -> None:
        self._log(message, Direction.IN)
        super().receive_acl(message)

    def _log(self, message: AclMessage, direction: Direction) -> None:
        """Queue ``message`` for the store's ACL log when it belongs to a conversation of this agent: one
        open, between its parties, or one tracked for an order. What outsiders send outside them (or into
        a conversation they are no party of), and what the agent answers them, is not stored."""
        cid = message.conversation_id or ""
        order_id = self.orders.order_of(cid)
        conversation = self.conversation(cid)
        if conversation is None and order_id is None:
            return
        if isinstance(conversation, ConversationBehaviour):
            peers = conversation.machine.peers
            counterparts = (message.sender,) if direction is Direction.IN else message.receivers
            if not all(jid in peers for jid in counterparts):
                return
        self._log_queue.put_nowait((message, direction, order_id))

    async def _write_log(self) -> None:
        while True:
            message, direction, order_id = await self._log_queue.get()
            try:
                await self.journal.log_acl(message, direction, order_id)
            finally:
                self._log_queue.task_done()


def _reason(me: str, message: AclMessage, why: str) -> AclMessage:
    from agents.runtime.not_understood import not_understood_for

    return not_understood_for(me, message, why)
