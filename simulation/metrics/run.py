"""The metrics of a run as a whole (``metrics-run.json``)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from simulation.metrics.negotiation import NegotiationMetrics, negotiation_metrics
from simulation.metrics.orders import OrderMetrics, order_metrics
from simulation.metrics.pairs import PairMetrics, pair_metrics
from simulation.metrics.stats import Summary, summarize
from simulation.results import Mode, NegotiationResult, RunInfo

NEGOTIATION_SUMMARIES = (
    "rounds",
    "messages",
    "time_to_agreement_seconds",
    "buyer_utility",
    "seller_utility",
    "social_welfare_sum",
    "pareto_distance",
    "nash_distance",
    "price_position",
    "delivery_slack_days",
)
"""Per-negotiation metrics summarised over the run (each over the negotiations where it is defined)."""


class RunMetrics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    scenario: str
    seed: int
    mode: Mode
    tournament: bool
    negotiations: int
    agreements: int
    agreement_rate: float | None
    """Agreements over negotiations; ``None`` for a run without negotiations."""
    total_messages: int
    orders: int
    complete_orders: int
    """Orders whose every part has an agreed supplier."""
    summaries: dict[str, Summary]
    """Mean, median and p95 of each metric in :data:`NEGOTIATION_SUMMARIES`, and of the orders'
    ``supply_network_cost`` and ``order_delivery_slack_days``."""
    pairs: tuple[PairMetrics, ...]
    negotiation_rows: tuple[NegotiationMetrics, ...] = Field(default=(), exclude=True)
    order_rows: tuple[OrderMetrics, ...] = Field(default=(), exclude=True)


def run_metrics(info: RunInfo, results: Sequence[NegotiationResult]) -> RunMetrics:
    rows = [negotiation_metrics(result) for result in results]
    orders = order_metrics(rows)
    agreements = sum(1 for r in rows if r.agreed)
    summaries = {name: summarize(getattr(r, name) for r in rows) for name in NEGOTIATION_SUMMARIES}
    summaries["supply_network_cost"] = summarize(
        float(o.supply_network_cost) if o.supply_network_cost is not None else None for o in orders
    )
    summaries["order_delivery_slack_days"] = summarize(o.delivery_slack_days for o in orders)
    return RunMetrics(
        run_id=info.run_id,
        scenario=info.scenario,
        seed=info.seed,
        mode=info.mode,
        tournament=info.tournament,
        negotiations=len(rows),
        agreements=agreements,
        agreement_rate=agreements / len(rows) if rows else None,
        total_messages=sum(r.messages for r in rows),
        orders=len(orders),
        complete_orders=sum(1 for o in orders if o.complete),
        summaries=summaries,
        pairs=tuple(pair_metrics(rows)),
        negotiation_rows=tuple(rows),
        order_rows=tuple(orders),
    )
