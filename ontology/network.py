"""The ad-hoc supply network of an order: which supplier makes which part, under which accepted offer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Self
from uuid import UUID

from pydantic import ConfigDict, model_validator

from ontology.codec import Content, register
from ontology.negotiation import Offer
from ontology.product import RequiredPart
from ontology.values import Value, duplicates


class Assignment(Value):
    """A part and the accepted offer of the supplier that makes it."""

    part: RequiredPart
    offer: Offer

    @model_validator(mode="after")
    def _same_part(self) -> Self:
        if self.offer.part_id != self.part.part_id:
            raise ValueError(
                f"offer {self.offer.id} is for part {self.offer.part_id!r}, not {self.part.part_id!r}"
            )
        return self

    @property
    def part_id(self) -> str:
        return self.part.part_id

    @property
    def supplier_id(self) -> str:
        return self.offer.supplier_id


@register
class SupplyNetwork(Content):
    """All sourced parts of one order; one assignment per part, one currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    assignments: tuple[Assignment, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for assignment in self.assignments:
            if assignment.offer.order_id != self.order_id:
                raise ValueError(
                    f"offer {assignment.offer.id} for part {assignment.part_id!r} belongs to order "
                    f"{assignment.offer.order_id}, not {self.order_id}"
                )
        repeated = duplicates(assignment.part_id for assignment in self.assignments)
        if repeated:
            raise ValueError(f"part(s) {', '.join(map(repr, repeated))} assigned more than once")
        currencies = sorted({assignment.offer.currency for assignment in self.assignments})
        if len(currencies) > 1:
            raise ValueError(f"a supply network uses one currency, offers use {', '.join(currencies)}")
        return self

    @property
    def total_cost(self) -> Decimal:
        return sum((assignment.offer.price for assignment in self.assignments), Decimal(0))

    @property
    def latest_delivery(self) -> date | None:
        """When the last part arrives (None for a network without parts)."""
        return max((assignment.offer.delivery_date for assignment in self.assignments), default=None)

    @property
    def currency(self) -> str | None:
        return self.assignments[0].offer.currency if self.assignments else None

    @property
    def supplier_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(assignment.supplier_id for assignment in self.assignments))

    def assignment(self, part_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.part_id == part_id), None)

    def by_supplier(self) -> dict[str, tuple[Assignment, ...]]:
        return {
            supplier: tuple(a for a in self.assignments if a.supplier_id == supplier)
            for supplier in self.supplier_ids
        }

    def with_assignment(self, part: RequiredPart, offer: Offer) -> SupplyNetwork:
        """A copy with ``part`` assigned to ``offer`` (validated like any network)."""
        return SupplyNetwork(
            order_id=self.order_id, assignments=(*self.assignments, Assignment(part=part, offer=offer))
        )

    def coverage_problems(self, required_parts: Iterable[RequiredPart | str]) -> list[str]:
        """Parts required but not assigned, assigned more than once, or assigned but not required."""
        required = list(dict.fromkeys(p if isinstance(p, str) else p.part_id for p in required_parts))
        assigned = Counter(assignment.part_id for assignment in self.assignments)
        found = [f"part {part_id!r} has no supplier" for part_id in required if assigned[part_id] == 0]
        found += [
            f"part {part_id!r} is assigned {assigned[part_id]} times"
            for part_id in required
            if assigned[part_id] > 1
        ]
        found += [
            f"part {part_id!r} is assigned but not required"
            for part_id in assigned
            if part_id not in required
        ]
        return found

    def covers(self, required_parts: Iterable[RequiredPart | str]) -> bool:
        """Whether every required part is assigned exactly once, and nothing else is."""
        return not self.coverage_problems(required_parts)
