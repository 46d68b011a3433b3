"""The customer agent's side of each order's conversation, kept in the store, so that an open quotation
survives a restart.

The snapshot of an order's :class:`~protocols.order_request.OrderInitiator` is a row of the ``negotiations``
table (role ``initiator``, keyed by the agent's JID and the conversation id, like the manufacturer's
participant side): :class:`CustomerJournal` writes it when the order is requested (state ``collecting``), when
a quotation arrives (``evaluating``), after each step of the customer's that changes the state (a
counter-offer, the acceptance) and once more, marked finished, when the conversation ends; one write per
step. Writes of one agent are serialised and shielded from cancellation: a write under way when the
agent stops is completed (:meth:`CustomerJournal.drain`).

On start, :func:`resumable` says which unfinished snapshot is resumed: a conversation evaluating a quotation
whose order is still ``quoted`` in the store and whose time to decide has not run out (the restored machine
keeps its stored deadlines), or one still waiting for the manufacturer's answer whose order is not past
``quoted``. When the quotation was sent while this agent was away (the order ``quoted``, the conversation
still collecting), the manufacturer's messages of the conversation are read back from the store's ACL log
(:meth:`CustomerJournal.sent_to_me`: those the order's manufacturer agent logged as sent to this agent) and
given to the restored machine, which then evaluates the quotation as if it had arrived. Every other snapshot
is marked finished with a :class:`NotResumed` that says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from ontology.codec import ContentError, decode
from ontology.order import Order, OrderStatus
from ontology.quotation import Quotation
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.order_request import OrderInitiator
from protocols.performative import ProtocolName
from protocols.snapshot import restore
from protocols.wire import bare_jid
from store.database import Database
from store.enums import Direction, NegotiationRole
from store.errors import StaleStateError
from store.records import NegotiationState

ORDER = ProtocolName.ORDER.value
ROLE = NegotiationRole.INITIATOR

#: Order statuses in which a conversation still waiting for the manufacturer's answer is resumed.
AWAITING_ANSWER = (
    OrderStatus.RECEIVED,
    OrderStatus.ACCEPTED,
    OrderStatus.SOURCING,
    OrderStatus.NEGOTIATING,
    OrderStatus.QUOTED,
)


@dataclass(frozen=True)
class NotResumed:
    """Why an unfinished snapshot is not resumed: ``note`` (stored as its state name) and in words."""

    note: str
    why: str


class CustomerJournal:
    """The order conversations of the customer agent ``agent_jid`` in the store ``db``."""

    def __init__(self, db: Database, agent_jid: str) -> None:
        self.db = db
        self.agent_jid = agent_jid
        self._lock = asyncio.Lock()
        self._versions: dict[str, int] = {}
        """The stored version of each conversation written (or read) and not finished yet."""
        self._writes: set[asyncio.Future[None]] = set()

    def kept(self, conversation_id: str) -> bool:
        """Whether the conversation has an unfinished snapshot written (or read) by this journal."""
        return conversation_id in self._versions

    async def save(self, machine: OrderInitiator, order_id: str, *, finished: bool = False) -> None:
        """Write the machine's snapshot as it is now (finished: ``finished``, or the machine ended)."""
        state = NegotiationState(
            agent_jid=self.agent_jid,
            conversation_id=machine.conversation_id,
            role=ROLE,
            protocol=str(machine.protocol),
            state_name=str(machine.state),
            state=machine.snapshot_json(),
            order_id=order_id,
            round=machine.round,
            deadline=machine.next_deadline,
            finished=finished or machine.finished,
        )
        await self._shielded(state)

    async def unfinished(self) -> list[NegotiationState]:
        """The agent's order conversations not marked finished, oldest first."""
        async with self._lock, self.db.transaction(flush_acl_log=False) as repos:
            states = await repos.negotiations.unfinished(self.agent_jid)
        ours = [state for state in states if state.role == ROLE and state.protocol == ORDER]
        for state in ours:
            self._versions[state.conversation_id] = state.version
        return ours

    async def mark_finished(self, state: NegotiationState, note: str) -> None:
        """Mark a snapshot read by :meth:`unfinished` finished (``note``: its state name now)."""
        await self._shielded(state.evolve(finished=True, state_name=note[:64] or "finished"))

    async def order(self, order_id: str) -> Order | None:
        """The order as the store holds it now (with its status), or None."""
        async with self.db.transaction(flush_acl_log=False) as repos:
            return await repos.orders.load_order(order_id)

    async def sent_to_me(self, conversation_id: str, manufacturer: str) -> list[AclMessage]:
        """The messages of the conversation that the agent ``manufacturer`` (its bare JID: who logs them)
        logged as sent to this agent, in the order it sent them."""
        async with self.db.transaction(flush_acl_log=False) as repos:
            logged = await repos.acl.conversation(conversation_id, agent_jid=manufacturer)
        sent: list[AclMessage] = []
        for record in logged:
            if record.direction != Direction.OUT:
                continue
            message = AclMessage.model_validate(record.message)
            if any(bare_jid(r) == self.agent_jid for r in message.receivers):
                sent.append(message)
        return sent

    async def drain(self) -> None:
        """Wait for the writes under way."""
        await asyncio.gather(*self._writes, return_exceptions=True)

    async def _shielded(self, state: NegotiationState) -> None:
        write = asyncio.ensure_future(self._write(state))
        self._writes.add(write)
        write.add_done_callback(self._written)
        await asyncio.shield(write)

    def _written(self, write: asyncio.Future[None]) -> None:
        self._writes.discard(write)
        if not write.cancelled():
            write.exception()  # whoever awaited it saw it; no "never retrieved" warning otherwise

    async def _write(self, state: NegotiationState) -> None:
        """Store ``state`` as the next version of its row (a version found stale is read again, once: this
        agent is the only writer of its rows, and the newest snapshot wins)."""
        cid = state.conversation_id
        async with self._lock:
            for attempt in range(2):
                try:
                    async with self.db.transaction(flush_acl_log=False) as repos:
                        if attempt:
                            stored = await repos.negotiations.load(self.agent_jid, cid)
                            version = 0 if stored is None else stored.version
                        else:
                            version = self._versions.get(cid, 0)
                        saved = await repos.negotiations.save(state.model_copy(update={"version": version}))
                except StaleStateError:
                    if attempt:
                        raise
                    continue
                if saved.finished:
                    self._versions.pop(cid, None)
                else:
                    self._versions[cid] = saved.version
                return


def resumable(state: NegotiationState, order: Order | None, now: datetime) -> OrderInitiator | NotResumed:
    """The customer's conversation to resume from the unfinished snapshot ``state`` (its order as the store
    holds it: ``order``), or why it is not resumed."""
    try:
        machine = restore(state.state)
    except Exception as exc:
        return NotResumed("unreadable", f"its snapshot cannot be read ({type(exc).__name__}: {exc})")
    if not isinstance(machine, OrderInitiator):
        return NotResumed("not-an-order", f"it is a {type(machine).__name__}, not an order's conversation")
    if machine.finished:
        return NotResumed(str(machine.state), f"it had ended ({machine.state})")
    if order is None:
        return NotResumed("no-order", f"its order {state.order_id or '(none named)'} is not in the store")
    if machine.state is ContractNetInitiatorState.COLLECTING and len(machine.participants) == 1:
        if order.status not in AWAITING_ANSWER:
            return NotResumed("order-moved-on", f"its order is {order.status} now")
        return machine
    if machine.state is not ContractNetInitiatorState.EVALUATING:
        return NotResumed(
            "interrupted", f"it was {machine.state}, not waiting for the customer's answer to a quotation"
        )
    if order.status is not OrderStatus.QUOTED:
        return NotResumed("order-not-quoted", f"its order is {order.status} now, no longer quoted")
    if len(machine.participants) != 1 or machine.participants[0] not in machine.proposals:
        return NotResumed("no-quotation", "it holds no quotation of the order's manufacturer")
    try:
        decode(machine.proposals[machine.participants[0]].content, Quotation)
    except ContentError as exc:
        return NotResumed("unreadable", f"its quotation cannot be read ({exc})")
    deadline = machine.next_deadline
    if deadline is not None and deadline <= now:
        return NotResumed(
            "expired", f"the time to answer the quotation ran out at {deadline:%Y-%m-%d %H:%M:%S} UTC"
        )
    return machine
