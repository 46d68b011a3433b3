"""What the manufacturer asks the matchmaker, and the supplier candidates it gets back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.product import RequiredPart
from ontology.supplier import Supplier
from ontology.values import Identifier, Name, Value, duplicates


@register
class FindSuppliers(Content):
    """Request: candidate suppliers for each part/operation to source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    parts: tuple[RequiredPart, ...] = Field(min_length=1)
    certifications: tuple[Name, ...] = ()
    min_rating: float | None = Field(default=None, ge=0, le=5, allow_inf_nan=False)
    max_per_part: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _unique_parts(self) -> Self:
        repeated = duplicates(part.part_id for part in self.parts)
        if repeated:
            raise ValueError(f"part(s) {', '.join(map(repr, repeated))} requested more than once")
        return self


class PartCandidates(Value):
    part_id: Identifier
    suppliers: tuple[Supplier, ...] = ()

    @model_validator(mode="after")
    def _unique_suppliers(self) -> Self:
        repeated = duplicates(supplier.id for supplier in self.suppliers)
        if repeated:
            raise ValueError(
                f"part {self.part_id!r} lists supplier(s) {', '.join(map(repr, repeated))} twice"
            )
        return self


@register
class SupplierCandidates(Content):
    """Result: the suppliers found per part (possibly none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    candidates: tuple[PartCandidates, ...] = ()

    @model_validator(mode="after")
    def _unique_parts(self) -> Self:
        repeated = duplicates(entry.part_id for entry in self.candidates)
        if repeated:
            raise ValueError(f"part(s) {', '.join(map(repr, repeated))} listed more than once")
        return self

    def for_part(self, part_id: str) -> tuple[Supplier, ...]:
        return next((entry.suppliers for entry in self.candidates if entry.part_id == part_id), ())

    def uncovered(self, part_ids: Iterable[str]) -> list[str]:
        """The given part ids that have no candidate supplier."""
        return [part_id for part_id in part_ids if not self.for_part(part_id)]
