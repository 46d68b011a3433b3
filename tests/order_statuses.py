"""Paths of an order through its statuses that tests expect or put orders through."""

from __future__ import annotations

from ontology.order import OrderStatus

TO_PAID = (
    OrderStatus.ACCEPTED,
    OrderStatus.SOURCING,
    OrderStatus.NEGOTIATING,
    OrderStatus.QUOTED,
    OrderStatus.CONFIRMED,
    OrderStatus.CONTRACTING,
    OrderStatus.CONTRACTED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.PRODUCED,
    OrderStatus.INVOICED,
    OrderStatus.PAID,
)
"""An order's statuses from its acceptance to its payment, with no counter-offer."""
