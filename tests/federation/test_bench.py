"""`python -m bench.search_throughput` runs, bounded, and writes its report (short run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_search_throughput_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "search.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.search_throughput",
            "--out",
            str(out),
            "--duration",
            "0.2",
            "--concurrency",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert set(report["results"]) == {"health", "select", "search", "find_suppliers"}
    for result in report["results"].values():
        assert result["count"] > 0 and result["errors"] == 0
    assert set(report["ratios_to_health"]) == {"select", "search", "find_suppliers"}
    assert all(count > 0 for count in report["suppliers_per_search"].values())
    assert "search throughput:" in done.stdout
