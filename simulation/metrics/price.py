"""Where an agreed price lies between the seller's and the buyer's reservation prices."""

from __future__ import annotations

from decimal import Decimal


def price_position(price: Decimal, seller_reservation: Decimal, buyer_reservation: Decimal) -> float | None:
    """(price - seller's reservation) / (buyer's reservation - seller's reservation).

    0 is the seller's reservation price (the buyer got all the surplus), 1 the buyer's (the seller
    got it all), 0.5 an even split; outside [0, 1] the price lies outside the zone of agreement.
    ``None`` when both reservation prices are equal.
    """
    span = buyer_reservation - seller_reservation
    if span == 0:
        return None
    return float((price - seller_reservation) / span)
