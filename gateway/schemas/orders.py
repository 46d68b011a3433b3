"""Bodies of orders: what a customer orders, what both parties read about an order."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.schemas.common import CleanText, Key, StoredAmount
from gateway.schemas.customisation import option_values
from ontology.order import OrderStatus
from ontology.product import AttachedFile, Measure
from ontology.values import Identifier
from store.enums import InvoiceStatus
from store.records import InvoiceRecord, OrderDetail, OrderRecord, PaymentRecord, StatusChange


class OrderCreate(BaseModel):
    """A customised product for a delivery date; options left out take their defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "product_id": "demo-bicycle-frame",
                    "options": {"material": "steel", "geometry": "made-to-measure", "finish": "powder-coat"},
                    "quantity": 1,
                    "delivery_date": "2027-03-01",
                }
            ]
        },
    )

    product_id: Key
    options: dict[Identifier, Identifier] = Field(
        default_factory=dict, max_length=100, description="chosen choice id per option id"
    )
    numbers: dict[Identifier, Measure] = Field(
        default_factory=dict, max_length=100, description="per number option, the number in its unit (cm ...)"
    )
    texts: dict[Identifier, CleanText] = Field(
        default_factory=dict, max_length=100, description="per text option, the text (an engraving ...)"
    )
    files: dict[Identifier, Key] = Field(
        default_factory=dict, max_length=100, description="per file option, your upload's id (POST /uploads)"
    )
    quantity: int = Field(default=1, ge=1, le=10_000)
    delivery_date: date = Field(description="requested delivery date; today (UTC) or later")


class OrderAccepted(BaseModel):
    """The order is stored and on its way to the manufacturer's agent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                    "status": "received",
                    "location": "/orders/0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                }
            ]
        }
    )

    id: str
    status: OrderStatus
    location: str


class StatusChangePublic(BaseModel):
    from_status: str
    to_status: str
    at: datetime
    actor: str
    note: str
    event: str | None = Field(
        default=None, description="what happened: a history event's code (docs/wire.md); None: a bare note"
    )
    params: dict[str, str | int] | None = Field(default=None, description="the event's parameters")

    @classmethod
    def of(cls, change: StatusChange) -> StatusChangePublic:
        return cls.model_validate(change.model_dump(include=set(cls.model_fields)))


class PaymentPublic(BaseModel):
    id: str
    amount: StoredAmount
    currency: str
    method: str
    reference: str | None
    paid_at: datetime

    @classmethod
    def of(cls, payment: PaymentRecord) -> PaymentPublic:
        return cls.model_validate(payment.model_dump(include=set(cls.model_fields)))


class InvoicePublic(BaseModel):
    id: str
    lines: list[Any]
    total: StoredAmount
    currency: str
    due_date: date
    status: InvoiceStatus
    ledger_contract_id: str | None
    created_at: datetime
    payment: PaymentPublic | None = None

    @classmethod
    def of(cls, invoice: InvoiceRecord, payment: PaymentRecord | None) -> InvoicePublic:
        data = invoice.model_dump(include=set(cls.model_fields) - {"payment"})
        return cls.model_validate({**data, "payment": PaymentPublic.of(payment) if payment else None})


class OrderSummary(BaseModel):
    """An order in a list."""

    id: str
    number: int = Field(description='the order\'s number for people ("Order 1042"); the id stays the key')
    customer_id: str
    manufacturer_id: str
    product_id: str
    options: dict[str, str]
    quantity: int
    delivery_date: date
    status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: OrderRecord) -> OrderSummary:
        return cls.model_validate(
            {**record.model_dump(include=set(cls.model_fields)), "options": _options(record)}
        )


class SourcedPartPublic(BaseModel):
    """A part the manufacturer sources, as the order's customer sees it: what it is and when it is expected
    (no supplier, no price)."""

    part_id: str
    process: str
    material: str | None
    description: str
    quantity: int
    expected_date: date | None = Field(description="when the part is expected at the manufacturer's")


class CustomerSupplyNetwork(BaseModel):
    """The supply network of an order as its customer sees it (:mod:`gateway.privacy`)."""

    order_id: str
    parts: list[SourcedPartPublic]


class OrderPublic(OrderSummary):
    """An order as the party asking may read it (:mod:`gateway.privacy`): the manufacturer everything, the
    customer its quotation's customer lines, a supply network without suppliers or prices
    (:class:`CustomerSupplyNetwork`) and neutral notes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                    "number": 1042,
                    "customer_id": "c5d1e0f4a3b24c6d8e9f0a1b2c3d4e5f",
                    "manufacturer_id": "6f1c2a9e0b7d4f3e8a5c1d2b3e4f5a6b",
                    "product_id": "demo-bicycle-frame",
                    "options": {"material": "steel", "geometry": "size-m", "finish": "powder-coat"},
                    "quantity": 1,
                    "delivery_date": "2027-03-01",
                    "status": "quoted",
                    "created_at": "2026-11-25T18:00:00Z",
                    "updated_at": "2026-11-25T18:00:04Z",
                    "history": [
                        {
                            "from_status": "received",
                            "to_status": "accepted",
                            "at": "2026-11-25T18:00:01Z",
                            "actor": "manufacturer@localhost",
                            "note": "The manufacturer accepted the order; the earliest delivery is 1 March "
                            "2027.",
                            "event": "accepted",
                            "params": {"earliest_delivery": "2027-03-01"},
                        }
                    ],
                    "quotation": None,
                    "supply_network": None,
                    "contract_ids": [],
                    "invoices": [],
                }
            ]
        }
    )

    history: list[StatusChangePublic]
    quotation: dict[str, Any] | None = Field(
        description="the last quotation (lines: the product with quantity, unit price and line price)"
    )
    supply_network: dict[str, Any] | None = Field(
        description="the manufacturer: the SupplyNetwork (each part with its supplier's accepted offer); "
        "the customer: a CustomerSupplyNetwork (each part and when it is expected)"
    )
    contract_ids: list[str]
    invoices: list[InvoicePublic]
    numbers: dict[str, Decimal] = Field(default_factory=dict, description="the number per number option")
    texts: dict[str, str] = Field(default_factory=dict, description="the text per text option")
    files: dict[str, AttachedFile] = Field(
        default_factory=dict, description="the file per file option (GET /orders/{id}/files/{upload_id})"
    )

    @classmethod
    def full(
        cls, record: OrderRecord, history: list[StatusChange], invoices: list[InvoicePublic]
    ) -> OrderPublic:
        return cls.model_validate(
            {
                **OrderSummary.of(record).model_dump(),
                "history": [StatusChangePublic.of(change) for change in history],
                "quotation": record.quotation,
                "supply_network": record.supply_network,
                "contract_ids": record.contract_ids,
                "invoices": invoices,
                **option_values(record),
            }
        )

    @classmethod
    def of_detail(cls, detail: OrderDetail) -> OrderPublic:
        """The order of ``detail`` with its history, invoices and payments."""
        invoices = [InvoicePublic.of(item.invoice, item.payment) for item in detail.invoices]
        return cls.full(detail.order, detail.history, invoices)


def _options(record: OrderRecord) -> dict[str, str]:
    """The chosen choice per option of a stored order (its customisation's ``choices``)."""
    choices = record.customisation.get("choices", {})
    return {str(key): str(value) for key, value in choices.items()} if isinstance(choices, dict) else {}
