"""``SupplierProxy``: the decisions of one external supplier's agent, with no FIPA and no network.

It answers a :class:`~ontology.negotiation.CallForProposals` with an
:class:`~ontology.negotiation.Offer` or a refusal :class:`~ontology.common.Reason`
(:mod:`agents.supplier_proxy.reasons`), concedes in revised calls following its policy's strategy
(one :class:`~agents.negotiation.Negotiator` per initiator, order and part), and confirms an
accepted offer (booking its machine hours) or fails when configured to (``fail_after_accept``).
A ``silent`` proxy is never asked: its host drops what is sent to it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from agents.negotiation import (
    Negotiator,
    Side,
    Terms,
    Utility,
    round_time,
    strategy_for,
)
from agents.supplier_proxy import reasons
from agents.supplier_proxy.pricing import PriceModels, hours_available, hours_of, space_for
from ontology.common import Reason
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import SupplierPolicy
from ontology.supplier import Supplier

#: How long an offer binds the supplier by default.
OFFER_VALIDITY = timedelta(seconds=30)

NegotiationKey = tuple[str, str, str]
"""(initiator, order id, part id)."""


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(slots=True)
class SupplierProxy:
    """One supplier: what it can make, what it costs, how it negotiates."""

    address: str
    supplier: Supplier
    policy: SupplierPolicy
    price_models: PriceModels = field(default_factory=dict)
    fail_after_accept: bool = False
    silent: bool = False
    seed: int = 0
    offer_validity: timedelta = OFFER_VALIDITY
    today: Callable[[], date] = utc_today
    booked_hours: float = 0.0
    negotiations: dict[NegotiationKey, Negotiator] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    """Every offer made, by id (to confirm what is accepted)."""
    calls: dict[str, CallForProposals] = field(default_factory=dict)
    """The cfp each offer answered, by offer id."""
    contracts: list[Offer] = field(default_factory=list)

    def refusal(self, cfp: CallForProposals) -> Reason | None:
        """Why this supplier cannot bid on ``cfp`` at all, or None."""
        part = cfp.part
        capability = self.supplier.capability(part.process)
        if capability is None:
            return Reason(reason=reasons.PROCESS_NOT_SUPPORTED, detail=f"{part.process} is not offered")
        if not capability.max_quality.meets(part.quality):
            detail = f"best quality is {capability.max_quality}, {part.quality} asked"
            return Reason(reason=reasons.QUALITY_NOT_SUPPORTED, detail=detail)
        if not capability.supports(part):
            return Reason(reason=reasons.MATERIAL_NOT_SUPPORTED, detail=f"{part.material} is not worked")
        if cfp.currency != self.policy.currency:
            detail = f"prices are in {self.policy.currency}, {cfp.currency} asked"
            return Reason(reason=reasons.CURRENCY_NOT_SUPPORTED, detail=detail)
        today = self.today()
        lead = max(self.policy.lead_time_days, capability.lead_time_days)
        if today + timedelta(days=lead) > cfp.delivery_date:
            detail = f"lead time {lead} days: not before {today + timedelta(days=lead)}"
            return Reason(reason=reasons.CANNOT_MEET_DATE, detail=detail)
        free = hours_available(today, cfp.delivery_date, self.policy, capability, self.booked_hours)
        if hours_of(part) > free:
            detail = f"{hours_of(part):.1f} machine hours needed, {free:.1f} free"
            return Reason(reason=reasons.CAPACITY, detail=detail)
        return None

    def answer(self, cfp: CallForProposals, *, initiator: str, now: datetime) -> Offer | Reason:
        """The offer (or refusal) for ``cfp``; a revised cfp's ``target_price`` is the buyer's counter."""
        refused = self.refusal(cfp)
        if refused is not None:
            return refused
        negotiator = self._negotiator(cfp, initiator)
        t = round_time(cfp.round, self.policy.max_rounds)
        terms: Terms | None = None
        if cfp.target_price is not None:
            space = negotiator.utility.space
            asked = Terms(cfp.target_price, cfp.delivery_date, space.qualities[0])
            response = negotiator.respond(asked, t)
            terms = asked if response.accept else response.counter
        if terms is None:
            terms = negotiator.offer(t)
        offer = Offer(
            order_id=cfp.order_id,
            part_id=cfp.part.part_id,
            supplier_id=self.supplier.id,
            round=cfp.round,
            price=terms.price,
            currency=cfp.currency,
            delivery_date=terms.delivery_date,
            quality=terms.quality,
            material=cfp.part.material,
            valid_until=now + self.offer_validity,
        )
        self.offers[str(offer.id)] = offer
        self.calls[str(offer.id)] = cfp
        return offer

    def confirm(self, offer: Offer) -> Offer | Reason:
        """Bind an accepted offer (book its hours): the offer, or why it cannot be honoured."""
        key = str(offer.id)
        ours, cfp = self.offers.get(key), self.calls.get(key)
        if ours is None or cfp is None:
            return Reason(reason=reasons.OFFER_UNKNOWN, detail=f"no offer {offer.id} was made here")
        if self.fail_after_accept:
            return Reason(reason=reasons.CONFIGURED_FAILURE, detail="this proxy fails after acceptance")
        capability = self.supplier.capability(cfp.part.process)
        assert capability is not None  # it was offered
        hours = hours_of(cfp.part)
        free = hours_available(self.today(), ours.delivery_date, self.policy, capability, self.booked_hours)
        if hours > free:
            return Reason(reason=reasons.CAPACITY, detail=f"{hours:.1f} h needed, {free:.1f} h free")
        self.booked_hours += hours
        self.contracts.append(ours)
        return ours

    # ----------------------------------------------------------------- internals

    def _negotiator(self, cfp: CallForProposals, initiator: str) -> Negotiator:
        key = (initiator, str(cfp.order_id), cfp.part.part_id)
        negotiator = self.negotiations.get(key)
        if negotiator is None or cfp.round == 1:
            capability = self.supplier.capability(cfp.part.process)
            assert capability is not None  # refusal() checked it
            space = space_for(
                cfp,
                today=self.today(),
                policy=self.policy,
                capability=capability,
                price_models=self.price_models,
            )
            seed = zlib.crc32(f"{self.seed}|{self.supplier.id}|{'|'.join(key)}".encode())
            strategy = strategy_for(self.policy.strategy)
            negotiator = Negotiator(Utility(Side.SELLER, space, cfp.weights), strategy, seed=seed)
            self.negotiations[key] = negotiator
        return negotiator
