"""Contract Net content between manufacturer and suppliers: calls for proposals, multi-issue offers."""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum
from typing import Self
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.process import QualityLevel
from ontology.product import RequiredPart
from ontology.values import (
    Currency,
    Identifier,
    Money,
    Name,
    Text,
    UtcDateTime,
    Value,
    Weight,
    require_utc,
)

#: Absolute tolerance of "weights sum to 1".
WEIGHT_TOLERANCE = 1e-9


class Issue(StrEnum):
    PRICE = "price"
    DELIVERY = "delivery"
    QUALITY = "quality"


class IssueWeights(Value):
    """Relative importance of the negotiated issues; the three weights sum to 1."""

    price: Weight = 0.5
    delivery: Weight = 0.3
    quality: Weight = 0.2

    @model_validator(mode="after")
    def _sum_to_one(self) -> Self:
        total = self.price + self.delivery + self.quality
        if not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=WEIGHT_TOLERANCE):
            raise ValueError(
                f"issue weights must sum to 1, got {total:g} "
                f"(price {self.price:g} + delivery {self.delivery:g} + quality {self.quality:g})"
            )
        return self

    def of(self, issue: Issue) -> float:
        return {Issue.PRICE: self.price, Issue.DELIVERY: self.delivery, Issue.QUALITY: self.quality}[issue]


@register
class CallForProposals(Content):
    """FIPA ``cfp``: offer this part/operation by ``delivery_date``; answer by ``reply_by``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    part: RequiredPart
    delivery_date: date
    weights: IssueWeights = Field(default_factory=IssueWeights)
    currency: Currency = "EUR"
    reply_by: UtcDateTime
    round: int = Field(default=1, ge=1, le=1000)
    target_price: Money | None = Field(default=None, description="revised cfp: the price to beat")
    note: Text = ""


@register
class Offer(Content):
    """FIPA ``propose``: a supplier's multi-issue offer for one part; ``price`` covers the whole quantity."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    order_id: UUID
    part_id: Identifier
    supplier_id: Identifier
    round: int = Field(default=1, ge=1, le=1000)
    price: Money
    currency: Currency = "EUR"
    delivery_date: date
    quality: QualityLevel = QualityLevel.STANDARD
    material: Name | None = None
    valid_until: UtcDateTime

    def is_valid_at(self, moment: datetime) -> bool:
        return require_utc(moment) <= self.valid_until

    def problems(self, cfp: CallForProposals) -> list[str]:
        """How this offer fails to answer ``cfp`` (empty if it answers it)."""
        found: list[str] = []
        if self.order_id != cfp.order_id:
            found.append(f"offer is for order {self.order_id}, the cfp for order {cfp.order_id}")
        if self.part_id != cfp.part.part_id:
            found.append(f"offer is for part {self.part_id!r}, the cfp for part {cfp.part.part_id!r}")
        if self.round != cfp.round:
            found.append(f"offer is for round {self.round}, the cfp is round {cfp.round}")
        if self.currency != cfp.currency:
            found.append(f"offer is in {self.currency}, the cfp asks for {cfp.currency}")
        if not self.quality.meets(cfp.part.quality):
            found.append(
                f"offered quality {str(self.quality)!r} is below the required {str(cfp.part.quality)!r}"
            )
        wanted = cfp.part.material
        if wanted is not None and (self.material is None or self.material.casefold() != wanted.casefold()):
            found.append(f"offered material {self.material!r} is not the required {wanted!r}")
        return found

    def check_against(self, cfp: CallForProposals) -> None:
        """Raise ``ValueError`` listing every way this offer does not answer ``cfp``."""
        found = self.problems(cfp)
        if found:
            raise ValueError(f"offer {self.id} does not answer the cfp: {'; '.join(found)}")


@register
class AcceptOffer(Content):
    """FIPA ``accept-proposal``: the offer binds both sides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    offer_id: UUID


@register
class RejectOffer(Content):
    """FIPA ``reject-proposal``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    offer_id: UUID
    reason: Text = ""
