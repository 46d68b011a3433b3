"""Concession curves: monotone, bounded, ordered (Boulware <= linear <= conceder); tit-for-tat bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.negotiation import (
    BOULWARE_E,
    CONCEDER_E,
    TimeDependent,
    TitForTat,
    strategy_for,
)
from ontology.policy import NegotiationStrategy

EPS = 1e-12
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
exponents = st.floats(min_value=0.05, max_value=20.0, allow_nan=False)


@st.composite
def bounds(draw: st.DrawFn) -> tuple[float, float]:
    a, b = draw(unit), draw(unit)
    return min(a, b), max(a, b)


@given(bounds(), exponents, unit, unit)
def test_time_dependent_is_monotone_and_bounded(
    limits: tuple[float, float], e: float, t1: float, t2: float
) -> None:
    reservation, top = limits
    strategy = TimeDependent(e, reservation=reservation, max_utility=top)
    early, late = min(t1, t2), max(t1, t2)
    assert strategy.target(late) <= strategy.target(early) + EPS
    for t in (t1, t2):
        assert reservation - EPS <= strategy.target(t) <= top + EPS


@given(bounds(), exponents)
def test_time_dependent_ends(limits: tuple[float, float], e: float) -> None:
    reservation, top = limits
    strategy = TimeDependent(e, reservation=reservation, max_utility=top)
    assert strategy.target(0.0) == pytest.approx(top)
    assert strategy.target(1.0) == pytest.approx(reservation)


@given(bounds(), st.floats(min_value=0.001, max_value=0.999))
def test_boulware_concedes_least_conceder_most(limits: tuple[float, float], t: float) -> None:
    reservation, top = limits

    def conceded(kind: NegotiationStrategy) -> float:
        return top - strategy_for(kind, reservation=reservation, max_utility=top).target(t)

    boulware = conceded(NegotiationStrategy.BOULWARE)
    linear = conceded(NegotiationStrategy.LINEAR)
    conceder = conceded(NegotiationStrategy.CONCEDER)
    assert boulware <= linear + EPS
    assert linear <= conceder + EPS


def test_named_exponents() -> None:
    assert BOULWARE_E < 1 < CONCEDER_E
    assert isinstance(strategy_for(NegotiationStrategy.TIT_FOR_TAT), TitForTat)


@given(bounds(), st.lists(unit, max_size=30), st.floats(min_value=0.0, max_value=0.2), unit)
def test_tit_for_tat_mirrors_at_most_the_opponent(
    limits: tuple[float, float], history: list[float], step: float, t: float
) -> None:
    reservation, top = limits
    strategy = TitForTat(reservation=reservation, max_utility=top, min_step=step)
    previous = strategy.target(t, [])
    assert previous == pytest.approx(top)
    for k in range(1, len(history) + 1):
        current = strategy.target(t, history[:k])
        conceded = previous - current
        assert conceded >= -EPS, "never retreats"
        opponent = history[k - 1] - history[k - 2] if k >= 2 else 0.0
        assert conceded <= max(opponent, 0.0) + step + EPS
        assert current >= reservation - EPS
        previous = current


def test_tit_for_tat_mirrors_a_concession() -> None:
    strategy = TitForTat(reservation=0.2, min_step=0.0)
    assert strategy.target(0.5, [0.1, 0.3]) == pytest.approx(0.8)
    assert strategy.target(0.5, [0.1, 0.3, 0.2]) == pytest.approx(0.8)  # retreat: no concession
    assert strategy.target(0.5, [0.0, 1.0]) == pytest.approx(0.2)  # bounded by reservation


@pytest.mark.parametrize("bad", [{"e": 0.0}, {"e": 1.0, "reservation": 0.9, "max_utility": 0.5}])
def test_invalid_parameters(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        TimeDependent(**bad)
