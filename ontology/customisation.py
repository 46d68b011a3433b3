"""A customer's customisation of a product, checked against it; what it requires.

A customisation holds the chosen choice per choice option, and the values of the other kinds: a
number per number option, a text per text option, an attached file per file option. Every problem
is reported in words (:class:`CustomisationError`). The values a part's maker needs travel with the
part (:attr:`~ontology.product.RequiredPart.specification`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from pydantic import Field

from ontology.product import (
    AttachedFile,
    Choice,
    FileReference,
    Measure,
    OptionKind,
    Product,
    ProductOption,
    RequiredPart,
    SpecifiedValue,
    size_words,
)
from ontology.values import Identifier, Text, Value


class CustomisationProblem(NamedTuple):
    """One problem, in words, located: the customisation's field (``choices``, ``numbers``, ``texts`` or
    ``files``) where the option's value is or belongs, and the option's id."""

    field: str
    option_id: str
    message: str


class CustomisationError(ValueError):
    """The customisation does not fit the product; ``problems`` lists each one in words, ``located``
    each with its place."""

    def __init__(self, product_id: str, problems: Sequence[CustomisationProblem]) -> None:
        self.located = tuple(problems)
        self.problems = tuple(problem.message for problem in problems)
        super().__init__(f"customisation does not fit product {product_id!r}: {'; '.join(self.problems)}")


_FIELD_OF_KIND = {
    OptionKind.CHOICE: "choices",
    OptionKind.NUMBER: "numbers",
    OptionKind.TEXT: "texts",
    OptionKind.FILE: "files",
}


def _empty(value: object) -> bool:
    return not value


class Customisation(Value):
    """Chosen choice id per choice option id, and the value per number, text and file option id.

    ``numbers``, ``texts`` and ``files`` are left out of the JSON when empty, so a choice-only
    customisation reads exactly as before."""

    choices: dict[Identifier, Identifier] = Field(default_factory=dict, max_length=100)
    numbers: dict[Identifier, Measure] = Field(default_factory=dict, max_length=100, exclude_if=_empty)
    texts: dict[Identifier, Text] = Field(default_factory=dict, max_length=100, exclude_if=_empty)
    files: dict[Identifier, AttachedFile] = Field(default_factory=dict, max_length=100, exclude_if=_empty)

    @classmethod
    def with_defaults(
        cls,
        product: Product,
        choices: Mapping[str, str] | None = None,
        *,
        numbers: Mapping[str, Decimal] | None = None,
        texts: Mapping[str, str] | None = None,
        files: Mapping[str, AttachedFile] | None = None,
    ) -> Customisation:
        """Fill options left open with their defaults (a choice option's default choice, a number
        option's default number when the option applies), then check everything against ``product``."""
        merged = _default_choices(product, choices)
        defaults = {
            option.id: option.number.default
            for option in product.options
            if option.number is not None and option.number.default is not None and option.applies(merged)
        }
        customisation = cls(
            choices=merged,
            numbers={**defaults, **(numbers or {})},
            texts=dict(texts or {}),
            files=dict(files or {}),
        )
        customisation.check_against(product)
        return customisation

    @classmethod
    def choices_with_defaults(
        cls, product: Product, choices: Mapping[str, str] | None = None
    ) -> Customisation:
        """The choices with the defaults of the choice options left open, checked as choices only: what
        an estimate needs before the customer gave numbers, texts and files."""
        customisation = cls(choices=_default_choices(product, choices))
        found = customisation.choice_problems(product)
        if found:
            raise CustomisationError(product.id, found)
        return customisation

    def choice_problems(self, product: Product) -> list[CustomisationProblem]:
        """Unknown options, invalid choices and missing required choices."""
        found: list[CustomisationProblem] = []
        for option_id, choice_id in self.choices.items():
            option = product.option(option_id)
            if option is None:
                message = f"unknown option {option_id!r} (options: {product.option_ids() or 'none'})"
            elif option.kind != OptionKind.CHOICE:
                message = f"option {option_id!r} ({option.label}) takes {option.takes_words()}, not a choice"
            elif option.choice(choice_id) is None:
                message = (
                    f"invalid choice {choice_id!r} for option {option_id!r} (choices: {option.choice_ids()})"
                )
            else:
                continue
            found.append(CustomisationProblem("choices", option_id, message))
        for option in product.options:
            if option.kind == OptionKind.CHOICE and option.required and option.id not in self.choices:
                message = f"missing required option {option.id!r} (choices: {option.choice_ids()})"
                found.append(CustomisationProblem("choices", option.id, message))
        return found

    def value_problems(self, product: Product) -> list[CustomisationProblem]:
        """Numbers, texts and files that do not fit their options, and required ones missing."""
        found: list[CustomisationProblem] = []
        given: dict[OptionKind, Mapping[str, object]] = {
            OptionKind.NUMBER: self.numbers,
            OptionKind.TEXT: self.texts,
            OptionKind.FILE: self.files,
        }
        for kind, values in given.items():
            for option_id in values:
                option = product.option(option_id)
                if option is None:
                    message = f"unknown option {option_id!r} (options: {product.option_ids() or 'none'})"
                elif option.kind != kind:
                    message = (
                        f"option {option_id!r} ({option.label}) takes {option.takes_words()}, not a {kind}"
                    )
                else:
                    continue
                found.append(CustomisationProblem(_FIELD_OF_KIND[kind], option_id, message))
        for option in product.options:
            if option.kind == OptionKind.CHOICE:
                continue
            where = _FIELD_OF_KIND[option.kind]
            if option.id not in given[option.kind]:
                if option.required and option.applies(self.choices):
                    message = f"missing required option {option.id!r}: {option.label}, {option.takes_words()}"
                    found.append(CustomisationProblem(where, option.id, message))
                continue
            problem = _not_applicable(product, option) if not option.applies(self.choices) else None
            problem = problem or _value_problem(option, self)
            if problem is not None:
                found.append(CustomisationProblem(where, option.id, problem))
        return found

    def problems(self, product: Product) -> list[str]:
        """Every problem, in words."""
        return [problem.message for problem in self.choice_problems(product) + self.value_problems(product)]

    def check_against(self, product: Product) -> None:
        """Raise :class:`CustomisationError` naming every problem: unknown options, invalid and missing
        choices, values that do not fit their options and missing required values."""
        found = self.choice_problems(product) + self.value_problems(product)
        if found:
            raise CustomisationError(product.id, found)

    def chosen(self, product: Product) -> tuple[tuple[ProductOption, Choice], ...]:
        """The (option, choice) pairs, in the product's option order; checks the choices first (not the
        values: the parts and the cost depend on the choices only)."""
        found = self.choice_problems(product)
        if found:
            raise CustomisationError(product.id, found)
        pairs: list[tuple[ProductOption, Choice]] = []
        for option in product.options:
            choice_id = self.choices.get(option.id)
            choice = option.choice(choice_id) if choice_id is not None else None
            if choice is not None:
                pairs.append((option, choice))
        return tuple(pairs)

    def specified_values(self, product: Product) -> tuple[tuple[ProductOption, SpecifiedValue], ...]:
        """The given values of the options that apply, as a part's maker reads them, in option order."""
        values: list[tuple[ProductOption, SpecifiedValue]] = []
        for option in product.options:
            if not option.applies(self.choices):
                continue
            value = _specified(option, self)
            if value is not None:
                values.append((option, value))
        return tuple(values)

    def words(self, product: Product) -> tuple[str, ...]:
        """Every chosen choice and given value in words ("Frame material: Steel", "Body height: 182 cm")."""
        chosen = {option.id: choice for option, choice in self.chosen(product)}
        specified = {option.id: value for option, value in self.specified_values(product)}
        lines: list[str] = []
        for option in product.options:
            if option.id in chosen:
                lines.append(f"{option.label}: {chosen[option.id].label}")
            elif option.id in specified:
                lines.append(specified[option.id].words())
        return tuple(lines)


def _default_choices(product: Product, choices: Mapping[str, str] | None) -> dict[str, str]:
    merged = {o.id: o.default for o in product.options if o.default is not None}
    merged.update(choices or {})
    return merged


def _not_applicable(product: Product, option: ProductOption) -> str:
    condition = option.only_when
    assert condition is not None  # only an option with a condition may not apply
    target = product.option(condition.option)
    assert target is not None  # the product checked its conditions
    labels = [choice.label for choice in target.choices if choice.id in condition.choices]
    return f"{option.label} is asked only when {target.label} is {' or '.join(labels)}: leave it out"


def _value_problem(option: ProductOption, customisation: Customisation) -> str | None:
    if option.number is not None:
        return option.number.problem(option.label, customisation.numbers[option.id])
    if option.text is not None:
        return option.text.problem(option.label, customisation.texts[option.id])
    if option.file is not None:
        file = customisation.files[option.id]
        if file.media_type not in option.file.media_types:
            return (
                f"{option.label}: {file.name!r} is a {file.media_type.words} file; "
                f"a {option.file.type_words()} file is needed"
            )
        if file.size > option.file.max_bytes:
            return (
                f"{option.label}: {file.name!r} has {size_words(file.size)}; "
                f"at most {size_words(option.file.max_bytes)} is accepted"
            )
    return None


def _specified(option: ProductOption, customisation: Customisation) -> SpecifiedValue | None:
    if option.number is not None and option.id in customisation.numbers:
        number = customisation.numbers[option.id]
        return SpecifiedValue(option_id=option.id, label=option.label, number=number, unit=option.number.unit)
    if option.text is not None and option.id in customisation.texts:
        return SpecifiedValue(option_id=option.id, label=option.label, text=customisation.texts[option.id])
    if option.file is not None and option.id in customisation.files:
        attached = customisation.files[option.id]
        reference = FileReference.model_validate(attached.model_dump(exclude={"upload_id"}))
        return SpecifiedValue(option_id=option.id, label=option.label, file=reference)
    return None


def required_parts(
    product: Product, customisation: Customisation, quantity: int = 1
) -> tuple[RequiredPart, ...]:
    """The parts/operations ``quantity`` units of the customised product need: base, then chosen.

    Each part carries in its ``specification`` the given values of the options that name it in
    ``used_by`` (a number with its unit, a text, a file's name, type, size and SHA-256)."""
    if quantity < 1:
        raise ValueError(f"quantity must be at least 1, got {quantity}")
    parts = list(product.base_parts)
    for _option, choice in customisation.chosen(product):
        parts.extend(choice.parts)
    specified = customisation.specified_values(product)
    return tuple(
        RequiredPart.model_validate(
            {
                **part.model_dump(),
                "quantity": part.quantity * quantity,
                "specification": [value for option, value in specified if part.part_id in option.used_by],
            }
        )
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
