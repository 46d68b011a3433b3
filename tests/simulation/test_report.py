"""`lso report RUN_DIR` on hand-made run directories: report.md, every PNG, the metrics files."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from simulation.metrics.files import NEGOTIATIONS_CSV, ORDERS_CSV, PAIRS_CSV, RUN_JSON
from tests.simulation.metrics_examples import B, C, negotiation, two_orders, write_run
from tests.simulation.test_plots import png_size

runner = CliRunner()


def _linked_pngs(report: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", report)


def test_report_of_a_run(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run", two_orders())
    result = runner.invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    report = (run_dir / "report.md").read_text()
    assert "# Simulation report: two-orders" in report
    assert "| seed | 42 |" in report and "| mode | fast |" in report
    assert "**Agreement rate: 66.7% (2 of 3)**" in report
    assert "- orders: 2 (1 with every part agreed)" in report
    assert "| social welfare (sum of utilities) | 3 |" in report
    assert "## Tournament" not in report
    pngs = _linked_pngs(report)
    assert sorted(pngs) == ["concession-n1.png", "latency.png", "outcomes-n1.png", "pairs.png"]
    for name in pngs:
        png_size(run_dir / name)
    for name in (NEGOTIATIONS_CSV, ORDERS_CSV, RUN_JSON):
        assert (run_dir / name).stat().st_size > 0
        assert f"]({name})" in report


def test_report_into_another_folder_for_one_negotiation(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run", two_orders())
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(run_dir), "--out", str(out), "--negotiation", "n3"])
    assert result.exit_code == 0, result.output
    report = (out / "report.md").read_text()
    assert sorted(_linked_pngs(report)) == [
        "concession-n3.png",
        "latency.png",
        "outcomes-n3.png",
        "pairs.png",
    ]
    for name in _linked_pngs(report):
        png_size(out / name)
    assert "](../run/metrics-run.json)" in report
    assert (run_dir / RUN_JSON).exists()


def test_report_of_a_tournament(tmp_path: Path) -> None:
    results = [
        negotiation("a0", order_id="a0", agreed_at=B, repetition=0),
        negotiation("a1", order_id="a1", repetition=1),
        negotiation("b0", order_id="b0", seller_strategy="linear", agreed_at=C, repetition=0),
        negotiation("b1", order_id="b1", seller_strategy="linear", agreed_at=C, repetition=1),
    ]
    run_dir = write_run(tmp_path / "run", results, tournament=True)
    result = runner.invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    report = (run_dir / "report.md").read_text()
    assert "**Agreement rate: 75.0% (3 of 4)**" in report
    assert "| boulware | conceder | 2 | 2 | 50.0% | 0.250 | 0.300 | 0.550 |" in report
    assert "| boulware | linear | 2 | 2 | 100.0% | 0.400 | 0.400 | 0.800 |" in report
    assert (run_dir / PAIRS_CSV).exists()
    for name in _linked_pngs(report):
        png_size(run_dir / name)


def test_unknown_negotiation_is_refused(tmp_path: Path) -> None:
    run_dir = write_run(tmp_path / "run", two_orders())
    result = runner.invoke(app, ["report", str(run_dir), "--negotiation", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output
    assert not (run_dir / "report.md").exists()


def test_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 1
    assert "run.json" in result.output
