"""Whether a supply proposal on the ledger is what a supplier offered: pure, no I/O.

A manufacturer proposes the supply of an order (``SupplyProposal``, model v2) with one item per part it
accepted an offer for (item id = the part id, quantity = the part's, price = the offer's price for that
quantity), the sum as the price, the offers' currency, and the latest offered delivery date. The supplier's
proxy signs it only when every item is a part it booked for that order and requester at exactly the offered
price and quantity, in the offer's currency, and the delivery date is not earlier than the latest date it
offered for those parts (a later date only gives it more time). Parts booked but not proposed are not a
reason to refuse (the manufacturer may have sourced them elsewhere; their bookings end as before).

:func:`match` says which bookings the proposal takes up, or what differs, in words a person reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agents.supplier_proxy.bookings import Booking
from ledger.lifecycle import SupplyTerms


@dataclass(frozen=True, slots=True)
class Match:
    bookings: tuple[Booking, ...]
    """The bookings the proposal's items take up (one per item)."""
    problems: tuple[str, ...]
    """What differs from the offers, in words; empty when the proposal is what was offered."""

    @property
    def agreed(self) -> bool:
        return not self.problems

    def reason(self) -> str:
        return "; ".join(self.problems)


def _money(amount: object, currency: str) -> str:
    return f"{amount} {currency}".strip()


def match(terms: SupplyTerms, bookings: Sequence[Booking]) -> Match:
    """Compare ``terms`` (a supply proposal read from the ledger) with the ``bookings`` of its order (made for
    its requester)."""
    problems: list[str] = []
    taken: list[Booking] = []
    free = list(bookings)
    for item in terms.items:
        candidates = [b for b in free if b.part_id == item.item_id]
        if not candidates:
            problems.append(
                f"part {item.item_id} was not offered by this supplier for order {terms.order_id}"
            )
            continue
        exact = [b for b in candidates if b.price == item.price and b.quantity == item.quantity]
        booking = exact[0] if exact else candidates[-1]
        free.remove(booking)
        taken.append(booking)
        if booking.price != item.price:
            problems.append(
                f"part {item.item_id} is proposed at {_money(item.price, terms.currency)}, "
                f"offered at {_money(booking.price, booking.currency)}"
            )
        if booking.quantity != item.quantity:
            problems.append(
                f"part {item.item_id} is proposed {item.quantity} times, offered {booking.quantity} times"
            )
        if booking.currency and booking.currency != terms.currency:
            problems.append(
                f"part {item.item_id} is proposed in {terms.currency}, offered in {booking.currency}"
            )
    if taken:
        latest = max(b.delivery_date for b in taken)
        if terms.delivery_date < latest:
            problems.append(
                f"delivery is proposed by {terms.delivery_date.isoformat()}, offered by {latest.isoformat()}"
            )
    return Match(tuple(taken), tuple(problems))
