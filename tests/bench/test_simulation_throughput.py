"""The simulation benchmark runs both measurements on the same negotiations and reports a ratio."""

from __future__ import annotations

import json
from pathlib import Path

from bench.simulation_throughput import bench_scenario, main
from simulation.plan import make_plan


def test_the_bench_scenario_is_bilateral_and_of_the_asked_size() -> None:
    plan = make_plan(bench_scenario(40))
    assert plan.negotiations == 40
    assert all(len(ids) == 1 for o in plan.cells[0].orders for ids in o.candidates.values())


def test_the_report_compares_fast_mode_with_the_bare_negotiators(tmp_path: Path) -> None:
    out = tmp_path / "bench-simulation.json"
    main(["--count", "40", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["fast"]["negotiations"] == report["baseline"]["negotiations"] == 40
    assert report["fast"]["agreements"] > 0
    assert report["fast"]["negotiations_per_s"] > 0 and report["baseline"]["negotiations_per_s"] > 0
    assert report["ratio"] > 0


def test_the_time_bound_stops_a_measurement_early(tmp_path: Path) -> None:
    out = tmp_path / "bench-simulation.json"
    main(["--count", "2000", "--max-seconds", "0.05", "--out", str(out)])
    report = json.loads(out.read_text())
    assert 0 < report["fast"]["negotiations"] < 2000
    assert 0 < report["baseline"]["negotiations"] < 2000
