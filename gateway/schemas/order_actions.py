"""Bodies of the actions on an order (answers to a quotation, payment, the manufacturer's manual steps)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.customer.ledger_steps import DeliveryState
from gateway.schemas.common import CleanName, CleanText
from ontology.order import OrderStatus
from ontology.payment import BankTransfer, transfer_reference
from ontology.values import Money


class ActionReason(BaseModel):
    """Why (optional): with a decline, an acceptance or a rejection."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "too expensive"}]})

    reason: CleanText = ""


class CounterCreate(BaseModel):
    """The customer's counter to the open quotation: a price (in the quotation's currency) and/or a date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"price": "520.00", "delivery_date": "2027-03-08", "note": ""}]},
    )

    price: Money | None = None
    delivery_date: date | None = None
    note: CleanText = ""

    @model_validator(mode="after")
    def _something_countered(self) -> Self:
        if self.price is None and self.delivery_date is None:
            raise ValueError("a counter-offer names a price, a delivery date or both")
        today = datetime.now(UTC).date()
        if self.delivery_date is not None and self.delivery_date < today:
            raise ValueError(
                f"delivery date {self.delivery_date.isoformat()} is in the past "
                f"(today is {today.isoformat()}, UTC)"
            )
        return self


class ProductionReport(BaseModel):
    """Production progress of a contracted order; 100 means produced."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"percent": 40, "note": "frame welded"}]}
    )

    percent: int = Field(ge=0, le=100)
    note: CleanText = ""


class ProductionStart(BaseModel):
    """Start producing a contracted order before every part is in: why (kept in the order's history)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "the frame tubes are in stock; the paint follows"}]},
    )

    reason: Annotated[CleanText, Field(min_length=1)]

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("say why production starts before every part is in")
        return value.strip()


class ShipmentCreate(BaseModel):
    """Ship a paid order: the carrier and the carrier's tracking reference (the customer follows it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"carrier": "DHL", "reference": "1Z999AA10123456784"}]},
    )

    carrier: CleanName
    reference: CleanName

    @field_validator("carrier", "reference")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class PaymentCreate(BaseModel):
    """The customer has transferred the invoice's total to the manufacturer's account with the order's
    transfer reference (``GET /orders/{id}/payment``); spaces and case in the reference do not matter."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"method": "bank-transfer", "reference": "RF16 3ADB 0E8C 12"}]},
    )

    method: Literal["bank-transfer"]
    reference: Annotated[str, Field(min_length=1, max_length=64)]


class BankAccountPublic(BaseModel):
    """The manufacturer's account customers transfer to."""

    account_holder: str
    iban: str = Field(description="compact, upper case; people read it in groups of four")
    bic: str | None = None


class PaymentTerms(BaseModel):
    """How the customer pays an order: by bank transfer to the manufacturer's account (``bank_account``;
    null while the manufacturer has given none), naming ``reference`` (the same every time for the order);
    ``confirmed_by_hand``: the order is paid once the manufacturer confirms the transfer arrived, else as
    soon as the customer announces it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "3adb0e8c-12f4-4a8b-9a59-0c1d2e3f4a5b",
                    "method": "bank-transfer",
                    "bank_account": {
                        "account_holder": "Lot-size-one Works GmbH",
                        "iban": "DE89370400440532013000",
                        "bic": "COBADEFFXXX",
                    },
                    "reference": "RF163ADB0E8C12",
                    "confirmed_by_hand": True,
                }
            ]
        }
    )

    order_id: str
    method: Literal["bank-transfer"] = "bank-transfer"
    bank_account: BankAccountPublic | None
    reference: str
    confirmed_by_hand: bool

    @classmethod
    def of(cls, order_id: str, terms: BankTransfer | None) -> PaymentTerms:
        account = (
            None
            if terms is None
            else BankAccountPublic(account_holder=terms.account_holder, iban=terms.iban, bic=terms.bic)
        )
        return cls(
            order_id=order_id,
            bank_account=account,
            reference=transfer_reference(order_id),
            confirmed_by_hand=terms is not None and terms.confirm_by_hand,
        )


class ActionAccepted(BaseModel):
    """The request is with the agents; the order's status changes when they act on it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                    "action": "confirm",
                    "status": "quoted",
                    "location": "/orders/0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                }
            ]
        }
    )

    order_id: str
    action: str
    status: OrderStatus = Field(description="the order's status when the request was handed over")
    location: str


class DeliveryPublic(BaseModel):
    """Where the order's delivery is, as the order agreement on the ledger says (read with the customer's own
    ledger session): shipped (carrier, reference), received (when, days late), the agreed late-delivery
    penalty and the penalty claimed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                    "delivery_date": "2027-03-11",
                    "currency": "EUR",
                    "carrier": "DHL",
                    "reference": "1Z999AA10123456784",
                    "shipped_at": "2027-03-10T09:00:00Z",
                    "received_at": "2027-03-14T12:00:00Z",
                    "days_late": 3,
                    "penalty_per_day": "10.00",
                    "penalty_cap": "25.00",
                    "penalty_claimed": "25.00",
                }
            ]
        }
    )

    order_id: str
    delivery_date: date = Field(description="the agreed delivery date")
    currency: str
    carrier: str | None = None
    reference: str | None = None
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    days_late: int | None = None
    penalty_per_day: Money | None = None
    penalty_cap: Money | None = None
    penalty_claimed: Money | None = Field(default=None, description="the penalty claimed for a late delivery")

    @classmethod
    def of(cls, order_id: str, state: DeliveryState) -> DeliveryPublic:
        return cls(
            order_id=order_id,
            delivery_date=state.delivery_date,
            currency=state.currency,
            carrier=state.carrier,
            reference=state.reference,
            shipped_at=state.shipped_at,
            received_at=state.received_at,
            days_late=state.days_late,
            penalty_per_day=state.penalty_per_day,
            penalty_cap=state.penalty_cap,
            penalty_claimed=state.penalty_claimed,
        )
