"""Bodies of the product catalogue: what a manufacturer sends, what everyone reads."""

from __future__ import annotations

import math
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.manufacturer.order_estimate import OrderEstimate, PriceBasis, words
from gateway.schemas.common import CleanName, CleanText, Key
from ontology.product import (
    FileSpec,
    NumberSpec,
    OptionCondition,
    OptionKind,
    Product,
    ProductOption,
    RequiredPart,
    TextSpec,
)
from ontology.values import Currency, Identifier, Money, SignedMoney

_PART_EXAMPLE: dict[str, Any] = {
    "part_id": "frame-welding",
    "process": "welding",
    "material": "steel",
    "quantity": 1,
    "quality": "standard",
    "machine_minutes": 120,
    "description": "TIG-welded frame",
}

_PRODUCT_EXAMPLE: dict[str, Any] = {
    "name": "Made-to-measure bicycle frame",
    "description": "A steel frame built to the rider's measurements.",
    "currency": "EUR",
    "base_cost": "450.00",
    "base_parts": [
        {"part_id": "frame-assembly", "process": "assembly", "machine_minutes": 90},
    ],
    "options": [
        {
            "id": "material",
            "label": "Frame material",
            "required": True,
            "default": "steel",
            "choices": [
                {"id": "steel", "label": "Steel", "cost_delta": "0", "parts": [_PART_EXAMPLE]},
                {
                    "id": "aluminium",
                    "label": "Aluminium",
                    "cost_delta": "80.00",
                    "parts": [{**_PART_EXAMPLE, "material": "aluminium"}],
                },
            ],
        }
    ],
}


class ProductUpdate(BaseModel):
    """A product's new content (replaces name, description, base cost, base parts and options).

    The currency is fixed when the product is created."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PRODUCT_EXAMPLE]})

    name: CleanName
    description: CleanText = ""
    base_cost: Money
    base_parts: list[RequiredPart] = Field(default_factory=list, max_length=200)
    options: list[ProductOption] = Field(default_factory=list, max_length=100)

    def to_product(self, product_id: str, manufacturer_id: str, currency: str) -> Product:
        """The ontology product (raises ``ValidationError`` when the parts and options do not fit)."""
        return Product(
            id=product_id,
            manufacturer_id=manufacturer_id,
            name=self.name,
            description=self.description,
            currency=currency,
            base_cost=self.base_cost,
            base_parts=tuple(self.base_parts),
            options=tuple(self.options),
        )


class ProductCreate(ProductUpdate):
    """A new product of the calling manufacturer; without ``id`` the gateway makes one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"id": "bicycle-frame", **_PRODUCT_EXAMPLE}]},
    )

    id: Key | None = None
    currency: Currency = "EUR"


def _finite(minutes: float) -> float:
    """Huge estimates stay numbers (the largest float) instead of overflowing to infinity."""
    return minutes if math.isfinite(minutes) else sys.float_info.max


class ChoicePublic(BaseModel):
    """One choice of an option; for the product's manufacturer also what it adds to the cost and which
    parts/operations it needs."""

    id: str
    label: str
    cost_delta: SignedMoney | None = Field(
        description="what the choice adds to the manufacturer's cost (null for anyone but the manufacturer)"
    )
    parts: list[RequiredPart] = Field(
        description="the parts the choice needs (empty for anyone but the product's manufacturer)"
    )
    machine_minutes: float | None = Field(
        description="machine minutes of the parts this choice needs, per unit (null for anyone but the "
        "product's manufacturer)"
    )


class OptionPublic(BaseModel):
    id: str
    label: str
    required: bool
    default: str | None
    choices: list[ChoicePublic]
    kind: OptionKind = Field(default=OptionKind.CHOICE, description="choice, number, text or file")
    number: NumberSpec | None = Field(default=None, description="a number option: unit, range, step, default")
    text: TextSpec | None = Field(default=None, description="a text option: length and allowed characters")
    file: FileSpec | None = Field(default=None, description="a file option: accepted media types, size limit")
    only_when: OptionCondition | None = Field(
        default=None, description="the option applies only while this choice option has one of these choices"
    )


class ProductPublic(BaseModel):
    """A product of the catalogue; ``price_from`` is the lowest price it is estimated at."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "bicycle-frame",
                    "manufacturer_id": "6f1c2a9e0b7d4f3e8a5c1d2b3e4f5a6b",
                    "created_at": "2026-11-25T18:00:00Z",
                    "updated_at": "2026-11-25T18:00:00Z",
                    "price_from": "450.00",
                    **_PRODUCT_EXAMPLE,
                }
            ]
        }
    )

    id: str
    manufacturer_id: str
    name: str
    description: str
    currency: str
    base_cost: Money | None = Field(
        description="the manufacturer's own cost of one piece without options (null for anyone but the "
        "product's manufacturer)"
    )
    price_from: Decimal = Field(
        description="the low end of the estimate of the cheapest configuration of one piece "
        "(POST /products/{id}/estimate); the base cost plus the cheapest choices when the manufacturer has "
        "no agent policy"
    )
    base_parts: list[RequiredPart] = Field(
        description="the parts every piece needs (empty for anyone but the product's manufacturer)"
    )
    options: list[OptionPublic]
    created_at: datetime
    updated_at: datetime

    def without_costs(self) -> ProductPublic:
        """The product as anyone but its manufacturer reads it: its options and choices, their labels and
        the price it is estimated from, without the manufacturer's costs, parts and machine minutes."""
        options = [
            option.model_copy(
                update={
                    "choices": [
                        choice.model_copy(update={"cost_delta": None, "parts": [], "machine_minutes": None})
                        for choice in option.choices
                    ]
                }
            )
            for option in self.options
        ]
        return self.model_copy(update={"base_cost": None, "base_parts": [], "options": options})

    @classmethod
    def of(
        cls, product: Product, created_at: datetime, updated_at: datetime, price_from: Decimal | None = None
    ) -> ProductPublic:
        """``price_from``: the estimate's low end (default: the base cost plus the cheapest choices)."""
        options = [
            OptionPublic(
                id=option.id,
                label=option.label,
                required=option.required,
                default=option.default,
                kind=option.kind,
                number=option.number,
                text=option.text,
                file=option.file,
                only_when=option.only_when,
                choices=[
                    ChoicePublic(
                        id=choice.id,
                        label=choice.label,
                        cost_delta=choice.cost_delta,
                        parts=list(choice.parts),
                        machine_minutes=_finite(sum(part.total_machine_minutes for part in choice.parts)),
                    )
                    for choice in option.choices
                ],
            )
            for option in product.options
        ]
        cheapest = sum(
            (
                min([c.cost_delta for c in o.choices] + ([] if o.required else [Decimal(0)]))
                for o in product.options
                if o.choices
            ),
            Decimal(0),
        )
        return cls(
            id=product.id,
            manufacturer_id=product.manufacturer_id,
            name=product.name,
            description=product.description,
            currency=product.currency,
            base_cost=product.base_cost,
            price_from=product.base_cost + cheapest if price_from is None else price_from,
            base_parts=list(product.base_parts),
            options=options,
            created_at=created_at,
            updated_at=updated_at,
        )


class EstimateRequest(BaseModel):
    """A configuration to estimate: the choices (options left out take their defaults) and the quantity."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"options": {"material": "aluminium", "finish": "brushed"}, "quantity": 2}]
        },
    )

    options: dict[Identifier, Identifier] = Field(
        default_factory=dict, max_length=100, description="chosen choice id per option id"
    )
    quantity: int = Field(default=1, ge=1, le=10_000)


class PriceRange(BaseModel):
    """What the whole order is expected to cost: the quotation lies between ``low`` and ``high``."""

    low: Money
    high: Money
    currency: Currency


class EstimatedPart(BaseModel):
    """A part bought from suppliers and its expected price (the manufacturer's own view)."""

    part: str = Field(description="the part in words")
    low: Money
    high: Money
    basis: PriceBasis = Field(description="recent accepted offers, or the supplier data set's price lists")


class EstimateBreakdown(BaseModel):
    """How the range is made (the manufacturer's own view): (own cost + the parts) x (1 + margin)."""

    own_cost: Money
    parts: list[EstimatedPart]
    margin: Decimal


class ProductEstimate(BaseModel):
    """The price range and the delivery dates the manufacturer takes, for one configuration and quantity."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "product_id": "demo-bicycle-frame",
                    "quantity": 1,
                    "price": {"low": "1079.19", "high": "1274.95", "currency": "EUR"},
                    "earliest_delivery": "2026-12-10",
                    "latest_delivery": "2027-11-25",
                    "explanation": "The price for one piece covers our own work and 3 parts we buy from "
                    "suppliers. What suppliers will charge is not known until they make their offers, so the "
                    "range follows the suppliers' price lists; the quotation fixes the price.",
                    "breakdown": None,
                }
            ]
        }
    )

    product_id: str
    quantity: int
    price: PriceRange
    earliest_delivery: date = Field(description="the earliest delivery date the manufacturer can meet")
    latest_delivery: date = Field(description="the latest delivery date the manufacturer takes (its horizon)")
    explanation: str = Field(description="what the range consists of, in words")
    breakdown: EstimateBreakdown | None = Field(
        default=None, description="own cost, parts and margin: only for the product's manufacturer"
    )

    @classmethod
    def of(cls, product_id: str, estimate: OrderEstimate, *, owner: bool) -> ProductEstimate:
        """``owner``: the caller is the product's manufacturer (it sees the breakdown)."""
        breakdown = (
            EstimateBreakdown(
                own_cost=estimate.own_cost,
                parts=[
                    EstimatedPart(part=words(cost.part), low=cost.low, high=cost.high, basis=cost.basis)
                    for cost in estimate.parts
                ],
                margin=estimate.margin,
            )
            if owner
            else None
        )
        return cls(
            product_id=product_id,
            quantity=estimate.quantity,
            price=PriceRange(low=estimate.low, high=estimate.high, currency=estimate.currency),
            earliest_delivery=estimate.earliest,
            latest_delivery=estimate.latest,
            explanation=estimate.explanation(),
            breakdown=breakdown,
        )
