"""The manufacturer's sourcing of one part on the simulated clock: the decisions of
:class:`agents.manufacturer.sourcing.Sourcing`, step for step, without asyncio.

``Sourcing`` awaits its conversation behaviour between decisions; here the same decisions run as
callbacks when the initiator machine changes state, with the same pieces: the
:class:`IteratedContractNetInitiator` machine, :func:`agents.manufacturer.selection.rank_offers`, the
scorer's ``next_target``, and the same retry when a winner fails after acceptance (up to
``Timings.award_attempts`` negotiations, excluding the failed winners).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from agents.manufacturer.selection import OfferScorer, rank_offers
from agents.manufacturer.settings import Timings
from agents.manufacturer.sourcing import NotCovered
from ontology.codec import ContentError, decode
from ontology.negotiation import CallForProposals, Offer
from ontology.network import Assignment
from ontology.policy import ManufacturerPolicy
from ontology.product import RequiredPart
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.performative import Performative
from simulation.fast.clock import EventQueue

_S = ContractNetInitiatorState
Outcome = Assignment | NotCovered


@dataclass
class PartSourcing:
    """Sources ``part`` among ``agents``; ``done`` holds the outcome once it is known."""

    me: str
    order_id: UUID
    part: RequiredPart
    agents: Sequence[str]
    latest: date
    policy: ManufacturerPolicy
    scorer: OfferScorer
    timings: Timings
    queue: EventQueue
    send: Callable[[AclMessage], None]
    track: Callable[[str], None]
    done: Outcome | None = None
    machine: IteratedContractNetInitiator | None = None
    _excluded: set[str] = field(default_factory=set)
    _failures: list[str] = field(default_factory=list)
    _attempt: int = 0
    _cfp: CallForProposals | None = None
    _awarded: tuple[str, Offer] | None = None
    _planned: tuple[IteratedContractNetInitiator, datetime] | None = None

    # ----------------------------------------------------------------- driving

    def finished(self) -> bool:
        return self.done is not None

    def start(self) -> None:
        self._attempt += 1
        agents = [a for a in dict.fromkeys(self.agents) if a != self.me and a not in self._excluded]
        agents = agents[: self.policy.max_suppliers_per_part]
        if self._attempt > self.timings.award_attempts or not agents:
            why = (
                "; ".join(self._failures)
                if self._failures
                else "no candidate supplier has an agent to negotiate with"
            )
            if self._failures:
                why += "; no other supplier left"
            self.done = NotCovered(self.part.part_id, why)
            return
        machine = IteratedContractNetInitiator(
            me=self.me,
            max_rounds=self.policy.max_rounds,
            patience=self.timings.evaluation,
            content_types={Performative.PROPOSE: (Offer,)},
        )
        self.machine, self._awarded = machine, None
        self.track(machine.conversation_id)
        now = self.queue.now
        self._cfp = CallForProposals(
            order_id=self.order_id,
            part=self.part,
            delivery_date=self.latest,
            weights=self.policy.weights,
            currency=self.policy.currency,
            reply_by=now + timedelta(seconds=self.policy.deadline_seconds),
        )
        self._emit(machine.start(self._cfp, agents, now=now, reply_by=self._cfp.reply_by))

    def handle(self, message: AclMessage) -> None:
        machine = self.machine
        if machine is None or self.done is not None or message.conversation_id != machine.conversation_id:
            return
        before = machine.state
        self._emit(machine.handle(message, self.queue.now))
        if machine.state != before:
            self._decide()

    # ----------------------------------------------------------------- decisions

    def _decide(self) -> None:
        machine = self.machine
        assert machine is not None and self._cfp is not None
        if self._awarded is not None:
            if machine.finished:
                self._after_award()
            return
        if machine.state is _S.COLLECTING:
            return
        if machine.finished:
            silent = ", ".join(machine.silent) or "none"
            why = machine.outcome.reason if machine.outcome else str(machine.state)
            self.done = NotCovered(self.part.part_id, f"{why} (silent: {silent})")
            return
        if machine.state is not _S.EVALUATING:
            return
        cfp = self._cfp
        offers: dict[str, Offer] = {}
        for sender, message in machine.proposals.items():
            try:
                offers[sender] = decode(message.content, Offer)
            except ContentError:
                continue
        ranking = rank_offers(offers.values(), cfp, self.policy, self.latest, self.scorer)
        best = ranking.best
        now = self.queue.now
        if best is None:
            reasons = "; ".join(f"{r.offer.supplier_id}: {r.reason}" for r in ranking.rejected)
            self._emit(machine.award([], now=now, reject_reason="no acceptable offer"))
            self.done = NotCovered(self.part.part_id, f"no acceptable offer ({reasons or 'none decodable'})")
            return
        sender = next(s for s, o in offers.items() if o.id == best.id)
        reservation = self.policy.reservation.max_price_for(self.part.part_id)
        target = self.scorer.next_target(best, cfp, ranking.ranked, machine.max_rounds, reservation)
        if target is None or not machine.can_revise:
            self._awarded = (sender, best)
            result_by = now + self.timings.supplier_result
            self._emit(machine.award([sender], now=now, result_by=result_by))
            self._plan_tick()
            return
        acceptable = {o.id for o in ranking.ranked}
        invited = [s for s, o in offers.items() if o.id in acceptable]
        self._cfp = cfp.model_copy(
            update={
                "round": machine.round + 1,
                "target_price": target,
                "reply_by": now + timedelta(seconds=self.policy.deadline_seconds),
            }
        )
        self._emit(machine.revise(self._cfp, now=now, reply_by=self._cfp.reply_by, to=invited))

    def _after_award(self) -> None:
        machine = self.machine
        assert machine is not None and self._awarded is not None and machine.outcome is not None
        sender, best = self._awarded
        if machine.outcome.state == _S.COMPLETED:
            self.done = Assignment(part=self.part, offer=best)
            return
        self._excluded.add(sender)
        self._failures.append(f"{sender} failed after acceptance ({machine.outcome.reason})")
        self.start()

    # ----------------------------------------------------------------- I/O

    def _emit(self, messages: list[AclMessage]) -> None:
        for message in messages:
            self.send(message)
        if self.machine is not None:
            self.machine.take_events()
        self._plan_tick()

    def _plan_tick(self) -> None:
        machine = self.machine
        if machine is None or machine.next_deadline is None:
            return
        due = machine.next_deadline
        planned = self._planned
        if planned is None or planned[0] is not machine or planned[1] != due:
            self._planned = (machine, due)
            self.queue.at(due, lambda: self._tick(machine, due))

    def _tick(self, machine: IteratedContractNetInitiator, due: datetime) -> None:
        if machine is not self.machine or self.done is not None or machine.next_deadline != due:
            return
        before = machine.state
        self._emit(machine.tick(self.queue.now))
        if machine.state != before:
            self._decide()
