"""The port between the manufacturer agent and what runs its orders.

:class:`~agents.manufacturer.flow.OrderFlow` (with :mod:`agents.manufacturer.ledger_life`),
:class:`~agents.manufacturer.console.ConsoleDesk` and :mod:`agents.manufacturer.recovery` see the agent only
through these protocols; :class:`~agents.manufacturer.agent.ManufacturerAgent` implements them, and a test can
stand in for it with a plain object.

* :class:`ConversationOpener`: opens a conversation of the agent (to ask, negotiate, answer);
* :class:`DeskHost`: what the console desk needs (whose orders, is the order's flow running, the store);
* :class:`OrderHost`: what an order's flow and a recovery need.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, Unpack

from protocols.conversation import Conversation

if TYPE_CHECKING:
    from agents.manufacturer.assessment import Assessment, Refusal
    from agents.manufacturer.console import ConsoleDesk
    from agents.manufacturer.contracting import ContractStep
    from agents.manufacturer.journal import Journal
    from agents.manufacturer.notices import NoticeInfo
    from agents.manufacturer.options import Approver
    from agents.manufacturer.resumption import Stage
    from agents.manufacturer.selection import OfferScorer
    from agents.manufacturer.settings import Timings
    from agents.runtime.conversation_behaviour import ConversationBehaviour
    from ledger.lifecycle import PartyIdentities, PartyLedger
    from ontology.console import OrderStatusNotice
    from ontology.events import HistoryEvent
    from ontology.order import Order, OrderStatus
    from ontology.policy import ManufacturerPolicy
    from ontology.product import Product
    from ontology.supplier import Supplier
    from protocols.acl import AclMessage
    from protocols.order_request import OrderParticipant
    from store.database import Database
    from store.enums import NegotiationRole

M = TypeVar("M", bound=Conversation[Any])

OnUpdate: TypeAlias = "Callable[[ConversationBehaviour[M]], Awaitable[None] | None] | None"
"""Called after every change of a conversation (see :class:`ConversationBehaviour`)."""


class ConversationOpener(Protocol):
    """Opens conversations as an agent."""

    @property
    def address(self) -> str:
        """The agent's ACL identifier (its bare JID)."""
        ...

    def open_conversation(
        self, machine: M, *, on_update: OnUpdate[M] = None, opening: AclMessage | None = None
    ) -> ConversationBehaviour[M]:
        """Run ``machine`` as a conversation of the agent (a responder passes the peer's ``opening``)."""
        ...


class DeskHost(ConversationOpener, Protocol):
    """What the console desk needs from the agent."""

    @property
    def journal(self) -> Journal: ...

    @property
    def manufacturer_id(self) -> str: ...

    def order_task(self, order_id: str) -> asyncio.Task[None] | None:
        """The flow of ``order_id`` while it runs."""
        ...

    def track(self, conversation_id: str, order_id: str) -> None:
        """Log this conversation's messages under ``order_id`` (until the order's flow ends)."""
        ...


class OrderHost(DeskHost, Protocol):
    """What an order's flow (and a recovery resuming orders) needs from the agent."""

    # what the agent is given
    @property
    def db(self) -> Database: ...

    @property
    def catalogue(self) -> Mapping[str, Product]: ...

    @property
    def matchmaker(self) -> str: ...

    @property
    def timings(self) -> Timings: ...

    @property
    def approver(self) -> Approver | None: ...

    @property
    def contract_step(self) -> ContractStep: ...

    @property
    def ledger(self) -> PartyLedger | None:
        """The manufacturer's own ledger session, when it is on the ledger."""
        ...

    @property
    def identities(self) -> PartyIdentities | None: ...

    @property
    def desk(self) -> ConsoleDesk: ...

    # policy and decisions
    @property
    def policy(self) -> ManufacturerPolicy:
        """The policy last read."""
        ...

    async def current_policy(self) -> ManufacturerPolicy:
        """The policy for a new order (read again from the store unless it was given)."""
        ...

    async def assess(
        self, order: Order, policy: ManufacturerPolicy | None = None
    ) -> Assessment | Refusal: ...

    def scorer_for(self, policy: ManufacturerPolicy) -> OfferScorer: ...

    # suppliers
    def with_agent(self, supplier: Supplier) -> Supplier:
        """``supplier`` naming the agent to negotiate with (remembered with its name)."""
        ...

    def supplier_name(self, supplier_id: str) -> str: ...

    # status, notices and snapshots
    def follow(self, order_id: str, customer_agent: str) -> None:
        """``customer_agent`` hears the status notices of ``order_id``."""
        ...

    def notify(self, notice: OrderStatusNotice) -> None:
        """Send ``notice`` to the order's followers."""
        ...

    async def change_status(
        self, order_id: str, to: OrderStatus, event: HistoryEvent | None = None, **notice: Unpack[NoticeInfo]
    ) -> bool:
        """Move the order to ``to`` in the store and tell its followers; False when it was there already."""
        ...

    async def save_conversation(
        self, conversation: ConversationBehaviour[Any], role: NegotiationRole, order_id: str
    ) -> None: ...

    # recovery
    async def resume(self, stage: Stage, order_id: str, machine: OrderParticipant | None = None) -> bool:
        """Run ``order_id``'s flow again from ``stage`` (``machine``: the customer's unfinished conversation,
        else the one stored); False when the store lacks what that needs."""
        ...

    def forget_idle(self) -> None:
        """Forget what is kept about every order whose flow does not run."""
        ...
