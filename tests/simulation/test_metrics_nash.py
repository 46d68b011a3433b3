"""The Nash point over the reservation (disagreement) point, on a hand-computed 3-point space."""

from __future__ import annotations

import math

from simulation.metrics.nash import distance_to_nash, nash_point, nash_product
from tests.simulation.metrics_examples import A, B, C


def test_nash_point_maximises_the_product_of_gains() -> None:
    disagreement = (0.1, 0.1)
    assert math.isclose(nash_product(A, disagreement), 0.8 * 0.1)
    assert math.isclose(nash_product(B, disagreement), 0.4 * 0.5)
    assert math.isclose(nash_product(C, disagreement), 0.3 * 0.3)
    assert nash_point([A, B, C], disagreement) == B


def test_points_below_a_reservation_utility_are_not_candidates() -> None:
    # only A gives the buyer at least 0.6
    assert nash_point([A, B, C], (0.6, 0.0)) == A
    assert nash_point([A, B, C], (0.95, 0.95)) is None


def test_distance_to_the_nash_point() -> None:
    assert distance_to_nash(B, B) == 0
    assert math.isclose(distance_to_nash(C, B) or -1, math.sqrt(0.05))
    assert math.isclose(distance_to_nash((0.0, 0.0), B) or -1, math.sqrt(0.61))
    assert distance_to_nash(C, None) is None
