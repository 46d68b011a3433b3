"""Products and their options: structural validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from ontology import Choice, ProcessKind, Product, ProductOption, RequiredPart
from tests.ontology.examples import bike


def part(part_id: str) -> RequiredPart:
    return RequiredPart(part_id=part_id, process=ProcessKind.CNC_MILLING)


def option(option_id: str, *choices: Choice, **kw: object) -> ProductOption:
    return ProductOption(id=option_id, label=option_id, choices=choices, **kw)


def test_example_product_is_valid_and_navigable() -> None:
    product = bike()
    frame = product.option("frame")
    assert frame is not None and frame.choice("alu") is not None
    assert product.option("saddle") is None
    assert frame.choice("carbon") is None


def test_the_same_part_may_come_from_different_choices_of_one_option() -> None:
    frame = bike().option("frame")
    assert frame is not None
    assert {p.part_id for c in frame.choices for p in c.parts} == {"frame", "frame-welds"}


def test_duplicate_option_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="lists option\\(s\\) 'a' more than once"):
        Product(
            id="p",
            manufacturer_id="m",
            name="P",
            base_cost=1,
            options=(option("a", Choice(id="x", label="x")), option("a", Choice(id="y", label="y"))),
        )


def test_duplicate_choice_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="lists choice\\(s\\) 'x' more than once"):
        option("a", Choice(id="x", label="x"), Choice(id="x", label="x2"))


def test_option_needs_a_choice() -> None:
    with pytest.raises(ValidationError, match="choice option 'a' needs at least one choice"):
        option("a")


def test_default_must_be_a_choice() -> None:
    with pytest.raises(
        ValidationError, match="default 'z' of option 'a' is not one of its choices \\('x'\\)"
    ):
        option("a", Choice(id="x", label="x"), default="z")


def test_part_shared_between_options_or_base_is_refused() -> None:
    with pytest.raises(
        ValidationError, match="part 'frame' of product 'p' appears in option 'a' and in option 'b'"
    ):
        Product(
            id="p",
            manufacturer_id="m",
            name="P",
            base_cost=1,
            options=(
                option("a", Choice(id="x", label="x", parts=(part("frame"),))),
                option("b", Choice(id="y", label="y", parts=(part("frame"),))),
            ),
        )
    with pytest.raises(ValidationError, match="appears in base parts and in option 'a'"):
        Product(
            id="p",
            manufacturer_id="m",
            name="P",
            base_cost=1,
            base_parts=(part("frame"),),
            options=(option("a", Choice(id="x", label="x", parts=(part("frame"),))),),
        )


def test_duplicate_part_in_one_choice_is_refused() -> None:
    with pytest.raises(ValidationError, match="choice 'x' lists part\\(s\\) 'f' more than once"):
        Choice(id="x", label="x", parts=(part("f"), part("f")))


def test_cheapest_customisation_may_not_cost_less_than_nothing() -> None:
    cheap = Choice(id="x", label="x", cost_delta=Decimal("-6"))
    with pytest.raises(ValidationError, match="cheapest customisation of product 'p' would cost -1"):
        Product(id="p", manufacturer_id="m", name="P", base_cost=5, options=(option("a", cheap),))
    Product(id="p", manufacturer_id="m", name="P", base_cost=6, options=(option("a", cheap),))


def test_optional_negative_delta_counts_as_possible_zero() -> None:
    cheap = Choice(id="x", label="x", cost_delta=Decimal("-6"))
    with pytest.raises(ValidationError, match="would cost -1"):
        Product(
            id="p", manufacturer_id="m", name="P", base_cost=5, options=(option("a", cheap, required=False),)
        )


def test_part_fields_are_validated() -> None:
    with pytest.raises(ValidationError, match="quantity"):
        RequiredPart(part_id="p", process=ProcessKind.WELDING, quantity=0)
    with pytest.raises(ValidationError, match="machine_minutes"):
        RequiredPart(part_id="p", process=ProcessKind.WELDING, machine_minutes=-1)
    with pytest.raises(ValidationError, match="process"):
        RequiredPart(part_id="p", process="telepathy")
    assert RequiredPart(part_id="p", process="cnc-milling").process is ProcessKind.CNC_MILLING
