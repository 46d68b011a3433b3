"""Mean, median and p95, the delivery slack and the social welfare."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.metrics.delivery import delivery_slack_days
from simulation.metrics.stats import Summary, percentile, summarize
from simulation.metrics.welfare import social_welfare

unit = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 95) == pytest.approx(19.05)
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summary_leaves_missing_values_out() -> None:
    summary = summarize([1, None, 3, 2])
    assert (summary.count, summary.mean, summary.median) == (3, 2.0, 2.0)
    assert summary.p95 == pytest.approx(2.9)
    assert summarize([None, None]) == Summary(count=0)


def test_delivery_slack_is_requested_minus_agreed() -> None:
    assert delivery_slack_days(date(2026, 3, 10), date(2026, 3, 7)) == 3
    assert delivery_slack_days(date(2026, 3, 10), date(2026, 3, 12)) == -2


@settings(deadline=None)
@given(unit, unit)
def test_welfare_is_the_sum_of_utilities(buyer: float, seller: float) -> None:
    assert social_welfare(buyer, seller) == buyer + seller


@settings(deadline=None)
@given(st.lists(unit, min_size=1, max_size=50))
def test_summary_lies_within_the_values(values: list[float]) -> None:
    summary = summarize(values)
    assert summary.count == len(values)
    for statistic in (summary.mean, summary.median, summary.p95):
        assert statistic is not None
        assert min(values) - 1e-12 <= statistic <= max(values) + 1e-12
    assert summary.median is not None and summary.p95 is not None
    assert summary.median <= summary.p95
    assert math.isclose(summary.mean or 0, math.fsum(values) / len(values))
