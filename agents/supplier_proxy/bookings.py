"""One supplier's bookings of machine hours: pure bookkeeping, no I/O and no clock of its own.

A proxy books the hours of an offer when it confirms an accepted offer (its FIPA ``inform``). The booking is
*held* first: the buyer may still lose the order (declined quotation, cancellation, another network). The
proxy host (:mod:`agents.supplier_proxy.host`) asks the store about held bookings
(:mod:`agents.supplier_proxy.booking_check`) and :meth:`Bookings.confirm`\\ s or :meth:`Bookings.release`\\ s
them; a held booking nobody confirmed ends at its ``held_until`` (:meth:`Bookings.due`).

* Every held and confirmed booking counts against the supplier's capacity (:meth:`Bookings.hours`).
* One requester (the bare JID of the manufacturer agent that accepted) may hold, unconfirmed, at most
  ``share`` of the capacity the supplier has until a call's delivery date (:func:`within_share`).

A booking keeps the terms of its offer (price, currency, quantity, delivery date): a supply proposal on the
ledger is signed only when its items are those terms (:mod:`agents.supplier_proxy.supply_terms`).

Bounds: at most ``limit`` bookings (default :data:`MAX_BOOKINGS`) per supplier (more are not taken); a held
booking lives until its ``held_until`` at the latest; a confirmed one until the supplier shipped the order's
parts (:meth:`Bookings.release_order`: the work is done) or its delivery date has passed.

Bookings are kept in the store and survive a restart, with no I/O here: a tracked ``Bookings``
(:meth:`Bookings.track`) records every change (the latest per offer: the booking as it is now, or its
removal) until the proxy host takes them (:meth:`Bookings.drain_changes`) and writes them to the table
``supplier_bookings``; when the host starts it gives each proxy its stored bookings back
(:meth:`Bookings.restore`, which records nothing). An untracked ``Bookings`` (a simulation without a store)
records nothing either. Restored bookings are kept even beyond ``limit`` (they were taken under it): new ones
are refused until there is room again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

MAX_BOOKINGS = 10_000
"""Bookings one supplier keeps at most (held and confirmed)."""
TOLERANCE = 1e-9
"""Hours below which sums of floating-point hours count as equal."""


class BookingState(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class Booking:
    """The hours one accepted offer takes of a supplier's capacity."""

    requester: str
    """Bare JID of the agent that accepted the offer."""
    order_id: str
    offer_id: str
    part_id: str
    hours: float
    delivery_date: date
    state: BookingState
    held_until: datetime
    """When a held booking that no contract confirmed is released."""
    price: Decimal | None = None
    """The offer's price for the whole quantity (what a supply proposal must carry for this part)."""
    currency: str = ""
    quantity: int = 1
    """The part's quantity the offer covers."""


class BookingsFull(Exception):
    """The supplier keeps :attr:`Bookings.limit` bookings already."""


def within_share(held: float, hours: float, capacity: float, share: float) -> bool:
    """Whether a requester holding ``held`` hours may hold ``hours`` more, of ``capacity`` (the supplier's
    hours until the delivery date without any booking) when it may hold ``share`` of it."""
    return held + hours <= share * capacity + TOLERANCE


class Bookings:
    """One supplier's bookings, by offer id (an offer is booked at most once)."""

    def __init__(self, *, limit: int = MAX_BOOKINGS) -> None:
        if limit < 1:
            raise ValueError("a supplier must be able to keep at least one booking")
        self.limit = limit
        self._by_offer: dict[str, Booking] = {}
        self._hours = 0.0
        self._held: dict[str, tuple[int, float]] = {}
        """Per requester with held bookings: how many, and their hours."""
        self._tracked = False
        self._notify: Callable[[], None] | None = None
        self._changes: dict[str, Booking | None] = {}
        """Since the last :meth:`drain_changes`, by offer id: the booking as it is now, or None (removed)."""

    def __len__(self) -> int:
        return len(self._by_offer)

    def __iter__(self) -> Iterator[Booking]:
        return iter(list(self._by_offer.values()))

    def __contains__(self, offer_id: object) -> bool:
        return offer_id in self._by_offer

    def get(self, offer_id: str) -> Booking | None:
        return self._by_offer.get(offer_id)

    @property
    def full(self) -> bool:
        return len(self._by_offer) >= self.limit

    def hours(self) -> float:
        """Hours of every held and confirmed booking."""
        return self._hours

    def held_hours(self, requester: str) -> float:
        """Hours ``requester`` holds in bookings not confirmed yet."""
        return self._held.get(requester, (0, 0.0))[1]

    def requesters(self) -> int:
        """How many requesters hold bookings not confirmed yet."""
        return len(self._held)

    def held(self) -> tuple[Booking, ...]:
        return tuple(b for b in self._by_offer.values() if b.state is BookingState.HELD)

    def confirmed(self) -> tuple[Booking, ...]:
        return tuple(b for b in self._by_offer.values() if b.state is BookingState.CONFIRMED)

    def hold(self, booking: Booking) -> Booking:
        """Add ``booking`` (held); the booking already made for its offer, if there is one.
        :class:`BookingsFull` when :attr:`limit` bookings are kept already."""
        if booking.state is not BookingState.HELD:
            raise ValueError("a new booking is held until a contract confirms it")
        if booking.hours < 0:
            raise ValueError("a booking cannot take negative hours")
        existing = self._by_offer.get(booking.offer_id)
        if existing is not None:
            return existing
        if self.full:
            raise BookingsFull(f"{len(self._by_offer)} bookings are kept already")
        self._add(booking)
        return booking

    def confirm(self, offer_id: str) -> Booking | None:
        """The held booking of ``offer_id`` is confirmed: kept until its parts are shipped or its delivery
        date has passed."""
        booking = self._by_offer.get(offer_id)
        if booking is None or booking.state is BookingState.CONFIRMED:
            return booking
        self._remove(booking)
        confirmed = replace(booking, state=BookingState.CONFIRMED)
        self._add(confirmed)
        return confirmed

    def release_order(self, order_id: str) -> list[Booking]:
        """Drop every booking of ``order_id`` (its parts are shipped: the hours are free again); returns
        the dropped ones."""
        dropped = [b for b in self._by_offer.values() if b.order_id == order_id]
        for booking in dropped:
            self._remove(booking)
        return dropped

    def release(self, offer_id: str) -> Booking | None:
        """Drop the booking of ``offer_id`` (its hours are free again); the booking, or None."""
        booking = self._by_offer.get(offer_id)
        if booking is not None:
            self._remove(booking)
        return booking

    def due(self, now: datetime, today: date) -> list[tuple[Booking, str]]:
        """Drop held bookings whose hold ended (``held_until <= now``) and confirmed ones whose delivery date
        passed (before ``today``); each dropped booking with why."""
        dropped: list[tuple[Booking, str]] = []
        for booking in list(self._by_offer.values()):
            if booking.state is BookingState.HELD and booking.held_until <= now:
                why = f"no contract confirmed it by {booking.held_until.isoformat()}"
            elif booking.state is BookingState.CONFIRMED and booking.delivery_date < today:
                why = f"delivered by {booking.delivery_date.isoformat()}"
            else:
                continue
            self._remove(booking)
            dropped.append((booking, why))
        return dropped

    # ----------------------------------------------------------------- changes, for the store

    def track(self, notify: Callable[[], None] | None = None) -> None:
        """Record every change from now on (until :meth:`drain_changes` takes them); ``notify`` is called
        when a change is recorded and none was waiting (once per batch: the caller then drains soon)."""
        self._tracked = True
        self._notify = notify

    @property
    def tracked(self) -> bool:
        return self._tracked

    @property
    def changes_waiting(self) -> int:
        """Offers changed since the last :meth:`drain_changes`."""
        return len(self._changes)

    def changed(self, offer_id: str) -> bool:
        """Whether ``offer_id`` changed since the last :meth:`drain_changes`."""
        return offer_id in self._changes

    def drain_changes(self) -> tuple[list[Booking], list[str]]:
        """The changes since the last call, and forget them: the bookings added or changed (as they are now)
        and the offer ids whose bookings were dropped; an offer appears once, as its latest change says."""
        changes, self._changes = self._changes, {}
        upserted = [b for b in changes.values() if b is not None]
        removed = [offer_id for offer_id, b in changes.items() if b is None]
        return upserted, removed

    def restore(self, bookings: Iterable[Booking]) -> list[Booking]:
        """Take back stored bookings (held or confirmed) without recording a change; the ones taken. An offer
        booked here already, or changed and not drained yet, is newer than the stored one: skipped; so is a
        booking of negative hours. :attr:`limit` does not apply (they were taken under it)."""
        taken: list[Booking] = []
        for booking in bookings:
            offer_id = booking.offer_id
            if offer_id in self._by_offer or offer_id in self._changes or booking.hours < 0:
                continue
            self._add(booking, record=False)
            taken.append(booking)
        return taken

    def _record(self, offer_id: str, booking: Booking | None) -> None:
        if not self._tracked:
            return
        first = not self._changes
        self._changes[offer_id] = booking
        if first and self._notify is not None:
            self._notify()

    # ----------------------------------------------------------------- internals

    def _add(self, booking: Booking, *, record: bool = True) -> None:
        self._by_offer[booking.offer_id] = booking
        self._hours += booking.hours
        if booking.state is BookingState.HELD:
            count, hours = self._held.get(booking.requester, (0, 0.0))
            self._held[booking.requester] = (count + 1, hours + booking.hours)
        if record:
            self._record(booking.offer_id, booking)

    def _remove(self, booking: Booking) -> None:
        del self._by_offer[booking.offer_id]
        self._hours = max(0.0, self._hours - booking.hours) if self._by_offer else 0.0
        if booking.state is BookingState.HELD:
            count, hours = self._held[booking.requester]
            if count > 1:
                self._held[booking.requester] = (count - 1, max(0.0, hours - booking.hours))
            else:
                del self._held[booking.requester]
        self._record(booking.offer_id, None)
