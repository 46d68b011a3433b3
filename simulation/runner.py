"""``simulate``: plan a scenario, run it fast or distributed, write the run directory and metrics."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common.settings import Settings, get_settings
from simulation.distributed.engine import run_distributed
from simulation.fast.engine import run_fast
from simulation.plan import Plan, make_plan
from simulation.progress import ProgressBar
from simulation.recorder import Recorder
from simulation.results import Mode, NegotiationResult, RunInfo
from simulation.scenario.model import Scenario
from simulation.writer import write_metrics, write_run

DEFAULT_RUNS_DIR = Path("runs")


@dataclass(frozen=True)
class RunOutcome:
    run_dir: Path
    info: RunInfo
    results: list[NegotiationResult]
    metrics: object | None


def run_id_for(scenario: Scenario, mode: Mode, seed: int, started: datetime) -> str:
    return f"{scenario.name}-{mode}-seed{seed}-{started.strftime('%Y%m%dT%H%M%S%fZ')}"


async def simulate_async(
    scenario: Scenario,
    *,
    mode: Mode = Mode.FAST,
    out: Path | None = None,
    seed: int | None = None,
    quiet: bool = False,
    scenario_path: Path | None = None,
    settings: Settings | None = None,
) -> RunOutcome:
    """Run ``scenario`` (``seed`` overrides its own); write the run to ``out`` (default ``runs/<run id>``)."""
    settings = settings or get_settings()
    started = datetime.now(UTC)
    plan = make_plan(scenario, seed=seed)
    recorder = Recorder()
    bar = ProgressBar(plan.negotiations, enabled=not quiet)
    try:
        if mode is Mode.FAST:
            run_fast(plan, recorder, domain=settings.xmpp_domain, progress=bar.advance)
        else:
            await run_distributed(plan, recorder, settings, progress=bar.advance)
    finally:
        bar.close()
    return _finish(plan, recorder, mode, started, out, scenario_path)


def simulate(
    scenario: Scenario,
    *,
    mode: Mode = Mode.FAST,
    out: Path | None = None,
    seed: int | None = None,
    quiet: bool = False,
    scenario_path: Path | None = None,
    settings: Settings | None = None,
) -> RunOutcome:
    """:func:`simulate_async` from synchronous code."""
    return asyncio.run(
        simulate_async(
            scenario,
            mode=mode,
            out=out,
            seed=seed,
            quiet=quiet,
            scenario_path=scenario_path,
            settings=settings,
        )
    )


def _finish(
    plan: Plan,
    recorder: Recorder,
    mode: Mode,
    started: datetime,
    out: Path | None,
    scenario_path: Path | None,
) -> RunOutcome:
    results = recorder.results()
    run_id = run_id_for(plan.scenario, mode, plan.seed, started)
    info = RunInfo(
        run_id=run_id,
        scenario=plan.scenario.name,
        scenario_path=str(scenario_path) if scenario_path else None,
        seed=plan.seed,
        mode=mode,
        started_at=started,
        finished_at=datetime.now(UTC),
        negotiations=len(results),
        orders=sum(len(cell.orders) for cell in plan.cells),
        tournament=plan.tournament,
    )
    run_dir = out or DEFAULT_RUNS_DIR / run_id
    write_run(run_dir, info, results, recorder.trace())
    return RunOutcome(run_dir, info, results, write_metrics(run_dir))
