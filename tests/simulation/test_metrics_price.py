"""Agreed price against the reservation prices: 0 at the seller's, 1 at the buyer's."""

from __future__ import annotations

from decimal import Decimal

from simulation.metrics.price import price_position


def test_price_in_the_middle_is_one_half() -> None:
    assert price_position(Decimal(120), Decimal(100), Decimal(140)) == 0.5


def test_price_at_either_reservation() -> None:
    assert price_position(Decimal(100), Decimal(100), Decimal(140)) == 0
    assert price_position(Decimal(140), Decimal(100), Decimal(140)) == 1
    assert price_position(Decimal("110.5"), Decimal(100), Decimal(142)) == 0.25


def test_price_outside_the_zone_of_agreement() -> None:
    assert price_position(Decimal(90), Decimal(100), Decimal(140)) == -0.25


def test_equal_reservation_prices_give_no_position() -> None:
    assert price_position(Decimal(100), Decimal(100), Decimal(100)) is None
