"""Concession curves of one negotiation: the utility of each side's offers to both sides over time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from simulation.plots.canvas import new_figure, note, save_png
from simulation.results import Move, NegotiationResult, OfferRecord, Role

_COLOURS = {Role.BUYER: "tab:blue", Role.SELLER: "tab:orange"}


def plot_concession(result: NegotiationResult, trace: Sequence[OfferRecord], path: Path) -> Path:
    """Two panels (utility to the buyer, utility to the seller) against relative time t, one line per
    side's offers, the reservation utility dashed and the accepted offer starred."""
    figure = new_figure(9, 4)
    to_buyer, to_seller = figure.subplots(1, 2, sharex=True, sharey=True)
    figure.suptitle(f"Concession curves: {result.id} ({result.buyer_strategy} vs {result.seller_strategy})")
    records = [r for r in trace if r.negotiation_id == result.id]
    panels = (
        (to_buyer, "utility to the buyer", result.buyer_reservation_utility),
        (to_seller, "utility to the seller", result.seller_reservation_utility),
    )
    for axes, label, reservation in panels:
        axes.set_title(label)
        axes.set_xlabel("relative time t")
        axes.set_xlim(0, 1)
        axes.set_ylim(-0.02, 1.02)
        axes.axhline(reservation, color="grey", linestyle="--", linewidth=1, label="reservation")
    to_buyer.set_ylabel("utility")
    if not records:
        note(to_buyer, "no trace recorded")
        return save_png(figure, path)
    for role in Role:
        offers = [
            r
            for r in records
            if r.role is role and r.move is Move.OFFER
            if r.buyer_utility is not None and r.seller_utility is not None
        ]
        times = [r.t for r in offers]
        colour = _COLOURS[role]
        to_buyer.plot(
            times, [r.buyer_utility for r in offers], marker="o", color=colour, label=f"{role} offers"
        )
        to_seller.plot(
            times, [r.seller_utility for r in offers], marker="o", color=colour, label=f"{role} offers"
        )
    if result.agreed:
        accepted_at = max((r.t for r in records if r.move is Move.ACCEPT), default=records[-1].t)
        to_buyer.plot(
            [accepted_at],
            [result.buyer_utility],
            marker="*",
            markersize=15,
            color="tab:green",
            linestyle="",
            label="agreement",
        )
        to_seller.plot(
            [accepted_at],
            [result.seller_utility],
            marker="*",
            markersize=15,
            color="tab:green",
            linestyle="",
            label="agreement",
        )
    to_buyer.legend(loc="best", fontsize="small")
    return save_png(figure, path)
