"""Explicit status machines: a transition table per status enum, and the history entry of a change."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from ontology.values import Actor, Text, UtcDateTime

S = TypeVar("S", bound=StrEnum)


class InvalidTransition(ValueError):
    """A status change that the transition table does not allow."""

    def __init__(self, kind: str, current: StrEnum, target: StrEnum, allowed: Sequence[StrEnum]) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(allowed)
        listed = (
            ", ".join(repr(str(state)) for state in allowed)
            if allowed
            else f"none, {str(current)!r} is terminal"
        )
        super().__init__(
            f"{kind} cannot go from {str(current)!r} to {str(target)!r}; "
            f"allowed from {str(current)!r}: {listed}"
        )


class StatusChange(BaseModel, Generic[S]):
    """One entry of a status history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    from_status: S
    to_status: S
    at: UtcDateTime
    actor: Actor
    note: Text = ""


class TransitionTable(Generic[S]):
    """Which status may follow which; every state of the enum is listed (terminal ones with no targets)."""

    def __init__(self, kind: str, initial: S, table: Mapping[S, Iterable[S]]) -> None:
        states = tuple(type(initial))
        missing = [str(state) for state in states if state not in table]
        if missing:
            raise ValueError(f"{kind} transition table lists no entry for {', '.join(missing)}")
        self.kind = kind
        self.initial = initial
        self._table: dict[S, tuple[S, ...]] = {state: tuple(table[state]) for state in states}
        for state, targets in self._table.items():
            if state in targets:
                raise ValueError(f"{kind} transition table lets {str(state)!r} go to itself")

    @property
    def states(self) -> tuple[S, ...]:
        return tuple(self._table)

    @property
    def terminal_states(self) -> frozenset[S]:
        return frozenset(state for state, targets in self._table.items() if not targets)

    def allowed(self, state: S) -> tuple[S, ...]:
        return self._table[state]

    def is_terminal(self, state: S) -> bool:
        return not self._table[state]

    def can(self, current: S, target: S) -> bool:
        return target in self._table[current]

    def check(self, current: S, target: S) -> None:
        """Raise :class:`InvalidTransition` unless ``current -> target`` is in the table."""
        if not self.can(current, target):
            raise InvalidTransition(self.kind, current, target, self._table[current])

    def check_history(self, status: S, history: Sequence[StatusChange[S]]) -> None:
        """Raise ``ValueError`` unless ``history`` walks allowed steps from ``initial`` to ``status``.

        An entry that stays where it is (from and to: the current status) is a note, not a step."""
        current = self.initial
        for index, change in enumerate(history):
            if change.from_status != current:
                raise ValueError(
                    f"{self.kind} history entry {index} starts at {str(change.from_status)!r}, "
                    f"but the {self.kind} was {str(current)!r} then"
                )
            if change.to_status == current:
                continue
            self.check(current, change.to_status)
            current = change.to_status
        if current != status:
            raise ValueError(
                f"{self.kind} status is {str(status)!r}, but its history ends at {str(current)!r}"
            )

    def path(self, start: S, goal: S) -> tuple[S, ...] | None:
        """A shortest chain of states from ``start`` to ``goal`` (both included), or None if unreachable."""
        previous: dict[S, S | None] = {start: None}
        queue: deque[S] = deque([start])
        while queue:
            state = queue.popleft()
            if state == goal:
                chain: list[S] = []
                step: S | None = state
                while step is not None:
                    chain.append(step)
                    step = previous[step]
                return tuple(reversed(chain))
            for target in self._table[state]:
                if target not in previous:
                    previous[target] = state
                    queue.append(target)
        return None
