"""The metrics of one negotiation, hand-computed on the 3-point outcome space of the examples."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.metrics.negotiation import negotiation_metrics
from tests.simulation.metrics_examples import A, B, C, negotiation

unit = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_agreement_on_a_dominated_outcome() -> None:
    # the outcome space sample holds A and B; the agreement C is dominated by B
    metrics = negotiation_metrics(negotiation("n1", agreed_at=C, outcome_space=(A, B), price="120"))
    assert metrics.agreed
    assert (metrics.rounds, metrics.messages, metrics.time_to_agreement_seconds) == (3, 7, 0.25)
    assert (metrics.buyer_utility, metrics.seller_utility) == C
    assert math.isclose(metrics.social_welfare_sum, 0.8)
    assert math.isclose(metrics.pareto_distance or -1, math.sqrt(0.05))
    assert math.isclose(metrics.nash_distance or -1, math.sqrt(0.05))
    assert metrics.price == Decimal(120)
    assert metrics.price_position == 0.5
    assert metrics.agreed_delivery == date(2026, 3, 7)
    assert metrics.delivery_slack_days == 3


def test_agreement_on_the_nash_point() -> None:
    metrics = negotiation_metrics(negotiation("n2", agreed_at=B, price="140", delivery=date(2026, 3, 12)))
    assert metrics.pareto_distance == 0
    assert metrics.nash_distance == 0
    assert metrics.price_position == 1
    assert metrics.delivery_slack_days == -2


def test_agreement_off_the_sample_joins_the_frontier() -> None:
    # (0.6, 0.55) is dominated by nothing sampled: it is on the frontier of the space plus itself
    metrics = negotiation_metrics(negotiation("n4", agreed_at=(0.6, 0.55)))
    assert metrics.pareto_distance == 0
    # its Nash product (0.5 * 0.45 = 0.225) beats B's (0.2): it is the Nash point too
    assert metrics.nash_distance == 0
    # B = (0.5, 0.6) is the Nash point again when the agreement gives less: (0.55, 0.45) -> 0.158
    metrics = negotiation_metrics(negotiation("n4", agreed_at=(0.55, 0.45)))
    assert metrics.pareto_distance == 0
    assert math.isclose(metrics.nash_distance or -1, math.hypot(0.05, 0.15))


def test_no_agreement_measures_the_disagreement_point() -> None:
    metrics = negotiation_metrics(negotiation("n3"))
    assert not metrics.agreed
    assert metrics.time_to_agreement_seconds is None
    assert (metrics.buyer_utility, metrics.seller_utility, metrics.social_welfare_sum) == (0, 0, 0)
    assert math.isclose(metrics.pareto_distance or -1, math.sqrt(0.61))
    assert math.isclose(metrics.nash_distance or -1, math.sqrt(0.61))
    assert metrics.price is None and metrics.price_position is None
    assert metrics.agreed_delivery is None and metrics.delivery_slack_days is None


def test_no_agreement_and_no_outcome_space() -> None:
    metrics = negotiation_metrics(negotiation("n5", outcome_space=()))
    assert metrics.pareto_distance is None
    assert metrics.nash_distance is None


@settings(deadline=None)
@given(unit, unit, st.lists(st.tuples(unit, unit), max_size=20))
def test_welfare_is_the_sum_and_distances_are_never_negative(
    buyer: float, seller: float, space: list[tuple[float, float]]
) -> None:
    metrics = negotiation_metrics(negotiation("p", agreed_at=(buyer, seller), outcome_space=space))
    assert metrics.social_welfare_sum == buyer + seller
    assert metrics.pareto_distance is not None and metrics.pareto_distance >= 0
    assert metrics.nash_distance is None or metrics.nash_distance >= 0
