"""Bodies of the product catalogue: what a manufacturer sends, what everyone reads."""

from __future__ import annotations

import math
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.schemas.common import CleanName, CleanText, Key
from ontology.product import Product, ProductOption, RequiredPart
from ontology.values import Currency, Money, SignedMoney

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
    """One choice of an option: what it adds to the price and which parts/operations it needs."""

    id: str
    label: str
    cost_delta: SignedMoney
    parts: list[RequiredPart]
    machine_minutes: float = Field(description="machine minutes of the parts this choice needs, per unit")


class OptionPublic(BaseModel):
    id: str
    label: str
    required: bool
    default: str | None
    choices: list[ChoicePublic]


class ProductPublic(BaseModel):
    """A product of the catalogue; ``price_from`` is the base cost with the cheapest choices."""

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
    base_cost: Money
    price_from: Decimal = Field(description="base cost plus the cheapest choice of every required option")
    base_parts: list[RequiredPart]
    options: list[OptionPublic]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, product: Product, created_at: datetime, updated_at: datetime) -> ProductPublic:
        options = [
            OptionPublic(
                id=option.id,
                label=option.label,
                required=option.required,
                default=option.default,
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
            price_from=product.base_cost + cheapest,
            base_parts=list(product.base_parts),
            options=options,
            created_at=created_at,
            updated_at=updated_at,
        )
