"""The supplier data set's records (documented in ``SCHEMA.md`` beside this file)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from federation.pricing import PriceModel
from ontology.process import ProcessKind, QualityLevel
from ontology.supplier import Capability, Location, Supplier
from ontology.values import Currency, Identifier, Name, Text, Value, duplicates

FORMAT: Literal["lso-suppliers/1"] = "lso-suppliers/1"


class CapabilityRecord(Value):
    """One process a supplier runs: materials, best quality, capacity, lead time and price model."""

    process: ProcessKind
    materials: tuple[Name, ...] = Field(default=(), description="none listed: any material")
    max_quality: QualityLevel = QualityLevel.STANDARD
    capacity_hours_per_week: float = Field(gt=0, le=100_000, allow_inf_nan=False)
    lead_time_days: int = Field(ge=0, le=365)
    price: PriceModel

    def to_capability(self) -> Capability:
        return Capability(
            process=self.process,
            materials=self.materials,
            max_quality=self.max_quality,
            capacity_hours_per_week=self.capacity_hours_per_week,
            lead_time_days=self.lead_time_days,
        )


class SupplierRecord(Value):
    """A supplier of the data set; the federated search returns it as it is (``model_dump(mode="json")``)."""

    id: Identifier
    name: Name
    location: Location
    rating: float | None = Field(default=None, ge=0, le=5, allow_inf_nan=False, description="None: unrated")
    certifications: tuple[Name, ...] = ()
    currency: Currency = "EUR"
    employees: int | None = Field(default=None, ge=1, le=1_000_000)
    founded: int | None = Field(default=None, ge=1000, le=2100)
    description: Text = ""
    capabilities: tuple[CapabilityRecord, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_capability_per_process(self) -> Self:
        repeated = duplicates(capability.process for capability in self.capabilities)
        if repeated:
            raise ValueError(f"supplier {self.id!r} lists process(es) {', '.join(repeated)} more than once")
        return self

    def to_supplier(self) -> Supplier:
        return Supplier(
            id=self.id,
            name=self.name,
            location=self.location,
            capabilities=tuple(capability.to_capability() for capability in self.capabilities),
            certifications=self.certifications,
            rating=self.rating,
        )


class SupplierDataset(BaseModel):
    """The JSON file: a format tag, the generator's seed (if generated) and the suppliers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["lso-suppliers/1"] = FORMAT
    seed: int | None = None
    suppliers: tuple[SupplierRecord, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        repeated = duplicates(supplier.id for supplier in self.suppliers)
        if repeated:
            raise ValueError(f"supplier id(s) {', '.join(map(repr, repeated[:10]))} occur more than once")
        return self
