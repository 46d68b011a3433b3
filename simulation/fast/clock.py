"""Simulated time: a clock that jumps from event to event, and the queue of pending events."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime, timedelta

Action = Callable[[], None]


class EventQueue:
    """Events in time order (ties in the order they were scheduled); ``now`` is the current event's time."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.now = start
        self._heap: list[tuple[datetime, int, Action]] = []
        self._seq = 0

    def at(self, when: datetime, action: Action) -> None:
        heapq.heappush(self._heap, (max(when, self.now), self._seq, action))
        self._seq += 1

    def after(self, delay: timedelta, action: Action) -> None:
        self.at(self.now + delay, action)

    @property
    def elapsed_seconds(self) -> float:
        return (self.now - self.start).total_seconds()

    def advance_to(self, when: datetime) -> None:
        """Let time pass with nothing happening (only forwards)."""
        self.now = max(self.now, when)

    def run(self, until: Callable[[], bool]) -> None:
        """Process events until ``until()`` holds or none is left."""
        heap = self._heap
        while heap and not until():
            when, _, action = heapq.heappop(heap)
            self.now = when
            action()

    def clear(self) -> None:
        self._heap.clear()
