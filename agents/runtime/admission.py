"""Authorising the messages that open conversations, off the receive path and in order.

Whether a sender may open a conversation is a question for the store (see :mod:`agents.runtime.directory`),
so it is asked asynchronously. Meanwhile, messages of the same conversation that arrive are held and handed
on, in order, once the opening was admitted (or dropped when it was refused). At most ``limit`` openings wait
at once: beyond that an opening is refused as ``busy`` at once, so a flood cannot grow memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

from ontology.common import Reason
from protocols.acl import AclMessage

log = logging.getLogger(__name__)

Check = Callable[[AclMessage], Awaitable[Reason | None]]
"""Why ``message`` may not open its conversation, or None when it may."""

HELD_PER_CONVERSATION = 16
"""Messages held per conversation while its opening is checked (more are dropped)."""


class Admissions:
    def __init__(self, *, limit: int = 512) -> None:
        self.limit = limit
        self._held: dict[Hashable, list[AclMessage]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        return len(self._held)

    def hold(self, key: Hashable, message: AclMessage) -> bool:
        """Hold ``message`` if its conversation's opening is being checked; False when none is."""
        held = self._held.get(key)
        if held is None:
            return False
        if len(held) < HELD_PER_CONVERSATION:
            held.append(message)
        return True

    def full(self) -> bool:
        return len(self._held) >= self.limit

    def admit(
        self,
        key: Hashable,
        message: AclMessage,
        check: Check,
        *,
        admitted: Callable[[AclMessage], None],
        refused: Callable[[AclMessage, Reason], None],
        then: Callable[[AclMessage], None],
    ) -> None:
        """Check ``message`` (which opens conversation ``key``); on success ``admitted(message)`` then
        ``then(m)`` for each message held meanwhile; else ``refused(message, reason)``."""
        self._held[key] = []
        task = asyncio.create_task(self._run(key, message, check, admitted, refused, then))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self,
        key: Hashable,
        message: AclMessage,
        check: Check,
        admitted: Callable[[AclMessage], None],
        refused: Callable[[AclMessage, Reason], None],
        then: Callable[[AclMessage], None],
    ) -> None:
        try:
            try:
                reason = await check(message)
            except Exception as exc:
                log.exception("authorising a message from %s failed", message.sender)
                reason = Reason(reason="not-authorised", detail=f"authorisation failed: {type(exc).__name__}")
            held = self._held.pop(key, [])
            if reason is not None:
                refused(message, reason)
                return
            admitted(message)
            for later in held:
                then(later)
        except Exception:
            log.exception("handling an admitted message from %s failed", message.sender)
        finally:
            self._held.pop(key, None)

    async def drain(self) -> None:
        """Wait for the checks under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._held.clear()
