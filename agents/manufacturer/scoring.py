"""The default offer scorer: the negotiation package's buyer utility, concession strategy and
acceptance rule (:mod:`agents.negotiation`), per the policy's strategy.

The buyer's space for a part spans from the cheapest offer less ``ambition`` (its hope) to the
reservation price of the part (or, without one, the dearest offer), from today (the UTC date, as
the supplier proxies count it) to the cfp's delivery date, and from the required quality up. Time
is the round's (:func:`round_time`). The best offer is awarded when the negotiator would accept it;
otherwise the price of the negotiator's own next offer becomes the revised cfp's ``target_price``.

Every call judges afresh (a new negotiator, no history), so the decisions depend on the arguments
only. The buyer utilities are kept per space (the newest ``UTILITIES_KEPT``): ranking a round's
offers asks for the same one once per offer. A negotiator's offer generator tabulates its (date,
quality) pairs only when it makes an offer, and shares the table between calls
(:func:`agents.negotiation.generator.pair_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from agents.negotiation import Negotiator, Side, Utility, buyer_space, round_time, strategy_for, terms_of
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import NegotiationStrategy, to_cents
from ontology.process import QualityLevel

UTILITIES_KEPT = 64

_SpaceKey = tuple[Decimal, Decimal, date, date, QualityLevel, float, float, float]


def utc_today() -> date:
    return datetime.now(UTC).date()


class NegotiationScorer:
    def __init__(
        self,
        strategy: NegotiationStrategy,
        *,
        ambition: Decimal = Decimal("0.15"),
        seed: int = 0,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self.strategy = strategy
        self.ambition = ambition
        self.seed = seed
        self.today = today
        self._utilities: dict[_SpaceKey, Utility] = {}

    def _utility(
        self, cfp: CallForProposals, offers: Sequence[Offer], reservation: Decimal | None
    ) -> Utility:
        prices = [o.price for o in offers]
        cheapest = min(prices)
        ceiling = reservation if reservation is not None else max(prices)
        today, w = self.today(), cfp.weights
        key = (cheapest, ceiling, today, cfp.delivery_date, cfp.part.quality, w.price, w.delivery, w.quality)
        found = self._utilities.get(key)
        if found is None:
            space = buyer_space(
                best_price=to_cents(cheapest * (1 - self.ambition)),
                reservation_price=max(ceiling, cheapest),
                earliest=min(today, cfp.delivery_date),
                latest=cfp.delivery_date,
                required_quality=cfp.part.quality,
            )
            found = Utility(Side.BUYER, space, cfp.weights)
            if len(self._utilities) >= UTILITIES_KEPT:
                del self._utilities[next(iter(self._utilities))]
            self._utilities[key] = found
        return found

    def _negotiator(
        self, cfp: CallForProposals, offers: Sequence[Offer], reservation: Decimal | None
    ) -> Negotiator:
        utility = self._utility(cfp, offers, reservation)
        return Negotiator(utility, strategy_for(self.strategy, reservation=0.0), seed=self.seed)

    def utility(self, offer: Offer, cfp: CallForProposals, offers: Sequence[Offer]) -> float:
        return self._utility(cfp, offers or [offer], None).of(terms_of(offer))

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
