"""Sourcing one part: an Iterated Contract Net with one supplier proxy per candidate.

Round 1 sends a :class:`~ontology.negotiation.CallForProposals` (``reply_by`` = now + the policy's
``deadline_seconds``) to every candidate's agent. When the round closes (everyone answered, or the
deadline passed: silent suppliers are dropped), acceptable offers are ranked
(:mod:`agents.manufacturer.selection`). If the best is not good enough and rounds are left, a
revised cfp with a ``target_price`` goes to the proposers; else the best is awarded. If the winner
fails (or stays silent) after the ``accept-proposal``, a new negotiation runs among the remaining
candidates (up to ``Timings.award_attempts``); if none is left, the part is not covered, and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from agents.manufacturer.host import ConversationOpener
from agents.manufacturer.selection import OfferScorer, rank_offers
from agents.manufacturer.settings import Timings
from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour, utc_now
from ontology.codec import ContentError, decode
from ontology.negotiation import CallForProposals, Offer
from ontology.network import Assignment
from ontology.policy import ManufacturerPolicy
from ontology.product import RequiredPart
from ontology.supplier import Supplier
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.performative import Performative

log = logging.getLogger(__name__)

Negotiation = ConversationBehaviour[IteratedContractNetInitiator]
Persist = Callable[[Negotiation], Awaitable[None]]

GRACE_SECONDS = 5.0
_S = ContractNetInitiatorState


def call_for_proposals(
    order_id: UUID, part: RequiredPart, latest: date, policy: ManufacturerPolicy, now: datetime
) -> CallForProposals:
    """Round 1's cfp for ``part``: delivered by ``latest``, answered within the policy's deadline.

    The part carries its ``specification``: the customer's values its maker needs (measurements with
    their units, texts, files by name, type, size and SHA-256; never a file's bytes or our id of it)."""
    return CallForProposals(
        order_id=order_id,
        part=part,
        delivery_date=latest,
        weights=policy.weights,
        currency=policy.currency,
        reply_by=now + timedelta(seconds=policy.deadline_seconds),
    )


@dataclass(frozen=True)
class NotCovered:
    """Why a part has no supplier."""

    part_id: str
    reason: str


@dataclass(frozen=True)
class _WinnerFailed:
    agent: str
    reason: str


@dataclass
class Sourcing:
    """What negotiating a part needs from the manufacturer."""

    agent: ConversationOpener
    policy: ManufacturerPolicy
    scorer: OfferScorer
    timings: Timings
    persist: Persist
    """Called with each negotiation once it started and after every step (snapshots)."""
    track: Callable[[str], None]
    """Called with each negotiation's conversation id before its first message goes out."""

    async def source(
        self, order_id: UUID, part: RequiredPart, suppliers: Sequence[Supplier], latest: date
    ) -> Assignment | NotCovered:
        excluded: set[str] = set()
        failures: list[str] = []
        for _attempt in range(self.timings.award_attempts):
            usable = (s.agent for s in suppliers if s.agent and s.agent != self.agent.address)
            agents = list(dict.fromkeys(a for a in usable if a not in excluded))
            agents = agents[: self.policy.max_suppliers_per_part]
            if not agents:
                break
            result = await self._negotiate(order_id, part, agents, latest)
            if isinstance(result, _WinnerFailed):
                excluded.add(result.agent)
                failures.append(f"{result.agent} failed after acceptance ({result.reason})")
                continue
            return result
        why = "; ".join(failures) if failures else "no candidate supplier has an agent to negotiate with"
        if failures:
            why += "; no other supplier left"
        return NotCovered(part.part_id, why)

    async def _negotiate(
        self, order_id: UUID, part: RequiredPart, agents: list[str], latest: date
    ) -> Assignment | NotCovered | _WinnerFailed:
        policy, timings = self.policy, self.timings
        machine = IteratedContractNetInitiator(
            me=self.agent.address,
            max_rounds=policy.max_rounds,
            patience=timings.evaluation,
            content_types={Performative.PROPOSE: (Offer,)},
        )
        self.track(machine.conversation_id)
        negotiation: Negotiation = self.agent.open_conversation(machine, on_update=self.persist)
        cfp = call_for_proposals(order_id, part, latest, policy, utc_now())
        first = cfp
        negotiation.act(lambda m, now: m.start(first, agents, now=now, reply_by=first.reply_by))
        await self.persist(negotiation)
        try:
            return await self._rounds(negotiation, cfp, part, latest)
        except (TimeoutError, ConversationAborted) as exc:
            if not machine.finished:
                with contextlib.suppress(Exception):  # already closed
                    negotiation.act(lambda m, now: m.cancel("the manufacturer gave up waiting", now=now))
            return NotCovered(part.part_id, f"negotiation did not finish in time ({type(exc).__name__})")
        finally:
            await self.persist(negotiation)

    async def _rounds(
        self, negotiation: Negotiation, cfp: CallForProposals, part: RequiredPart, latest: date
    ) -> Assignment | NotCovered | _WinnerFailed:
        policy = self.policy
        machine = negotiation.machine
        while True:
            wait = (cfp.reply_by - utc_now()).total_seconds() + GRACE_SECONDS
            async with asyncio.timeout(max(wait, GRACE_SECONDS)):
                await negotiation.wait_until(lambda m: m.state is not _S.COLLECTING)
            if machine.finished:
                silent = ", ".join(machine.silent) or "none"
                why = machine.outcome.reason if machine.outcome else str(machine.state)
                return NotCovered(part.part_id, f"{why} (silent: {silent})")
            offers: dict[str, Offer] = {}
            for sender, message in machine.proposals.items():
                try:
                    offers[sender] = decode(message.content, Offer)
                except ContentError:
                    continue
            ranking = rank_offers(offers.values(), cfp, policy, latest, self.scorer)
            best = ranking.best
            if best is None:
                reasons = "; ".join(f"{r.offer.supplier_id}: {r.reason}" for r in ranking.rejected)
                negotiation.act(lambda m, now: m.award([], now=now, reject_reason="no acceptable offer"))
                return NotCovered(part.part_id, f"no acceptable offer ({reasons or 'none decodable'})")
            sender = next(s for s, o in offers.items() if o.id == best.id)
            reservation = policy.reservation.max_price_for(part.part_id)
            target = self.scorer.next_target(best, cfp, ranking.ranked, machine.max_rounds, reservation)
            if target is None or not machine.can_revise:
                return await self._award(negotiation, sender, best, part)
            acceptable = {o.id for o in ranking.ranked}
            invited = [s for s, o in offers.items() if o.id in acceptable]
            cfp = cfp.model_copy(
                update={
                    "round": machine.round + 1,
                    "target_price": target,
                    "reply_by": utc_now() + timedelta(seconds=policy.deadline_seconds),
                }
            )
            await self._revise(negotiation, cfp, invited)

    async def _revise(self, negotiation: Negotiation, cfp: CallForProposals, invited: list[str]) -> None:
        negotiation.act(lambda m, now: m.revise(cfp, now=now, reply_by=cfp.reply_by, to=invited))
        await self.persist(negotiation)

    async def _award(
        self, negotiation: Negotiation, sender: str, best: Offer, part: RequiredPart
    ) -> Assignment | _WinnerFailed:
        result_by = utc_now() + self.timings.supplier_result
        negotiation.act(lambda m, now: m.award([sender], now=now, result_by=result_by))
        await self.persist(negotiation)
        async with asyncio.timeout(self.timings.supplier_result.total_seconds() + GRACE_SECONDS):
            outcome = await negotiation.outcome()
        if outcome.state == _S.COMPLETED:
            return Assignment(part=part, offer=best)
        return _WinnerFailed(sender, outcome.reason)
