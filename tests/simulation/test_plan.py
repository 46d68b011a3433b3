"""Planning: the seed decides everything; a tournament plans every strategy pair and repetition."""

from __future__ import annotations

from datetime import date, timedelta

from ontology.policy import NegotiationStrategy as N
from simulation.plan import make_plan
from tests.simulation.scenarios import small, tournament

TODAY = date(2030, 1, 1)


def test_the_same_seed_plans_the_same_orders_and_candidates() -> None:
    one, two = make_plan(small(), today=TODAY), make_plan(small(), today=TODAY)
    assert one.cells == two.cells
    other = make_plan(small(), seed=8, today=TODAY)
    assert [o.order_id for o in other.cells[0].orders] != [o.order_id for o in one.cells[0].orders]


def test_orders_come_in_arrival_order_with_dates_from_today() -> None:
    plan = make_plan(small(), today=TODAY)
    orders = plan.cells[0].orders
    assert [o.customer for o in orders] == ["alice", "bob"]
    assert orders[0].delivery == TODAY + timedelta(days=60)
    # production_days 1: parts are due a day before the delivery
    assert orders[0].latest == TODAY + timedelta(days=59)
    assert [p.part_id for p in orders[0].parts] == ["frame", "cover"]
    assert all(len(ids) == 3 for ids in orders[0].candidates.values())
    assert plan.negotiations == 12


def test_a_tournament_plans_every_pair_times_the_repetitions() -> None:
    plan = make_plan(tournament(), today=TODAY)
    assert plan.tournament
    cells = {(c.buyer_strategy, c.seller_strategy, c.repetition) for c in plan.cells}
    assert cells == {
        (b, s, r) for b in (N.BOULWARE, N.CONCEDER) for s in (N.LINEAR, N.TIT_FOR_TAT) for r in (0, 1)
    }
    for cell in plan.cells:
        assert cell.policies["maker"].strategy is cell.buyer_strategy
        assert {s.policy.strategy for s in cell.suppliers} == {cell.seller_strategy}
    assert len({c.seed for c in plan.cells}) == len(plan.cells)
