"""Errors the repositories raise. Every one of them means "nothing was written by this call"."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of the storage layer's errors."""


class NotFoundError(StoreError, LookupError):
    """The row the operation needs does not exist."""


class ConflictError(StoreError):
    """The write would break a uniqueness rule (e.g. an e-mail address already registered)."""


class StaleStateError(StoreError):
    """Optimistic locking failed: the row changed since it was read (expected version is stale)."""

    def __init__(self, what: str, expected: object, actual: object) -> None:
        super().__init__(f"{what} changed concurrently: expected {expected!r}, found {actual!r}")
        self.what = what
        self.expected = expected
        self.actual = actual


class InvalidTransitionError(StoreError, ValueError):
    """An order status change that the transition table does not allow."""

    def __init__(self, order_id: str, from_status: str, to_status: str) -> None:
        super().__init__(f"order {order_id}: transition {from_status!r} -> {to_status!r} is not allowed")
        self.order_id = order_id
        self.from_status = from_status
        self.to_status = to_status


class PaymentError(StoreError, ValueError):
    """A payment that cannot be recorded: invoice not open, already paid, or wrong amount/currency."""
