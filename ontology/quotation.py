"""The manufacturer's price quotation to the customer, and the customer's answers to it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Self
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.penalty import Penalty
from ontology.values import (
    Currency,
    Identifier,
    Money,
    Text,
    UtcDateTime,
    Value,
    duplicates,
    require_utc,
    utc_now,
)


class QuotationLine(Value):
    """One line of the quotation as the customer reads it: the product (``part_id`` its id, ``description``
    its name and the chosen options in words), ``quantity`` units at ``unit_price`` each, ``price`` the
    line's total (``unit_price`` x ``quantity``). ``quantity`` and ``unit_price`` come together or not at
    all (a line without them is priced as a whole). The manufacturer's costs are not on the quotation."""

    part_id: Identifier
    description: Text = ""
    quantity: int | None = Field(default=None, ge=1, le=10_000)
    unit_price: Money | None = None
    price: Money

    @model_validator(mode="after")
    def _priced(self) -> Self:
        if (self.quantity is None) != (self.unit_price is None):
            raise ValueError(f"line {self.part_id!r} gives a quantity or a unit price but not both")
        if self.unit_price is not None and self.unit_price * (self.quantity or 1) != self.price:
            raise ValueError(
                f"line {self.part_id!r}: {self.quantity} x {self.unit_price} is not its price {self.price}"
            )
        return self


@register
class Quotation(Content):
    """FIPA ``propose`` to the customer: total price (the sum of the lines) and delivery date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    order_id: UUID
    round: int = Field(default=1, ge=1, le=1000)
    currency: Currency = "EUR"
    lines: tuple[QuotationLine, ...] = Field(min_length=1)
    total_price: Money
    delivery_date: date
    created_at: UtcDateTime = Field(default_factory=utc_now)
    valid_until: UtcDateTime
    penalty: Penalty | None = None
    """What the manufacturer pays per day of late delivery (the customer's order on the ledger carries it)."""
    note: Text = ""
    """In words, for the customer: how the price compares with the estimate shown before ordering."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        repeated = duplicates(line.part_id for line in self.lines)
        if repeated:
            raise ValueError(f"quotation lists part(s) {', '.join(map(repr, repeated))} more than once")
        lines_total = sum((line.price for line in self.lines), Decimal(0))
        if lines_total != self.total_price:
            raise ValueError(
                f"quotation total {self.total_price} differs from the sum of its lines {lines_total}"
            )
        if self.valid_until < self.created_at:
            raise ValueError(
                f"quotation is valid until {self.valid_until.isoformat()}, before it was made "
                f"({self.created_at.isoformat()})"
            )
        return self

    def is_valid_at(self, moment: datetime) -> bool:
        return require_utc(moment) <= self.valid_until


@register
class CounterOffer(Content):
    """The customer's counter to a quotation: the price (and optionally the date) it would accept."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    quotation_id: UUID
    price: Money
    currency: Currency = "EUR"
    delivery_date: date | None = None
    note: Text = ""

    def check_against(self, quotation: Quotation) -> None:
        """Raise ``ValueError`` unless this counters ``quotation`` in its currency."""
        if (self.order_id, self.quotation_id) != (quotation.order_id, quotation.id):
            raise ValueError(
                f"counter-offer answers quotation {self.quotation_id} of order {self.order_id}, "
                f"not quotation {quotation.id} of order {quotation.order_id}"
            )
        if self.currency != quotation.currency:
            raise ValueError(f"counter-offer is in {self.currency}, the quotation in {quotation.currency}")


@register
class AcceptQuotation(Content):
    """FIPA ``accept-proposal``: the customer confirms the quotation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    quotation_id: UUID
    customer_order_contract_id: str | None = None
    """The customer's signed order at the quotation's terms on the ledger (``CustomerOrder``), when the
    customer's side placed it."""


@register
class DeclineQuotation(Content):
    """FIPA ``reject-proposal``: the customer declines the quotation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    quotation_id: UUID
    reason: Text = ""
