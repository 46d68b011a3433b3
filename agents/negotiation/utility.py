"""Multi-issue additive utility in [0, 1], one per side.

``u(terms) = w_price * s_price + w_delivery * s_delivery + w_quality * s_quality``, each score in
[0, 1] over the side's :class:`~agents.negotiation.terms.NegotiationSpace`:

========== ============================== ==========================================
issue      buyer (1 is best)              seller (1 is best)
========== ============================== ==========================================
price      lowest price (``price_low``)   highest price (``price_high``)
delivery   earliest date                  latest date (early dates cost rush work)
quality    highest grade                  lowest grade (higher grades cost more)
========== ============================== ==========================================

Scores are clipped to [0, 1]; terms outside the space are not :meth:`Utility.acceptable`, whatever
their utility (a very early date never buys a price above the buyer's reservation price).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from agents.negotiation.terms import NegotiationSpace, Terms
from ontology.negotiation import IssueWeights
from ontology.process import QualityLevel


class Side(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


def _clip(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


@dataclass(frozen=True, slots=True)
class Utility:
    """One side's utility over ``space`` with ``weights``."""

    side: Side
    space: NegotiationSpace
    weights: IssueWeights

    @property
    def buyer(self) -> bool:
        return self.side is Side.BUYER

    def price_score(self, price: Decimal) -> float:
        low, high = self.space.price_low, self.space.price_high
        if high == low:
            good = price <= low if self.buyer else price >= high
            return 1.0 if good else 0.0
        share = float((price - low) / (high - low))
        return _clip(1.0 - share if self.buyer else share)

    def date_score(self, day: date) -> float:
        span = self.space.days
        if span == 0:
            good = day <= self.space.earliest if self.buyer else day >= self.space.latest
            return 1.0 if good else 0.0
        share = (day - self.space.earliest).days / span
        return _clip(1.0 - share if self.buyer else share)

    def quality_score(self, quality: QualityLevel) -> float:
        levels = self.space.qualities
        if quality.rank < levels[0].rank:
            return 0.0 if self.buyer else 1.0
        if len(levels) == 1:
            return 1.0
        index = sum(1 for level in levels[1:] if level.rank <= quality.rank)
        share = index / (len(levels) - 1)
        return share if self.buyer else 1.0 - share

    def of(self, terms: Terms) -> float:
        """The utility of ``terms`` to this side, in [0, 1]."""
        w = self.weights
        total = (
            w.price * self.price_score(terms.price)
            + w.delivery * self.date_score(terms.delivery_date)
            + w.quality * self.quality_score(terms.quality)
        )
        return _clip(total)

    def acceptable(self, terms: Terms) -> bool:
        """Whether ``terms`` are within this side's space (its hard reservation limits)."""
        space = self.space
        if self.buyer:
            return (
                terms.price <= space.price_high
                and terms.delivery_date <= space.latest
                and terms.quality.rank >= space.qualities[0].rank
            )
        return (
            terms.price >= space.price_low
            and terms.delivery_date >= space.earliest
            and terms.quality.rank <= space.qualities[-1].rank
        )

    def best(self) -> Terms:
        """The terms of utility 1 for this side."""
        s = self.space
        if self.buyer:
            return Terms(s.price_low, s.earliest, s.qualities[-1])
        return Terms(s.price_high, s.latest, s.qualities[0])
