"""Turn a target utility into concrete terms (price, delivery date, quality), deterministically.

For every candidate (delivery date, quality) pair the generator solves for the price that brings
the side's utility to the target; among the pairs that reach the target exactly it picks one with
its own seeded :class:`random.Random` (never the global one), so the same seed and the same calls
give the same offers. When no pair reaches the target exactly, the one overshooting it least is
taken; when none reaches it at all, the side's best terms are. Prices are rounded to the cent in
the side's favour, so the offer's utility is never below the target (up to float rounding).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from agents.negotiation.terms import Terms, cents_down, cents_up
from agents.negotiation.utility import Utility
from ontology.process import QualityLevel

#: Date ranges longer than this are sampled at this many evenly spaced days (ends included).
MAX_DATE_CANDIDATES = 32


def candidate_dates(earliest: date, latest: date, limit: int = MAX_DATE_CANDIDATES) -> list[date]:
    span = (latest - earliest).days
    if span + 1 <= limit:
        return [earliest + timedelta(days=d) for d in range(span + 1)]
    return sorted({earliest + timedelta(days=round(i * span / (limit - 1))) for i in range(limit)})


@dataclass(slots=True)
class OfferGenerator:
    """Makes offers for ``utility``'s side; ``seed`` fixes every random choice."""

    utility: Utility
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)
    _pairs: list[tuple[date, QualityLevel, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        space, u, w = self.utility.space, self.utility, self.utility.weights
        self._pairs = [
            (day, quality, w.delivery * u.date_score(day) + w.quality * u.quality_score(quality))
            for day in candidate_dates(space.earliest, space.latest)
            for quality in space.qualities
        ]

    def terms_for(self, target: float) -> Terms:
        """Terms worth at least ``target`` (in [0, 1]) to this side, as close to it as found."""
        weight = self.utility.weights.price
        exact = [(d, q, f) for d, q, f in self._pairs if f <= target <= f + weight]
        if exact:
            day, quality, fixed = self._rng.choice(exact)
            share = (target - fixed) / weight if weight > 0 else 0.0
            return Terms(self._price(share), day, quality)
        over = [(d, q, f) for d, q, f in self._pairs if f > target]
        if over:
            least = min(f for _, _, f in over)
            day, quality, _ = self._rng.choice([p for p in over if p[2] == least])
            return Terms(self._price(0.0), day, quality)
        return self.utility.best()

    def _price(self, share: float) -> Decimal:
        """The price whose price score is ``share`` (rounded in this side's favour)."""
        share = min(1.0, max(0.0, share))
        low, high = self.utility.space.price_low, self.utility.space.price_high
        span = high - low
        if self.utility.buyer:
            price = cents_down(high - Decimal(share) * span)
        else:
            price = cents_up(low + Decimal(share) * span)
        return min(high, max(low, price))
