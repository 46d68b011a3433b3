"""report.md: a short Markdown summary of a run, linking its plots."""

from __future__ import annotations

from collections.abc import Sequence

from simulation.metrics.run import RunMetrics
from simulation.metrics.stats import Summary
from simulation.results import RunInfo

KEY_FIGURES = (
    ("rounds", "rounds"),
    ("messages", "messages"),
    ("time_to_agreement_seconds", "time to agreement (s)"),
    ("buyer_utility", "utility to the buyer"),
    ("seller_utility", "utility to the seller"),
    ("social_welfare_sum", "social welfare (sum of utilities)"),
    ("pareto_distance", "distance to the Pareto frontier"),
    ("nash_distance", "distance to the Nash point"),
    ("price_position", "price position (0 seller's, 1 buyer's reservation)"),
    ("delivery_slack_days", "delivery slack (days)"),
    ("supply_network_cost", "supply-network cost per order"),
    ("order_delivery_slack_days", "order delivery slack (days)"),
)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def agreement_rate_text(metrics: RunMetrics) -> str:
    if metrics.agreement_rate is None:
        return "n/a (no negotiations)"
    return f"{metrics.agreement_rate:.1%} ({metrics.agreements} of {metrics.negotiations})"


def _figures(summaries: dict[str, Summary]) -> list[str]:
    lines = ["| metric | n | mean | median | p95 |", "|---|---:|---:|---:|---:|"]
    for key, label in KEY_FIGURES:
        s = summaries[key]
        lines.append(f"| {label} | {s.count} | {_number(s.mean)} | {_number(s.median)} | {_number(s.p95)} |")
    return lines


def _tournament(metrics: RunMetrics) -> list[str]:
    lines = [
        "| buyer strategy | seller strategy | negotiations | repetitions | agreement rate "
        "| mean buyer utility | mean seller utility | mean welfare (sum) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in metrics.pairs:
        lines.append(
            f"| {p.buyer_strategy} | {p.seller_strategy} | {p.negotiations} | {p.repetitions} "
            f"| {p.agreement_rate:.1%} | {p.mean_buyer_utility:.3f} | {p.mean_seller_utility:.3f} "
            f"| {p.mean_social_welfare_sum:.3f} |"
        )
    return lines


def render_report(
    info: RunInfo, metrics: RunMetrics, plots: Sequence[tuple[str, str]], metric_files: Sequence[str]
) -> str:
    """The Markdown text; ``plots`` are (title, relative path) pairs, ``metric_files`` relative paths."""
    lines = [
        f"# Simulation report: {info.scenario}",
        "",
        "| | |",
        "|---|---|",
        f"| run | `{info.run_id}` |",
        f"| scenario | {info.scenario}" + (f" (`{info.scenario_path}`)" if info.scenario_path else "") + " |",
        f"| seed | {info.seed} |",
        f"| mode | {info.mode.value} |",
        f"| tournament | {'yes' if info.tournament else 'no'} |",
        f"| started | {info.started_at.isoformat()} |",
        f"| finished | {info.finished_at.isoformat()} |",
        "",
        "## Counts",
        "",
        f"- negotiations: {metrics.negotiations}",
        f"- agreements: {metrics.agreements}",
        f"- orders: {metrics.orders} ({metrics.complete_orders} with every part agreed)",
        f"- messages: {metrics.total_messages}",
        "",
        f"**Agreement rate: {agreement_rate_text(metrics)}**",
        "",
        "## Key figures",
        "",
        "Each over the negotiations (or orders) where it is defined; utilities and welfare count 0 "
        "for a negotiation without an agreement.",
        "",
        *_figures(metrics.summaries),
        "",
    ]
    if info.tournament:
        lines += ["## Tournament", "", *_tournament(metrics), ""]
    lines += ["## Plots", ""]
    lines += [f"![{title}]({path})" for title, path in plots]
    lines += ["", "## Metrics files", "", *[f"- [{name}]({name})" for name in metric_files], ""]
    return "\n".join(lines)
