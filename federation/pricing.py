"""A supplier's indicative price model for one process: setup cost, hourly rate, material factors."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from ontology.product import RequiredPart
from ontology.values import Money, Name, Value

CENT = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)

#: A material's price factor (1.0: the process's reference material).
Factor = Field(gt=0, le=100, max_digits=8, decimal_places=4, allow_inf_nan=False)


class PriceModel(Value):
    """Indicative price: ``(setup_cost + hourly_rate * hours) * factor(material)``."""

    setup_cost: Money = Decimal(0)
    hourly_rate: Money
    material_factors: dict[Name, Decimal] = Field(
        default_factory=dict, description="material (case-insensitive) -> price factor; missing: 1"
    )

    def factor(self, material: str | None) -> Decimal:
        if material is None:
            return Decimal(1)
        wanted = material.casefold()
        return next((f for m, f in self.material_factors.items() if m.casefold() == wanted), Decimal(1))

    def estimate(self, part: RequiredPart) -> Decimal:
        """Indicative price of the whole quantity of ``part``, in the supplier's currency, to the cent."""
        minutes = Decimal(repr(part.total_machine_minutes))
        cost = (self.setup_cost + self.hourly_rate * minutes / MINUTES_PER_HOUR) * self.factor(part.material)
        return cost.quantize(CENT, rounding=ROUND_HALF_UP)
