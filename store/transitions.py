"""Which order status may follow which: pluggable, by default the ontology's ``ORDER_TRANSITIONS`` table."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from ontology.order import ORDER_TRANSITIONS
from ontology.status import TransitionTable


class TransitionRule(Protocol):
    """What :class:`~store.repositories.orders.OrderRepository` needs to validate status changes."""

    @property
    def initial(self) -> str: ...

    def is_state(self, status: str) -> bool: ...

    def can(self, current: str, target: str) -> bool: ...

    def allowed(self, current: str) -> tuple[str, ...]: ...


class TableRule:
    """A :class:`TransitionRule` backed by an ontology :class:`~ontology.status.TransitionTable`."""

    def __init__(self, table: TransitionTable[Any]) -> None:
        self._table = table
        self._enum: type[StrEnum] = type(table.initial)

    def _state(self, status: str) -> StrEnum | None:
        try:
            return self._enum(status)
        except ValueError:
            return None

    @property
    def initial(self) -> str:
        return str(self._table.initial)

    def is_state(self, status: str) -> bool:
        return self._state(status) is not None

    def can(self, current: str, target: str) -> bool:
        source, goal = self._state(current), self._state(target)
        return source is not None and goal is not None and self._table.can(source, goal)

    def allowed(self, current: str) -> tuple[str, ...]:
        source = self._state(current)
        return () if source is None else tuple(str(state) for state in self._table.allowed(source))


#: The default rule: the order status machine of the ontology.
ORDER_RULE: TransitionRule = TableRule(ORDER_TRANSITIONS)
