"""A stand-in for the manufacturer agent (an :class:`~agents.manufacturer.host.OrderHost`) with no XMPP: the
order's flow, the console desk and the recovery run against it and a real SQLite store.

It records what the agent would send (:attr:`FakeHost.sent`), the notices it would send (:attr:`notices`) and
the resumptions asked of it (:attr:`resumed`). Its conversations run as they do in an agent: a task per
conversation feeds the machine what is delivered to it and sends what the machine answers (to
:attr:`sent`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar, Unpack

from agents.manufacturer.assessment import Assessment, Refusal, assess
from agents.manufacturer.console import ConsoleDesk
from agents.manufacturer.contracting import ContractStep
from agents.manufacturer.host import OnUpdate
from agents.manufacturer.journal import Journal
from agents.manufacturer.notices import NoticeInfo
from agents.manufacturer.options import Approver
from agents.manufacturer.requests import Opened
from agents.manufacturer.resumption import Stage
from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.selection import OfferScorer
from agents.manufacturer.settings import Timings
from agents.runtime.conversation_behaviour import ConversationBehaviour
from ledger.lifecycle import PartyIdentities, PartyLedger
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.events import HistoryEvent
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from ontology.supplier import Supplier
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from protocols.order_request import OrderParticipant
from protocols.performative import Performative
from store.database import Database
from store.enums import NegotiationRole

M = TypeVar("M", bound=Conversation[Any])

MAKER = "maker@test"
MANUFACTURER = "m1"
WAIT = 5.0
"""Seconds a test waits at most for what the flow does next."""

FAST = Timings(
    quotation_validity=timedelta(seconds=30),
    contract=timedelta(seconds=5),
    production=timedelta(seconds=0),
    payment=timedelta(seconds=5),
)


class CommitAtOnce:
    """A contract step that commits every agreement at once (and remembers it)."""

    def __init__(self) -> None:
        self.asked: list[CommitAgreement] = []

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        del opened
        self.asked.append(request)
        return ContractCommitted(order_id=request.order.id, order_contract_id=f"#{request.order.id}:0")


class FakeHost:
    """What an order's flow, the console desk and a recovery see of the manufacturer agent."""

    def __init__(
        self,
        db: Database,
        policy: ManufacturerPolicy,
        catalogue: Mapping[str, Product],
        *,
        consoles: tuple[str, ...] = (),
        approver: Approver | None = None,
        contract_step: ContractStep | None = None,
        resumable: bool = True,
    ) -> None:
        self.address = MAKER
        self.manufacturer_id = MANUFACTURER
        self.db = db
        self.journal = Journal(db, MAKER)
        self.catalogue = dict(catalogue)
        self.matchmaker = "matchmaker@test"
        self.timings = FAST
        self.approver = approver
        self.contract_step: ContractStep = contract_step or CommitAtOnce()
        self.ledger: PartyLedger | None = None
        self.identities: PartyIdentities | None = None
        self.desk = ConsoleDesk(self, consoles)
        self.resumable = resumable
        """What :meth:`resume` answers."""
        self.policy = policy
        """The policy of every order (a test may change it)."""
        self.sent: list[AclMessage] = []
        self.notices: list[OrderStatusNotice] = []
        self.customers: dict[str, str] = {}
        self.tracked: dict[str, str] = {}
        self.resumed: list[tuple[Stage, str, OrderParticipant | None]] = []
        self.forgot_idle = 0
        self.flows: dict[str, asyncio.Task[None]] = {}
        self._pumps: set[asyncio.Task[None]] = set()

    # ----------------------------------------------------------------- the agent's side

    def open_conversation(
        self, machine: M, *, on_update: OnUpdate[M] = None, opening: AclMessage | None = None
    ) -> ConversationBehaviour[M]:
        behaviour = ConversationBehaviour(machine, on_update=on_update, opening=opening)
        behaviour.agent = self  # it sends through this host and detaches from it
        self._pumps.add(asyncio.create_task(_pump(behaviour)))
        return behaviour

    def send_acl(self, message: AclMessage) -> None:
        self.sent.append(message)

    def unregister_conversation(self, conversation_id: str, conversation: object | None = None) -> None:
        del conversation_id, conversation

    def order_task(self, order_id: str) -> asyncio.Task[None] | None:
        return self.flows.get(order_id)

    def track(self, conversation_id: str, order_id: str) -> None:
        self.tracked[conversation_id] = order_id

    async def current_policy(self) -> ManufacturerPolicy:
        return self.policy

    async def assess(self, order: Order, policy: ManufacturerPolicy | None = None) -> Assessment | Refusal:
        return assess(order, MANUFACTURER, self.catalogue, policy or self.policy, 0.0, date.today())

    def scorer_for(self, policy: ManufacturerPolicy) -> OfferScorer:
        return NegotiationScorer(policy.strategy)

    def with_agent(self, supplier: Supplier) -> Supplier:
        return supplier

    def supplier_name(self, supplier_id: str) -> str:
        return supplier_id

    def follow(self, order_id: str, customer_agent: str) -> None:
        self.customers[order_id] = customer_agent

    def notify(self, notice: OrderStatusNotice) -> None:
        self.notices.append(notice)

    async def change_status(
        self, order_id: str, to: OrderStatus, event: HistoryEvent | None = None, **notice: Unpack[NoticeInfo]
    ) -> bool:
        """Moves the order in the store and tells every status change (even one the store had), with its event
        as the agent tells it."""
        changed = await self.journal.status(order_id, to, event)
        note = "" if event is None else event.sentence()
        fields = {"order_id": order_id, "status": to, "note": note, "event": event, **notice}
        self.notify(OrderStatusNotice.model_validate(fields))
        return changed

    async def save_conversation(
        self, conversation: ConversationBehaviour[Any], role: NegotiationRole, order_id: str
    ) -> None:
        machine = conversation.machine
        await self.journal.save_machine(machine, role, order_id, getattr(machine, "round", 0))

    async def resume(self, stage: Stage, order_id: str, machine: OrderParticipant | None = None) -> bool:
        self.resumed.append((stage, order_id, machine))
        return self.resumable

    def forget_idle(self) -> None:
        self.forgot_idle += 1

    # ----------------------------------------------------------------- for the tests

    def run(self, order_id: str, steps: Awaitable[None]) -> asyncio.Task[None]:
        """Run an order's flow as the agent would."""
        task = asyncio.ensure_future(steps)
        self.flows[order_id] = task
        return task

    async def next_sent(self, performative: Performative, after: int = 0) -> AclMessage:
        """The first message sent with ``performative`` (from the ``after``-th on), once it is sent."""
        async with asyncio.timeout(WAIT):
            while True:
                found = [m for m in self.sent[after:] if m.performative is performative]
                if found:
                    return found[0]
                await asyncio.sleep(0.01)

    def statuses(self, order_id: str) -> list[OrderStatus]:
        """The statuses announced for ``order_id``, in order."""
        return [n.status for n in self.notices if str(n.order_id) == order_id]

    async def close(self) -> None:
        tasks = [*self._pumps, *self.flows.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.journal.flush_acl()


async def _pump(behaviour: ConversationBehaviour[Any]) -> None:
    """Run a conversation's behaviour until it closes (SPADE's part in an agent)."""
    while not behaviour.closed:
        await behaviour.run()
