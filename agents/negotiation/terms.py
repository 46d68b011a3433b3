"""The negotiated terms (price, delivery date, quality) and the space each side negotiates in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache

from ontology.process import QualityLevel

CENT = Decimal("0.01")


def cents_down(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_FLOOR)


def cents_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_CEILING)


@dataclass(frozen=True, slots=True)
class Terms:
    """One point of the negotiation: a price for the whole quantity, a delivery date, a quality grade."""

    price: Decimal
    delivery_date: date
    quality: QualityLevel


@dataclass(frozen=True, slots=True)
class NegotiationSpace:
    """The ranges one side negotiates in (its acceptable terms).

    ``price_low``..``price_high`` (to the cent), ``earliest``..``latest`` delivery dates, and the
    acceptable ``qualities`` ordered from lowest to highest grade. For a buyer ``price_high`` is its
    reservation price; for a seller ``price_low`` is.
    """

    price_low: Decimal
    price_high: Decimal
    earliest: date
    latest: date
    qualities: tuple[QualityLevel, ...]

    def __post_init__(self) -> None:
        if self.price_low < 0 or self.price_high < self.price_low:
            raise ValueError(f"price range {self.price_low}..{self.price_high} is empty or negative")
        if self.latest < self.earliest:
            raise ValueError(f"date range {self.earliest}..{self.latest} is empty")
        if not self.qualities:
            raise ValueError("a negotiation space needs at least one quality level")
        ranks = [q.rank for q in self.qualities]
        if ranks != sorted(set(ranks)):
            raise ValueError("qualities must be distinct and ordered from lowest to highest")

    @property
    def days(self) -> int:
        return (self.latest - self.earliest).days

    def contains(self, terms: Terms) -> bool:
        """Whether ``terms`` lie inside every range (quality: one of ``qualities``)."""
        return (
            self.price_low <= terms.price <= self.price_high
            and self.earliest <= terms.delivery_date <= self.latest
            and terms.quality in self.qualities
        )


@cache
def qualities_between(lowest: QualityLevel, highest: QualityLevel) -> tuple[QualityLevel, ...]:
    """Every grade from ``lowest`` to ``highest`` (empty when ``highest`` is below ``lowest``)."""
    return tuple(q for q in QualityLevel if lowest.rank <= q.rank <= highest.rank)
