"""Command deduplication as Daml 2.x does it.

A command's *change id* is ``(application id, command id, set of act_as parties)``. A submission is a
duplicate (Daml's ``DUPLICATE_COMMAND``, gRPC ``ALREADY_EXISTS``, JSON API 409) when a command with the same
change id was *accepted* within the submission's deduplication period:

* :class:`DedupDuration` -- accepted less than ``seconds`` ago (``0``: no deduplication);
* :class:`DedupOffset` -- accepted at an offset after ``offset``;
* none given -- the ledger's maximum deduplication duration (Daml: the participant's
  ``max-deduplication-duration``, which is also the default).

A duration longer than the maximum is refused with :class:`InvalidDeduplicationPeriod` (Daml's
``INVALID_DEDUPLICATION_PERIOD``, gRPC ``FAILED_PRECONDITION``), as is an offset whose transaction is older
than the maximum (its dedup entries may be pruned). Rejected commands are not remembered: they may be
resubmitted.

Entries live in the ``ledger_dedup`` table, written in the same database transaction as the command's log
entry; entries older than the maximum are pruned, so the table holds at most the commands of one maximum
period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from ledger.engine.errors import InvalidDeduplicationPeriod, ValidationError, iso_duration
from ledger.engine.offsets import parse_offset

#: Daml's documented default ``max-deduplication-duration`` of a participant: 7 days.
DEFAULT_MAX_DEDUPLICATION_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class DedupDuration:
    seconds: float


@dataclass(frozen=True, slots=True)
class DedupOffset:
    offset: int
    """Duplicates are commands accepted at an offset strictly after this one."""


DeduplicationPeriod = DedupDuration | DedupOffset


@dataclass(frozen=True, slots=True)
class DedupEntry:
    """The last accepted command of a change id: its transaction and the wall-clock time it was accepted."""

    offset: int
    transaction_id: str
    recorded_at: float


def dedup_key(application_id: str, command_id: str, act_as: Any) -> str:
    """The change id as one string (act_as as a sorted set)."""
    return json.dumps(
        [application_id, command_id, sorted(set(act_as))], separators=(",", ":"), ensure_ascii=False
    )


def check_period(period: DeduplicationPeriod | None, max_seconds: float) -> DeduplicationPeriod:
    """The effective period (``None``: the maximum); :class:`InvalidDeduplicationPeriod` if too long."""
    if period is None:
        return DedupDuration(max_seconds)
    if isinstance(period, DedupDuration):
        if period.seconds < 0:
            raise ValidationError("the deduplication duration is negative")
        if period.seconds > max_seconds:
            raise InvalidDeduplicationPeriod(
                f"The given deduplication duration of {iso_duration(period.seconds)} exceeds the maximum "
                f"deduplication time of {iso_duration(max_seconds)}",
                max_seconds,
            )
    return period


def is_duplicate(entry: DedupEntry | None, period: DeduplicationPeriod, now: float) -> bool:
    if entry is None:
        return False
    if isinstance(period, DedupOffset):
        return entry.offset > period.offset
    return period.seconds > 0 and entry.recorded_at > now - period.seconds


# -- the JSON API v1 form: meta.deduplicationPeriod ---------------------------------------------------------


class _JsonDuration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["Duration"]
    durationInMillis: int = Field(ge=0)


class _JsonOffset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["Offset"]
    offset: str


_JSON_PERIOD: TypeAdapter[_JsonDuration | _JsonOffset] = TypeAdapter(
    Annotated[_JsonDuration | _JsonOffset, Field(discriminator="type")]
)


def period_from_json(value: Any) -> DeduplicationPeriod | None:
    """``meta.deduplicationPeriod`` of a JSON API v1 command (Daml 2.x: ``{"type": "Duration",
    "durationInMillis": n}`` or ``{"type": "Offset", "offset": "<hex>"}``); ``None`` when absent."""
    if value is None:
        return None
    try:
        parsed = _JSON_PERIOD.validate_python(value)
    except PydanticValidationError as exc:
        raise ValidationError(
            'meta.deduplicationPeriod must be {"type": "Duration", "durationInMillis": <ms>} or '
            f'{{"type": "Offset", "offset": "<offset>"}}: {exc.errors()[0]["msg"]}'
        ) from None
    if isinstance(parsed, _JsonDuration):
        return DedupDuration(parsed.durationInMillis / 1000)
    return DedupOffset(parse_offset(parsed.offset))
