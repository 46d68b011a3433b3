"""Normalised negotiation time ``t`` in [0, 1]: 0 at the opening offer, 1 at the deadline."""

from __future__ import annotations


def round_time(round_number: int, max_rounds: int) -> float:
    """``t`` of round ``round_number`` (1-based) out of ``max_rounds``: round 1 is 0, the last is 1."""
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    if max_rounds == 1:
        return 1.0
    return min(1.0, max(0.0, (round_number - 1) / (max_rounds - 1)))


def clock_time(elapsed_seconds: float, deadline_seconds: float) -> float:
    """``t`` after ``elapsed_seconds`` of a negotiation that must end after ``deadline_seconds``."""
    if deadline_seconds <= 0:
        raise ValueError("deadline_seconds must be positive")
    return min(1.0, max(0.0, elapsed_seconds / deadline_seconds))


def negotiation_time(
    *,
    round_number: int,
    max_rounds: int,
    elapsed_seconds: float | None = None,
    deadline_seconds: float | None = None,
) -> float:
    """The later of round time and clock time (clock time only when both clock values are given)."""
    t = round_time(round_number, max_rounds)
    if elapsed_seconds is not None and deadline_seconds is not None:
        t = max(t, clock_time(elapsed_seconds, deadline_seconds))
    return t
