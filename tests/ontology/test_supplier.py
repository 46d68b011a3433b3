"""Suppliers, capabilities, locations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ontology import Location, ProcessKind, QualityLevel, RequiredPart
from tests.ontology.examples import BERLIN, MILLING, MUNICH, supplier


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", 90.01),
        ("latitude", -90.01),
        ("longitude", 180.5),
        ("longitude", -181),
        ("latitude", float("nan")),
    ],
)
def test_coordinates_are_range_checked(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        Location.model_validate(BERLIN.model_dump() | {field: value})


def test_country_code_is_checked() -> None:
    with pytest.raises(ValidationError, match="ISO 3166"):
        Location(country="Germany", city="Berlin", latitude=0, longitude=0)


def test_distance() -> None:
    assert BERLIN.distance_km(MUNICH) == pytest.approx(504, abs=3)
    assert BERLIN.distance_km(BERLIN) == 0
    assert BERLIN.distance_km(MUNICH) == pytest.approx(MUNICH.distance_km(BERLIN))


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        (RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING, material="aluminium-6061"), True),
        (RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING), True),
        (RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING, quality=QualityLevel.ECONOMY), True),
        (RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING, material="titanium"), False),
        (RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING, quality=QualityLevel.PREMIUM), False),
        (RequiredPart(part_id="f", process=ProcessKind.WELDING), False),
    ],
)
def test_can_supply(part: RequiredPart, expected: bool) -> None:
    assert supplier().can_supply(part) is expected


def test_capability_without_materials_takes_any() -> None:
    any_material = MILLING.model_copy(update={"materials": ()})
    assert any_material.supports(
        RequiredPart(part_id="f", process=ProcessKind.CNC_MILLING, material="titanium")
    )


def test_one_capability_per_process() -> None:
    with pytest.raises(ValidationError, match="cnc-milling more than once"):
        supplier(capabilities=(MILLING, MILLING))
    with pytest.raises(ValidationError, match="at least 1 item"):
        supplier(capabilities=())


@pytest.mark.parametrize("rating", [-0.1, 5.01])
def test_rating_range(rating: float) -> None:
    with pytest.raises(ValidationError, match="rating"):
        supplier(rating=rating)


def test_unrated_supplier() -> None:
    assert supplier(rating=None).rating is None


def test_capability_limits() -> None:
    with pytest.raises(ValidationError, match="capacity_hours_per_week"):
        MILLING.model_validate(MILLING.model_dump() | {"capacity_hours_per_week": 0})
    with pytest.raises(ValidationError, match="lead_time_days"):
        MILLING.model_validate(MILLING.model_dump() | {"lead_time_days": -1})


def test_certifications_compare_case_insensitively() -> None:
    s = supplier()
    assert s.has_certifications(["iso 9001"])
    assert s.has_certifications([])
    assert not s.has_certifications(["ISO 9001", "IATF 16949"])


def test_processes_and_capability_lookup() -> None:
    s = supplier()
    assert s.processes == {ProcessKind.CNC_MILLING}
    assert s.capability(ProcessKind.CNC_MILLING) == MILLING
    assert s.capability(ProcessKind.WELDING) is None
