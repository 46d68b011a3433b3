"""Turns the messages a buyer sends and receives into results: one :class:`NegotiationResult` per
(conversation, supplier) and an :class:`OfferRecord` for every move.

Both modes feed it the same way (every ACL message the manufacturer's side sends or receives, with
the time), so a fast run and a distributed run of one plan are recorded by the same code. Moves:

==================================  ===========  ==========================================
message                             move         terms
==================================  ===========  ==========================================
revised ``cfp`` (``target_price``)  buyer offer  target price, the cfp's date, required quality
``propose``                         seller offer the Offer's price, date and quality
``refuse``, ``failure``             seller walks away
``accept-proposal``                 buyer accept the seller's last offer
``reject-proposal``                 buyer reject the seller's last offer
``cancel``                          buyer walks away
==================================  ===========  ==========================================

A negotiation is agreed when the supplier confirms (``inform``) an accepted proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from agents.negotiation import Terms, round_time
from ontology.codec import ContentError, decode
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import ManufacturerPolicy
from ontology.product import RequiredPart
from protocols.acl import AclMessage
from protocols.performative import Performative
from simulation.evaluation import Evaluation, evaluation_for, record_of
from simulation.plan import Cell, PlannedOrder
from simulation.results import Move, NegotiationResult, OfferRecord, Role, TermsRecord


@dataclass(frozen=True)
class PartContext:
    """What the recorder must know about the part a conversation sources."""

    cell: Cell
    order: PlannedOrder
    part: RequiredPart
    policy: ManufacturerPolicy
    today: date
    fallback_reservation: Decimal | None
    outcome_space: bool = True


def supplier_of(address: str) -> str:
    """The supplier id of a proxy's agent identifier (``host@domain/<supplier id>``)."""
    return address.rsplit("/", 1)[-1]


@dataclass
class _Thread:
    id: str
    context: PartContext
    supplier: str
    started: datetime
    evaluation: Evaluation | None
    moves: list[OfferRecord] = field(default_factory=list)
    messages: int = 0
    rounds: int = 0
    last: datetime | None = None
    last_offer: Terms | None = None
    accepted: Terms | None = None
    agreed: bool = False


class Recorder:
    def __init__(self) -> None:
        self._parts: dict[str, tuple[PartContext, int]] = {}
        self._attempts: dict[tuple[int, str, str], int] = {}
        self._threads: dict[tuple[str, str], _Thread] = {}

    # ----------------------------------------------------------------- feeding

    def open(self, conversation_id: str, context: PartContext) -> None:
        """A conversation sourcing ``context.part`` starts (before its first message)."""
        key = (context.cell.index, context.order.key, context.part.part_id)
        attempt = self._attempts.get(key, 0) + 1
        self._attempts[key] = attempt
        self._parts[conversation_id] = (context, attempt)

    def sent(self, message: AclMessage, now: datetime) -> None:
        for receiver in message.receivers:
            thread = self._thread(message, receiver, now)
            if thread is not None:
                self._outgoing(thread, message, now)

    def received(self, message: AclMessage, now: datetime) -> None:
        thread = self._threads.get((message.conversation_id or "", message.sender))
        if thread is not None:
            self._incoming(thread, message, now)

    # ----------------------------------------------------------------- reading

    def results(self) -> list[NegotiationResult]:
        return [self._result(thread) for thread in self._threads.values()]

    def trace(self) -> list[OfferRecord]:
        return [move for thread in self._threads.values() for move in thread.moves]

    # ----------------------------------------------------------------- internals

    def _thread(self, message: AclMessage, receiver: str, now: datetime) -> _Thread | None:
        cid = message.conversation_id or ""
        thread = self._threads.get((cid, receiver))
        if thread is not None or message.performative is not Performative.CFP or cid not in self._parts:
            return thread
        context, attempt = self._parts[cid]
        supplier = supplier_of(receiver)
        cfp = decode(message.content, CallForProposals)
        evaluation = evaluation_for(
            cfp,
            today=context.today,
            policy=context.policy,
            setup=context.cell.supplier(supplier),
            fallback_reservation=context.fallback_reservation,
        )
        ident = f"{context.cell.key}/{context.order.key}/{context.part.part_id}/{supplier}/a{attempt}"
        thread = _Thread(ident, context, supplier, now, evaluation)
        self._threads[(cid, receiver)] = thread
        return thread

    def _outgoing(self, thread: _Thread, message: AclMessage, now: datetime) -> None:
        thread.messages += 1
        thread.last = now
        performative = message.performative
        if performative is Performative.CFP:
            cfp = decode(message.content, CallForProposals)
            thread.rounds = max(thread.rounds, cfp.round)
            if cfp.target_price is not None:
                terms = Terms(cfp.target_price, cfp.delivery_date, cfp.part.quality)
                self._move(thread, Role.BUYER, Move.OFFER, terms, cfp.round, now)
        elif performative is Performative.ACCEPT_PROPOSAL:
            thread.accepted = thread.last_offer
            self._move(thread, Role.BUYER, Move.ACCEPT, thread.last_offer, thread.rounds, now)
        elif performative is Performative.REJECT_PROPOSAL:
            self._move(thread, Role.BUYER, Move.REJECT, thread.last_offer, thread.rounds, now)
        elif performative is Performative.CANCEL:
            self._move(thread, Role.BUYER, Move.WALK_AWAY, None, thread.rounds, now)

    def _incoming(self, thread: _Thread, message: AclMessage, now: datetime) -> None:
        thread.messages += 1
        thread.last = now
        performative = message.performative
        if performative is Performative.PROPOSE:
            try:
                offer = decode(message.content, Offer)
            except ContentError:
                return
            terms = Terms(offer.price, offer.delivery_date, offer.quality)
            thread.last_offer = terms
            self._move(thread, Role.SELLER, Move.OFFER, terms, offer.round, now)
        elif performative in (Performative.REFUSE, Performative.FAILURE):
            self._move(thread, Role.SELLER, Move.WALK_AWAY, None, max(thread.rounds, 1), now)
        elif performative is Performative.INFORM and thread.accepted is not None:
            thread.agreed = True

    def _move(
        self, thread: _Thread, role: Role, move: Move, terms: Terms | None, round_number: int, now: datetime
    ) -> None:
        context = thread.context
        rounds = (
            context.policy.max_rounds
            if role is Role.BUYER
            else context.cell.supplier(thread.supplier).policy.max_rounds
        )
        buyer_u = seller_u = None
        if terms is not None and thread.evaluation is not None:
            buyer_u, seller_u = thread.evaluation.utilities(terms)
        thread.moves.append(
            OfferRecord(
                negotiation_id=thread.id,
                step=len(thread.moves),
                round=max(round_number, 1),
                t=round_time(max(round_number, 1), rounds),
                elapsed_seconds=max(0.0, (now - thread.started).total_seconds()),
                role=role,
                agent=context.order.manufacturer if role is Role.BUYER else thread.supplier,
                move=move,
                terms=None if terms is None else record_of(terms),
                buyer_utility=buyer_u,
                seller_utility=seller_u,
            )
        )

    def _result(self, thread: _Thread) -> NegotiationResult:
        context, evaluation = thread.context, thread.evaluation
        agreement: TermsRecord | None = None
        buyer_u = seller_u = 0.0
        if thread.agreed and thread.accepted is not None:
            agreement = record_of(thread.accepted)
            if evaluation is not None:
                buyer_u, seller_u = evaluation.utilities(thread.accepted)
        space = evaluation.outcome_space() if evaluation is not None and context.outcome_space else []
        seller_policy = context.cell.supplier(thread.supplier).policy
        return NegotiationResult.model_validate(
            dict(
                id=thread.id,
                order_id=str(context.order.order_id),
                part_id=context.part.part_id,
                buyer=context.order.manufacturer,
                seller=thread.supplier,
                buyer_strategy=str(context.policy.strategy),
                seller_strategy=str(seller_policy.strategy),
                repetition=context.cell.repetition,
                agreed=agreement is not None,
                agreement=agreement,
                rounds=thread.rounds,
                messages=thread.messages,
                elapsed_seconds=max(0.0, ((thread.last or thread.started) - thread.started).total_seconds()),
                buyer_utility=buyer_u,
                seller_utility=seller_u,
                buyer_reservation_utility=0.0,
                seller_reservation_utility=0.0,
                buyer_reservation_price=evaluation.buyer_reservation_price if evaluation else Decimal(0),
                seller_reservation_price=evaluation.seller_reservation_price if evaluation else Decimal(0),
                requested_delivery=context.order.latest,
                outcome_space=space,
            )
        )
