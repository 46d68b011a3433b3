"""A customer's choices for a product's options, checked against the product; what they require."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pydantic import Field

from ontology.product import Choice, Product, ProductOption, RequiredPart
from ontology.values import Identifier, Value


class CustomisationError(ValueError):
    """The choices do not fit the product; ``problems`` lists each one."""

    def __init__(self, product_id: str, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"customisation does not fit product {product_id!r}: {'; '.join(problems)}")


class Customisation(Value):
    """Chosen choice id per option id."""

    choices: dict[Identifier, Identifier] = Field(default_factory=dict)

    @classmethod
    def with_defaults(cls, product: Product, choices: Mapping[str, str] | None = None) -> Customisation:
        """Fill options left open with their defaults, then check the result against ``product``."""
        merged = {o.id: o.default for o in product.options if o.default is not None}
        merged.update(choices or {})
        customisation = cls(choices=merged)
        customisation.check_against(product)
        return customisation

    def problems(self, product: Product) -> list[str]:
        found: list[str] = []
        for option_id, choice_id in self.choices.items():
            option = product.option(option_id)
            if option is None:
                found.append(f"unknown option {option_id!r} (options: {product.option_ids() or 'none'})")
            elif option.choice(choice_id) is None:
                found.append(
                    f"invalid choice {choice_id!r} for option {option_id!r} (choices: {option.choice_ids()})"
                )
        for option in product.options:
            if option.required and option.id not in self.choices:
                found.append(f"missing required option {option.id!r} (choices: {option.choice_ids()})")
        return found

    def check_against(self, product: Product) -> None:
        """Raise :class:`CustomisationError` naming every unknown option, invalid and missing choice."""
        found = self.problems(product)
        if found:
            raise CustomisationError(product.id, found)

    def chosen(self, product: Product) -> tuple[tuple[ProductOption, Choice], ...]:
        """The (option, choice) pairs, in the product's option order; checks the customisation first."""
        self.check_against(product)
        pairs: list[tuple[ProductOption, Choice]] = []
        for option in product.options:
            choice_id = self.choices.get(option.id)
            choice = option.choice(choice_id) if choice_id is not None else None
            if choice is not None:
                pairs.append((option, choice))
        return tuple(pairs)


def required_parts(
    product: Product, customisation: Customisation, quantity: int = 1
) -> tuple[RequiredPart, ...]:
    """The parts/operations ``quantity`` units of the customised product need: base, then chosen."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    parts = list(product.base_parts)
    for _option, choice in customisation.chosen(product):
        parts.extend(choice.parts)
    return tuple(
        RequiredPart.model_validate({**part.model_dump(), "quantity": part.quantity * quantity})
        for part in parts
    )


def estimated_cost(product: Product, customisation: Customisation, quantity: int = 1) -> Decimal:
    """Base cost plus the cost deltas of the chosen choices, times ``quantity``."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    unit = product.base_cost + sum(
        (choice.cost_delta for _o, choice in customisation.chosen(product)), Decimal(0)
    )
    return unit * quantity


def estimated_machine_minutes(product: Product, customisation: Customisation, quantity: int = 1) -> float:
    """Machine minutes over all required parts of ``quantity`` units."""
    return sum(part.total_machine_minutes for part in required_parts(product, customisation, quantity))
