"""The dazl-vs-engine ledger benchmark runs end to end in a tiny configuration and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "bench.ledger_dazl", "--out", str(out), "--count", "5", "--window", "2"]
    try:
        subprocess.run(command, check=True, timeout=120, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")
    report = json.loads(out.read_text())
    for path in ("engine_direct", "dazl_grpc"):
        for window in ("window_1", "window_2"):
            assert report[path][window]["creates_per_s"] > 0
            assert report[path][window]["exercises_per_s"] > 0
