"""Evaluating supplier offers for one part: which are acceptable, how they rank, and the next target.

An offer is acceptable when it answers the call for proposals (order, part, round, currency,
quality, material), costs no more than the reservation price of the part, and arrives by the
latest part delivery date. Acceptable offers rank by a multi-issue utility (price, delivery,
quality, weighted by the policy's :class:`~ontology.negotiation.IssueWeights`); the scorer is
pluggable (:class:`OfferScorer`), so the negotiation package's utility and concession strategy
can drive it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from ontology.negotiation import CallForProposals, Offer
from ontology.policy import ManufacturerPolicy, to_cents
from ontology.process import QualityLevel


class OfferScorer(Protocol):
    """What the manufacturer needs from a negotiation strategy."""

    def utility(self, offer: Offer, cfp: CallForProposals, offers: Sequence[Offer]) -> float:
        """Utility in [0, 1] of ``offer`` among ``offers`` (higher is better)."""
        ...

    def next_target(
        self,
        best: Offer,
        cfp: CallForProposals,
        offers: Sequence[Offer],
        max_rounds: int,
        reservation: Decimal | None,
    ) -> Decimal | None:
        """``None`` to award ``best`` now; else the price to ask for in the next round (the revised
        cfp's ``target_price``). ``cfp.round`` is the current round."""
        ...


@dataclass(frozen=True)
class Rejected:
    offer: Offer
    reason: str


@dataclass(frozen=True)
class Ranking:
    """Acceptable offers best first, and the others with why."""

    ranked: tuple[Offer, ...]
    rejected: tuple[Rejected, ...]

    @property
    def best(self) -> Offer | None:
        return self.ranked[0] if self.ranked else None


def offer_problems(
    offer: Offer, cfp: CallForProposals, policy: ManufacturerPolicy, latest: date
) -> list[str]:
    found = offer.problems(cfp)
    limit = policy.reservation.max_price_for(cfp.part.part_id)
    if limit is not None and offer.price > limit:
        found.append(f"price {offer.price} is above the reservation price {limit}")
    if offer.delivery_date > latest:
        found.append(f"delivery {offer.delivery_date.isoformat()} is after {latest.isoformat()}")
    return found


def rank_offers(
    offers: Iterable[Offer],
    cfp: CallForProposals,
    policy: ManufacturerPolicy,
    latest: date,
    scorer: OfferScorer,
) -> Ranking:
    acceptable: list[Offer] = []
    rejected: list[Rejected] = []
    for offer in offers:
        problems = offer_problems(offer, cfp, policy, latest)
        if problems:
            rejected.append(Rejected(offer, "; ".join(problems)))
        else:
            acceptable.append(offer)
    scored = sorted(
        acceptable,
        key=lambda o: (-scorer.utility(o, cfp, acceptable), o.price, o.delivery_date, o.supplier_id),
    )
    return Ranking(tuple(scored), tuple(rejected))


class LinearScorer:
    """A built-in scorer: weighted, min-max normalised issues; a time-dependent price target.

    Price and delivery score 1 for the cheapest/earliest offer and 0 for the dearest/latest one;
    quality scores by grade. The target of the next round concedes from ``aspiration`` (the best
    price minus ``ambition``) towards the best price, by ``(round / max_rounds) ** (1 / beta)``
    (beta < 1: boulware, 1: linear, > 1: conceder).
    """

    def __init__(self, *, beta: float = 1.0, ambition: Decimal = Decimal("0.10")) -> None:
        if beta <= 0:
            raise ValueError("beta must be positive")
        self.beta = beta
        self.ambition = ambition

    def utility(self, offer: Offer, cfp: CallForProposals, offers: Sequence[Offer]) -> float:
        weights = cfp.weights
        prices = [o.price for o in offers] or [offer.price]
        days = [o.delivery_date.toordinal() for o in offers] or [offer.delivery_date.toordinal()]
        price = _normalised(float(offer.price), float(min(prices)), float(max(prices)))
        delivery = _normalised(float(offer.delivery_date.toordinal()), float(min(days)), float(max(days)))
        top = len(QualityLevel) - 1
        quality = offer.quality.rank / top if top else 1.0
        return weights.price * price + weights.delivery * delivery + weights.quality * quality

    def next_target(
        self,
        best: Offer,
        cfp: CallForProposals,
        offers: Sequence[Offer],
        max_rounds: int,
        reservation: Decimal | None,
    ) -> Decimal | None:
        aspiration = best.price * (1 - self.ambition)
        progress = min(max(cfp.round / max_rounds, 0.0), 1.0) ** (1 / self.beta)
        target = aspiration + (best.price - aspiration) * Decimal(repr(progress))
        if reservation is not None:
            target = min(target, reservation)
        target = to_cents(max(target, Decimal(0)))
        return None if best.price <= target else target


def _normalised(value: float, low: float, high: float) -> float:
    """1 at ``low`` (best), 0 at ``high``; 1 when all are equal."""
    return 1.0 if high <= low else (high - value) / (high - low)
