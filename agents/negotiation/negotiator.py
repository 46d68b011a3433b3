"""One side of one bilateral negotiation: targets, offers and acceptance, with a history.

A :class:`Negotiator` is what an agent keeps per negotiation (per part and opponent). It knows no
FIPA: the agent turns its :class:`~agents.negotiation.terms.Terms` into ontology content. Typical
loop (seller answering calls for proposals)::

    negotiator = Negotiator(utility, strategy_for(policy.strategy, reservation=0.0), seed=7)
    t = round_time(cfp.round, max_rounds)
    if opponent_terms is not None and negotiator.respond(opponent_terms, t).accept: ...
    terms = negotiator.offer(t)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.negotiation.acceptance import accepts
from agents.negotiation.generator import OfferGenerator
from agents.negotiation.strategy import ConcessionStrategy
from agents.negotiation.terms import Terms
from agents.negotiation.utility import Utility


@dataclass(frozen=True, slots=True)
class Response:
    """Verdict on the opponent's offer: accept it, or counter with ``counter`` (None: walk away)."""

    accept: bool
    offer_utility: float
    counter: Terms | None = None


@dataclass(slots=True)
class Negotiator:
    """Utility, strategy and offer generator of one side, and what was offered so far."""

    utility: Utility
    strategy: ConcessionStrategy
    seed: int = 0
    opponent_utilities: list[float] = field(default_factory=list)
    """Utility to me of each opponent offer observed, oldest first."""
    offers: list[Terms] = field(default_factory=list)
    """My offers, oldest first."""
    _generator: OfferGenerator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._generator = OfferGenerator(self.utility, self.seed)

    @property
    def reservation(self) -> float:
        return self.strategy.reservation

    def target(self, t: float) -> float:
        """My target utility at ``t``, given the opponent's offers observed so far."""
        return self.strategy.target(t, self.opponent_utilities)

    def observe(self, terms: Terms) -> float:
        """Record an opponent offer; its utility to me."""
        value = self.utility.of(terms)
        self.opponent_utilities.append(value)
        return value

    def would_accept(self, terms: Terms, t: float) -> bool:
        """Whether ``terms`` are acceptable now (no state change): inside my limits, and AC_next."""
        if not self.utility.acceptable(terms):
            return False
        value = self.utility.of(terms)
        next_target = self.strategy.target(t, [*self.opponent_utilities, value])
        return accepts(value, next_target=next_target, reservation=self.reservation, t=t)

    def offer(self, t: float) -> Terms:
        """My next offer at ``t`` (recorded); its utility to me is at least :meth:`target`."""
        terms = self._generator.terms_for(self.target(t))
        self.offers.append(terms)
        return terms

    def respond(self, terms: Terms, t: float) -> Response:
        """Observe the opponent's ``terms``; accept them, or counter at ``t`` (None after the deadline)."""
        accept = self.would_accept(terms, t)
        value = self.observe(terms)
        if accept:
            return Response(True, value)
        return Response(False, value, None if t >= 1.0 else self.offer(t))
