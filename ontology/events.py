"""The events of an order's history, in the user's words.

Every status change (and every remark) an agent or the gateway writes to an order's history carries a
:class:`HistoryEvent`: an event code of :data:`EVENTS` and its parameters. The code and the parameters are
stored with the history row and sent in status notices and push events; the web app writes the sentence
from them (``webapp/js/logic/timeline.js`` holds the same vocabulary), and the history row's ``note`` is
:meth:`HistoryEvent.sentence` (for whoever reads the store or the wire without the app).

Every event may be read by both parties of the order, the customer included: parameters are never supplier
names, supplier prices or the manufacturer's costs, and never ids, hashes or protocol words.
:data:`REASONS` puts the reason codes of failed and rejected orders in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from string import Formatter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ParamKind = Literal["money", "currency", "date", "days", "parts", "count", "percent", "text"]

PARAMS: Mapping[str, ParamKind] = {
    "total": "money",
    "price": "money",
    "penalty": "money",
    "currency": "currency",
    "earliest_delivery": "date",
    "latest_delivery": "date",
    "delivery_date": "date",
    "due_date": "date",
    "date": "date",
    "from_date": "date",
    "to_date": "date",
    "days": "days",
    "parts": "parts",
    "paid": "count",
    "of": "count",
    "percent": "percent",
    "reason": "text",
    "note": "text",
    "carrier": "text",
    "reference": "text",
}
"""Every parameter an event may carry, and what it is (how it is written): ``money`` a decimal amount in the
event's ``currency``, ``date`` an ISO date, ``days`` and ``parts`` counts written with their noun, ``reason``
a code of :data:`REASONS`, ``note`` the manufacturer's own words."""


class EventCode(StrEnum):
    ORDER_TAKEN = "order-taken"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DATE_TOO_SOON = "date-too-soon"
    DATE_TOO_LATE = "date-too-late"
    SOURCING = "sourcing"
    NOTHING_TO_SOURCE = "nothing-to-source"
    NEGOTIATING = "negotiating"
    QUOTATION_SENT = "quotation-sent"
    QUOTATION_REVISED = "quotation-revised"
    COUNTER_OFFER = "counter-offer"
    QUOTATION_ACCEPTED = "quotation-accepted"
    QUOTATION_DECLINED = "quotation-declined"
    CANCELLED = "cancelled"
    CONTRACTING = "contracting"
    CONTRACT_WAITING = "contract-waiting"
    CONTRACTS_COMMITTED = "contracts-committed"
    PART_RECEIVED = "part-received"
    PART_LATE = "part-late"
    PART_LATE_PENALTY = "part-late-penalty"
    DELIVERY_MOVED = "delivery-moved"
    PRODUCTION_STARTED = "production-started"
    PRODUCTION_STARTED_EARLY = "production-started-early"
    PRODUCTION_PROGRESS = "production-progress"
    PRODUCED = "produced"
    INVOICE_RAISED = "invoice-raised"
    PAYMENT_ANNOUNCED = "payment-announced"
    PAYMENT_RECEIVED = "payment-received"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    DELIVERED_LATE = "delivered-late"
    DELIVERED_LATE_PENALTY = "delivered-late-penalty"
    SUPPLIERS_PAID = "suppliers-paid"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class EventWords:
    """The sentence of an event: ``{name}`` stands for its parameter ``name``, written as :data:`PARAMS`
    says (a ``money`` parameter with the event's currency)."""

    sentence: str

    @property
    def params(self) -> frozenset[str]:
        """The parameters the event carries (every one is required)."""
        names = {name for _, name, _, _ in Formatter().parse(self.sentence) if name}
        if names & {name for name, kind in PARAMS.items() if kind == "money"}:
            names.add("currency")
        return frozenset(names)


_E = EventCode
EVENTS: Mapping[EventCode, EventWords] = {
    _E.ORDER_TAKEN: EventWords("The manufacturer received the order and is looking at it."),
    _E.ACCEPTED: EventWords(
        "The manufacturer accepted the order; the earliest delivery is {earliest_delivery}."
    ),
    _E.REJECTED: EventWords("The manufacturer could not take the order: {reason}."),
    _E.DATE_TOO_SOON: EventWords(
        "The manufacturer could not take the order: the earliest delivery it can promise is "
        "{earliest_delivery}."
    ),
    _E.DATE_TOO_LATE: EventWords(
        "The manufacturer could not take the order: it takes orders for delivery up to {latest_delivery}."
    ),
    _E.SOURCING: EventWords("Looking for suppliers for {parts}."),
    _E.NOTHING_TO_SOURCE: EventWords("Every part is made in the manufacturer's own workshop."),
    _E.NEGOTIATING: EventWords("Agreeing prices and dates with suppliers for {parts}."),
    _E.QUOTATION_SENT: EventWords("Quotation: {total}, delivered on {delivery_date}."),
    _E.QUOTATION_REVISED: EventWords("Revised quotation: {total}, delivered on {delivery_date}."),
    _E.COUNTER_OFFER: EventWords("Counter-offer: {price}."),
    _E.QUOTATION_ACCEPTED: EventWords("The quotation was accepted."),
    _E.QUOTATION_DECLINED: EventWords("The quotation was declined."),
    _E.CANCELLED: EventWords("The order was cancelled."),
    _E.CONTRACTING: EventWords("The agreement is being signed."),
    _E.CONTRACT_WAITING: EventWords(
        "Signing the agreement waits: the contract register does not answer. "
        "It goes on by itself as soon as it does."
    ),
    _E.CONTRACTS_COMMITTED: EventWords("The agreement is signed."),
    _E.PART_RECEIVED: EventWords("A part arrived on {date}."),
    _E.PART_LATE: EventWords("A part arrived {days} late."),
    _E.PART_LATE_PENALTY: EventWords(
        "A part arrived {days} late; the supplier's agreed late-delivery penalty is claimed."
    ),
    _E.DELIVERY_MOVED: EventWords(
        "A part arrived {days} late: delivery moves from {from_date} to {to_date}."
    ),
    _E.PRODUCTION_STARTED: EventWords("Production started."),
    _E.PRODUCTION_STARTED_EARLY: EventWords("Production started before {parts} arrived: {note}"),
    _E.PRODUCTION_PROGRESS: EventWords("Production is {percent} done. {note}"),
    _E.PRODUCED: EventWords("Production is finished."),
    _E.INVOICE_RAISED: EventWords("Invoice of {total}, due on {due_date}."),
    _E.PAYMENT_ANNOUNCED: EventWords(
        "Payment of {total} announced; waiting for the manufacturer to confirm it arrived."
    ),
    _E.PAYMENT_RECEIVED: EventWords("Payment of {total} received on {date}."),
    _E.SHIPPED: EventWords("Shipped with {carrier}, reference {reference}."),
    _E.DELIVERED: EventWords("Delivered on {date}."),
    _E.DELIVERED_LATE: EventWords("Delivered on {date}, {days} late."),
    _E.DELIVERED_LATE_PENALTY: EventWords(
        "Delivered on {date}, {days} late; the customer may claim a penalty of {penalty}."
    ),
    _E.SUPPLIERS_PAID: EventWords("Suppliers paid: {paid} of {of}."),
    _E.COMPLETED: EventWords("The order is complete."),
    _E.FAILED: EventWords("The order stopped: {reason}."),
}
"""The one vocabulary of history events: code -> sentence (the web app's timeline holds the same)."""

REASONS: Mapping[str, str] = {
    "unknown-product": "the product is not in the catalogue",
    "invalid-customisation": "the chosen options do not fit the product",
    "wrong-manufacturer": "the product is made by another manufacturer",
    "infeasible-delivery-date": "the delivery date cannot be met",
    "unsupported-process": "a part needs work no one offers",
    "rejected-by-manufacturer": "the manufacturer declined it",
    "manual-acceptance": "no one decided on it in time",
    "sourcing-not-started": "the supplier search was not started in time",
    "sourcing-failed": "the supplier search failed",
    "no-supplier": "no supplier makes one of the parts",
    "part-not-covered": "no supplier agreed to make one of the parts",
    "network-incomplete": "no supplier agreed to make one of the parts",
    "network-too-late": "the parts would arrive too late",
    "customer-gone": "the customer's side stopped answering",
    "bad-counter-offer": "the counter-offer could not be read",
    "quotation-lapsed": "the quotation was not answered in time",
    "contract-failed": "the agreement could not be signed",
    "agreement-conflict": "the agreement on the ledger differs from the order",
    "agreement-missing": "the signed agreement could not be found",
    "party-not-onboarded": "a party is not set up to sign agreements yet",
    "manufacturer-restarted": "the manufacturer's system restarted",
    "agents-unreachable": "the agents could not take it",
    "not-answered": "the manufacturer did not answer",
    "refused": "the manufacturer refused it",
    "internal-error": "something went wrong on the platform",
}
"""Reason codes of failed and rejected orders, in words (any other code is written as :data:`SOME_REASON`)."""

SOME_REASON = "something went wrong"

Param = str | int


class HistoryEvent(BaseModel):
    """One event of an order's history: a code of :data:`EVENTS` and exactly the parameters its sentence
    names (money and dates as text: ``"3148.38"``, ``"2027-01-04"``)."""

    model_config = ConfigDict(frozen=True)

    event: EventCode
    params: dict[str, Param] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params_fit(self) -> HistoryEvent:
        wanted = EVENTS[self.event].params
        if set(self.params) != wanted:
            raise ValueError(
                f"event {self.event} takes the parameters {sorted(wanted)}, not {sorted(self.params)}"
            )
        for name, value in self.params.items():
            _check(name, value)
        return self

    @classmethod
    def of(cls, event: EventCode, **params: Decimal | date | int | str) -> HistoryEvent:
        """The event with ``params`` (amounts and dates given as such are written as text)."""
        return cls(event=event, params={name: _param(value) for name, value in params.items()})

    def sentence(self) -> str:
        """The event in words, e.g. ``Quotation: €3,148.38, delivered on 4 January 2027.``"""
        currency = str(self.params.get("currency", ""))
        words = {name: _words(name, value, currency) for name, value in self.params.items()}
        return EVENTS[self.event].sentence.format(**words).strip()


def failed(reason: str) -> HistoryEvent:
    """The order stopped for ``reason`` (a code of :data:`REASONS`, else written as :data:`SOME_REASON`)."""
    return HistoryEvent.of(EventCode.FAILED, reason=reason)


SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def money(amount: Decimal, currency: str) -> str:
    """``€25.00``, ``25.00 CHF``."""
    text = f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def day(when: date | datetime) -> str:
    """``14 March 2027``."""
    d = when.date() if isinstance(when, datetime) else when
    return f"{d.day} {d.strftime('%B')} {d.year}"


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _param(value: Decimal | date | int | str) -> Param:
    if isinstance(value, bool):
        raise TypeError("an event parameter is not a boolean")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check(name: str, value: Param) -> None:
    kind = PARAMS.get(name)
    if kind is None:
        raise ValueError(f"unknown event parameter {name!r}")
    if kind in ("days", "parts", "count", "percent"):
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"event parameter {name} is a count, not {value!r}")
    elif not isinstance(value, str):
        raise ValueError(f"event parameter {name} is text, not {value!r}")
    elif kind == "money":
        try:
            Decimal(value)
        except ArithmeticError:
            raise ValueError(f"event parameter {name} is an amount, not {value!r}") from None
    elif kind == "date":
        date.fromisoformat(value)
    elif len(value) > 2000:
        raise ValueError(f"event parameter {name} is longer than 2000 characters")


def _words(name: str, value: Param, currency: str) -> str:
    kind = PARAMS[name]
    if kind == "money":
        return money(Decimal(str(value)), currency)
    if kind == "date":
        return day(date.fromisoformat(str(value)))
    if kind == "days":
        return days(int(value))
    if kind == "parts":
        return "1 part" if value == 1 else f"{value} parts"
    if kind == "percent":
        return f"{value} %"
    if name == "reason":
        return REASONS.get(str(value), SOME_REASON)
    return str(value)
