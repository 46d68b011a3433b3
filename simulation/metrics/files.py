"""Metrics of a run directory, written beside it: the runner calls :func:`write_results` at the end."""

from __future__ import annotations

from pathlib import Path

from simulation.metrics.negotiation import NegotiationMetrics
from simulation.metrics.orders import OrderMetrics
from simulation.metrics.pairs import PairMetrics
from simulation.metrics.run import RunMetrics, run_metrics
from simulation.metrics.tables import write_csv
from simulation.results import read_negotiations, read_run_info

NEGOTIATIONS_CSV = "metrics-negotiations.csv"
ORDERS_CSV = "metrics-orders.csv"
RUN_JSON = "metrics-run.json"
PAIRS_CSV = "metrics-pairs.csv"


def write_metrics(run_dir: Path, metrics: RunMetrics) -> None:
    """Write computed metrics into ``run_dir`` (what :func:`write_results` does after computing them)."""
    write_csv(run_dir / NEGOTIATIONS_CSV, NegotiationMetrics, metrics.negotiation_rows)
    write_csv(run_dir / ORDERS_CSV, OrderMetrics, metrics.order_rows)
    if metrics.tournament:
        write_csv(run_dir / PAIRS_CSV, PairMetrics, metrics.pairs)
    (run_dir / RUN_JSON).write_text(metrics.model_dump_json(indent=2) + "\n", encoding="utf-8")


def write_results(run_dir: Path) -> RunMetrics:
    """Compute the run's metrics and write metrics-negotiations.csv, metrics-orders.csv,
    metrics-run.json and, for a tournament, metrics-pairs.csv into ``run_dir``."""
    metrics = run_metrics(read_run_info(run_dir), read_negotiations(run_dir))
    write_metrics(run_dir, metrics)
    return metrics
