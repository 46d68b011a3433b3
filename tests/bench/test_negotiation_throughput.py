"""The negotiation benchmark runs end to end in a tiny configuration and writes a well-formed report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def test_tiny_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "negotiation.json"
    command = [
        sys.executable,
        "-m",
        "bench.negotiation_throughput",
        "--out",
        str(out),
        "--orders",
        "2",
        "--concurrent",
        "2",
        "--suppliers",
        "3",
        "--warmup",
        "0",
        "--rtt-samples",
        "10",
    ]
    try:
        done = subprocess.run(command, check=True, timeout=120, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"benchmark failed:\n{exc.stdout}\n{exc.stderr}")
    assert "order->quotation p50" in done.stdout

    report = json.loads(out.read_text())
    assert report["benchmark"] == "negotiation_throughput"
    config = report["config"]
    assert (config["server"], config["orders"], config["concurrent"]) == ("pyjabber", 2, 2)
    assert config["suppliers_per_part"] == 3 and config["sourced_parts"] == ["frame", "cover"]

    latency = report["order_to_quotation_ms"]
    assert latency["samples"] == 2
    assert 0 < latency["p50"] <= latency["p95"]
    concurrent = report["concurrent"]
    assert concurrent["orders"] == 2 and concurrent["seconds"] > 0 and concurrent["orders_per_s"] > 0
    assert report["sequential_orders_per_s"] > 0

    messages = report["messages"]
    assert len(messages["orders"]) == 4  # 2 sequential + 2 concurrent, no warm-up
    assert messages["suppliers_invited_per_part"] == {"min": 3, "max": 3}
    per_order = messages["per_order_median"]
    assert per_order["acl"] >= per_order["acl_to_quotation"] > 0
    assert per_order["xmpp"] >= per_order["xmpp_to_quotation"] >= per_order["acl_to_quotation"]
    # customer cfp + quotation, the matchmaker's request and answer, at least cfp/propose/accept/inform
    assert per_order["critical_hops_to_quotation"] >= 8
    for order in messages["orders"]:
        assert order["suppliers_invited_per_part"] == [3, 3]

    assert report["raw_transport"]["one_way_ms"] > 0
    efficiency = report["efficiency"]
    assert efficiency["total"] > 0 and efficiency["critical_path"] > 0
    assert efficiency["total"] >= efficiency["critical_path"]
    assert report["goal"] == {"efficiency_total_min": 0.5}
    assert isinstance(report["goal_met"], bool)
    assert report["run_seconds"] > 0
