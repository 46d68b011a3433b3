"""``make bench-peer``: the simulation benchmark's scenario in our fast mode and in NegMAS (SAO).

    python -m bench.simulation_peer --peer-python .venv-peer/bin/python --out bench-peer.json [--count 1000]

NegMAS is AGPL, so it lives in its own virtual environment (``make bench-peer`` creates
``.venv-peer`` and installs it there) and runs as a separate process (:mod:`bench.negmas_peer`,
which imports nothing of ours). This side:

1. plans :func:`bench.simulation_throughput.bench_scenario` (``--count`` bilateral negotiations);
2. exports each negotiation as a NegMAS problem: three discrete issues (20 prices from the seller's
   reservation price to the higher of the seller's opening and the buyer's reservation price, up to
   8 delivery days, the qualities of either side), each side's utility tabulated per issue value
   from our :class:`~agents.negotiation.Utility` (weights folded in; values outside a side's limits
   score -1, so it never accepts them), its strategy (boulware, linear, conceder, tit-for-tat) and
   the manufacturer's rounds as SAO steps;
3. runs our fast mode on the same plan and NegMAS on the problems, in the same run;
4. reports both rates (negotiations per CPU second, set-up included on both sides), their ratio
   (ours / NegMAS; goal >= 1), the agreement rates, the share of negotiations whose agreed/failed
   outcome is the same in both, and the mean utilities. ``outcomes_agree`` is true when the agreement
   rates differ by at most 0.05 and at least 90 % of the negotiations end the same way. The
   protocols differ (Iterated Contract Net with a manufacturer's target price against SAO's
   alternating full offers), so identical terms are not expected.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from agents.negotiation import Utility
from agents.negotiation.generator import candidate_dates
from bench.simulation_throughput import bench_scenario, bilateral
from ontology.process import QualityLevel
from simulation.evaluation import evaluation_for
from simulation.fast.engine import run_fast
from simulation.plan import Plan, make_plan
from simulation.recorder import Recorder

PRICES = 20
DATES = 8
OUTSIDE = -1.0
AGREEMENT_RATE_TOLERANCE = 0.05
SAME_OUTCOME_SHARE = 0.9


def _table(
    utility: Utility, prices: list[Decimal], days: list[date], qualities: list[QualityLevel]
) -> dict[str, dict[str, float]]:
    """Weighted score per issue value; a value outside the side's limits (:meth:`Utility.acceptable`,
    issue by issue) scores -1."""
    w, space, buyer = utility.weights, utility.space, utility.buyer

    def price_ok(p: Decimal) -> bool:
        return p <= space.price_high if buyer else p >= space.price_low

    def day_ok(d: date) -> bool:
        return d <= space.latest if buyer else d >= space.earliest

    def quality_ok(q: QualityLevel) -> bool:
        return q.rank >= space.qualities[0].rank if buyer else q.rank <= space.qualities[-1].rank

    return {
        "price": {str(p): w.price * utility.price_score(p) if price_ok(p) else OUTSIDE for p in prices},
        "delivery": {
            d.isoformat(): w.delivery * utility.date_score(d) if day_ok(d) else OUTSIDE for d in days
        },
        "quality": {
            str(q): w.quality * utility.quality_score(q) if quality_ok(q) else OUTSIDE for q in qualities
        },
    }


def export_problems(plan: Plan) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    for cell, order, cfp, supplier in bilateral(plan):
        policy = cell.policies[order.manufacturer]
        setup = cell.supplier(supplier)
        evaluation = evaluation_for(
            cfp, today=plan.today, policy=policy, setup=setup, fallback_reservation=None
        )
        if evaluation is None:
            continue
        b, s = evaluation.buyer.space, evaluation.seller.space
        low, high = s.price_low, max(s.price_high, b.price_high)
        prices = sorted(
            {
                (low + (high - low) * Decimal(i) / (PRICES - 1)).quantize(Decimal("0.01"))
                for i in range(PRICES)
            }
        )
        days = candidate_dates(min(b.earliest, s.earliest), max(b.latest, s.latest), DATES)
        qualities = sorted(set(b.qualities) | set(s.qualities), key=lambda q: q.rank)
        problems.append(
            {
                "id": f"{order.key}/{cfp.part.part_id}",
                "steps": policy.max_rounds,
                "buyer_strategy": str(policy.strategy),
                "seller_strategy": str(setup.policy.strategy),
                "buyer": _table(evaluation.buyer, prices, days, qualities),
                "seller": _table(evaluation.seller, prices, days, qualities),
            }
        )
    return problems


def run_ours(plan: Plan) -> tuple[dict[str, dict[str, Any]], float, float]:
    recorder = Recorder()
    wall, cpu = time.perf_counter(), time.process_time()
    run_fast(plan, recorder, domain="localhost", progress=lambda _: None)
    results = recorder.results()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    by_id = {
        f"{r.id.split('/')[1]}/{r.part_id}": {
            "agreed": r.agreed,
            "buyer_utility": r.buyer_utility,
            "seller_utility": r.seller_utility,
        }
        for r in results
    }
    return by_id, wall, cpu


def compare(ours: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    shared = sorted(ours.keys() & theirs.keys())
    if not shared:
        return {"negotiations": 0, "outcomes_agree": False}

    def rate(side: dict[str, dict[str, Any]]) -> float:
        return sum(bool(side[k]["agreed"]) for k in shared) / len(shared)

    def mean(side: dict[str, dict[str, Any]], key: str) -> float:
        return sum(float(side[k][key]) for k in shared) / len(shared)

    same = sum(ours[k]["agreed"] == theirs[k]["agreed"] for k in shared) / len(shared)
    ours_rate, their_rate = rate(ours), rate(theirs)
    return {
        "negotiations": len(shared),
        "agreement_rate": {"ours": round(ours_rate, 4), "negmas": round(their_rate, 4)},
        "same_outcome_share": round(same, 4),
        "mean_buyer_utility": {
            "ours": round(mean(ours, "buyer_utility"), 4),
            "negmas": round(mean(theirs, "buyer_utility"), 4),
        },
        "mean_seller_utility": {
            "ours": round(mean(ours, "seller_utility"), 4),
            "negmas": round(mean(theirs, "seller_utility"), 4),
        },
        "outcomes_agree": abs(ours_rate - their_rate) <= AGREEMENT_RATE_TOLERANCE
        and same >= SAME_OUTCOME_SHARE,
    }


def run(count: int, peer_python: str) -> dict[str, Any]:
    plan = make_plan(bench_scenario(count))
    problems = export_problems(plan)
    ours, ours_wall, ours_cpu = run_ours(plan)
    with tempfile.TemporaryDirectory(prefix="lso-bench-peer-") as work:
        problems_file, result_file = Path(work) / "problems.json", Path(work) / "result.json"
        problems_file.write_text(json.dumps(problems), encoding="utf-8")
        peer = Path(__file__).with_name("negmas_peer.py")
        subprocess.run([peer_python, str(peer), str(problems_file), str(result_file)], check=True)
        peer_report = json.loads(result_file.read_text(encoding="utf-8"))
    theirs = {r["id"]: r for r in peer_report["results"]}
    ours_rate = len(ours) / ours_cpu if ours_cpu else 0.0
    their_rate = len(theirs) / peer_report["cpu_seconds"] if peer_report["cpu_seconds"] else 0.0
    return {
        "benchmark": "simulation-peer",
        "python": sys.version.split()[0],
        "negmas": peer_report["negmas"],
        "ours": {
            "negotiations": len(ours),
            "wall_seconds": round(ours_wall, 3),
            "cpu_seconds": round(ours_cpu, 3),
            "negotiations_per_cpu_s": round(ours_rate, 1),
        },
        "negmas_sao": {
            "negotiations": len(theirs),
            "wall_seconds": round(peer_report["wall_seconds"], 3),
            "cpu_seconds": round(peer_report["cpu_seconds"], 3),
            "negotiations_per_cpu_s": round(their_rate, 1),
        },
        "ratio": round(ours_rate / their_rate, 4) if their_rate else None,
        "outcomes": compare(ours, theirs),
        "note": "ratio = ours / NegMAS negotiations per CPU second (goal >= 1); ours is the full fast mode "
        "(machines, ACL, codec, proxies, recorder), NegMAS its SAO mechanism with time-based negotiators",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--peer-python", default=".venv-peer/bin/python", help="python of the NegMAS environment"
    )
    parser.add_argument("--out", type=Path, default=Path("bench-peer.json"))
    parser.add_argument("--count", type=int, default=1000, help="bilateral negotiations")
    args = parser.parse_args(argv)
    report = run(args.count, args.peer_python)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
