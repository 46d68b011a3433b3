"""Bodies of the actions on an order (answers to a quotation, the manufacturer's manual steps)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.schemas.common import CleanText
from ontology.order import OrderStatus
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
