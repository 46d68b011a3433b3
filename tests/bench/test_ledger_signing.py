"""The per-party signing benchmark runs in a tiny configuration, contracts every order both ways, and writes
its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "signing.json"
    command = [
        sys.executable,
        "-m",
        "bench.ledger_signing",
        "--out",
        str(out),
        "--orders",
        "3",
        "--rounds",
        "1",
    ]
    try:
        subprocess.run(command, check=True, timeout=180, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")
    report = json.loads(out.read_text())
    own, shared = report["per_party"]["orders_per_second"], report["shared"]["orders_per_second"]
    assert own > 0 and shared > 0 and report["suppliers_per_order"] == 2
    assert report["per_party_over_shared"] == pytest.approx(own / shared)
