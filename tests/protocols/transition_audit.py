"""Checks every state change a protocol machine makes against its transition table, while tests run.

:func:`audit_transitions` wraps the few places of :class:`~protocols.conversation.Conversation`
every machine goes through: ``handle`` and ``tick`` (a call's boundaries), ``_event`` (what caused
what follows: a message received, a deadline, a not-understood of ours, an internal error) and
``_move``/``_finish`` (the state change). A change with no such cause inside ``handle``/``tick``
is an application step. Each change must lead to a state the table lists for that cause in the
state the cause found the machine in; every one that does not is reported to the innermost
:func:`audit_transitions` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from protocols.conversation import Conversation
from protocols.events import EventKind
from protocols.performative import Performative
from protocols.transitions import TransitionTable

_ATTRIBUTE = "_audited_cause"
_reports: list[list[str]] = []
"""One violation list per open :func:`audit_transitions` block, innermost last."""


@dataclass(frozen=True)
class Cause:
    what: str
    """A performative received, ``deadline``, ``not-understood`` or ``internal-error``."""
    state: str
    """The state the machine was in when it happened."""


def allowed_targets(table: TransitionTable, cause: Cause | None, state: str) -> set[str]:
    """Where ``cause`` may lead (``None``: an application step taken in ``state``)."""
    if cause is None:
        return {target for targets in table.row(state).steps.values() for target in targets}
    row = table.row(cause.state)
    if cause.what == "deadline":
        return set(row.deadline)
    if cause.what == Performative.NOT_UNDERSTOOD:
        return set(row.not_understood)
    entry = row.receive.get(Performative(cause.what))
    return set(entry.to) if entry else set()


def _change(machine: Conversation[Any], target: str) -> str | None:
    """What is wrong with ``machine`` going to ``target`` now, if anything."""
    table: TransitionTable | None = getattr(type(machine), "transitions", None)
    cause: Cause | None = getattr(machine, _ATTRIBUTE, None)
    if table is None or (cause is not None and cause.what == "internal-error"):
        return None
    source = str(machine._data.state)
    if target in allowed_targets(table, cause, source):
        return None
    how = f"{cause.what} in {cause.state}" if cause else "an application step"
    return f"{type(machine).__name__}: {source} -> {target} on {how} is not in its transition table"


@contextmanager
def audit_transitions() -> Iterator[list[str]]:
    """Within the block, every state change any machine makes is checked; yields the violations."""
    violations: list[str] = []
    _reports.append(violations)
    try:
        if len(_reports) > 1:
            yield violations
        else:
            with _patched():
                yield violations
    finally:
        _reports.pop()


@contextmanager
def _patched() -> Iterator[None]:
    base = Conversation
    event, move, finish = base._event, base._move, base._finish
    handle, tick = base.handle, base.tick

    def cause_of(kind: EventKind, state: str, message: Any) -> Cause | None:
        if kind is EventKind.RECEIVED and message is not None:
            return Cause(str(message.performative), state)
        if kind is EventKind.DEADLINE:
            return Cause("deadline", state)
        if kind is EventKind.ERROR:
            return Cause("internal-error", state)
        return None

    def audited_event(self: Conversation[Any], kind: EventKind, now: datetime, **fields: Any) -> None:
        cause = cause_of(kind, str(self._data.state), fields.get("message"))
        if cause is not None:
            setattr(self, _ATTRIBUTE, cause)
        event(self, kind, now, **fields)

    def audited_move(self: Conversation[Any], state: Any, now: datetime, *, deadline: Any) -> None:
        problem = _change(self, state)
        if problem:
            _reports[-1].append(problem)
        move(self, state, now, deadline=deadline)

    def audited_finish(self: Conversation[Any], state: str, reason: str, now: datetime) -> None:
        problem = _change(self, state)
        if problem:
            _reports[-1].append(problem)
        finish(self, state, reason, now)

    def audited_handle(self: Conversation[Any], message: Any, now: datetime) -> Any:
        setattr(self, _ATTRIBUTE, None)
        try:
            return handle(self, message, now)
        finally:
            setattr(self, _ATTRIBUTE, None)

    def audited_tick(self: Conversation[Any], now: datetime) -> Any:
        setattr(self, _ATTRIBUTE, None)
        try:
            return tick(self, now)
        finally:
            setattr(self, _ATTRIBUTE, None)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base, "_event", audited_event)
        patch.setattr(base, "_move", audited_move)
        patch.setattr(base, "_finish", audited_finish)
        patch.setattr(base, "handle", audited_handle)
        patch.setattr(base, "tick", audited_tick)
        yield
