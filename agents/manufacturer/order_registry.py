"""What the manufacturer agent keeps per order while it runs: each order's flow task and the conversations
logged under each order; and when all of it (with the other per-order memories) is dropped.

Orders run as plain asyncio tasks, not as SPADE behaviours. A SPADE 4 behaviour waits for its agent to be
alive before its first step, its ``kill`` only sets a flag checked between steps (an order's flow is one long
step, parked at a console's gate or a customer's reply for minutes), and it logs and swallows what a step
raises. An order's flow needs the opposite: it runs as soon as it is started (whether or not the agent is
connected), it stops at once when the agent stops, and a failure is reported. So this registry keeps that
lifecycle itself:

* **start**: :meth:`OrderRegistry.start` creates the order's task (named ``order <id>``) when the agent opens
  an order conversation or a recovery resumes an order (the agent refuses a second request for an order whose
  flow runs);
* **stop**: :meth:`OrderRegistry.stop` (called by the agent's ``stop``, before it disconnects) cancels every
  order's task and waits until each has ended;
* **end and failure**: when a task ends, the order leaves the registry and what is kept about it is forgotten
  (:meth:`OrderRegistry.forget`); a task that ended with an exception (the flow turns its own failures into a
  ``failed`` order, so this is a bug) is logged with its traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Protocol

log = logging.getLogger(__name__)


class OrderMemory(Protocol):
    """Something else kept per order, forgotten together with the registry's entries."""

    def orders(self) -> set[str]:
        """The orders it keeps something about."""
        ...

    def forget(self, order_id: str) -> None: ...


class OrderRegistry:
    """Orders' flow tasks and the conversations tracked for each order.

    ``is_open(conversation_id)``: the conversation is still open (it keeps its entry until it closes);
    ``released(conversation_id)``: called when a conversation is no longer tracked; ``memories``: the other
    per-order memories forgotten with an order."""

    def __init__(
        self,
        *,
        is_open: Callable[[str], bool],
        released: Callable[[str], None],
        memories: Iterable[OrderMemory] = (),
    ) -> None:
        self._is_open = is_open
        self._released = released
        self._memories = tuple(memories)
        self._flows: dict[str, asyncio.Task[None]] = {}
        self._order_of: dict[str, str] = {}
        """The order each tracked conversation is about (its messages are logged under it)."""
        self._tracked: dict[str, set[str]] = {}
        """The tracked conversations of each order."""

    # ----------------------------------------------------------------- flows

    def start(self, order_id: str, steps: Coroutine[Any, Any, None]) -> None:
        """Run ``steps`` as the flow of ``order_id``."""
        task = asyncio.create_task(steps, name=f"order {order_id}")
        self._flows[order_id] = task
        task.add_done_callback(self._flow_done)

    def task(self, order_id: str) -> asyncio.Task[None] | None:
        """The flow task of ``order_id`` while it runs."""
        return self._flows.get(order_id)

    def running(self, order_id: str) -> bool:
        return order_id in self._flows

    async def stop(self) -> None:
        """Cancel every order's flow and wait until each has ended."""
        tasks = list(self._flows.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _flow_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s ended with an error", task.get_name(), exc_info=task.exception())
        for order_id, running in list(self._flows.items()):
            if running is task:
                del self._flows[order_id]
                self.forget(order_id)

    # ----------------------------------------------------------------- conversations

    def track(self, conversation_id: str, order_id: str) -> None:
        """Log this conversation's messages under ``order_id`` (until the order's flow ends)."""
        previous = self._order_of.get(conversation_id)
        if previous is not None and previous != order_id:
            self._untrack(conversation_id)
        self._order_of[conversation_id] = order_id
        self._tracked.setdefault(order_id, set()).add(conversation_id)

    def order_of(self, conversation_id: str) -> str | None:
        """The order a tracked conversation is about."""
        return self._order_of.get(conversation_id)

    def closed(self, conversation_id: str) -> None:
        """A conversation closed: untracked unless its order's flow runs (or it is open again)."""
        order_id = self._order_of.get(conversation_id)
        if order_id is None or order_id in self._flows or self._is_open(conversation_id):
            return
        self._untrack(conversation_id)

    def _untrack(self, conversation_id: str) -> None:
        order_id = self._order_of.pop(conversation_id, None)
        self._released(conversation_id)
        cids = self._tracked.get(order_id or "")
        if cids is not None:
            cids.discard(conversation_id)
            if not cids:
                del self._tracked[order_id or ""]

    # ----------------------------------------------------------------- memory

    def forget(self, order_id: str) -> None:
        """Drop what is kept about ``order_id`` (its flow ended, or none runs): the other memories' entries
        and its tracked conversations (one still open keeps its entry until it closes). Nothing when its
        flow still runs."""
        if order_id in self._flows:
            return
        for memory in self._memories:
            memory.forget(order_id)
        cids = self._tracked.get(order_id)
        if cids is None:
            return
        for cid in [c for c in cids if not self._is_open(c)]:
            self._untrack(cid)
        if not cids:
            self._tracked.pop(order_id, None)

    def forget_idle(self) -> None:
        """:meth:`forget` every order whose flow does not run (after a recovery)."""
        known = set(self._tracked).union(*(memory.orders() for memory in self._memories))
        for order_id in known - set(self._flows):
            self.forget(order_id)

    def sizes(self) -> dict[str, int]:
        """How many entries each of its maps holds (tests, diagnostics)."""
        return {
            "conversations": len(self._order_of),
            "orders tracked": len(self._tracked),
            "flows": len(self._flows),
        }
