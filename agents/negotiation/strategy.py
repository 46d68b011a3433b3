"""Concession strategies: the utility a side aims for next (its *target*), never below its reservation.

Time-dependent tactics (Faratin, Sierra & Jennings 1998), with normalised time ``t`` in [0, 1]::

    target(t) = max - (max - reservation) * t ** (1 / e)

``e < 1`` Boulware (holds out, concedes late), ``e = 1`` linear, ``e > 1`` conceder (concedes
early). At ``t = 0`` the target is ``max``, at ``t = 1`` it is ``reservation``.

Relative tit-for-tat: the side concedes, in its own utility, what the opponent conceded to it since
its previous offer (the rise of the opponent's offers in this side's utility), at least
``min_step`` a round so that two tit-for-tat agents do not deadlock; it never goes below its
reservation and never concedes when the opponent retreats (beyond ``min_step``).

Every strategy is a pure function of ``t`` and the opponent's history (the utilities, to this side,
of the opponent's offers so far, oldest first), so replaying a negotiation gives the same targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from ontology.policy import NegotiationStrategy

#: Concession exponents of the named time-dependent tactics.
BOULWARE_E = 0.2
LINEAR_E = 1.0
CONCEDER_E = 5.0
#: Least concession per round of tit-for-tat.
TIT_FOR_TAT_MIN_STEP = 0.02


class ConcessionStrategy(Protocol):
    """What every strategy offers: its bounds and the next target utility."""

    @property
    def max_utility(self) -> float: ...

    @property
    def reservation(self) -> float: ...

    def target(self, t: float, opponent: Sequence[float] = ()) -> float:
        """The utility to aim for at normalised time ``t``, given the opponent's offers so far."""
        ...


def _check_bounds(reservation: float, max_utility: float) -> None:
    if not 0.0 <= reservation <= max_utility <= 1.0:
        raise ValueError(f"need 0 <= reservation ({reservation}) <= max_utility ({max_utility}) <= 1")


def _clip_time(t: float) -> float:
    return 0.0 if t < 0.0 else 1.0 if t > 1.0 else t


@dataclass(frozen=True, slots=True)
class TimeDependent:
    """``target(t) = max - (max - reservation) * t ** (1 / e)``; ignores the opponent."""

    e: float
    reservation: float = 0.0
    max_utility: float = 1.0

    def __post_init__(self) -> None:
        if not self.e > 0:
            raise ValueError("the concession exponent e must be positive")
        _check_bounds(self.reservation, self.max_utility)

    def target(self, t: float, opponent: Sequence[float] = ()) -> float:
        span = self.max_utility - self.reservation
        value: float = self.max_utility - span * pow(_clip_time(t), 1.0 / self.e)
        return max(self.reservation, min(self.max_utility, value))


@dataclass(frozen=True, slots=True)
class TitForTat:
    """Relative tit-for-tat: mirror the opponent's concessions (in own utility), bounded by reservation."""

    reservation: float = 0.0
    max_utility: float = 1.0
    min_step: float = TIT_FOR_TAT_MIN_STEP

    def __post_init__(self) -> None:
        _check_bounds(self.reservation, self.max_utility)
        if not 0.0 <= self.min_step <= 1.0:
            raise ValueError("min_step must be within [0, 1]")

    def concession(self, previous: float, latest: float) -> float:
        """What to concede after the opponent moved from ``previous`` to ``latest`` (own utility)."""
        return max(latest - previous, self.min_step)

    def target(self, t: float, opponent: Sequence[float] = ()) -> float:
        value = self.max_utility
        for previous, latest in pairwise(opponent):
            value -= self.concession(previous, latest)
        return max(self.reservation, min(self.max_utility, value))


def strategy_for(
    kind: NegotiationStrategy, *, reservation: float = 0.0, max_utility: float = 1.0
) -> ConcessionStrategy:
    """The strategy a policy names (``ontology.policy.NegotiationStrategy``)."""
    if kind is NegotiationStrategy.TIT_FOR_TAT:
        return TitForTat(reservation=reservation, max_utility=max_utility)
    exponent = {
        NegotiationStrategy.BOULWARE: BOULWARE_E,
        NegotiationStrategy.LINEAR: LINEAR_E,
        NegotiationStrategy.CONCEDER: CONCEDER_E,
    }[kind]
    return TimeDependent(exponent, reservation=reservation, max_utility=max_utility)
