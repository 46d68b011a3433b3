"""``lso simulate``: runs a scenario and prints a summary; a bad scenario exits 2 naming line and column."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from simulation.results import read_run_info

SMALL = Path(__file__).resolve().parents[2] / "simulation" / "scenarios" / "small.yaml"


def test_simulate_writes_the_run_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["simulate", str(SMALL), "--out", str(out), "--seed", "3", "--quiet"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["run_dir"] == str(out) and summary["mode"] == "fast" and summary["seed"] == 3
    assert summary["negotiations"] == 12 and summary["agreements"] == 4
    info = read_run_info(out)
    assert info.seed == 3 and info.scenario_path == str(SMALL)


def test_simulate_shows_a_progress_bar_unless_quiet(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", str(SMALL), "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "12/12 negotiations" in result.stderr


def test_a_bad_scenario_exits_2_naming_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("delivery_days: 90", "delivery_days: soon"))
    result = CliRunner().invoke(app, ["simulate", str(bad), "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "soon" in text)
    assert f"{bad}:{line}:24: customers[1].orders[0].delivery_days:" in result.stderr
    assert not (tmp_path / "run").exists()


def test_two_processes_with_other_hash_seeds_write_the_same_results(tmp_path: Path) -> None:
    root = SMALL.parents[2]
    runs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run-{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "simulate", str(SMALL), "--out", str(out), "--quiet"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        runs.append(out)
    for name in ("negotiations.jsonl", "trace.jsonl"):
        assert (runs[0] / name).read_bytes() == (runs[1] / name).read_bytes()
