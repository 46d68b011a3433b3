"""The create-to-event latency measure the bench uses (:func:`measure_stream_latency`), against a running
ledger: every created contract arrives on the open stream, soon after its create is answered."""

from __future__ import annotations

from ledger.jsonapi.streams.latency import measure_stream_latency, percentile
from tests.ledger.test_streams.conftest import Ledger, token


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([3.0], 0.95) == 3.0


async def test_create_to_event_latency(ledger: Ledger, parties: dict[str, str]) -> None:
    c, m = parties["Customer"], parties["Manufacturer"]
    await ledger.allocate(c, m)
    report = await measure_stream_latency(
        ledger.process.info.json_api, token(ledger.process, c), c, m, samples=20
    )
    figures = report.as_dict()
    assert figures["samples"] == 20
    assert 0 < figures["event_p50_ms"] <= figures["event_p95_ms"] < 1000, figures
    assert 0 < figures["create_p50_ms"] <= figures["create_p95_ms"] < 1000, figures
