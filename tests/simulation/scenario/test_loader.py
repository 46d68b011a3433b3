"""Scenario files: the shipped examples load; every mistake is reported at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.scenario import Problem, ScenarioError, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[3] / "simulation" / "scenarios"

VALID = """\
name: tiny
seed: 3
products:
  - builtin: bike
manufacturers:
  - id: maker
    policy:
      capacity_hours_per_week: 1000
      own_processes: [assembly]
      sourced_processes: [cnc-milling, textile-cutting-sewing]
      margin: 0.2
suppliers:
  dataset: shipped
customers:
  - id: alice
    orders:
      - manufacturer: maker
        product: bike
        delivery_days: 30
"""


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="s.yaml")
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("name", ["small.yaml", "tournament.yaml", "large.yaml"])
def test_shipped_examples_load(name: str) -> None:
    scenario = load_scenario(EXAMPLES / name)
    assert scenario.name == name.removesuffix(".yaml")


def test_a_valid_scenario_parses() -> None:
    scenario = parse_scenario(VALID)
    assert scenario.customers[0].orders[0].delivery_days == 30
    assert scenario.manufacturers[0].policy.max_suppliers_per_part == 5


def test_a_bad_value_is_reported_at_its_line_and_column() -> None:
    text = VALID.replace("delivery_days: 30", "delivery_days: 0")
    (problem,) = problems_of(text)
    assert (problem.line, problem.column) == (line_of(text, "delivery_days"), 24)
    assert problem.path == "customers[0].orders[0].delivery_days"
    assert "greater than or equal to 1" in problem.message and "got 0" in problem.message


def test_an_unknown_field_and_a_bad_enum_are_both_reported_where_they_are() -> None:
    text = VALID.replace("  dataset: shipped", "  dataset: shipped\n  colour: red").replace(
        "margin: 0.2", "margin: 0.2\n      strategy: stubborn"
    )
    problems = problems_of(text)
    by_path = {p.path: p for p in problems}
    assert set(by_path) == {"suppliers.colour", "manufacturers[0].policy.strategy"}
    assert by_path["suppliers.colour"].line == line_of(text, "colour")
    assert "unknown field 'colour'" in by_path["suppliers.colour"].message
    assert by_path["manufacturers[0].policy.strategy"].line == line_of(text, "stubborn")
    assert "tit-for-tat" in by_path["manufacturers[0].policy.strategy"].message


def test_a_missing_field_points_at_the_mapping_that_lacks_it() -> None:
    text = VALID.replace("      capacity_hours_per_week: 1000\n", "")
    (problem,) = problems_of(text)
    assert problem.message == "the field 'capacity_hours_per_week' is missing"
    assert problem.line == line_of(text, "own_processes")


def test_a_dangling_reference_is_reported_at_the_reference() -> None:
    text = VALID.replace("manufacturer: maker", "manufacturer: makr").replace(
        "delivery_days: 30", "delivery_days: 30\n        choices: {seat: velvet}"
    )
    problems = problems_of(text)
    assert [p.path for p in problems] == [
        "customers[0].orders[0].manufacturer",
        "customers[0].orders[0].choices.seat",
    ]
    assert problems[0].line == line_of(text, "makr") and "unknown manufacturer 'makr'" in problems[0].message
    assert problems[1].line == line_of(text, "velvet") and "no choice 'velvet'" in problems[1].message


def test_yaml_syntax_errors_and_wrong_shapes_say_where() -> None:
    (broken,) = problems_of("name: x\nproducts: [\n")
    assert broken.line == 3 and "not valid YAML" in broken.message
    (listed,) = problems_of("- name: x\n")
    assert listed.line == 1 and "mapping" in listed.message
    (empty,) = problems_of("")
    assert "empty" in empty.message


def test_the_error_text_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(VALID.replace("seed: 3", "seed: three"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:2:7: seed: ")


def test_a_relative_data_set_path_is_taken_from_the_scenario_directory(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(VALID.replace("dataset: shipped", "dataset: data/suppliers.json"))
    assert load_scenario(path).suppliers.dataset == tmp_path / "data" / "suppliers.json"
