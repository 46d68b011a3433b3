"""Products with configurable options; each choice names the parts/operations it needs.

An option is of one kind: a ``choice`` among listed choices (each with its cost and parts), a
``number`` with a unit and a range (a body measurement), a ``text`` with limits (an engraving) or a
``file`` of accepted media types up to a size (a CAD drawing, artwork). The values of number, text
and file options reach the makers of the parts that ``used_by`` names, in those parts'
``specification`` (files as name, media type, size and SHA-256, never their bytes).

New fields are left out of the JSON when they hold their defaults, so a choice-only product or
part reads exactly as before to peers that do not know them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from ontology.codec import Content, register
from ontology.process import ProcessKind, QualityLevel
from ontology.values import Currency, Identifier, Money, Name, SignedMoney, Text, Value, duplicates


def _empty(value: Any) -> bool:
    return not value


#: A measured value (a number option's value, range and step): at most 18 digits, 6 after the point.
Measure = Annotated[Decimal, Field(max_digits=18, decimal_places=6, allow_inf_nan=False)]

#: A SHA-256 digest in lower-case hex.
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class OptionKind(StrEnum):
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"
    FILE = "file"


class MediaType(StrEnum):
    """The file types a file option may accept: the ones whose content the platform can recognise."""

    PDF = "application/pdf"
    PNG = "image/png"
    JPEG = "image/jpeg"
    SVG = "image/svg+xml"
    STEP = "model/step"
    STL = "model/stl"
    DXF = "image/vnd.dxf"

    @property
    def words(self) -> str:
        """The name people know the type by ("STEP", "JPEG")."""
        return self.name


def number_words(value: Decimal) -> str:
    """A decimal as people write it: 180, 82.5 (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


def size_words(size: int) -> str:
    """A size in bytes as people read it: 820 bytes, 35 kB, 20 MB."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.3g} kB"
    return f"{size / 1_000_000:.3g} MB"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


class NumberSpec(Value):
    """What a number option takes: a value in ``unit`` from ``minimum`` to ``maximum`` (both included),
    in ``step``s counted from ``minimum`` when a step is given."""

    unit: Annotated[str, Field(min_length=1, max_length=20)]
    minimum: Measure
    maximum: Measure
    step: Measure | None = Field(default=None, gt=0)
    default: Measure | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is above maximum {self.maximum}")
        if self.default is not None and (problem := self.problem("the default", self.default)):
            raise ValueError(problem)
        return self

    def range_words(self) -> str:
        """ "a number of cm from 140 to 210" (with the step when there is one)."""
        words = f"a number of {self.unit} from {number_words(self.minimum)} to {number_words(self.maximum)}"
        if self.step is not None:
            words += f" in steps of {number_words(self.step)}"
        return words

    def problem(self, label: str, value: Decimal) -> str | None:
        """Why ``value`` does not fit, in words naming ``label``; None when it fits."""
        if not value.is_finite():
            return f"{label} must be a number"
        if not self.minimum <= value <= self.maximum:
            return (
                f"{label} must be from {number_words(self.minimum)} to {number_words(self.maximum)} "
                f"{self.unit}, not {number_words(value)}"
            )
        if self.step is not None and (value - self.minimum) % self.step != 0:
            return (
                f"{label} must be in steps of {number_words(self.step)} {self.unit} "
                f"from {number_words(self.minimum)}, not {number_words(value)}"
            )
        return None


class TextSpec(Value):
    """What a text option takes: up to ``max_length`` characters on one line; with a ``pattern`` (a
    regular expression the whole text must match), ``pattern_hint`` says in words what it allows."""

    max_length: int = Field(ge=1, le=2000)
    pattern: str | None = Field(default=None, min_length=1, max_length=200)
    pattern_hint: Text = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.pattern is None:
            return self
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(f"pattern {self.pattern!r} is not a regular expression: {exc}") from exc
        if not self.pattern_hint.strip():
            raise ValueError("a pattern needs a pattern_hint saying in words what it allows")
        return self

    def limit_words(self) -> str:
        words = f"a text of up to {self.max_length} characters"
        return f"{words} ({self.pattern_hint})" if self.pattern else words

    def problem(self, label: str, value: str) -> str | None:
        if not value.strip():
            return f"{label} is empty: write something or leave it out"
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            return f"{label} must be one line of text, without line breaks or control characters"
        if len(value) > self.max_length:
            return f"{label} may have at most {self.max_length} characters, not {len(value)}"
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return f"{label} may contain {self.pattern_hint} only"
        return None


class FileSpec(Value):
    """What a file option takes: a file of one of ``media_types`` of at most ``max_bytes``."""

    media_types: tuple[MediaType, ...] = Field(min_length=1, max_length=len(MediaType))
    max_bytes: int = Field(ge=1, le=1_000_000_000)

    @field_validator("media_types")
    @classmethod
    def _unique(cls, value: tuple[MediaType, ...]) -> tuple[MediaType, ...]:
        repeated = duplicates(value)
        if repeated:
            raise ValueError(f"media type(s) {', '.join(map(repr, repeated))} listed more than once")
        return value

    def type_words(self) -> str:
        """ "STEP, STL, DXF or PDF"."""
        return _or_list([media_type.words for media_type in self.media_types])

    def limit_words(self) -> str:
        return f"a {self.type_words()} file of up to {size_words(self.max_bytes)}"


class FileReference(Value):
    """A file as the parties learn of it: its name, media type (from its content), size and SHA-256."""

    name: Name
    media_type: MediaType
    size: int = Field(ge=0)
    sha256: Sha256


class AttachedFile(FileReference):
    """A file a customer uploaded and gave as an option's value; ``upload_id`` is the gateway's id of it."""

    upload_id: Identifier


class SpecifiedValue(Value):
    """One value of the customer's that a part's maker needs: a measurement, a text or a file."""

    option_id: Identifier
    label: Name
    number: Measure | None = None
    unit: Annotated[str, Field(max_length=20)] | None = None
    text: Text | None = None
    file: FileReference | None = None

    @model_validator(mode="after")
    def _one_value(self) -> Self:
        given = [name for name in ("number", "text", "file") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a specified value has exactly one of number, text or file, not {given or 'none'}"
            )
        if (self.number is None) != (self.unit is None):
            raise ValueError("a number comes with its unit, and only a number has a unit")
        return self

    def words(self) -> str:
        """ "Body height: 182 cm", "Engraving: Anna", "CAD file: bracket.step"."""
        if self.number is not None:
            return f"{self.label}: {number_words(self.number)} {self.unit}"
        if self.file is not None:
            return f"{self.label}: {self.file.name}"
        return f"{self.label}: {self.text}"


class RequiredPart(Value):
    """A part or operation a product needs, to be made in house or sourced from a supplier."""

    part_id: Identifier
    process: ProcessKind
    material: Name | None = None
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    quality: QualityLevel = QualityLevel.STANDARD
    machine_minutes: float = Field(default=0.0, ge=0, allow_inf_nan=False, description="estimate per unit")
    description: Text = ""
    specification: tuple[SpecifiedValue, ...] = Field(
        default=(),
        max_length=100,
        exclude_if=_empty,
        description="the customer's values this part's maker needs (filled per order, empty in a product)",
    )

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


class OptionCondition(Value):
    """An option that applies only while the choice option ``option`` has one of ``choices``."""

    option: Identifier
    choices: tuple[Identifier, ...] = Field(min_length=1, max_length=100)


class ProductOption(Value):
    """A configurable option of a product (frame material, colour, size, a measurement, a file ...).

    A ``choice`` option lists ``choices`` (and may name a ``default`` one); a ``number``, ``text`` or
    ``file`` option has the spec of its kind, may apply ``only_when`` a choice option has certain
    choices, and names in ``used_by`` the parts whose makers need its value."""

    id: Identifier
    label: Name
    required: bool = True
    kind: OptionKind = Field(default=OptionKind.CHOICE, exclude_if=lambda kind: kind == OptionKind.CHOICE)
    choices: tuple[Choice, ...] = Field(default=(), max_length=1000)
    default: Identifier | None = None
    number: NumberSpec | None = Field(default=None, exclude_if=_empty)
    text: TextSpec | None = Field(default=None, exclude_if=_empty)
    file: FileSpec | None = Field(default=None, exclude_if=_empty)
    only_when: OptionCondition | None = Field(default=None, exclude_if=_empty)
    used_by: tuple[Identifier, ...] = Field(default=(), max_length=100, exclude_if=_empty)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        specs = {OptionKind.NUMBER: self.number, OptionKind.TEXT: self.text, OptionKind.FILE: self.file}
        others = [str(kind) for kind, spec in specs.items() if spec is not None and kind != self.kind]
        if others:
            raise ValueError(
                f"option {self.id!r} is a {self.kind} option but has a {' and '.join(others)} spec"
            )
        if self.kind == OptionKind.CHOICE:
            if not self.choices:
                raise ValueError(f"choice option {self.id!r} needs at least one choice")
            if self.only_when is not None or self.used_by:
                raise ValueError(
                    f"choice option {self.id!r} cannot have only_when or used_by "
                    "(its choices name their parts)"
                )
        else:
            if specs[self.kind] is None:
                raise ValueError(f"{self.kind} option {self.id!r} needs its {self.kind} spec")
            if self.choices or self.default is not None:
                raise ValueError(
                    f"{self.kind} option {self.id!r} has no choices and no default choice "
                    "(a number's default goes in its number spec)"
                )
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

    def applies(self, choices: Mapping[str, str]) -> bool:
        """Whether the option applies, given the chosen choice per option id."""
        condition = self.only_when
        return condition is None or choices.get(condition.option) in condition.choices

    def takes_words(self) -> str:
        """What the option takes, in words: "a number of cm from 140 to 210", "a PDF or PNG file ..."."""
        if self.number is not None:
            return self.number.range_words()
        if self.text is not None:
            return self.text.limit_words()
        if self.file is not None:
            return self.file.limit_words()
        return f"one of {self.choice_ids()}"


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
        self._check_parts_and_conditions(set(owners))
        cheapest = self.base_cost + sum(
            (
                min([c.cost_delta for c in o.choices] + ([] if o.required else [Decimal(0)]))
                for o in self.options
                if o.kind == OptionKind.CHOICE
            ),
            Decimal(0),
        )
        if cheapest < 0:
            raise ValueError(f"the cheapest customisation of product {self.id!r} would cost {cheapest} (< 0)")
        return self

    def _check_parts_and_conditions(self, part_ids: set[str]) -> None:
        parts = [*self.base_parts, *(p for o in self.options for c in o.choices for p in c.parts)]
        specified = sorted({part.part_id for part in parts if part.specification})
        if specified:
            raise ValueError(
                f"part(s) {', '.join(map(repr, specified))} of product {self.id!r} have a specification: "
                "it is filled from the customer's values per order, leave it empty in the product"
            )
        for option in self.options:
            unknown = [part_id for part_id in option.used_by if part_id not in part_ids]
            if unknown:
                raise ValueError(
                    f"option {option.id!r} is used by part(s) {', '.join(map(repr, unknown))} "
                    f"that product {self.id!r} does not have"
                )
            condition = option.only_when
            if condition is None:
                continue
            target = self.option(condition.option)
            if target is None or target.kind != OptionKind.CHOICE:
                raise ValueError(
                    f"option {option.id!r} applies only when {condition.option!r} has certain choices, "
                    f"but {condition.option!r} is not a choice option of product {self.id!r}"
                )
            missing = [choice for choice in condition.choices if target.choice(choice) is None]
            if missing:
                raise ValueError(
                    f"option {option.id!r} applies only when {condition.option!r} is "
                    f"{', '.join(map(repr, missing))}, which is not one of its choices "
                    f"({target.choice_ids()})"
                )

    def option(self, option_id: str) -> ProductOption | None:
        return next((option for option in self.options if option.id == option_id), None)

    def option_ids(self) -> str:
        return ", ".join(repr(option.id) for option in self.options)
