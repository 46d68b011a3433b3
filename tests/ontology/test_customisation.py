"""Customisations checked against a product, and what a customised product requires."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ontology import (
    Customisation,
    CustomisationError,
    estimated_cost,
    estimated_machine_minutes,
    required_parts,
)
from tests.ontology.examples import bike
from tests.ontology.strategies import customisations, products


def test_valid_customisation_passes() -> None:
    Customisation(choices={"frame": "alu", "colour": "red"}).check_against(bike())
    Customisation(choices={"frame": "steel", "colour": "black", "bell": "brass"}).check_against(bike())


def test_unknown_option() -> None:
    with pytest.raises(
        CustomisationError, match="unknown option 'saddle' \\(options: 'frame', 'colour', 'bell'\\)"
    ):
        Customisation(choices={"frame": "alu", "colour": "red", "saddle": "leather"}).check_against(bike())


def test_invalid_choice() -> None:
    with pytest.raises(
        CustomisationError, match="invalid choice 'carbon' for option 'frame' \\(choices: 'alu', 'steel'\\)"
    ):
        Customisation(choices={"frame": "carbon", "colour": "red"}).check_against(bike())


def test_missing_required_option() -> None:
    with pytest.raises(CustomisationError, match="missing required option 'colour'"):
        Customisation(choices={"frame": "alu"}).check_against(bike())


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(CustomisationError) as caught:
        Customisation(choices={"frame": "carbon", "saddle": "x"}).check_against(bike())
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("customisation does not fit product 'bike': ")
    assert isinstance(caught.value, ValueError)


def test_with_defaults_fills_open_options() -> None:
    filled = Customisation.with_defaults(bike(), {"frame": "steel"})
    assert filled.choices == {"colour": "black", "frame": "steel"}
    assert Customisation.with_defaults(bike(), {"frame": "steel", "colour": "red"}).choices["colour"] == "red"
    with pytest.raises(CustomisationError, match="missing required option 'frame'"):
        Customisation.with_defaults(bike())


def test_required_parts_of_the_alu_frame_with_red_paint() -> None:
    parts = required_parts(bike(), Customisation(choices={"frame": "alu", "colour": "red"}))
    assert [p.part_id for p in parts] == ["assembly", "wheels", "frame", "frame-welds", "paint"]
    frame = parts[2]
    assert (frame.process, frame.material, frame.quality) == ("cnc-milling", "aluminium-6061", "premium")


def test_required_parts_depend_on_the_choice() -> None:
    parts = required_parts(bike(), Customisation(choices={"frame": "steel", "colour": "black"}))
    assert [(p.part_id, p.process) for p in parts] == [
        ("assembly", "assembly"),
        ("wheels", "cnc-turning"),
        ("frame", "laser-cutting"),
    ]


def test_quantity_multiplies_parts_cost_and_minutes() -> None:
    custom = Customisation(choices={"frame": "alu", "colour": "red", "bell": "brass"})
    parts = required_parts(bike(), custom, quantity=3)
    assert {p.part_id: p.quantity for p in parts}["wheels"] == 6
    assert estimated_cost(bike(), custom) == Decimal("305.49")
    assert estimated_cost(bike(), custom, quantity=3) == Decimal("916.47")
    assert estimated_machine_minutes(bike(), custom) == 45 + 2 * 20 + 90 + 30 + 10
    assert estimated_machine_minutes(bike(), custom, quantity=2) == 2 * (45 + 2 * 20 + 90 + 30 + 10)
    with pytest.raises(ValueError, match="quantity must be at least 1"):
        required_parts(bike(), custom, quantity=0)


def test_derivation_refuses_an_invalid_customisation() -> None:
    with pytest.raises(CustomisationError):
        required_parts(bike(), Customisation(choices={"frame": "carbon", "colour": "red"}))
    with pytest.raises(CustomisationError):
        estimated_cost(bike(), Customisation(choices={}))


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_any_valid_customisation_yields_unique_parts_and_a_non_negative_cost(data: st.DataObject) -> None:
    product = data.draw(products())
    custom = data.draw(customisations(product))
    custom.check_against(product)
    parts = required_parts(product, custom)
    ids = [p.part_id for p in parts]
    assert len(ids) == len(set(ids))
    assert set(ids) >= {p.part_id for p in product.base_parts}
    assert estimated_cost(product, custom) >= product.base_cost
