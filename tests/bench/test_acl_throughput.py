"""The benchmark runs end to end in a tiny configuration and writes a well-formed report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.acl_throughput import PATHS

SERVERS = ["pyjabber"] + (["prosody"] if shutil.which("prosody") else [])


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "bench.acl_throughput",
        "--out",
        str(out),
        "--servers",
        ",".join(SERVERS),
        "--count",
        "30",
        "--window",
        "8",
        "--samples",
        "10",
        "--rounds",
        "2",
    ]
    try:
        subprocess.run(command, check=True, timeout=120, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")

    report = json.loads(out.read_text())
    assert report["benchmark"] == "acl_throughput"
    assert report["config"]["count"] == 30
    assert report["goal"]["ratio_acl_over_raw_min"] == 0.8
    assert set(report["servers"]) == set(SERVERS)
    for result in report["servers"].values():
        for path in PATHS:
            measured = result[path]
            assert measured["round_trips"] == 30
            assert measured["msgs_per_s"] == pytest.approx(2 * measured["round_trips_per_s"], rel=0.01)
            assert measured["msgs_per_s"] > 0
            assert 0 < measured["rtt_ms"]["p50"] <= measured["rtt_ms"]["p95"]
            assert measured["rtt_ms"]["samples"] == 20  # pooled over both rounds
            assert len(measured["rounds_round_trips_per_s"]) == 2
        assert result["ratio_acl_over_raw"] > 0
        assert len(result["ratio_acl_over_raw_rounds"]) == 2
        assert isinstance(result["goal_met"], bool)
