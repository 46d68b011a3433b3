"""Fast runs: reproducible to the byte, a readable run directory, and tournaments that cover the grid."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from simulation.results import NEGOTIATIONS, TRACE, Mode, Move, read_negotiations, read_run_info, read_trace
from simulation.runner import simulate_async
from tests.simulation.scenarios import small, tournament


async def test_two_runs_with_one_seed_write_identical_results(tmp_path: Path) -> None:
    one = await simulate_async(small(), out=tmp_path / "one", quiet=True)
    two = await simulate_async(small(), out=tmp_path / "two", quiet=True)
    for name in (NEGOTIATIONS, TRACE):
        assert (one.run_dir / name).read_bytes() == (two.run_dir / name).read_bytes()
    other = await simulate_async(small(), out=tmp_path / "other", seed=99, quiet=True)
    assert (other.run_dir / TRACE).read_bytes() != (one.run_dir / TRACE).read_bytes()


async def test_the_run_directory_holds_the_run_its_negotiations_and_every_move(tmp_path: Path) -> None:
    outcome = await simulate_async(small(), out=tmp_path / "run", quiet=True)
    info = read_run_info(outcome.run_dir)
    assert (info.scenario, info.seed, info.mode, info.orders, info.tournament) == (
        "small",
        7,
        Mode.FAST,
        2,
        False,
    )
    results = read_negotiations(outcome.run_dir)
    assert info.negotiations == len(results) == 12
    # one winner per part and order: frame and cover of two bikes
    winners = [r for r in results if r.agreed]
    assert sorted((r.order_id, r.part_id) for r in winners) == sorted(
        (o, p) for o in {r.order_id for r in results} for p in ("frame", "cover")
    )
    for result in winners:
        assert result.agreement is not None
        assert result.seller_reservation_price <= result.agreement.price <= result.buyer_reservation_price
        assert result.outcome_space and all(0 <= p.buyer <= 1 for p in result.outcome_space)
    trace = read_trace(outcome.run_dir)
    by_negotiation = Counter(m.negotiation_id for m in trace)
    assert set(by_negotiation) == {r.id for r in results}
    for result in winners:
        moves = [m for m in trace if m.negotiation_id == result.id]
        assert [m.step for m in moves] == list(range(len(moves)))
        assert moves[-1].move is Move.ACCEPT and moves[-1].terms == result.agreement


async def test_a_tournament_runs_every_pair_with_repetitions(tmp_path: Path) -> None:
    outcome = await simulate_async(tournament(), out=tmp_path / "t", quiet=True)
    assert read_run_info(outcome.run_dir).tournament
    results = read_negotiations(outcome.run_dir)
    cells = Counter((r.buyer_strategy, r.seller_strategy, r.repetition) for r in results)
    expected = {
        (b, s, r) for b in ("boulware", "conceder") for s in ("linear", "tit-for-tat") for r in (0, 1)
    }
    assert set(cells) == expected
    assert set(cells.values()) == {2}  # one order, two parts, one supplier each
    assert all(r.rounds >= 1 for r in results)
