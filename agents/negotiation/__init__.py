"""Multi-issue bilateral negotiation, pure Python (no SPADE, no network, no FIPA).

Issues: price (of the whole quantity), delivery date, quality grade. Each side has

* a :class:`NegotiationSpace` (its acceptable ranges; built with :func:`buyer_space` /
  :func:`seller_space`) and a :class:`Utility` over it (weights from
  :class:`ontology.negotiation.IssueWeights`), normalised to [0, 1]: the buyer prefers lower
  prices, earlier dates, higher grades; the seller the opposite (early dates and higher grades
  cost it rush work and better material). Terms outside the space are never acceptable.
* a :class:`ConcessionStrategy`: :class:`TimeDependent` (``target(t) = max - (max - res) *
  t ** (1/e)``: Boulware ``e < 1``, linear ``e = 1``, conceder ``e > 1``) or relative
  :class:`TitForTat`; :func:`strategy_for` maps :class:`ontology.policy.NegotiationStrategy`.
  ``t`` is normalised time in [0, 1] (:func:`round_time`, :func:`clock_time`,
  :func:`negotiation_time`); the reservation value is a utility in [0, 1].
* an :class:`OfferGenerator` turning a target utility into concrete :class:`Terms`,
  deterministically (its own seeded ``random.Random``).
* the acceptance rule :func:`accepts`: accept an offer worth at least my next target, or at least
  my reservation at the deadline; never below the reservation.

:class:`Negotiator` bundles them for one negotiation (``offer(t)``, ``respond(terms, t)``,
``would_accept(terms, t)``). Example, a manufacturer judging a supplier's offer::

    space = buyer_space(best_price=Decimal("80"), reservation_price=Decimal("150"),
                        earliest=today, latest=cfp.delivery_date, required_quality=part.quality)
    me = Negotiator(Utility(Side.BUYER, space, cfp.weights),
                    strategy_for(policy.strategy, reservation=0.0), seed=42)
    t = round_time(cfp.round, policy.max_rounds)
    if me.would_accept(terms_of(offer), t): ...award...
    else: counter = me.offer(t)   # e.g. its price becomes the revised cfp's target_price
"""

from agents.negotiation.acceptance import accepts
from agents.negotiation.generator import OfferGenerator
from agents.negotiation.negotiator import Negotiator, Response
from agents.negotiation.spaces import buyer_space, seller_space, terms_of
from agents.negotiation.strategy import (
    BOULWARE_E,
    CONCEDER_E,
    LINEAR_E,
    ConcessionStrategy,
    TimeDependent,
    TitForTat,
    strategy_for,
)
from agents.negotiation.terms import NegotiationSpace, Terms, qualities_between
from agents.negotiation.timeline import clock_time, negotiation_time, round_time
from agents.negotiation.utility import Side, Utility

__all__ = [
    "BOULWARE_E",
    "CONCEDER_E",
    "LINEAR_E",
    "ConcessionStrategy",
    "NegotiationSpace",
    "Negotiator",
    "OfferGenerator",
    "Response",
    "Side",
    "Terms",
    "TimeDependent",
    "TitForTat",
    "Utility",
    "accepts",
    "buyer_space",
    "clock_time",
    "negotiation_time",
    "qualities_between",
    "round_time",
    "seller_space",
    "strategy_for",
    "terms_of",
]
