"""The contract-key benchmark runs in a tiny configuration and writes its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "keys.json"
    command = [sys.executable, "-m", "bench.ledger_keys", "--out", str(out), "--count", "5", "--rounds", "1"]
    try:
        subprocess.run(command, check=True, timeout=120, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")
    sqlite = json.loads(out.read_text())["sqlite"]
    keyed, unkeyed = sqlite["keyed"]["median_ms"], sqlite["unkeyed"]["median_ms"]
    assert keyed > 0 and unkeyed > 0
    assert sqlite["keyed_over_unkeyed"] == round(keyed / unkeyed, 3)
