"""Transition tables: what each state of a protocol machine accepts, as data.

A machine's :class:`TransitionTable` has one :class:`Row` per state that is not final. The row says
which received performatives the state accepts (:class:`Receive`: the method that handles one, an
optional check run first, the states it may lead to), which application steps it allows (method
name -> states), where its deadline leads (no deadline: empty), and where a ``not-understood`` of
a message we sent leads. A performative missing from the row is answered ``not-understood``
(``out-of-sequence``) by :meth:`protocols.conversation.Conversation._route`, the one place that
reads the received part. Deadlines, not-understood and application steps stay code; their part of
the table documents them and is checked against the code by the tests. ``docs/protocols.md`` is
drawn from the tables (:mod:`protocols.diagrams`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from protocols.performative import Performative


@dataclass(frozen=True)
class Receive:
    """How a state takes one received performative."""

    handler: str
    """Method ``(message, content, now) -> list[AclMessage]`` that runs the step."""
    to: tuple[str, ...]
    """Every state the step may lead to, this one included when it may stay."""
    check: str | None = None
    """Method ``(message) -> Unexpected | None`` run first; an ``Unexpected`` gets ``not-understood``."""


@dataclass(frozen=True)
class Row:
    """What one state allows."""

    receive: Mapping[Performative, Receive] = field(default_factory=dict)
    steps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Application step (method name) -> the states it may lead to."""
    deadline: tuple[str, ...] = ()
    """The states the deadline leads to; empty when the state has no deadline."""
    not_understood: tuple[str, ...] = ()
    """The states a peer's ``not-understood`` of one of our messages may lead to."""


@dataclass(frozen=True)
class TransitionTable:
    initial: str
    final: frozenset[str]
    failed: str
    """The final state a machine ends in when it hits an internal error."""
    rows: Mapping[str, Row]

    def __post_init__(self) -> None:
        if self.failed not in self.final:
            raise ValueError(f"the failed state {self.failed} is not final")
        overlap = self.final & self.rows.keys()
        if overlap:
            raise ValueError(f"final states have no row: {', '.join(sorted(overlap))}")
        object.__setattr__(self, "rows", MappingProxyType(dict(self.rows)))

    def row(self, state: str) -> Row:
        return self.rows.get(state, _NO_ROW)

    def receiving(self, state: str, performative: Performative, entry: Receive) -> TransitionTable:
        """This table with ``state`` also accepting ``performative``."""
        row = self.row(state)
        receive = {**row.receive, performative: entry}
        return replace(self, rows={**self.rows, state: replace(row, receive=receive)})

    def stepping(self, state: str, step: str, to: Iterable[str]) -> TransitionTable:
        """This table with ``state`` also allowing the application step ``step``."""
        row = self.row(state)
        return replace(self, rows={**self.rows, state: replace(row, steps={**row.steps, step: tuple(to)})})

    def receiving_everywhere(self, performative: Performative, entry: Receive) -> TransitionTable:
        """This table with every state that is not final also accepting ``performative``."""
        table = self
        for state in self.rows:
            table = table.receiving(state, performative, entry)
        return table

    def targets(self, state: str) -> set[str]:
        """Every state ``state`` may lead to, by any way."""
        row = self.row(state)
        found = {target for entry in row.receive.values() for target in entry.to}
        found.update(target for targets in row.steps.values() for target in targets)
        found.update(row.deadline)
        found.update(row.not_understood)
        return found

    def states(self) -> set[str]:
        """Every state the table names."""
        named = {self.initial, *self.final, *self.rows}
        for state in self.rows:
            named |= self.targets(state)
        return named


_NO_ROW = Row()
