"""Every plot writes a valid, non-empty PNG of the figure's size, with data and without."""

from __future__ import annotations

import struct
from pathlib import Path

from simulation.metrics.negotiation import negotiation_metrics
from simulation.metrics.pairs import pair_metrics
from simulation.plots.concession import plot_concession
from simulation.plots.latency import plot_latency
from simulation.plots.outcomes import plot_outcomes
from simulation.plots.pairs import plot_pairs
from tests.simulation.metrics_examples import B, C, moves, negotiation, two_orders

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature, its IHDR chunk and its IEND end."""
    data = path.read_bytes()
    assert data.startswith(SIGNATURE), f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    assert data.endswith(b"IEND\xaeB`\x82")
    assert len(data) > 5_000, f"{path} is suspiciously small ({len(data)} bytes)"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_concession_curves(tmp_path: Path) -> None:
    result = negotiation("n1", agreed_at=C)
    path = plot_concession(result, moves(result), tmp_path / "concession.png")
    assert png_size(path) == (900, 400)


def test_concession_curves_without_a_trace(tmp_path: Path) -> None:
    path = plot_concession(negotiation("n3"), [], tmp_path / "empty.png")
    assert png_size(path) == (900, 400)


def test_outcomes_against_the_frontier(tmp_path: Path) -> None:
    agreed = plot_outcomes(negotiation("n1", agreed_at=C), tmp_path / "agreed.png")
    failed = plot_outcomes(negotiation("n3"), tmp_path / "failed.png")
    assert png_size(agreed) == png_size(failed) == (600, 600)
    assert agreed.read_bytes() != failed.read_bytes()


def test_pairs_as_heat_maps_and_as_bars(tmp_path: Path) -> None:
    results = [
        negotiation("a", agreed_at=B),
        negotiation("b", seller_strategy="linear"),
        negotiation("c", buyer_strategy="tit-for-tat", agreed_at=C),
    ]
    pairs = pair_metrics(negotiation_metrics(r) for r in results)
    heat = plot_pairs(pairs, tmp_path / "heat.png", tournament=True)
    bars = plot_pairs(pairs, tmp_path / "bars.png", tournament=False)
    assert png_size(heat)[0] == 1350
    assert png_size(bars)[1] == 450
    assert png_size(plot_pairs([], tmp_path / "none.png", tournament=True)) == (600, 400)


def test_latency_histogram(tmp_path: Path) -> None:
    seconds = [r.elapsed_seconds for r in two_orders()] + [0.1, 0.2, 2.5]
    assert png_size(plot_latency(seconds, tmp_path / "latency.png")) == (700, 400)
    assert png_size(plot_latency([], tmp_path / "none.png")) == (700, 400)
