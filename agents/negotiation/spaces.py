"""Build each side's negotiation space, and read terms out of ontology offers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from agents.negotiation.terms import NegotiationSpace, Terms, cents_down, cents_up, qualities_between
from ontology.negotiation import Offer
from ontology.process import QualityLevel


def buyer_space(
    *,
    best_price: Decimal,
    reservation_price: Decimal,
    earliest: date,
    latest: date,
    required_quality: QualityLevel,
    best_quality: QualityLevel = QualityLevel.PREMIUM,
) -> NegotiationSpace:
    """A buyer's space: it hopes for ``best_price`` and ``earliest``, pays at most
    ``reservation_price``, needs delivery by ``latest`` and at least ``required_quality``."""
    high = cents_down(reservation_price)
    low = min(cents_up(best_price), high)
    return NegotiationSpace(
        price_low=low,
        price_high=high,
        earliest=min(earliest, latest),
        latest=latest,
        qualities=qualities_between(required_quality, max(best_quality, required_quality, key=_rank)),
    )


def seller_space(
    *,
    reservation_price: Decimal,
    opening_price: Decimal,
    earliest: date,
    latest: date,
    required_quality: QualityLevel,
    max_quality: QualityLevel,
) -> NegotiationSpace:
    """A seller's space: it asks ``opening_price`` and sells at no less than ``reservation_price``;
    it can deliver from ``earliest`` (its lead time) and prefers ``latest``; it can make
    ``required_quality`` up to ``max_quality`` and prefers the lowest."""
    low = cents_up(reservation_price)
    high = max(cents_up(opening_price), low)
    qualities = qualities_between(required_quality, max_quality)
    if not qualities:
        raise ValueError(f"quality {required_quality} is above the best this seller makes ({max_quality})")
    return NegotiationSpace(low, high, earliest, max(earliest, latest), qualities)


def terms_of(offer: Offer) -> Terms:
    return Terms(price=offer.price, delivery_date=offer.delivery_date, quality=offer.quality)


def _rank(level: QualityLevel) -> int:
    return level.rank
