"""``lso report RUN_DIR``: metrics, plots and a Markdown summary of a simulation run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def report(
    run_dir: Annotated[
        Path,
        typer.Argument(
            help="Run directory written by `lso simulate`.", metavar="RUN_DIR", exists=True, file_okay=False
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for the plots and report.md (default: RUN_DIR).", metavar="DIR"),
    ] = None,
    negotiation: Annotated[
        str | None,
        typer.Option(
            help="Negotiation id drawn in detail (default: the first with an agreement).", metavar="ID"
        ),
    ] = None,
) -> None:
    """Write a run's metrics (CSV, JSON), its plots (PNG) and report.md."""
    from simulation.report.build import build_report
    from simulation.report.selection import UnknownNegotiationError

    try:
        built = build_report(run_dir, out, negotiation)
    except UnknownNegotiationError as exc:
        raise typer.BadParameter(
            f"no negotiation {exc.args[0]!r} in {run_dir}", param_hint="--negotiation"
        ) from exc
    except FileNotFoundError as exc:
        typer.echo(f"not a run directory: {exc.filename} is missing", err=True)
        raise typer.Exit(1) from exc
    typer.echo(built.path)
    for plot in built.plots:
        typer.echo(plot)
