"""What a simulation run records, shared by the runner (which writes it) and the metrics (which read it).

A run directory holds ``run.json`` (:class:`RunInfo`), ``negotiations.jsonl`` (one
:class:`NegotiationResult` per line) and ``trace.jsonl`` (one :class:`OfferRecord` per line, every
offer and answer of every negotiation, in order).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ontology.process import QualityLevel

RUN_INFO = "run.json"
NEGOTIATIONS = "negotiations.jsonl"
TRACE = "trace.jsonl"


class Mode(StrEnum):
    FAST = "fast"
    """Every agent in one process, messages handed over in memory, no XMPP login."""
    DISTRIBUTED = "distributed"
    """Every agent an XMPP client of a real server."""


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class Move(StrEnum):
    OFFER = "offer"
    ACCEPT = "accept"
    REJECT = "reject"
    WALK_AWAY = "walk_away"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TermsRecord(_Record):
    price: Decimal
    delivery_date: date
    quality: QualityLevel


class UtilityPoint(_Record):
    """Utilities of one outcome to the buyer and to the seller, each in [0, 1]."""

    buyer: float = Field(ge=0, le=1)
    seller: float = Field(ge=0, le=1)


class OfferRecord(_Record):
    """One move of one negotiation (a line of ``trace.jsonl``)."""

    negotiation_id: str
    step: int = Field(ge=0, description="0-based index of the move within its negotiation")
    round: int = Field(ge=1)
    t: float = Field(ge=0, le=1, description="relative negotiation time of the move")
    elapsed_seconds: float = Field(ge=0, description="wall time since the negotiation began")
    role: Role
    agent: str
    move: Move
    terms: TermsRecord | None = None
    buyer_utility: float | None = Field(default=None, ge=0, le=1)
    seller_utility: float | None = Field(default=None, ge=0, le=1)


class NegotiationResult(_Record):
    """One bilateral negotiation (a line of ``negotiations.jsonl``)."""

    id: str
    order_id: str
    part_id: str
    buyer: str
    seller: str
    buyer_strategy: str
    seller_strategy: str
    repetition: int = 0
    agreed: bool
    agreement: TermsRecord | None = None
    rounds: int = Field(ge=0)
    messages: int = Field(ge=0)
    elapsed_seconds: float = Field(ge=0)
    buyer_utility: float = Field(ge=0, le=1, description="0 without an agreement")
    seller_utility: float = Field(ge=0, le=1, description="0 without an agreement")
    buyer_reservation_utility: float = Field(ge=0, le=1)
    seller_reservation_utility: float = Field(ge=0, le=1)
    buyer_reservation_price: Decimal = Field(description="the most the buyer would pay")
    seller_reservation_price: Decimal = Field(description="the least the seller would take")
    requested_delivery: date
    outcome_space: tuple[UtilityPoint, ...] = Field(
        default=(),
        description="utilities of a bounded sample of the outcomes both sides could agree on "
        "(for the Pareto frontier and the Nash point)",
    )


class RunInfo(_Record):
    """A run as a whole (``run.json``)."""

    run_id: str
    scenario: str
    scenario_path: str | None = None
    seed: int
    mode: Mode
    started_at: datetime
    finished_at: datetime
    negotiations: int = Field(ge=0)
    orders: int = Field(ge=0)
    tournament: bool = False


def read_negotiations(run_dir: Path) -> list[NegotiationResult]:
    with (run_dir / NEGOTIATIONS).open(encoding="utf-8") as lines:
        return [NegotiationResult.model_validate_json(line) for line in lines if line.strip()]


def read_trace(run_dir: Path) -> list[OfferRecord]:
    with (run_dir / TRACE).open(encoding="utf-8") as lines:
        return [OfferRecord.model_validate_json(line) for line in lines if line.strip()]


def read_run_info(run_dir: Path) -> RunInfo:
    return RunInfo.model_validate_json((run_dir / RUN_INFO).read_text(encoding="utf-8"))
