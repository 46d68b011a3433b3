"""Strategy against strategy: the tournament table (rows of ``metrics-pairs.csv``)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from simulation.metrics.negotiation import NegotiationMetrics


class PairMetrics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    buyer_strategy: str
    seller_strategy: str
    negotiations: int
    repetitions: int
    """Distinct repetition numbers the pair was played in."""
    agreements: int
    agreement_rate: float
    mean_buyer_utility: float
    """Over all the pair's negotiations (0 for those without an agreement)."""
    mean_seller_utility: float
    mean_social_welfare_sum: float


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _pair(buyer: str, seller: str, rows: list[NegotiationMetrics]) -> PairMetrics:
    agreements = sum(1 for r in rows if r.agreed)
    return PairMetrics(
        buyer_strategy=buyer,
        seller_strategy=seller,
        negotiations=len(rows),
        repetitions=len({r.repetition for r in rows}),
        agreements=agreements,
        agreement_rate=agreements / len(rows),
        mean_buyer_utility=_mean([r.buyer_utility for r in rows]),
        mean_seller_utility=_mean([r.seller_utility for r in rows]),
        mean_social_welfare_sum=_mean([r.social_welfare_sum for r in rows]),
    )


def pair_metrics(negotiations: Iterable[NegotiationMetrics]) -> list[PairMetrics]:
    """One row per (buyer strategy, seller strategy), sorted by the two names."""
    by_pair: dict[tuple[str, str], list[NegotiationMetrics]] = {}
    for row in negotiations:
        by_pair.setdefault((row.buyer_strategy, row.seller_strategy), []).append(row)
    return [_pair(buyer, seller, by_pair[(buyer, seller)]) for buyer, seller in sorted(by_pair)]
