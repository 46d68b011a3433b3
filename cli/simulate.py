"""``lso simulate SCENARIO``: run a researcher's scenario, fast (in memory) or distributed (over XMPP)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from simulation.results import Mode


def simulate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML; see simulation/SCENARIOS.md).")],
    mode: Annotated[
        Mode, typer.Option(help="fast: one process, simulated clock; distributed: over XMPP.")
    ] = Mode.FAST,
    out: Annotated[Path | None, typer.Option(help="Run directory to write (default runs/<run id>).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed overriding the scenario's.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar, only the summary line.")] = False,
) -> None:
    """Run a simulation scenario and write its run directory (run.json, negotiations.jsonl, trace.jsonl)."""
    from common.logging import configure_logging
    from common.settings import get_settings
    from simulation.runner import simulate
    from simulation.scenario import ScenarioError, load_scenario

    settings = get_settings()
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    outcome = simulate(
        loaded, mode=mode, out=out, seed=seed, quiet=quiet, scenario_path=scenario, settings=settings
    )
    agreed = sum(1 for r in outcome.results if r.agreed)
    summary = {
        "run_dir": str(outcome.run_dir),
        "mode": str(mode),
        "seed": outcome.info.seed,
        "negotiations": len(outcome.results),
        "agreements": agreed,
        "seconds": round((outcome.info.finished_at - outcome.info.started_at).total_seconds(), 3),
    }
    typer.echo(json.dumps(summary))
