"""A test double of the agent bridge: records every call, and fails with a BridgeError when told to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from gateway.bridge.base import AgentBridge, BridgeError, OrderEvent, QuotationAnswer
from ontology.order import Order


@dataclass(frozen=True)
class Call:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


class RecordingBridge(AgentBridge):
    """Takes every request (recorded in ``calls``); after ``fail(reason)`` or ``crash()`` calls raise."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failure: Exception | None = None

    def fail(self, reason: str = "the agents are down", status_code: int = 503) -> None:
        self.failure = BridgeError(reason, status_code=status_code)

    def crash(self) -> None:
        """The next calls raise an unexpected error (a bug in a bridge, not a refusal)."""
        self.failure = RuntimeError("bridge bug")

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append(Call(method, args, kwargs))
        if self.failure is not None:
            raise self.failure

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def place_order(self, order: Order) -> None:
        self._record("place_order", order)

    async def answer_quotation(
        self,
        order_id: UUID,
        answer: QuotationAnswer,
        *,
        price: Decimal | None = None,
        delivery_date: date | None = None,
        reason: str = "",
    ) -> None:
        self._record(
            "answer_quotation", order_id, answer, price=price, delivery_date=delivery_date, reason=reason
        )

    async def decide_order(self, order_id: UUID, accept: bool, reason: str = "") -> None:
        self._record("decide_order", order_id, accept, reason)

    async def start_sourcing(self, order_id: UUID) -> None:
        self._record("start_sourcing", order_id)

    async def report_production(self, order_id: UUID, percent: int, note: str = "") -> None:
        self._record("report_production", order_id, percent, note)

    async def raise_invoice(self, order_id: UUID) -> None:
        self._record("raise_invoice", order_id)

    async def confirm_parts(self, order_id: UUID) -> None:
        self._record("confirm_parts", order_id)

    async def start_production(self, order_id: UUID, reason: str) -> None:
        self._record("start_production", order_id, reason)

    async def ship_order(self, order_id: UUID, carrier: str, reference: str) -> None:
        self._record("ship_order", order_id, carrier, reference)

    async def pay(self, order_id: UUID, reference: str) -> None:
        self._record("pay", order_id, reference)

    async def confirm_payment(self, order_id: UUID) -> None:
        self._record("confirm_payment", order_id)

    async def confirm_delivery(self, order_id: UUID) -> None:
        self._record("confirm_delivery", order_id)

    async def events(self) -> AsyncIterator[OrderEvent]:
        return
        yield  # an async generator with no events
