"""Turn a target utility into concrete terms (price, delivery date, quality), deterministically.

For every candidate (delivery date, quality) pair the generator solves for the price that brings
the side's utility to the target; among the pairs that reach the target exactly it picks one with
its own seeded :class:`random.Random` (never the global one), so the same seed and the same calls
give the same offers. When no pair reaches the target exactly, the one overshooting it least is
taken; when none reaches it at all, the side's best terms are. Prices are rounded to the cent in
the side's favour, so the offer's utility is never below the target (up to float rounding).

The (date, quality) table is built on the first :meth:`OfferGenerator.terms_for` (a negotiator that
only judges offers never needs it) and shared between generators of the same side, dates, qualities
and weights (:func:`pair_table`, a bounded cache): building it scores every candidate date and
quality, and a manufacturer builds a fresh negotiator for every round it scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from agents.negotiation.terms import Terms, cents_down, cents_up
from agents.negotiation.utility import Utility
from ontology.process import QualityLevel

#: Date ranges longer than this are sampled at this many evenly spaced days (ends included).
MAX_DATE_CANDIDATES = 32
#: (date, quality) tables kept by :func:`pair_table`.
PAIR_TABLES_KEPT = 256

Pair = tuple[date, QualityLevel, float]
"""A candidate (delivery date, quality) and the utility they are worth without the price."""


def candidate_dates(earliest: date, latest: date, limit: int = MAX_DATE_CANDIDATES) -> list[date]:
    return list(_candidate_dates(earliest, latest, limit))


@lru_cache(maxsize=PAIR_TABLES_KEPT)
def _candidate_dates(earliest: date, latest: date, limit: int) -> tuple[date, ...]:
    span = (latest - earliest).days
    if span + 1 <= limit:
        return tuple(earliest + timedelta(days=d) for d in range(span + 1))
    return tuple(sorted({earliest + timedelta(days=round(i * span / (limit - 1))) for i in range(limit)}))


def pair_table(utility: Utility) -> tuple[Pair, ...]:
    """Every candidate (date, quality) of ``utility``'s space, with its utility without the price.

    The table depends on the side, the dates, the qualities and the delivery and quality weights
    only (not on the prices), so tables are shared by those (the newest ``PAIR_TABLES_KEPT``)."""
    space, w = utility.space, utility.weights
    key = (utility.side, space.earliest, space.latest, space.qualities, w.delivery, w.quality)
    table = _PAIR_TABLES.get(key)
    if table is None:
        days = [
            (day, w.delivery * utility.date_score(day))
            for day in _candidate_dates(space.earliest, space.latest, MAX_DATE_CANDIDATES)
        ]
        grades = [(quality, w.quality * utility.quality_score(quality)) for quality in space.qualities]
        table = tuple((day, quality, fd + fq) for day, fd in days for quality, fq in grades)
        if len(_PAIR_TABLES) >= PAIR_TABLES_KEPT:
            _PAIR_TABLES.pop(next(iter(_PAIR_TABLES), key), None)
        _PAIR_TABLES[key] = table
    return table


_PAIR_TABLES: dict[tuple[object, ...], tuple[Pair, ...]] = {}


@dataclass(slots=True)
class OfferGenerator:
    """Makes offers for ``utility``'s side; ``seed`` fixes every random choice."""

    utility: Utility
    seed: int = 0
    _rng: random.Random | None = field(default=None, init=False, repr=False)
    _pairs: tuple[Pair, ...] | None = field(default=None, init=False, repr=False)

    def terms_for(self, target: float) -> Terms:
        """Terms worth at least ``target`` (in [0, 1]) to this side, as close to it as found."""
        pairs = self._pairs
        if pairs is None:
            pairs = self._pairs = pair_table(self.utility)
        rng = self._rng
        if rng is None:
            rng = self._rng = random.Random(self.seed)
        weight = self.utility.weights.price
        exact = [(d, q, f) for d, q, f in pairs if f <= target <= f + weight]
        if exact:
            day, quality, fixed = rng.choice(exact)
            share = (target - fixed) / weight if weight > 0 else 0.0
            return Terms(self._price(share), day, quality)
        over = [(d, q, f) for d, q, f in pairs if f > target]
        if over:
            least = min(f for _, _, f in over)
            day, quality, _ = rng.choice([p for p in over if p[2] == least])
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
