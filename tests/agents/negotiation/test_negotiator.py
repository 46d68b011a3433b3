"""Acceptance never goes below the reservation; negotiations replay identically; two sides meet."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from agents.negotiation import (
    Negotiator,
    OfferGenerator,
    Side,
    Utility,
    accepts,
    buyer_space,
    round_time,
    seller_space,
    strategy_for,
)
from ontology.negotiation import IssueWeights
from ontology.policy import NegotiationStrategy
from ontology.process import QualityLevel
from tests.agents.negotiation.helpers import DAY0, utilities

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
kinds = st.sampled_from(list(NegotiationStrategy))


@given(unit, unit, unit, unit)
def test_acceptance_rule_never_below_reservation(
    offer: float, target: float, reservation: float, t: float
) -> None:
    if accepts(offer, next_target=target, reservation=reservation, t=t):
        assert offer >= reservation
        assert offer >= target or t >= 1.0


def test_acceptance_at_the_deadline() -> None:
    assert not accepts(0.4, next_target=0.6, reservation=0.3, t=0.9)
    assert accepts(0.4, next_target=0.6, reservation=0.3, t=1.0)
    assert not accepts(0.2, next_target=0.1, reservation=0.3, t=1.0)


@given(utilities(), kinds, unit, st.lists(unit, min_size=1, max_size=6), unit)
def test_negotiator_never_accepts_below_reservation_or_outside_limits(
    utility: Utility, kind: NegotiationStrategy, reservation: float, targets: list[float], t: float
) -> None:
    me = Negotiator(utility, strategy_for(kind, reservation=reservation), seed=3)
    other_side = Side.SELLER if utility.buyer else Side.BUYER
    other = OfferGenerator(Utility(other_side, utility.space, utility.weights), seed=4)
    for target in targets:
        terms = other.terms_for(target)
        response = me.respond(terms, t)
        if response.accept:
            assert utility.of(terms) >= reservation
            assert utility.acceptable(terms)


def _pair(seed: int, buyer_kind: NegotiationStrategy, seller_kind: NegotiationStrategy) -> list[object]:
    weights = IssueWeights()
    buyer = Negotiator(
        Utility(
            Side.BUYER,
            buyer_space(
                best_price=Decimal("60"),
                reservation_price=Decimal("140"),
                earliest=DAY0,
                latest=DAY0 + timedelta(days=20),
                required_quality=QualityLevel.STANDARD,
            ),
            weights,
        ),
        strategy_for(buyer_kind),
        seed=seed,
    )
    seller = Negotiator(
        Utility(
            Side.SELLER,
            seller_space(
                reservation_price=Decimal("90"),
                opening_price=Decimal("180"),
                earliest=DAY0 + timedelta(days=5),
                latest=DAY0 + timedelta(days=20),
                required_quality=QualityLevel.STANDARD,
                max_quality=QualityLevel.PREMIUM,
            ),
            weights,
        ),
        strategy_for(seller_kind),
        seed=seed + 1,
    )
    trace: list[object] = []
    rounds = 6
    for r in range(1, rounds + 1):
        t = round_time(r, rounds)
        offer = seller.offer(t)
        trace.append(offer)
        verdict = buyer.respond(offer, t)
        trace.append(verdict.accept)
        if verdict.accept:
            break
    return trace


@given(st.integers(0, 10_000), kinds, kinds)
def test_same_seed_same_negotiation(seed: int, a: NegotiationStrategy, b: NegotiationStrategy) -> None:
    assert _pair(seed, a, b) == _pair(seed, a, b)


def test_linear_sides_reach_agreement_by_the_deadline() -> None:
    trace = _pair(7, NegotiationStrategy.LINEAR, NegotiationStrategy.LINEAR)
    assert trace[-1] is True
