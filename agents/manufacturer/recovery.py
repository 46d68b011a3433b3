"""After a restart: resume what can be resumed; end every other conversation a previous run left
unfinished, and every order stuck in a negotiating status, with a clear status.

Each resumed order goes through the agent's one ``resume``
(:meth:`~agents.manufacturer.host.OrderHost.resume`) with the stage it resumes from
(:mod:`agents.manufacturer.resumption`). An order whose quotation awaits the customer's answer (status
``quoted``, the customer's conversation ``proposed``) is resumed from its snapshot (stage ``QUOTED``): the
conversation is restored and the order goes on when the customer answers. An order the customer accepted
whose contract step was interrupted (status ``confirmed``, ``contracting``, or ``contracted`` when the
contract agent committed before the customer was told; the customer's conversation ``awarded``) is resumed
too (stage ``CONTRACTING``): the CommitAgreement is sent to the contract agent again (it is idempotent: the
same contracts), and the customer is informed of the contracts; the interrupted request itself is
cancelled. An order ``contracted``, ``in_production`` or ``produced`` whose customer already knows its
contracts is produced (again), invoiced and billed (stage ``PRODUCTION``). Every other
unfinished snapshot of this agent is restored and ended the way its protocol allows: the
customer's conversation is refused (before a quotation) or failed (after the acceptance); a
negotiation with suppliers or a request is cancelled (peers are told). Then every order of this
manufacturer still between ``received`` and ``contracting`` (and not resumed) is marked
``failed`` with the reason "interrupted by a restart of the manufacturer's agent" (the customer
can order again), except, with the manufacturer on the ledger, a ``confirmed`` or ``contracting`` one: its
commit may have landed, so its contract step is taken again (it reads the ledger first) and the ledger
decides. Orders invoiced or further keep their status (an invoice the customer did not
answer before the restart is not sent again); with the manufacturer on the ledger
(:mod:`agents.manufacturer.ledger_life`) they are resumed too, from the ledger and the store: an invoiced
order's payment claim is looked for on the ledger and confirmed, a paid one shipped, a shipped one's delivery
awaited, a delivered one's suppliers paid (the store's invoice row is rebuilt from the ledger when a restart
came between the two). What was read about orders that were not resumed is forgotten at the end.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from agents.manufacturer.host import OrderHost
from agents.manufacturer.resumption import CONTRACTING, PRODUCTION, QUOTED, Stage
from ontology import events
from ontology.common import Reason
from ontology.order import Order, OrderStatus
from protocols.contract_net import ContractNetInitiator, ContractNetInitiatorState
from protocols.conversation import Conversation
from protocols.order_request import OrderParticipant, OrderRequestState
from protocols.request import RequestInitiator, RequestInitiatorState
from protocols.snapshot import restore

log = logging.getLogger(__name__)

RESTARTED = "manufacturer-restarted"
DETAIL = "interrupted by a restart of the manufacturer's agent"

#: Order statuses a restart interrupts (the flow that drove them is gone).
INTERRUPTED = (
    OrderStatus.RECEIVED,
    OrderStatus.ACCEPTED,
    OrderStatus.SOURCING,
    OrderStatus.NEGOTIATING,
    OrderStatus.QUOTED,  # unless resumed
    OrderStatus.COUNTERED,
    OrderStatus.CONFIRMED,  # unless resumed
    OrderStatus.CONTRACTING,  # unless resumed
)


def _end(machine: Conversation[Any]) -> Any:
    """The application step that ends ``machine`` now, or None when nothing can be sent."""
    why = Reason(reason=RESTARTED, detail=DETAIL)
    if isinstance(machine, OrderParticipant):
        if machine.state is OrderRequestState.REQUESTED:
            return lambda m, now: m.refuse(why, now=now)
        if machine.state is OrderRequestState.ACCEPTED:
            return lambda m, now: m.failure(why, now=now)
    if isinstance(machine, ContractNetInitiator) and machine.state in (
        ContractNetInitiatorState.COLLECTING,
        ContractNetInitiatorState.EVALUATING,
        ContractNetInitiatorState.AWAITING_RESULTS,
    ):
        return lambda m, now: m.cancel(why, now=now)
    if isinstance(machine, RequestInitiator) and machine.state in (
        RequestInitiatorState.AWAITING_RESPONSE,
        RequestInitiatorState.AGREED,
    ):
        return lambda m, now: m.cancel(why, now=now)
    return None


#: Order statuses whose contract step a restart interrupted (resumed when the customer still waits);
#: contracted too: the contract agent committed (and may have stored it) before we told the customer.
CONTRACT_STEP = (OrderStatus.CONFIRMED, OrderStatus.CONTRACTING, OrderStatus.CONTRACTED)

#: Order statuses whose production (and invoicing) a restart interrupted: resumed from the store.
PRODUCTION_STEP = (OrderStatus.CONTRACTED, OrderStatus.IN_PRODUCTION, OrderStatus.PRODUCED)

#: With the manufacturer on the ledger, also the later steps: resumed from the ledger and the store.
LEDGER_LIFE = (
    *PRODUCTION_STEP,
    OrderStatus.INVOICED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


#: The stage an unfinished customer's conversation resumes from: its state, the order statuses it fits.
CONVERSATION_STAGES: tuple[tuple[OrderRequestState, tuple[OrderStatus, ...], Stage], ...] = (
    (OrderRequestState.QUOTED, (OrderStatus.QUOTED,), QUOTED),
    (OrderRequestState.ACCEPTED, CONTRACT_STEP, CONTRACTING),
)


def conversation_stage(state: OrderRequestState, status: OrderStatus | None) -> Stage | None:
    """The stage a customer's unfinished conversation in ``state`` resumes from, its order being ``status``;
    None when it is not resumed."""
    for conversation_state, statuses, stage in CONVERSATION_STAGES:
        if state is conversation_state and status in statuses:
            return stage
    return None


async def _resumable(agent: OrderHost, machine: Conversation[Any], order_id: str) -> bool:
    """Resume the customer's conversation of a quoted or accepted order (True), if it is one and can be."""
    if not isinstance(machine, OrderParticipant) or machine.finished:
        return False
    stage = conversation_stage(machine.state, await agent.journal.current_status(order_id))
    return stage is not None and await agent.resume(stage, order_id, machine)


async def _contract_step_again(agent: OrderHost, order: Order) -> bool:
    """With the manufacturer on the ledger, an accepted order whose customer's conversation cannot be served
    again is not failed blindly: its commit may have landed. The contract step is taken again (stage
    ``CONTRACTING``, the conversation as the store holds it): it reads the ledger first, so a committed order
    goes on as contracted and one that was not is committed now, or failed for a reason it can name."""
    if agent.ledger is None or order.status not in (OrderStatus.CONFIRMED, OrderStatus.CONTRACTING):
        return False
    if not await agent.resume(CONTRACTING, str(order.id)):
        return False
    log.warning(
        "%s: order %s (%s): its customer's conversation was not resumed; the contract step is taken again, "
        "as the ledger says",
        agent.address,
        order.id,
        order.status,
    )
    return True


async def recover(agent: OrderHost) -> list[str]:
    """Resume quoted orders, end what else a previous run left open; the ids of the orders failed."""
    journal = agent.journal
    resumed: set[str] = set()
    for state in await journal.unfinished():
        try:
            machine = restore(state.state)
        except Exception as exc:
            log.warning("%s: snapshot %s unreadable: %s", agent.address, state.conversation_id, exc)
            await journal.mark_finished(state, "unreadable")
            continue
        if state.order_id and isinstance(machine, OrderParticipant):
            agent.follow(state.order_id, machine.initiator)
        if state.order_id and await _resumable(agent, machine, state.order_id):
            resumed.add(state.order_id)
            continue
        step = _end(machine)
        if step is not None and not machine.finished:
            if state.order_id:
                agent.track(machine.conversation_id, state.order_id)
            conversation = agent.open_conversation(machine)
            with contextlib.suppress(Exception):
                conversation.act(step)
            await journal.save_machine(machine, state.role, state.order_id or "", state.round)
        else:
            await journal.mark_finished(state, str(machine.state))
    for order in await journal.orders_in(
        agent.manufacturer_id, *(PRODUCTION_STEP if agent.ledger is None else LEDGER_LIFE)
    ):
        order_id = str(order.id)
        if order_id in resumed:
            continue
        if await agent.resume(PRODUCTION, order_id):
            resumed.add(order_id)
            continue
        log.warning("%s: order %s (%s) cannot be resumed", agent.address, order_id, order.status)
        if OrderStatus.FAILED in order.allowed_transitions() and order.status in PRODUCTION_STEP:
            await agent.change_status(order_id, OrderStatus.FAILED, events.failed(RESTARTED))
    failed: list[str] = []
    for order in await journal.orders_in(agent.manufacturer_id, *INTERRUPTED):
        if str(order.id) in resumed:
            continue
        if await _contract_step_again(agent, order):
            continue
        await agent.change_status(str(order.id), OrderStatus.FAILED, events.failed(RESTARTED))
        failed.append(str(order.id))
    if failed:
        log.warning("%s: %d order(s) failed by the restart", agent.address, len(failed))
    agent.forget_idle()  # what was read for orders that were not resumed
    return failed
