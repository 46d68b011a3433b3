"""NegMAS side of ``make bench-peer``: runs exported negotiation problems with NegMAS's SAO mechanism.

    .venv-peer/bin/python bench/negmas_peer.py PROBLEMS.json RESULT.json

It runs in its own virtual environment (``.venv-peer``: NegMAS is AGPL, never a dependency of ours)
and imports nothing of ours: only NegMAS and the standard library. Each problem (written by
:mod:`bench.simulation_peer`) gives three discrete issues (price, delivery day, quality), each
side's utility as a table of weighted scores per issue value (a linear additive utility, the same
numbers our negotiators use), each side's time-based strategy and the number of rounds. The result:
per problem whether they agreed and both utilities of the agreement, and the wall and CPU seconds
of the whole batch (problem set-up included, as in our measurement).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from negmas import SAOMechanism, make_issue
from negmas.preferences import LinearAdditiveUtilityFunction
from negmas.preferences.value_fun import TableFun
from negmas.sao import (
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NaiveTitForTatNegotiator,
)

STRATEGIES: dict[str, Any] = {
    "boulware": BoulwareTBNegotiator,
    "linear": LinearTBNegotiator,
    "conceder": ConcederTBNegotiator,
    "tit-for-tat": NaiveTitForTatNegotiator,
}
ISSUES = ("price", "delivery", "quality")


def ufun(tables: dict[str, dict[str, float]], mechanism: SAOMechanism) -> LinearAdditiveUtilityFunction:
    return LinearAdditiveUtilityFunction(
        values=[TableFun(tables[issue]) for issue in ISSUES],
        weights=[1.0, 1.0, 1.0],
        outcome_space=mechanism.outcome_space,
        reserved_value=0.0,
    )


def run_one(problem: dict[str, Any]) -> dict[str, Any]:
    issues = [make_issue(name=issue, values=list(problem["buyer"][issue])) for issue in ISSUES]
    mechanism = SAOMechanism(issues=issues, n_steps=problem["steps"], time_limit=None)
    buyer, seller = ufun(problem["buyer"], mechanism), ufun(problem["seller"], mechanism)
    mechanism.add(STRATEGIES[problem["seller_strategy"]](name="seller", ufun=seller))
    mechanism.add(STRATEGIES[problem["buyer_strategy"]](name="buyer", ufun=buyer))
    state = mechanism.run()
    agreement = state.agreement
    if agreement is None:
        return {"id": problem["id"], "agreed": False, "buyer_utility": 0.0, "seller_utility": 0.0}
    return {
        "id": problem["id"],
        "agreed": True,
        "buyer_utility": float(buyer(agreement)),
        "seller_utility": float(seller(agreement)),
    }


def main(argv: list[str]) -> None:
    with open(argv[0], encoding="utf-8") as source:
        problems = json.load(source)
    wall, cpu = time.perf_counter(), time.process_time()
    results = [run_one(problem) for problem in problems]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    import negmas

    report = {"negmas": negmas.__version__, "wall_seconds": wall, "cpu_seconds": cpu, "results": results}
    with open(argv[1], "w", encoding="utf-8") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main(sys.argv[1:])
