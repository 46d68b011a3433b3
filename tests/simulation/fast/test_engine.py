"""Fast runs on the simulated clock: silent suppliers cost simulated time only, and a winner that fails
after acceptance makes the part's negotiation start again among the others (as the live Sourcing does)."""

from __future__ import annotations

import time
from pathlib import Path

from simulation.runner import simulate_async
from simulation.scenario import Scenario
from tests.simulation.scenarios import small


def with_suppliers(scenario: Scenario, **update: object) -> Scenario:
    return scenario.model_copy(update={"suppliers": scenario.suppliers.model_copy(update=update)})


async def test_silent_and_failing_suppliers(tmp_path: Path) -> None:
    first = await simulate_async(small(), out=tmp_path / "plain", quiet=True)
    frame = [r for r in first.results if r.id.startswith("r0/order-0001/frame/")]
    winner = next(r.seller for r in frame if r.agreed)
    silent = next(r.seller for r in frame if not r.agreed)
    scenario = with_suppliers(small(), silent=(silent,), fail_after_accept=(winner,))

    started = time.monotonic()
    outcome = await simulate_async(scenario, out=tmp_path / "faulty", quiet=True)
    wall = time.monotonic() - started

    results = {r.id: r for r in outcome.results}
    quiet = results[f"r0/order-0001/frame/{silent}/a1"]
    assert (quiet.messages, quiet.rounds, quiet.agreed) == (1, 1, False)  # a cfp, never answered
    failed = results[f"r0/order-0001/frame/{winner}/a1"]
    assert not failed.agreed
    # the round waited for the silent supplier until its reply-by: 5 simulated seconds, not wall seconds
    assert failed.elapsed_seconds >= 5.0 and wall < 5.0
    retried = [r for r in outcome.results if r.id.startswith("r0/order-0001/frame/") and r.id.endswith("/a2")]
    assert retried and winner not in {r.seller for r in retried}
    assert sum(r.agreed for r in retried) == 1
