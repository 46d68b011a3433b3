"""The proxies-online benchmark runs end to end in a tiny configuration and writes a well-formed report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "proxies.json"
    command = [
        sys.executable,
        "-m",
        "bench.proxies_online",
        "--count",
        "12",
        "--baseline",
        "2",
        "--out",
        str(out),
    ]
    try:
        subprocess.run(command, check=True, timeout=120, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")

    report = json.loads(out.read_text())
    assert report["benchmark"] == "proxies_online"
    assert report["config"] == {"server": "pyjabber", "count": 12, "baseline": 2}
    assert report["goal"] == {"count": 1000, "online_s_max": 15.0}
    assert report["goal_met"] is False  # 12 < 1000
    proxies, plain = report["proxies"], report["spade_agents"]
    assert proxies["count"] == 12 and plain["count"] == 2
    assert proxies["online_s"] > 0 and plain["online_s"] > 0
    for key in ("per_proxy_ms", "per_proxy_kib", "rss_delta_kib", "add_s", "connect_s"):
        assert isinstance(proxies[key], int | float)
    answered = proxies["answer_cfp"]
    assert answered["proposals"] + answered["refusals"] == 12
    assert answered["silent"] == 0
    assert set(report["ratios"]) == {"time_spade_agent_over_proxy", "memory_spade_agent_over_proxy"}
