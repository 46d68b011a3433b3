"""Products with configurable options; each choice names the parts/operations it needs."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.process import ProcessKind, QualityLevel
from ontology.values import Currency, Identifier, Money, Name, SignedMoney, Text, Value, duplicates


class RequiredPart(Value):
    """A part or operation a product needs, to be made in house or sourced from a supplier."""

    part_id: Identifier
    process: ProcessKind
    material: Name | None = None
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    quality: QualityLevel = QualityLevel.STANDARD
    machine_minutes: float = Field(default=0.0, ge=0, allow_inf_nan=False, description="estimate per unit")
    description: Text = ""

    @property
    def total_machine_minutes(self) -> float:
        return self.machine_minutes * self.quantity


class Choice(Value):
    """One value an option can take, what it adds to the cost, and the parts it needs."""

    id: Identifier
    label: Name
    cost_delta: SignedMoney = Decimal(0)
    parts: tuple[RequiredPart, ...] = ()

    @model_validator(mode="after")
    def _unique_parts(self) -> Self:
        repeated = duplicates(part.part_id for part in self.parts)
        if repeated:
            raise ValueError(
                f"choice {self.id!r} lists part(s) {', '.join(map(repr, repeated))} more than once"
            )
        return self


class ProductOption(Value):
    """A configurable option of a product (frame material, colour, size ...)."""

    id: Identifier
    label: Name
    required: bool = True
    choices: tuple[Choice, ...] = Field(min_length=1)
    default: Identifier | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        repeated = duplicates(choice.id for choice in self.choices)
        if repeated:
            raise ValueError(
                f"option {self.id!r} lists choice(s) {', '.join(map(repr, repeated))} more than once"
            )
        if self.default is not None and self.choice(self.default) is None:
            raise ValueError(
                f"default {self.default!r} of option {self.id!r} is not one of its choices "
                f"({self.choice_ids()})"
            )
        return self

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    def choice_ids(self) -> str:
        return ", ".join(repr(choice.id) for choice in self.choices)


@register
class Product(Content):
    """A product a manufacturer offers for lot-size-one production."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Identifier
    manufacturer_id: Identifier
    name: Name
    description: Text = ""
    currency: Currency = "EUR"
    base_cost: Money
    base_parts: tuple[RequiredPart, ...] = ()
    options: tuple[ProductOption, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        repeated = duplicates(option.id for option in self.options)
        if repeated:
            raise ValueError(
                f"product {self.id!r} lists option(s) {', '.join(map(repr, repeated))} more than once"
            )
        # A part id belongs to the base parts or to one option, so every customisation yields unique part ids.
        owners: dict[str, str] = {}
        sources = [("base parts", part.part_id) for part in self.base_parts]
        for option in self.options:
            sources += [
                (f"option {option.id!r}", pid) for pid in {p.part_id for c in option.choices for p in c.parts}
            ]
        for owner, part_id in sources:
            if part_id in owners:
                raise ValueError(
                    f"part {part_id!r} of product {self.id!r} appears in {owners[part_id]} and in {owner}"
                )
            owners[part_id] = owner
        cheapest = self.base_cost + sum(
            (
                min([c.cost_delta for c in o.choices] + ([] if o.required else [Decimal(0)]))
                for o in self.options
            ),
            Decimal(0),
        )
        if cheapest < 0:
            raise ValueError(f"the cheapest customisation of product {self.id!r} would cost {cheapest} (< 0)")
        return self

    def option(self, option_id: str) -> ProductOption | None:
        return next((option for option in self.options if option.id == option_id), None)

    def option_ids(self) -> str:
        return ", ".join(repr(option.id) for option in self.options)
