"""The payloads of model v2 (``LotSizeOne.Contract`` 2.0.0) as pydantic models: what a party writes and what
it reads back, validated at the boundary. Field names are the Daml ones (camelCase) on the wire and snake case
in Python; a Numeric is written in fixed notation and compared as a number (``420`` equals ``420.00``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from ledger.engine.templates import MODULE

CUSTOMER_ORDER = f"{MODULE}:CustomerOrder"
ORDER_AGREEMENT = f"{MODULE}:OrderAgreement"
SUPPLY_PROPOSAL = f"{MODULE}:SupplyProposal"
SUPPLY_AGREEMENT = f"{MODULE}:SupplyAgreement"
PENALTY_CLAIM = f"{MODULE}:PenaltyClaim"
INVOICE = f"{MODULE}:Invoice"
PAYMENT_CLAIM = f"{MODULE}:PaymentClaim"
PAYMENT_RECEIPT = f"{MODULE}:PaymentReceipt"

Numeric = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json")]


class LedgerRecord(BaseModel):
    """A Daml record: camelCase on the wire, immutable, unknown fields ignored (a later stage of a contract
    carries more fields than an earlier one)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")

    def payload(self) -> dict[str, Any]:
        """The record as the Ledger API's JSON (engine form)."""
        return self.model_dump(mode="json", by_alias=True)

    def differing(self, other: LedgerRecord) -> list[str]:
        """The (Daml) names of this model's fields whose values differ in ``other``."""
        return [
            info.alias or name
            for name, info in type(self).model_fields.items()
            if getattr(self, name) != getattr(other, name, None)
        ]


class Item(LedgerRecord):
    item_id: str
    description: str = ""
    quantity: int
    price: Numeric
    """The line's amount for its quantity."""


class Penalty(LedgerRecord):
    per_day_late: Numeric
    cap: Numeric | None = None


class Shipment(LedgerRecord):
    carrier: str
    reference: str
    shipped_at: datetime


class Receipt(LedgerRecord):
    received_at: datetime
    days_late: int


class Terms(LedgerRecord):
    """What both sides of an agreement agree to (the fields that make it the same agreement)."""

    order_id: str
    items: tuple[Item, ...]
    price: Numeric
    currency: str
    delivery_date: date
    penalty: Penalty | None = None


class OrderTerms(Terms):
    """A customer order (``CustomerOrder``) and the terms its ``OrderAgreement`` keeps."""

    customer: str
    manufacturer: str
    product_id: str
    quantity: int


class SupplyTerms(Terms):
    """A ``SupplyProposal`` and the terms its ``SupplyAgreement`` keeps."""

    manufacturer: str
    supplier: str


class Lifecycle(LedgerRecord):
    """Where an agreement is in its life (the consuming steps re-create it with the new state)."""

    agreed_at: datetime
    shipment: Shipment | None = None
    receipt: Receipt | None = None
    penalty_claimed: bool = False
    invoice_id: str | None = None


class OrderAgreement(OrderTerms, Lifecycle):
    pass


class SupplyAgreement(SupplyTerms, Lifecycle):
    pass


Agreement = OrderAgreement | SupplyAgreement


class PenaltyClaim(LedgerRecord):
    order_id: str
    claimant: str
    liable: str
    days_late: int
    amount: Numeric
    currency: str
    claimed_at: datetime


class Invoice(LedgerRecord):
    invoice_id: str
    order_id: str
    issuer: str
    payer: str
    amount: Numeric
    currency: str
    issued_at: datetime
    due_date: date


class PaymentClaim(Invoice):
    payment_ref: str
    claimed_at: datetime


class PaymentReceipt(PaymentClaim):
    paid_at: datetime


R_co = TypeVar("R_co", bound=LedgerRecord, covariant=True)


@dataclass(frozen=True)
class Contract(Generic[R_co]):
    """An active contract read from the ledger: its id, template (``Module:Entity``) and payload."""

    contract_id: str
    template: str
    data: R_co


@dataclass(frozen=True)
class OrderKey:
    """``OrderKey``: the order agreement of ``order_id`` with ``manufacturer``."""

    manufacturer: str
    order_id: str


@dataclass(frozen=True)
class SupplyKey:
    """``SupplyKey``: the supply proposal or agreement of ``order_id`` between ``manufacturer`` and
    ``supplier``."""

    manufacturer: str
    order_id: str
    supplier: str


AgreementKey = OrderKey | SupplyKey


@dataclass(frozen=True)
class InvoiceKey:
    """``InvoiceKey``: the invoice ``invoice_id`` of ``issuer`` (and the payment claim and receipt it
    becomes)."""

    issuer: str
    invoice_id: str
