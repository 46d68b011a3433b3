"""Fast-mode simulation throughput: bilateral negotiations per second, beside the bare negotiators.

    python -m bench.simulation_throughput --out bench-simulation.json [--count 10000] [--max-seconds 300]

The scenario (:func:`bench_scenario`): ``count / 2`` bike orders, each sourcing its two parts (frame,
cover) from one supplier (so every negotiation is bilateral), boulware manufacturer against
linear suppliers of the shipped data set, up to 5 rounds. Measured in the same run:

* ``fast``: :func:`simulation.fast.engine.run_fast` on that plan (protocol machines, ACL messages
  through the ontology codec, proxies, the manufacturer's ranking and scorer, the recorder) and the
  results (with outcome-space samples): negotiations per second of wall and of CPU time;
* ``baseline``: the same negotiations as a bare alternating-offers loop of the two sides'
  :class:`~agents.negotiation.Negotiator` objects (the seller built as its proxy builds it, the buyer
  with the results' buyer utility): no machines, no messages, no recording;
* ``ratio``: fast / baseline negotiations per second (CPU time): the share of the bare decision
  speed the full protocol path keeps.

Both are bounded: ``--count`` negotiations, and each part stops after ``--max-seconds`` (the count
actually run is reported).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from agents.negotiation import Negotiator, Side, Terms, Utility, round_time, strategy_for
from agents.supplier_proxy.pricing import space_for
from agents.supplier_proxy.records import price_models_of
from ontology.negotiation import CallForProposals
from simulation.evaluation import evaluation_for
from simulation.fast.engine import run_fast
from simulation.plan import Cell, Plan, PlannedOrder, make_plan
from simulation.recorder import Recorder
from simulation.scenario.model import Scenario

BUYER_RESERVATION = Decimal("2000")


def bench_scenario(count: int, *, seed: int = 1) -> Scenario:
    """``count`` bilateral negotiations: ``ceil(count / 2)`` orders of two sourced parts."""
    orders = max(1, (count + 1) // 2)
    return Scenario.model_validate(
        {
            "name": "bench-simulation",
            "seed": seed,
            "products": [{"builtin": "bike"}],
            "manufacturers": [
                {
                    "id": "manufacturer-bench",
                    "policy": {
                        "capacity_hours_per_week": 100_000,
                        "own_processes": ["assembly"],
                        "sourced_processes": ["cnc-milling", "textile-cutting-sewing"],
                        "margin": "0.20",
                        "strategy": "boulware",
                        "deadline_seconds": 5,
                        "max_rounds": 5,
                        "max_suppliers_per_part": 1,
                        "reservation": {"max_part_price": str(BUYER_RESERVATION)},
                    },
                }
            ],
            "suppliers": {"dataset": "shipped", "policy": {"strategy": "linear", "max_rounds": 5}},
            "arrivals": [
                {
                    "manufacturer": "manufacturer-bench",
                    "product": "bike",
                    "choices": {"seat": "leather"},
                    "count": orders,
                    "mean_gap_seconds": 60,
                    "delivery_days": {"min": 30, "max": 120},
                }
            ],
        }
    )


class _Budget(Exception):
    """The time bound was reached."""


@dataclass
class Measured:
    negotiations: int
    agreements: int
    wall_seconds: float
    cpu_seconds: float

    def report(self) -> dict[str, Any]:
        return {
            "negotiations": self.negotiations,
            "agreements": self.agreements,
            "wall_seconds": round(self.wall_seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "negotiations_per_s": round(self.negotiations / self.wall_seconds, 1)
            if self.wall_seconds
            else None,
            "negotiations_per_cpu_s": round(self.negotiations / self.cpu_seconds, 1)
            if self.cpu_seconds
            else None,
        }


def measure_fast(plan: Plan, max_seconds: float) -> Measured:
    recorder = Recorder()
    wall, cpu = time.perf_counter(), time.process_time()
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if time.perf_counter() - wall > max_seconds:
            raise _Budget

    with contextlib.suppress(_Budget):
        run_fast(plan, recorder, domain="localhost", progress=progress)
    results = recorder.results()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finished = [r for r in results if r.rounds > 0]
    return Measured(len(finished), sum(r.agreed for r in finished), wall, cpu)


def bilateral(plan: Plan) -> Iterator[tuple[Cell, PlannedOrder, CallForProposals, str]]:
    """Every planned negotiation: its cell, order, round-1 call and supplier."""
    for cell in plan.cells:
        for order in cell.orders:
            policy = cell.policies[order.manufacturer]
            for part in order.parts:
                cfp = CallForProposals(
                    order_id=order.order_id,
                    part=part,
                    delivery_date=order.latest,
                    weights=policy.weights,
                    currency=policy.currency,
                    reply_by=datetime.now(UTC),
                )
                for supplier in order.candidates[part.part_id]:
                    yield cell, order, cfp, supplier


def bare_negotiation(
    plan: Plan, cell: Cell, order: PlannedOrder, cfp: CallForProposals, supplier: str
) -> bool:
    """One alternating-offers negotiation of the two sides' negotiators; True on agreement."""
    policy = cell.policies[order.manufacturer]
    setup = cell.supplier(supplier)
    record = setup.record.to_supplier()
    capability = record.capability(cfp.part.process)
    evaluation = evaluation_for(cfp, today=plan.today, policy=policy, setup=setup, fallback_reservation=None)
    if capability is None or evaluation is None:
        return False
    space = space_for(
        cfp,
        today=plan.today,
        policy=setup.policy,
        capability=capability,
        price_models=price_models_of(setup.record),
    )
    seed = zlib.crc32(f"{cell.seed}|{supplier}|{order.order_id}|{cfp.part.part_id}".encode())
    seller = Negotiator(
        Utility(Side.SELLER, space, cfp.weights), strategy_for(setup.policy.strategy), seed=seed
    )
    buyer = Negotiator(evaluation.buyer, strategy_for(policy.strategy), seed=cell.seed)
    rounds = min(policy.max_rounds, setup.policy.max_rounds)
    offer: Terms | None = seller.offer(0.0)
    for number in range(1, rounds + 1):
        assert offer is not None
        answer = buyer.respond(offer, round_time(number, policy.max_rounds))
        if answer.accept:
            return True
        if answer.counter is None:
            return False
        reply = seller.respond(answer.counter, round_time(number + 1, setup.policy.max_rounds))
        if reply.accept:
            return True
        offer = reply.counter
        if offer is None:
            return False
    return False


def measure_baseline(plan: Plan, max_seconds: float) -> Measured:
    negotiations = list(bilateral(plan))
    wall, cpu = time.perf_counter(), time.process_time()
    count = agreed = 0
    for cell, order, cfp, supplier in negotiations:
        agreed += bare_negotiation(plan, cell, order, cfp, supplier)
        count += 1
        if time.perf_counter() - wall > max_seconds:
            break
    return Measured(count, agreed, time.perf_counter() - wall, time.process_time() - cpu)


def run(count: int, max_seconds: float) -> dict[str, Any]:
    plan = make_plan(bench_scenario(count))
    baseline = measure_baseline(plan, max_seconds)
    fast = measure_fast(plan, max_seconds)
    base_rate = baseline.negotiations / baseline.cpu_seconds if baseline.cpu_seconds else 0.0
    fast_rate = fast.negotiations / fast.cpu_seconds if fast.cpu_seconds else 0.0
    return {
        "benchmark": "simulation-throughput",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "planned_negotiations": plan.negotiations,
        "max_seconds": max_seconds,
        "fast": fast.report(),
        "baseline": baseline.report(),
        "ratio": round(fast_rate / base_rate, 4) if base_rate else None,
        "note": "fast = full fast mode (machines, ACL, codec, proxies, recorder); baseline = bare Negotiator "
        "loop of the same negotiations; ratio = fast / baseline negotiations per CPU second",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("bench-simulation.json"))
    parser.add_argument("--count", type=int, default=10_000, help="bilateral negotiations to run")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="time bound of each measurement")
    args = parser.parse_args(argv)
    report = run(args.count, args.max_seconds)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
