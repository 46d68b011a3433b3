"""Social welfare of an outcome: the utilitarian sum of both sides' utilities."""

from __future__ import annotations


def social_welfare(buyer_utility: float, seller_utility: float) -> float:
    """The sum (not the product, not the mean) of the buyer's and the seller's utility, in [0, 2]."""
    return buyer_utility + seller_utility
