"""Everything ``lso report`` writes: metrics beside the run, plots and report.md in the output folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from simulation.metrics.files import NEGOTIATIONS_CSV, ORDERS_CSV, PAIRS_CSV, RUN_JSON, write_metrics
from simulation.metrics.run import RunMetrics, run_metrics
from simulation.plots.concession import plot_concession
from simulation.plots.latency import plot_latency
from simulation.plots.outcomes import plot_outcomes
from simulation.plots.pairs import plot_pairs
from simulation.report.markdown import render_report
from simulation.report.selection import file_stem, pick_negotiation, trace_of
from simulation.results import read_negotiations, read_run_info

REPORT = "report.md"


@dataclass(frozen=True)
class Report:
    path: Path
    plots: tuple[Path, ...]
    metrics: RunMetrics


def build_report(run_dir: Path, out_dir: Path | None = None, negotiation_id: str | None = None) -> Report:
    """Write the run's metrics files (into ``run_dir``), its plots and report.md (into ``out_dir``,
    by default ``run_dir``). Raises :class:`~simulation.report.selection.UnknownNegotiationError`
    when ``negotiation_id`` is not in the run."""
    out = out_dir or run_dir
    out.mkdir(parents=True, exist_ok=True)
    info = read_run_info(run_dir)
    results = read_negotiations(run_dir)
    chosen = pick_negotiation(results, negotiation_id)
    metrics = run_metrics(info, results)  # what write_results computes, without reading the run twice
    write_metrics(run_dir, metrics)
    plots: list[tuple[str, Path]] = []
    if chosen is not None:
        stem = file_stem(chosen.id)
        concession = plot_concession(chosen, trace_of(run_dir, chosen.id), out / f"concession-{stem}.png")
        plots.append((f"Concession curves of {chosen.id}", concession))
        plots.append((f"Outcomes of {chosen.id}", plot_outcomes(chosen, out / f"outcomes-{stem}.png")))
    plots.append(("By strategy pair", plot_pairs(metrics.pairs, out / "pairs.png", metrics.tournament)))
    latency = [r.time_to_agreement_seconds for r in metrics.negotiation_rows]
    seconds = [s for s in latency if s is not None]
    plots.append(("Time to agreement", plot_latency(seconds, out / "latency.png")))
    names = [NEGOTIATIONS_CSV, ORDERS_CSV, RUN_JSON] + ([PAIRS_CSV] if metrics.tournament else [])
    text = render_report(
        info,
        metrics,
        [(title, os.path.relpath(path, out)) for title, path in plots],
        [os.path.relpath(run_dir / name, out) for name in names],
    )
    report = out / REPORT
    report.write_text(text, encoding="utf-8")
    return Report(path=report, plots=tuple(path for _, path in plots), metrics=metrics)
