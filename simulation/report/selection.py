"""The negotiation a report draws in detail, and its moves from the trace."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from simulation.results import TRACE, NegotiationResult, OfferRecord


class UnknownNegotiationError(LookupError):
    """The asked negotiation id is not in the run."""


def pick_negotiation(results: Sequence[NegotiationResult], wanted: str | None) -> NegotiationResult | None:
    """The negotiation ``wanted``; by default the first with an agreement, else the first (``None``
    for a run without negotiations)."""
    if wanted is not None:
        for result in results:
            if result.id == wanted:
                return result
        raise UnknownNegotiationError(wanted)
    return next((r for r in results if r.agreed), results[0] if results else None)


def trace_of(run_dir: Path, negotiation_id: str) -> list[OfferRecord]:
    """The moves of one negotiation, in order; validates only its own lines of a large trace."""
    path = run_dir / TRACE
    if not path.exists():
        return []
    moves: list[OfferRecord] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and json.loads(line).get("negotiation_id") == negotiation_id:
                moves.append(OfferRecord.model_validate_json(line))
    return sorted(moves, key=lambda m: m.step)


def file_stem(negotiation_id: str) -> str:
    """A negotiation id made safe for a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", negotiation_id).strip("._") or "negotiation"
