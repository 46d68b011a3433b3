"""Records of products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from store.coltypes import new_id
from store.records.base import Json, NewRecord, Record


class NewProduct(NewRecord):
    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    manufacturer_id: str
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    options: Json = Field(default_factory=list)
    base_price: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")


class ProductRecord(Record):
    id: str
    manufacturer_id: str
    name: str
    description: str
    options: Json
    base_price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime
