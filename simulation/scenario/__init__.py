"""Scenario files: what a simulation runs (YAML, documented in ``simulation/SCENARIOS.md``)."""

from simulation.scenario.loader import Problem, ScenarioError, load_scenario, parse_scenario
from simulation.scenario.model import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
