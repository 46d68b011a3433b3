"""Summary statistics of a metric over many negotiations or orders."""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict


class Summary(BaseModel):
    """Count, mean, median and 95th percentile of the values a metric took (``None`` ones left out)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    mean: float | None = None
    median: float | None = None
    p95: float | None = None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of non-empty ``values``, interpolated linearly between ranks.

    This is the inclusive definition (numpy's default, R's type 7): rank ``(n - 1) * q / 100``.
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(values: Iterable[float | int | None]) -> Summary:
    present = [float(v) for v in values if v is not None]
    if not present:
        return Summary(count=0)
    return Summary(
        count=len(present),
        mean=math.fsum(present) / len(present),
        median=percentile(present, 50),
        p95=percentile(present, 95),
    )
