"""Write a run directory (:mod:`simulation.results`), then the metrics when that module is there."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from simulation.results import NEGOTIATIONS, RUN_INFO, TRACE, NegotiationResult, OfferRecord, RunInfo

METRICS_MODULE = "simulation.metrics.files"


def write_run(
    run_dir: Path, info: RunInfo, results: Iterable[NegotiationResult], trace: Iterable[OfferRecord]
) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    _write_lines(run_dir / NEGOTIATIONS, results)
    _write_lines(run_dir / TRACE, trace)
    (run_dir / RUN_INFO).write_text(
        json.dumps(info.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8"
    )


def _write_lines(path: Path, records: Iterable[BaseModel]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record.model_dump_json())
            out.write("\n")


def write_metrics(run_dir: Path) -> object | None:
    """Call ``simulation.metrics.files.write_results(run_dir)`` if that module exists (imported lazily)."""
    try:
        module = importlib.import_module(METRICS_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name is not None and METRICS_MODULE.startswith(exc.name):
            return None
        raise
    write_results = getattr(module, "write_results", None)
    return None if write_results is None else write_results(run_dir)
