"""A distributed run (real ProxyHost agents in their own process, the manufacturer's real Sourcing,
over the session's pyjabber) agrees with a fast run of the same scenario and seed."""

from __future__ import annotations

from pathlib import Path

from common.settings import Settings, XmppMode
from simulation.results import Mode, NegotiationResult
from simulation.runner import simulate_async
from tests.simulation.scenarios import small


def outcome(result: NegotiationResult) -> tuple[object, ...]:
    return (
        result.id,
        result.agreed,
        result.agreement,
        result.rounds,
        result.messages,
        result.buyer_utility,
        result.seller_utility,
    )


async def test_fast_and_distributed_runs_reach_the_same_agreements(
    pyjabber_settings: Settings, tmp_path: Path
) -> None:
    external = pyjabber_settings.model_copy(update={"xmpp_mode": XmppMode.EXTERNAL})
    fast = await simulate_async(small(), mode=Mode.FAST, out=tmp_path / "fast", quiet=True, settings=external)
    distributed = await simulate_async(
        small(), mode=Mode.DISTRIBUTED, out=tmp_path / "distributed", quiet=True, settings=external
    )
    assert distributed.info.mode is Mode.DISTRIBUTED
    assert sum(r.agreed for r in fast.results) == 4
    assert [outcome(r) for r in distributed.results] == [outcome(r) for r in fast.results]
    assert all(r.elapsed_seconds > 0 for r in distributed.results)
