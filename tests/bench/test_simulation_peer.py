"""``make bench-peer``'s own side: the exported problems carry our utilities, the comparison is right,
and the NegMAS side imports nothing of ours (it runs in its own environment)."""

from __future__ import annotations

import ast
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from agents.negotiation import Terms
from bench.simulation_peer import OUTSIDE, compare, export_problems
from bench.simulation_throughput import bench_scenario, bilateral
from ontology.process import QualityLevel
from simulation.evaluation import evaluation_for
from simulation.plan import make_plan

PEER = Path(__file__).resolve().parents[2] / "bench" / "negmas_peer.py"


def test_each_problem_tabulates_both_sides_utilities() -> None:
    plan = make_plan(bench_scenario(6))
    problems = export_problems(plan)
    assert len(problems) == 6
    cell, order, cfp, supplier = next(iter(bilateral(plan)))
    policy = cell.policies[order.manufacturer]
    evaluation = evaluation_for(
        cfp, today=plan.today, policy=policy, setup=cell.supplier(supplier), fallback_reservation=None
    )
    assert evaluation is not None
    problem = problems[0]
    assert problem["id"] == f"{order.key}/{cfp.part.part_id}"
    assert (problem["buyer_strategy"], problem["seller_strategy"], problem["steps"]) == (
        "boulware",
        "linear",
        5,
    )
    seller_space = evaluation.seller.space
    terms = Terms(seller_space.price_low, seller_space.latest, seller_space.qualities[0])
    for side, utility in (("buyer", evaluation.buyer), ("seller", evaluation.seller)):
        table = problem[side]
        total = (
            table["price"][str(terms.price)]
            + table["delivery"][terms.delivery_date.isoformat()]
            + table["quality"][str(terms.quality)]
        )
        assert abs(total - utility.of(terms)) < 1e-9
    # the seller never takes less than its reservation price, the buyer never pays more than its own
    assert min(Decimal(p) for p in problem["seller"]["price"]) == seller_space.price_low
    over = [p for p in problem["buyer"]["price"] if Decimal(p) > evaluation.buyer.space.price_high]
    assert all(problem["buyer"]["price"][p] == OUTSIDE for p in over)


def test_outcomes_agree_only_when_rates_and_most_endings_match() -> None:
    ours = {str(i): {"agreed": i < 9, "buyer_utility": 0.5, "seller_utility": 0.5} for i in range(10)}
    same = {k: dict(v) for k, v in ours.items()}
    assert compare(ours, same)["outcomes_agree"] is True
    flipped = {k: {**v, "agreed": not v["agreed"]} for k, v in ours.items()}
    report = compare(ours, flipped)
    assert report["outcomes_agree"] is False and report["same_outcome_share"] == 0.0
    assert report["agreement_rate"] == {"ours": 0.9, "negmas": 0.1}


def test_the_negmas_side_imports_only_negmas_and_the_standard_library() -> None:
    tree = ast.parse(PEER.read_text())
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) - {"__future__"} == {"negmas"}


def test_dates_and_qualities_are_strings_negmas_can_key_tables_by() -> None:
    problem = export_problems(make_plan(bench_scenario(2)))[0]
    assert all(date.fromisoformat(d) for d in problem["buyer"]["delivery"])
    assert set(problem["buyer"]["quality"]) <= {str(q) for q in QualityLevel}
