"""`python -m bench.gateway_throughput` runs, bounded, and writes its report (short run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_gateway_throughput_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "gateway.json"
    args = ["--duration", "0.3", "--rounds", "1", "--concurrency", "2", "--orders", "2", "--sequential", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.gateway_throughput", "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(out.read_text())
    for name in ("health_live", "get_order"):
        assert report["results"][name]["count"] > 0 and report["results"][name]["errors"] == 0
    assert report["ratio_get_order_to_health_live"] > 0
    assert report["orders"]["sequential"]["count"] == 1
    assert report["orders"]["concurrent"]["orders_per_s"] > 0
    assert "gateway:" in done.stdout
