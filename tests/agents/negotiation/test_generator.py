"""Utility in [0, 1]; offers reach their target, stay inside the space, and are deterministic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.negotiation import NegotiationSpace, OfferGenerator, Side, Terms, Utility, buyer_space
from ontology.negotiation import IssueWeights
from ontology.process import QualityLevel
from tests.agents.negotiation.helpers import DAY0, utilities

EPS = 1e-9
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(utilities(), unit)
def test_offer_reaches_target_inside_the_space(utility: Utility, target: float) -> None:
    terms = OfferGenerator(utility, seed=1).terms_for(target)
    assert utility.space.contains(terms)
    assert utility.acceptable(terms)
    assert utility.of(terms) >= target - EPS
    assert 0.0 <= utility.of(terms) <= 1.0


@given(utilities(), st.lists(unit, min_size=1, max_size=8), st.integers(0, 2**32))
def test_same_seed_same_offers(utility: Utility, targets: list[float], seed: int) -> None:
    first, second = OfferGenerator(utility, seed), OfferGenerator(utility, seed)
    assert [first.terms_for(t) for t in targets] == [second.terms_for(t) for t in targets]


@given(utilities())
def test_best_terms_are_worth_one(utility: Utility) -> None:
    assert utility.of(utility.best()) == pytest.approx(1.0)


def test_sides_rank_issues_oppositely() -> None:
    space = NegotiationSpace(
        Decimal("100"), Decimal("200"), DAY0, DAY0 + timedelta(days=10), tuple(QualityLevel)
    )
    w = IssueWeights(price=0.5, delivery=0.3, quality=0.2)
    buyer, seller = Utility(Side.BUYER, space, w), Utility(Side.SELLER, space, w)
    cheap_early_good = Terms(Decimal("100"), DAY0, QualityLevel.PREMIUM)
    dear_late_poor = Terms(Decimal("200"), DAY0 + timedelta(days=10), QualityLevel.ECONOMY)
    assert buyer.of(cheap_early_good) == pytest.approx(1.0)
    assert seller.of(cheap_early_good) == pytest.approx(0.0)
    assert seller.of(dear_late_poor) == pytest.approx(1.0)
    assert buyer.of(dear_late_poor) == pytest.approx(0.0)
    assert not buyer.acceptable(Terms(Decimal("200.01"), DAY0, QualityLevel.PREMIUM))
    assert not seller.acceptable(Terms(Decimal("99.99"), DAY0, QualityLevel.ECONOMY))


def test_buyer_space_clamps_best_price_to_reservation() -> None:
    space = buyer_space(
        best_price=Decimal("500"),
        reservation_price=Decimal("300.009"),
        earliest=DAY0,
        latest=DAY0,
        required_quality=QualityLevel.STANDARD,
    )
    assert space.price_low == space.price_high == Decimal("300.00")
    assert space.qualities == (QualityLevel.STANDARD, QualityLevel.PREMIUM)
