"""Read a scenario file: YAML to the node tree, to :class:`Scenario`, with errors at line and column.

The text is composed into YAML's node tree (which keeps each node's start mark) and constructed
from it; pydantic then validates the data. Each pydantic error location (``("customers", 0,
"orders", 1, "delivery_days")``) is walked down the node tree to the deepest node it reaches, whose
mark gives the line and column of the message: ``scenario.yaml:12:7: customers[0].orders[1]
.delivery_days: Input should be greater than or equal to 1 (got 0)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulation.scenario.model import Scenario
from simulation.scenario.references import Loc, reference_problems


@dataclass(frozen=True)
class Problem:
    line: int
    """1-based."""
    column: int
    """1-based."""
    path: str
    message: str

    def render(self, source: str) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{source}:{self.line}:{self.column}:{where} {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` say where and what, one per line of ``str()``."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(source) for p in self.problems))


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            str(path), [Problem(1, 1, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from exc
    scenario = parse_scenario(text, source=str(path))
    return _resolve_paths(scenario, path.parent)


def parse_scenario(text: str, *, source: str = "<scenario>") -> Scenario:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError(
            source, [Problem(line, column, "", f"not valid YAML: {exc.problem or exc}")]
        ) from exc
    if root is None:
        raise ScenarioError(source, [Problem(1, 1, "", "the file is empty: a scenario is a YAML mapping")])
    data: Any = yaml.SafeLoader("").construct_document(root)
    if not isinstance(data, dict):
        raise ScenarioError(source, [_problem(root, (), "a scenario is a YAML mapping of its sections")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        locs = [tuple(error["loc"]) for error in errors]
        # a container's own error (too short after its items failed) says less than its items' errors
        deepest = [
            e for e, loc in zip(errors, locs, strict=True) if not any(_below(other, loc) for other in locs)
        ]
        problems = [_problem(root, error["loc"], _describe(error)) for error in deepest]
        raise ScenarioError(source, _unique(problems)) from None
    found = reference_problems(scenario)
    if found:
        raise ScenarioError(source, [_problem(root, loc, message) for loc, message in found])
    return scenario


def _describe(error: Any) -> str:
    kind, message, value = str(error["type"]), str(error["msg"]), error.get("input")
    if kind == "missing":
        return f"the field {error['loc'][-1]!r} is missing"
    if kind == "extra_forbidden":
        return f"unknown field {error['loc'][-1]!r} (misspelt, or not allowed here)"
    message = message.removeprefix("Value error, ")
    if isinstance(value, str | int | float | bool) and not isinstance(value, dict):
        return f"{message} (got {value!r})"
    return message


def _problem(root: yaml.Node, loc: Sequence[str | int], message: str) -> Problem:
    node, path = _walk(root, loc)
    return Problem(node.start_mark.line + 1, node.start_mark.column + 1, _dotted(path), message)


def _walk(node: yaml.Node, loc: Sequence[str | int]) -> tuple[yaml.Node, Loc]:
    """The deepest node ``loc`` reaches (keys of unknown or missing fields point at their key or
    their mapping), and the part of ``loc`` that names it."""
    path: list[str | int] = []
    for index, step in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            found = next(
                ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step)),
                None,
            )
            if found is None:
                continue  # a union member's tag (pydantic adds it), or a missing field
            key, value = found
            path.append(step)
            last = index == len(loc) - 1
            # a field whose value is a block is reported where its key is
            node = key if last and isinstance(value, yaml.CollectionNode) else value
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            path.append(step)
            node = node.value[step]
        else:
            continue
    return node, tuple(path)


def _below(loc: tuple[Any, ...], parent: tuple[Any, ...]) -> bool:
    return len(loc) > len(parent) and loc[: len(parent)] == parent


def _dotted(path: Loc) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _resolve_paths(scenario: Scenario, base: Path) -> Scenario:
    dataset = scenario.suppliers.dataset
    if isinstance(dataset, Path) and not dataset.is_absolute():
        suppliers = scenario.suppliers.model_copy(update={"dataset": base / dataset})
        return scenario.model_copy(update={"suppliers": suppliers})
    return scenario
