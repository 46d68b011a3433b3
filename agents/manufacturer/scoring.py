"""The default offer scorer: the negotiation package's buyer utility, concession strategy and
acceptance rule (:mod:`agents.negotiation`), per the policy's strategy.

The buyer's space for a part spans from the cheapest offer less ``ambition`` (its hope) to the
reservation price of the part (or, without one, the dearest offer), from today to the cfp's
delivery date, and from the required quality up. Time is the round's (:func:`round_time`). The
best offer is awarded when the negotiator would accept it; otherwise the price of the
negotiator's own next offer becomes the revised cfp's ``target_price``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from agents.negotiation import Negotiator, Side, Utility, buyer_space, round_time, strategy_for, terms_of
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import NegotiationStrategy, to_cents


class NegotiationScorer:
    def __init__(
        self, strategy: NegotiationStrategy, *, ambition: Decimal = Decimal("0.15"), seed: int = 0
    ) -> None:
        self.strategy = strategy
        self.ambition = ambition
        self.seed = seed

    def _negotiator(
        self, cfp: CallForProposals, offers: Sequence[Offer], reservation: Decimal | None
    ) -> Negotiator:
        prices = [o.price for o in offers]
        cheapest = min(prices)
        ceiling = reservation if reservation is not None else max(prices)
        space = buyer_space(
            best_price=to_cents(cheapest * (1 - self.ambition)),
            reservation_price=max(ceiling, cheapest),
            earliest=min(date.today(), cfp.delivery_date),
            latest=cfp.delivery_date,
            required_quality=cfp.part.quality,
        )
        utility = Utility(Side.BUYER, space, cfp.weights)
        return Negotiator(utility, strategy_for(self.strategy, reservation=0.0), seed=self.seed)

    def utility(self, offer: Offer, cfp: CallForProposals, offers: Sequence[Offer]) -> float:
        negotiator = self._negotiator(cfp, offers or [offer], None)
        return negotiator.utility.of(terms_of(offer))

    def next_target(
        self,
        best: Offer,
        cfp: CallForProposals,
        offers: Sequence[Offer],
        max_rounds: int,
        reservation: Decimal | None,
    ) -> Decimal | None:
        negotiator = self._negotiator(cfp, offers or [best], reservation)
        t = round_time(cfp.round, max_rounds)
        if t >= 1.0 or negotiator.would_accept(terms_of(best), t):
            return None
        target = negotiator.offer(t).price
        return None if target >= best.price else to_cents(target)
