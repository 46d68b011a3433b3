"""Small scenarios the simulation tests share (each runs in well under a second in fast mode)."""

from __future__ import annotations

from pathlib import Path

from simulation.scenario import Scenario, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "simulation" / "scenarios"

TOURNAMENT = """\
name: mini-tournament
seed: 5
repetitions: 2
products:
  - builtin: bike
manufacturers:
  - id: maker
    policy:
      capacity_hours_per_week: 10000
      own_processes: [assembly]
      sourced_processes: [cnc-milling, textile-cutting-sewing]
      margin: 0.2
      max_rounds: 4
      max_suppliers_per_part: 1
      reservation: {max_part_price: 1500}
suppliers:
  dataset: shipped
  policy: {max_rounds: 4}
customers:
  - id: alice
    orders:
      - {manufacturer: maker, product: bike, choices: {seat: leather}, delivery_days: 45}
tournament:
  buyer_strategies: [boulware, conceder]
  seller_strategies: [linear, tit-for-tat]
"""


def small() -> Scenario:
    return load_scenario(EXAMPLES / "small.yaml")


def tournament() -> Scenario:
    return parse_scenario(TOURNAMENT)
