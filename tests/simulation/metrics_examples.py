"""Hand-made run directories for the metrics, plots and report tests (no runner involved)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from ontology.process import QualityLevel
from simulation.results import (
    NEGOTIATIONS,
    RUN_INFO,
    TRACE,
    Mode,
    Move,
    NegotiationResult,
    OfferRecord,
    Role,
    RunInfo,
    TermsRecord,
    UtilityPoint,
)

A = (0.9, 0.2)
B = (0.5, 0.6)
C = (0.4, 0.4)
"""A 3-point outcome space: B dominates C, so the frontier is {A, B}; with reservation utilities
(0.1, 0.1) the Nash products are A 0.08, B 0.20, C 0.09, so the Nash point is B."""

REQUESTED = date(2026, 3, 10)


def space(*points: tuple[float, float]) -> tuple[UtilityPoint, ...]:
    return tuple(UtilityPoint(buyer=b, seller=s) for b, s in points)


def negotiation(
    id: str,
    *,
    order_id: str = "o1",
    part_id: str = "p1",
    agreed_at: tuple[float, float] | None = None,
    price: str = "120",
    delivery: date = date(2026, 3, 7),
    outcome_space: Sequence[tuple[float, float]] = (A, B, C),
    buyer_strategy: str = "boulware",
    seller_strategy: str = "conceder",
    repetition: int = 0,
    elapsed: float = 0.25,
) -> NegotiationResult:
    """A negotiation with reservation prices 100 (seller) and 140 (buyer), reservation utilities 0.1."""
    agreed = agreed_at is not None
    utilities = agreed_at or (0.0, 0.0)
    return NegotiationResult(
        id=id,
        order_id=order_id,
        part_id=part_id,
        buyer="manufacturer@localhost",
        seller=f"supplier-{id}@localhost",
        buyer_strategy=buyer_strategy,
        seller_strategy=seller_strategy,
        repetition=repetition,
        agreed=agreed,
        agreement=TermsRecord(price=Decimal(price), delivery_date=delivery, quality=QualityLevel.STANDARD)
        if agreed
        else None,
        rounds=3 if agreed else 5,
        messages=7 if agreed else 11,
        elapsed_seconds=elapsed,
        buyer_utility=utilities[0],
        seller_utility=utilities[1],
        buyer_reservation_utility=0.1,
        seller_reservation_utility=0.1,
        buyer_reservation_price=Decimal(140),
        seller_reservation_price=Decimal(100),
        requested_delivery=REQUESTED,
        outcome_space=space(*outcome_space),
    )


def moves(result: NegotiationResult) -> list[OfferRecord]:
    """Alternating offers conceding towards the outcome, then an accept (or a walk-away)."""
    offers = [
        (Role.SELLER, 0.2, 0.9),
        (Role.BUYER, 0.9, 0.2),
        (Role.SELLER, 0.4, 0.7),
        (Role.BUYER, 0.7, 0.3),
    ]
    records = []
    for step, (role, buyer_u, seller_u) in enumerate(offers):
        records.append(
            OfferRecord(
                negotiation_id=result.id,
                step=step,
                round=step // 2 + 1,
                t=step / 5,
                elapsed_seconds=step * 0.05,
                role=role,
                agent=result.buyer if role is Role.BUYER else result.seller,
                move=Move.OFFER,
                terms=TermsRecord(
                    price=Decimal(130 - 5 * step), delivery_date=REQUESTED, quality=QualityLevel.STANDARD
                ),
                buyer_utility=buyer_u,
                seller_utility=seller_u,
            )
        )
    records.append(
        OfferRecord(
            negotiation_id=result.id,
            step=len(offers),
            round=3,
            t=0.9,
            elapsed_seconds=result.elapsed_seconds,
            role=Role.SELLER,
            agent=result.seller,
            move=Move.ACCEPT if result.agreed else Move.WALK_AWAY,
            buyer_utility=result.buyer_utility if result.agreed else None,
            seller_utility=result.seller_utility if result.agreed else None,
        )
    )
    return records


def run_info(results: Sequence[NegotiationResult], *, tournament: bool = False) -> RunInfo:
    return RunInfo(
        run_id="run-1",
        scenario="two-orders",
        scenario_path="scenarios/two-orders.yaml",
        seed=42,
        mode=Mode.FAST,
        started_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        finished_at=datetime(2026, 11, 25, 12, 0, 3, tzinfo=UTC),
        negotiations=len(results),
        orders=len({r.order_id for r in results}),
        tournament=tournament,
    )


def write_run(run_dir: Path, results: Sequence[NegotiationResult], *, tournament: bool = False) -> Path:
    """A run directory as the runner writes it: run.json, negotiations.jsonl, trace.jsonl."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / RUN_INFO).write_text(
        run_info(results, tournament=tournament).model_dump_json(), encoding="utf-8"
    )
    (run_dir / NEGOTIATIONS).write_text(
        "".join(r.model_dump_json() + "\n" for r in results), encoding="utf-8"
    )
    trace = [record for result in results for record in moves(result)]
    (run_dir / TRACE).write_text("".join(r.model_dump_json() + "\n" for r in trace), encoding="utf-8")
    return run_dir


def two_orders() -> list[NegotiationResult]:
    """Order o1: part p1 agreed at C for 120 delivered 3 days early, part p2 agreed at B for 130 delivered
    2 days late; order o2: part p1 without an agreement. Agreement rate 2/3."""
    return [
        negotiation("n1", agreed_at=C, price="120", delivery=date(2026, 3, 7), elapsed=0.25),
        negotiation("n2", part_id="p2", agreed_at=B, price="130", delivery=date(2026, 3, 12), elapsed=0.75),
        negotiation("n3", order_id="o2"),
    ]
