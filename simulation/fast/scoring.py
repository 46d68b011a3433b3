"""The manufacturer's default scorer, ranking offers without building an offer generator (fast runs).

:class:`~agents.manufacturer.scoring.NegotiationScorer` builds a whole negotiator for every offer it
ranks, and a negotiator's offer generator tabulates every (date, quality) pair first, though ranking
needs only the buyer's utility, shared by all offers of a round. This subclass builds that utility
the way ``NegotiationScorer._negotiator`` builds its space (same ambition, same bounds) and keeps the
last few; ``next_target`` is untouched (it draws from a fresh negotiator's seeded generator), so the
decisions are the live scorer's. A distributed run uses the live scorer itself, and the test that
both modes agree guards the equivalence.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

from agents.manufacturer.scoring import NegotiationScorer
from agents.negotiation import Side, Utility, buyer_space, terms_of
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import to_cents

CACHE_SIZE = 64

_Key = tuple[CallForProposals, tuple[object, ...]]


class MemoScorer(NegotiationScorer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._utilities: OrderedDict[_Key, Utility] = OrderedDict()

    def utility(self, offer: Offer, cfp: CallForProposals, offers: Sequence[Offer]) -> float:
        pool = offers or [offer]
        key: _Key = (cfp, tuple(o.price for o in pool))
        found = self._utilities.get(key)
        if found is None:
            found = self._utilities[key] = self._utility(cfp, pool)
            if len(self._utilities) > CACHE_SIZE:
                self._utilities.popitem(last=False)
        return found.of(terms_of(offer))

    def _utility(self, cfp: CallForProposals, offers: Sequence[Offer]) -> Utility:
        """``self._negotiator(cfp, offers, None).utility``, without the negotiator."""
        prices = [o.price for o in offers]
        cheapest = min(prices)
        space = buyer_space(
            best_price=to_cents(cheapest * (1 - self.ambition)),
            reservation_price=max(max(prices), cheapest),
            earliest=min(date.today(), cfp.delivery_date),
            latest=cfp.delivery_date,
            required_quality=cfp.part.quality,
        )
        return Utility(Side.BUYER, space, cfp.weights)
