"""The flood benchmark runs end to end in a tiny configuration: the floods are answered as the rules say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_flood_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "bench.wire_flood", "--out", str(out)]
    command += ["--count", "60", "--oversize", "3", "--settle", "1"]
    try:
        subprocess.run(command, check=True, timeout=240, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr[-5000:]}")
    report = json.loads(out.read_text())
    assert report["benchmark"] == "wire_flood"
    scenarios = report["scenarios"]
    outsider = scenarios["outsider_cfps"]["flood"]["answers"]
    assert outsider and set(outsider) <= {"refuse not-authorised", "refuse too-many-requests"}, outsider
    assert scenarios["oversize"]["flood"]["answers"] == {"refuse message-too-large": 3}
    assert "propose" in scenarios["manufacturer_cfps"]["flood"]["answers"]
    assert scenarios["outsider_cfps"]["host"]["finished"] == 0
    for name in report["goal"]["scenarios"]:
        assert scenarios[name]["settled"]["heap_mib"] > 0
