"""``ManufacturerAgent``: takes customers' orders, sources parts, quotes, contracts, bills.

Serves ``fipa-iterated-contract-net`` conversations that a customer opens with a ``cfp`` carrying
an :class:`~ontology.order.Order`; each order runs as one asyncio task
(:class:`~agents.manufacturer.flow.OrderFlow`). Its policy
(:class:`~ontology.policy.ManufacturerPolicy`) is given or read from the store's policies. Every
ACL message in and out is logged to the store; every conversation's snapshot is saved; on start,
conversations left unfinished by a previous run are ended (see :mod:`agents.manufacturer.recovery`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from agents.manufacturer.assessment import Assessment, assess, queue_minutes
from agents.manufacturer.contracting import ContractAgentStep, ContractStep
from agents.manufacturer.flow import OrderFlow
from agents.manufacturer.journal import Journal
from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.selection import OfferScorer
from agents.manufacturer.settings import Timings
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.platform_agent import PlatformAgent
from core.settings import Settings
from ontology.codec import ContentError, decode
from ontology.common import Reason
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from ontology.quotation import AcceptQuotation, CounterOffer, Quotation
from ontology.supplier import Supplier
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from protocols.iterated_contract_net import IteratedContractNetParticipant
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import Direction, NegotiationRole

log = logging.getLogger(__name__)

Approver = Callable[[Order, Assessment], Awaitable[bool]]
"""Manual acceptance: True to take the order (used when the policy's ``auto_accept`` is off)."""

#: Orders whose own work occupies the machines (the queue of the estimate).
QUEUED = (OrderStatus.CONTRACTED, OrderStatus.IN_PRODUCTION)


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
        scorer: OfferScorer | None = None,
        approver: Approver | None = None,
        timings: Timings | None = None,
        supplier_agent: Callable[[Supplier], str | None] | None = None,
        password: str | None = None,
    ) -> None:
        super().__init__(name, settings, password=password)
        if contract_agent is None and contract_step is None:
            raise ValueError("give the contract agent's JID or a contract step")
        self.db = db
        self.catalogue = dict(catalogue)
        self.matchmaker = matchmaker
        self.timings = timings or Timings()
        self.contract_step: ContractStep = contract_step or ContractAgentStep(
            self, contract_agent or "", self.timings.contract
        )
        self._policy = policy
        self.manufacturer_id = manufacturer_id or self.address.split("@", 1)[0]
        self._scorer = scorer
        self.approver = approver
        self._supplier_agent = supplier_agent
        self.journal = Journal(db, self.address)
        self._order_of: dict[str, str] = {}
        self._flows: dict[str, asyncio.Task[None]] = {}
        self._log_queue: asyncio.Queue[tuple[AclMessage, Direction]] = asyncio.Queue()
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
        if self._scorer is None:
            self._scorer = NegotiationScorer(self.policy.strategy)
        return self._scorer

    async def load_policy(self) -> ManufacturerPolicy:
        if self._policy is None:
            async with self.db.transaction() as repos:
                self._policy = await repos.policies.get_as(self.address, ManufacturerPolicy)
            if self._policy is None:
                raise PolicyMissing(f"no policy given and none stored for {self.address}")
        return self._policy

    async def start(self, auto_register: bool | None = None) -> None:
        await self.load_policy()
        try:
            await self.journal.publish(self.catalogue.values())
        except Exception:
            log.exception("%s: could not store the catalogue", self.address)
        await super().start(auto_register)
        from agents.manufacturer.recovery import recover

        await recover(self)

    async def setup(self) -> None:
        self._log_task = asyncio.create_task(self._write_log(), name=f"acl log {self.address}")
        self.serve(ProtocolName.ITERATED_CONTRACT_NET, self._open_order)

    async def stop(self) -> None:
        for task in list(self._flows.values()):
            task.cancel()
        if self._flows:
            await asyncio.gather(*self._flows.values(), return_exceptions=True)
        await self.flush_log()
        if self._log_task is not None:
            self._log_task.cancel()
            await asyncio.gather(self._log_task, return_exceptions=True)
        await super().stop()

    async def flush_log(self) -> None:
        """Wait until every ACL message so far is logged."""
        await self._log_queue.join()

    # ----------------------------------------------------------------- orders

    def _open_order(self, message: AclMessage) -> None:
        if message.performative is not Performative.CFP:
            self.send_acl(_reason(self.address, message, "an order conversation opens with a cfp"))
            return
        try:
            order = decode(message.content, Order)
        except ContentError as exc:
            self.send_acl(_reason(self.address, message, f"a cfp here carries an Order: {exc}"))
            return
        machine = IteratedContractNetParticipant.for_message(
            message,
            me=self.address,
            patience=self.timings.quotation_validity,
            content_types={
                Performative.CFP: (Order, CounterOffer),
                Performative.ACCEPT_PROPOSAL: (AcceptQuotation, Quotation),
            },
        )
        self.track(machine.conversation_id, str(order.id))
        conversation = self.open_conversation(machine, opening=message, on_update=self._on_customer_update)
        flow = OrderFlow(self, conversation, order)
        task = asyncio.create_task(flow.run(), name=f"order {order.id}")
        self._flows[str(order.id)] = task
        task.add_done_callback(self._flow_done)

    async def resume_quoted(self, machine: IteratedContractNetParticipant, order_id: str) -> bool:
        """Resume (after a restart) an order whose quotation awaits the customer's answer; False when
        the store lacks what that needs (the order, its quotation, its network, its product)."""
        order = await self.journal.load_order(order_id)
        record = await self.journal.order_record(order_id)
        if order is None or record is None or record.quotation is None or record.supply_network is None:
            return False
        product = self.catalogue.get(order.product_id)
        if product is None:
            return False
        quotation = Quotation.model_validate(record.quotation)
        network = SupplyNetwork.model_validate(record.supply_network)
        self.track(machine.conversation_id, order_id)
        conversation = self.open_conversation(machine, on_update=self._on_customer_update)
        task = asyncio.create_task(OrderFlow(self, conversation, order).resume(quotation, network, product))
        self._flows[order_id] = task
        task.add_done_callback(self._flow_done)
        return True

    async def resume_contracting(self, machine: IteratedContractNetParticipant, order_id: str) -> bool:
        """Resume (after a restart) an order the customer accepted whose contract step was interrupted
        (confirmed or contracting): commit again, then inform the customer; False when the store
        lacks what that needs (the order, its quotation, its network)."""
        order = await self.journal.load_order(order_id)
        record = await self.journal.order_record(order_id)
        if order is None or record is None or record.quotation is None or record.supply_network is None:
            return False
        quotation = Quotation.model_validate(record.quotation)
        network = SupplyNetwork.model_validate(record.supply_network)
        self.track(machine.conversation_id, order_id)
        conversation = self.open_conversation(machine, on_update=self._on_customer_update)
        task = asyncio.create_task(OrderFlow(self, conversation, order).resume_contract(quotation, network))
        self._flows[order_id] = task
        task.add_done_callback(self._flow_done)
        return True

    def _flow_done(self, task: asyncio.Task[None]) -> None:
        for order_id, running in list(self._flows.items()):
            if running is task:
                del self._flows[order_id]

    async def _on_customer_update(
        self, conversation: ConversationBehaviour[IteratedContractNetParticipant]
    ) -> None:
        order_id = self._order_of.get(conversation.conversation_id)
        if order_id is not None:
            await self.save_conversation(conversation, NegotiationRole.PARTICIPANT, order_id)

    def with_agent(self, supplier: Supplier) -> Supplier:
        """``supplier`` naming the agent to negotiate with (the resolver given, else its own ``agent``)."""
        if self._supplier_agent is None:
            return supplier
        return supplier.model_copy(update={"agent": self._supplier_agent(supplier) or supplier.agent})

    def order_task(self, order_id: str) -> asyncio.Task[None] | None:
        return self._flows.get(order_id)

    async def assess(self, order: Order) -> Assessment | Reason:
        queued = await self.journal.orders_in(self.manufacturer_id, *QUEUED)
        minutes = queue_minutes(queued, self.catalogue, self.policy)
        return assess(order, self.manufacturer_id, self.catalogue, self.policy, minutes, date.today())

    # ----------------------------------------------------------------- persistence

    def track(self, conversation_id: str, order_id: str) -> None:
        """Log this conversation's messages under ``order_id``."""
        self._order_of[conversation_id] = order_id

    async def save_conversation(
        self, conversation: ConversationBehaviour[Any], role: NegotiationRole, order_id: str
    ) -> None:
        machine: Conversation[Any] = conversation.machine
        try:
            await self.journal.save_machine(machine, role, order_id, getattr(machine, "round", 0))
        except Exception:
            log.exception("%s: could not save conversation %s", self.address, machine.conversation_id)

    def send_acl(self, message: AclMessage) -> None:
        super().send_acl(message)
        self._log_queue.put_nowait((message, Direction.OUT))

    def receive_acl(self, message: AclMessage) -> None:
        self._log_queue.put_nowait((message, Direction.IN))
        super().receive_acl(message)

    async def _write_log(self) -> None:
        while True:
            message, direction = await self._log_queue.get()
            try:
                order_id = self._order_of.get(message.conversation_id or "")
                await self.journal.log_acl(message, direction, order_id)
            finally:
                self._log_queue.task_done()


def _reason(me: str, message: AclMessage, why: str) -> AclMessage:
    from agents.runtime.not_understood import not_understood_for

    return not_understood_for(me, message, why)
