"""Ledger time: the effective time of each transaction (Daml's ``getTime``).

``wall`` (the default) reads the system clock. ``static`` (like the Daml sandbox's ``--static-time``) starts
at the wall clock when the ledger opens and moves only when a client sets it through Daml's testing
``TimeService`` (gRPC ``com.daml.ledger.api.v1.testing.TimeService``): ``SetTime(current, new)`` is refused
unless ``current`` is the ledger's time and ``new`` is not earlier.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Literal

from ledger.engine.errors import ValidationError

TimeMode = Literal["wall", "static"]
TIME_MODES: tuple[TimeMode, ...] = ("wall", "static")


def timestamp_text(moment: datetime) -> str:
    """The engine's Timestamp value of ``moment`` (UTC, microseconds, ``Z``)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond:06d}Z"


class LedgerClock:
    """The ledger's time source; :meth:`set_time` only in ``static`` mode."""

    def __init__(self, mode: TimeMode = "wall") -> None:
        if mode not in TIME_MODES:
            raise ValueError(f"ledger time mode {mode!r} is neither 'wall' nor 'static'")
        self.mode: TimeMode = mode
        self._static = datetime.now(UTC).replace(microsecond=0)
        self._changed = asyncio.Condition()

    def now(self) -> datetime:
        return self._static if self.mode == "static" else datetime.now(UTC)

    async def set_time(self, current: datetime, new: datetime) -> datetime:
        """Move static time from ``current`` (must be the ledger's time) to ``new`` (not earlier)."""
        if self.mode != "static":
            raise ValidationError("ledger time can only be set when the ledger runs with static time")
        if current.astimezone(UTC) != self._static:
            raise ValidationError(
                f"current time {timestamp_text(current)} is not the ledger time "
                f"{timestamp_text(self._static)}"
            )
        if new.astimezone(UTC) < self._static:
            raise ValidationError(
                f"new time {timestamp_text(new)} is before the ledger time {timestamp_text(self._static)}"
            )
        async with self._changed:
            self._static = new.astimezone(UTC)
            self._changed.notify_all()
        return self._static

    async def watch(self) -> AsyncIterator[datetime]:
        """The ledger time now, then every time it is set (for ``TimeService.GetTime``)."""
        seen = self.now()
        yield seen
        while True:
            last = seen
            async with self._changed:
                await self._changed.wait_for(lambda last=last: self._static != last)  # type: ignore[misc]
                seen = self._static
            yield seen
