"""Agent policies: what manufacturers, suppliers and (simulated) customers accept, how they negotiate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple, Self

from pydantic import Field, field_serializer, model_validator

from ontology.negotiation import IssueWeights
from ontology.payment import BankTransfer
from ontology.penalty import Penalty
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from ontology.quotation import CounterOffer, Quotation
from ontology.values import Currency, Identifier, Money, Name, Value

CENT = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)

#: A margin of 0.25 adds 25 %; margins above 1 are allowed, above 10 are taken for a mistake.
Margin = Field(ge=0, le=10, max_digits=8, decimal_places=4, allow_inf_nan=False)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class NegotiationStrategy(StrEnum):
    """Time-dependent concession tactics (Faratin et al.) and the behaviour-dependent tit-for-tat."""

    BOULWARE = "boulware"
    LINEAR = "linear"
    CONCEDER = "conceder"
    TIT_FOR_TAT = "tit-for-tat"


class ReservationValues(Value):
    """The manufacturer's walk-away points towards suppliers."""

    max_part_price: Money | None = Field(default=None, description="for any part without its own limit")
    part_price_limits: dict[Identifier, Money] = Field(default_factory=dict)
    delivery_slack_days: int = Field(
        default=0, ge=0, le=365, description="days a part may come later than planned"
    )

    def max_price_for(self, part_id: str) -> Decimal | None:
        return self.part_price_limits.get(part_id, self.max_part_price)


class PartSplit(NamedTuple):
    in_house: tuple[RequiredPart, ...]
    sourced: tuple[RequiredPart, ...]
    unsupported: tuple[RequiredPart, ...]


class LatePenaltyTerms(Value):
    """A late-delivery penalty as a share of an agreement's price: ``percent_per_day`` of the price for each
    day late, at most ``cap_percent`` of the price (no cap when None)."""

    percent_per_day: Decimal = Field(gt=0, le=100, max_digits=7, decimal_places=4, allow_inf_nan=False)
    cap_percent: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=7, decimal_places=4, allow_inf_nan=False
    )

    def penalty_for(self, price: Decimal) -> Penalty | None:
        """The penalty of an agreement at ``price`` (in cents, rounded half up); None when it rounds to zero
        (the ledger takes no penalty of 0 a day)."""
        per_day = to_cents(price * self.percent_per_day / 100)
        if per_day <= 0:
            return None
        cap = None if self.cap_percent is None else to_cents(price * self.cap_percent / 100)
        return Penalty(per_day_late=per_day, cap=cap if cap is None or cap > 0 else None)


class ManufacturerPolicy(Value):
    auto_accept: bool = True
    auto_source: bool = Field(
        default=True,
        description="start the supplier search at once; off: wait for the console's StartSourcing",
    )
    auto_produce: bool = Field(
        default=True, description="production completes by itself; off: wait for ProductionProgress 100"
    )
    auto_invoice: bool = Field(
        default=True, description="invoice once produced; off: wait for the console's RaiseInvoice"
    )
    capacity_hours_per_week: float = Field(gt=0, le=100_000, allow_inf_nan=False)
    own_processes: frozenset[ProcessKind] = frozenset()
    sourced_processes: frozenset[ProcessKind] = frozenset()
    margin: Decimal = Margin
    currency: Currency = "EUR"
    strategy: NegotiationStrategy = NegotiationStrategy.BOULWARE
    deadline_seconds: float = Field(default=30.0, gt=0, le=86_400, allow_inf_nan=False)
    max_rounds: int = Field(default=3, ge=1, le=100)
    weights: IssueWeights = Field(default_factory=IssueWeights)
    reservation: ReservationValues = Field(default_factory=ReservationValues)
    production_days: int = Field(default=0, ge=0, le=365, description="days from the last part to delivery")
    max_horizon_days: int = Field(
        default=365, ge=1, le=3650, description="the latest delivery date taken, in days from the order"
    )
    max_suppliers_per_part: int = Field(default=5, ge=1, le=100)
    auto_receive_parts: bool = Field(
        default=True,
        description="confirm the receipt of shipped parts on the ledger at once; off: wait for the console's "
        "ConfirmParts",
    )
    auto_ship: bool = Field(
        default=True,
        description="ship once paid with the policy's carrier; off: wait for the console's ShipOrder",
    )
    carrier: Name = Field(default="Own delivery", description="the carrier of shipments the policy makes")
    customer_penalty: LatePenaltyTerms | None = Field(
        default_factory=lambda: LatePenaltyTerms(percent_per_day=Decimal("0.5"), cap_percent=Decimal(10)),
        description="late-delivery penalty offered to customers (in every quotation); None: none",
    )
    supplier_penalty: LatePenaltyTerms | None = Field(
        default_factory=lambda: LatePenaltyTerms(percent_per_day=Decimal(1), cap_percent=Decimal(20)),
        description="late-delivery penalty demanded of suppliers (in every supply agreement); None: none",
    )
    payment: BankTransfer | None = Field(
        default=None,
        description="how customers pay: bank transfer to this account (confirmed by hand unless said "
        "otherwise); None: no bank details, a payment the customer announces is taken as received at once",
    )

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        both = self.own_processes & self.sourced_processes
        if both:
            raise ValueError(f"process(es) {', '.join(sorted(both))} are listed both as own and as sourced")
        return self

    @field_serializer("own_processes", "sourced_processes")
    def _sorted(self, processes: frozenset[ProcessKind]) -> list[str]:
        return sorted(processes)

    def split(self, parts: Iterable[RequiredPart]) -> PartSplit:
        """Which parts are made in house, which are sourced, and which nobody here handles."""
        in_house: list[RequiredPart] = []
        sourced: list[RequiredPart] = []
        unsupported: list[RequiredPart] = []
        for part in parts:
            if part.process in self.own_processes:
                in_house.append(part)
            elif part.process in self.sourced_processes:
                sourced.append(part)
            else:
                unsupported.append(part)
        return PartSplit(tuple(in_house), tuple(sourced), tuple(unsupported))

    def price_with_margin(self, cost: Decimal) -> Decimal:
        return to_cents(cost * (1 + self.margin))

    def latest_part_delivery(self, delivery_date: date) -> date:
        """The latest day a sourced part may arrive for the order to be delivered on ``delivery_date``."""
        return (
            delivery_date
            - timedelta(days=self.production_days)
            + timedelta(days=self.reservation.delivery_slack_days)
        )


class SupplierPolicy(Value):
    """How a supplier-proxy agent prices and concedes: cost from machine time, margins over cost."""

    strategy: NegotiationStrategy = NegotiationStrategy.LINEAR
    currency: Currency = "EUR"
    hourly_rate: Money
    setup_cost: Money = Decimal(0)
    min_price: Money = Field(default=Decimal(0), description="never offer below this, whatever the cost")
    min_margin: Decimal = Margin
    target_margin: Decimal = Margin
    capacity_hours_per_week: float = Field(gt=0, le=100_000, allow_inf_nan=False)
    lead_time_days: int = Field(ge=0, le=365)
    max_rounds: int = Field(default=3, ge=1, le=100)

    @model_validator(mode="after")
    def _margins(self) -> Self:
        if self.target_margin < self.min_margin:
            raise ValueError(
                f"target margin {self.target_margin} is below the minimum margin {self.min_margin}"
            )
        return self

    def cost_of(self, part: RequiredPart) -> Decimal:
        minutes = Decimal(repr(part.total_machine_minutes))
        return self.setup_cost + self.hourly_rate * minutes / MINUTES_PER_HOUR

    def reservation_price(self, part: RequiredPart) -> Decimal:
        """The lowest price this supplier accepts for ``part``."""
        return max(self.min_price, to_cents(self.cost_of(part) * (1 + self.min_margin)))

    def opening_price(self, part: RequiredPart) -> Decimal:
        """The price of a first offer for ``part``."""
        return max(self.reservation_price(part), to_cents(self.cost_of(part) * (1 + self.target_margin)))

    def earliest_delivery(self, today: date) -> date:
        return today + timedelta(days=self.lead_time_days)


class CustomerDecision(StrEnum):
    ACCEPT = "accept"
    COUNTER = "counter"
    DECLINE = "decline"


class CustomerPolicy(Value):
    """A simulated customer: accept a cheap, early quotation; else counter a few times, then decline."""

    currency: Currency = "EUR"
    accept_at_most: Money
    decline_above: Money | None = Field(default=None, description="decline at once above this price")
    counter_factor: Decimal = Field(default=Decimal("0.9"), gt=0, le=1, max_digits=6, decimal_places=4)
    max_counters: int = Field(default=1, ge=0, le=100)
    delivery_slack_days: int = Field(
        default=0, ge=0, le=365, description="days later than requested accepted"
    )

    @model_validator(mode="after")
    def _limits(self) -> Self:
        if self.decline_above is not None and self.decline_above < self.accept_at_most:
            raise ValueError(
                f"decline_above ({self.decline_above}) is below accept_at_most ({self.accept_at_most})"
            )
        return self

    def decide(
        self, quotation: Quotation, requested_delivery: date, counters_made: int = 0
    ) -> CustomerDecision:
        if quotation.currency != self.currency:
            raise ValueError(f"quotation is in {quotation.currency}, this customer pays in {self.currency}")
        in_time = quotation.delivery_date <= requested_delivery + timedelta(days=self.delivery_slack_days)
        if in_time and quotation.total_price <= self.accept_at_most:
            return CustomerDecision.ACCEPT
        if self.decline_above is not None and quotation.total_price > self.decline_above:
            return CustomerDecision.DECLINE
        return CustomerDecision.COUNTER if counters_made < self.max_counters else CustomerDecision.DECLINE

    def counter_price(self, quoted: Decimal) -> Decimal:
        """A counter below the quoted price, never above what this customer would accept."""
        return min(self.accept_at_most, to_cents(quoted * self.counter_factor))

    def counter(self, quotation: Quotation, requested_delivery: date) -> CounterOffer:
        return CounterOffer(
            order_id=quotation.order_id,
            quotation_id=quotation.id,
            price=self.counter_price(quotation.total_price),
            currency=quotation.currency,
            delivery_date=requested_delivery,
        )
