"""Suppliers, where they are, and what they can make."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart
from ontology.values import Actor, CountryCode, Identifier, Name, Value, duplicates

EARTH_RADIUS_KM = 6371.0


class Location(Value):
    country: CountryCode
    city: Name
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)

    def distance_km(self, other: Location) -> float:
        """Great-circle distance."""
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class Capability(Value):
    """One process a supplier runs, on which materials (none listed: any), up to which quality."""

    process: ProcessKind
    materials: tuple[Name, ...] = ()
    max_quality: QualityLevel = QualityLevel.STANDARD
    capacity_hours_per_week: float = Field(gt=0, le=100_000, allow_inf_nan=False)
    lead_time_days: int = Field(ge=0, le=365)

    def supports(self, part: RequiredPart) -> bool:
        if part.process != self.process or not self.max_quality.meets(part.quality):
            return False
        if part.material is None or not self.materials:
            return True
        return part.material.casefold() in {material.casefold() for material in self.materials}


@register
class Supplier(Content):
    """A supplier as the matchmaker knows it; ``agent`` is the JID of its supplier-proxy agent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    name: Name
    agent: Actor | None = None
    location: Location
    capabilities: tuple[Capability, ...] = Field(min_length=1)
    certifications: tuple[Name, ...] = ()
    rating: float | None = Field(default=None, ge=0, le=5, allow_inf_nan=False, description="None: unrated")

    @model_validator(mode="after")
    def _one_capability_per_process(self) -> Self:
        repeated = duplicates(capability.process for capability in self.capabilities)
        if repeated:
            raise ValueError(f"supplier {self.id!r} lists process(es) {', '.join(repeated)} more than once")
        return self

    @property
    def processes(self) -> frozenset[ProcessKind]:
        return frozenset(capability.process for capability in self.capabilities)

    def capability(self, process: ProcessKind) -> Capability | None:
        return next((c for c in self.capabilities if c.process == process), None)

    def can_supply(self, part: RequiredPart) -> bool:
        capability = self.capability(part.process)
        return capability is not None and capability.supports(part)

    def has_certifications(self, required: Iterable[str]) -> bool:
        held = {certification.casefold() for certification in self.certifications}
        return all(certification.casefold() in held for certification in required)
