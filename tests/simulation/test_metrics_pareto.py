"""Pareto frontier and distance to it: a hand-computed 3-point space, and properties."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.metrics.pareto import distance_to_frontier, pareto_frontier
from simulation.metrics.utility_space import Point
from tests.simulation.metrics_examples import A, B, C

unit = st.floats(min_value=0, max_value=1, allow_nan=False)
points = st.lists(st.tuples(unit, unit), min_size=1, max_size=40)


def test_frontier_of_three_points_drops_the_dominated_one() -> None:
    assert pareto_frontier([A, B, C]) == [A, B]
    assert pareto_frontier([C, C, B, A, B]) == [A, B]


def test_distances_in_the_three_point_space() -> None:
    frontier = pareto_frontier([A, B, C])
    assert distance_to_frontier(A, frontier) == 0
    assert distance_to_frontier(B, frontier) == 0
    # C = (0.4, 0.4) is nearest to B = (0.5, 0.6): sqrt(0.1² + 0.2²)
    assert math.isclose(distance_to_frontier(C, frontier) or -1, math.sqrt(0.05))
    # the disagreement point (0, 0) is nearest to B too: sqrt(0.5² + 0.6²) < sqrt(0.9² + 0.2²)
    assert math.isclose(distance_to_frontier((0.0, 0.0), frontier) or -1, math.sqrt(0.61))


def test_equal_utilities_to_one_side_keep_only_the_better_point() -> None:
    assert pareto_frontier([(0.5, 0.5), (0.5, 0.7), (0.3, 0.7)]) == [(0.5, 0.7)]


def test_no_frontier_no_distance() -> None:
    assert pareto_frontier([]) == []
    assert distance_to_frontier((0.0, 0.0), []) is None


def _dominates(p: Point, q: Point) -> bool:
    return p[0] >= q[0] and p[1] >= q[1] and p != q


@settings(deadline=None)
@given(points, st.tuples(unit, unit))
def test_distance_is_never_negative(space: list[Point], outcome: Point) -> None:
    distance = distance_to_frontier(outcome, pareto_frontier(space))
    assert distance is not None and distance >= 0


@settings(deadline=None)
@given(points)
def test_frontier_points_are_at_distance_zero(space: list[Point]) -> None:
    frontier = pareto_frontier(space)
    assert frontier
    assert all(distance_to_frontier(p, frontier) == 0 for p in frontier)


@settings(deadline=None)
@given(points)
def test_frontier_is_exactly_the_undominated_points(space: list[Point]) -> None:
    frontier = pareto_frontier(space)
    assert set(frontier) == {p for p in space if not any(_dominates(q, p) for q in space)}
    assert len(frontier) == len(set(frontier))
    assert [p[1] for p in frontier] == sorted(p[1] for p in frontier)


@settings(deadline=None)
@given(points)
def test_dominated_points_are_off_the_frontier(space: list[Point]) -> None:
    frontier = pareto_frontier(space)
    for p in space:
        if any(_dominates(q, p) for q in space):
            distance = distance_to_frontier(p, frontier)
            assert distance is not None and distance > 0
