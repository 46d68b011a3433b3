"""Runs one sans-IO conversation machine (:mod:`protocols.conversation`) as a SPADE behaviour.

The behaviour owns the machine: it feeds every message of the conversation to
``machine.handle(message, now)``, calls ``machine.tick(now)`` when ``machine.next_deadline`` falls
due, and sends whatever the machine returns. Application code drives decisions with
:meth:`ConversationBehaviour.act` (``act(lambda m, now: m.inform(result, now=now))``), reacts to
state changes in an ``on_update`` callback, and awaits the end with :meth:`outcome` or
:meth:`wait_until`.

``on_update(behaviour)`` is called after every incoming message or deadline that changed the
machine's state (not after the application's own ``act``, which returns what it did). A plain
function runs inline; a coroutine function runs as its own task, so the conversation keeps
handling messages and deadlines (a ``cancel``, say) while the application works: after an
``await``, check ``behaviour.machine.state`` (or ``behaviour.closed``) before acting. Everything
runs on the agent's event loop, so the machine is never touched concurrently.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from spade.behaviour import CyclicBehaviour

from protocols.acl import AclMessage
from protocols.conversation import Conversation, Outcome
from protocols.events import ConversationEvent, EventKind

if TYPE_CHECKING:
    from agents.runtime.platform_agent import PlatformAgent

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Conversation[Any])
Step = Callable[[M, datetime], list[AclMessage]]
Clock = Callable[[], datetime]


class ConversationAborted(RuntimeError):
    """The conversation's behaviour stopped before its machine finished."""


class _Wake:
    """Inbox marker: re-read the deadline (after a decision, or to stop)."""


_WAKE = _Wake()
_NOISY = {EventKind.IGNORED, EventKind.NOT_UNDERSTOOD, EventKind.ERROR, EventKind.LATE}


def utc_now() -> datetime:
    return datetime.now(UTC)


class ConversationBehaviour(CyclicBehaviour, Generic[M]):  # type: ignore[misc]
    """One conversation of a :class:`~agents.runtime.platform_agent.PlatformAgent`."""

    def __init__(
        self,
        machine: M,
        *,
        on_update: Callable[[ConversationBehaviour[M]], Awaitable[None] | None] | None = None,
        opening: AclMessage | None = None,
        clock: Clock = utc_now,
    ) -> None:
        """``opening``: the peer's first message; if the machine does not accept it (its state does
        not change: it answered ``not-understood``), the conversation closes without an outcome."""
        super().__init__()
        self._machine = machine
        self._on_update = on_update
        self._clock = clock
        self._inbox: asyncio.Queue[AclMessage | _Wake] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._update_tasks: set[asyncio.Future[None]] = set()
        self._closed = False
        self._opening_pending = opening is not None
        if opening is not None:
            self._inbox.put_nowait(opening)

    # ----------------------------------------------------------------- public view

    @property
    def machine(self) -> M:
        return self._machine

    @property
    def conversation_id(self) -> str:
        return self._machine.conversation_id

    @property
    def closed(self) -> bool:
        return self._closed

    def deliver(self, message: AclMessage) -> None:
        """Queue an incoming message of this conversation (called by the agent)."""
        if not self._closed:
            self._inbox.put_nowait(message)

    def act(self, step: Step[M]) -> list[AclMessage]:
        """Apply an application decision now, e.g. ``act(lambda m, now: m.agree(now=now))``.

        Sends what the step returns, and returns it too. Exceptions of the step (such as
        :class:`~protocols.conversation.ConversationStateError`) propagate to the caller.
        """
        if self._closed:
            raise ConversationAborted(f"conversation {self.conversation_id} is closed")
        out = step(self._machine, self._clock())
        self._emit(out)
        self._inbox.put_nowait(_WAKE)
        self._notify()
        return out

    async def wait_until(self, predicate: Callable[[M], bool]) -> M:
        """Wait until ``predicate(machine)`` holds (bound it with ``asyncio.timeout``).

        Raises :class:`ConversationAborted` when the conversation closes before that.
        """
        while not predicate(self._machine):
            if self._closed:
                raise ConversationAborted(f"conversation {self.conversation_id} closed unfinished")
            self._changed.clear()
            await self._changed.wait()
        return self._machine

    async def outcome(self) -> Outcome:
        """Wait for the machine to finish (bound it with ``asyncio.timeout``); its outcome."""
        await self.wait_until(lambda m: m.finished)
        outcome = self._machine.outcome
        assert outcome is not None
        return outcome

    # ----------------------------------------------------------------- SPADE behaviour

    async def run(self) -> None:
        item = await self._next_item()
        if self.is_killed():
            return
        before = self._machine.state
        now = self._clock()
        is_message = isinstance(item, AclMessage)
        if isinstance(item, AclMessage):
            self._emit(self._machine.handle(item, now))
        else:
            self._emit(self._machine.tick(now))
        if self._opening_pending and is_message:
            self._opening_pending = False
            if self._machine.state == before and not self._machine.finished:
                log.info("%s: conversation %s not opened", self._me, self.conversation_id)
                self._close()
                return
        if self._machine.state != before:
            self._updated()
        if self._machine.finished:
            self._close()

    def kill(self, exit_code: object | None = None) -> None:
        """Stop the conversation (the agent stops): its pending ``on_update`` work is cancelled."""
        super().kill(exit_code)
        self._inbox.put_nowait(_WAKE)
        for task in list(self._update_tasks):
            task.cancel()
        if not self._closed:
            self._closed = True
            self._detach()
            self._notify()

    async def on_end(self) -> None:
        self._detach()

    # ----------------------------------------------------------------- internals

    @property
    def _me(self) -> str:
        return self._machine.me

    async def _next_item(self) -> AclMessage | _Wake:
        if not self._inbox.empty():
            return self._inbox.get_nowait()
        deadline = self._machine.next_deadline
        if deadline is None:
            return await self._inbox.get()
        delay = (deadline - self._clock()).total_seconds()
        if delay <= 0:
            return _WAKE
        try:
            async with asyncio.timeout(delay):
                return await self._inbox.get()
        except TimeoutError:
            return _WAKE

    def _emit(self, messages: list[AclMessage]) -> None:
        agent = self._agent
        for message in messages:
            agent.send_acl(message)
        for event in self._machine.take_events():
            _log_event(self._me, self.conversation_id, event)

    def _updated(self) -> None:
        self._notify()
        if self._on_update is None:
            return
        try:
            result = self._on_update(self)
        except Exception:
            log.exception("%s: on_update of conversation %s failed", self._me, self.conversation_id)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._update_tasks.add(task)
            task.add_done_callback(self._update_done)

    def _update_done(self, task: asyncio.Future[None]) -> None:
        self._update_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "%s: on_update of conversation %s failed",
                self._me,
                self.conversation_id,
                exc_info=task.exception(),
            )

    def _notify(self) -> None:
        self._changed.set()

    def _close(self) -> None:
        self._closed = True
        self._detach()
        self._notify()
        super().kill()

    def _detach(self) -> None:
        agent = self.agent
        if agent is not None:
            agent.unregister_conversation(self.conversation_id, self)

    @property
    def _agent(self) -> PlatformAgent:
        agent = self.agent
        if agent is None:
            raise ConversationAborted("the behaviour is not attached to an agent")
        return agent  # type: ignore[no-any-return]


def _log_event(me: str, conversation_id: str, event: ConversationEvent) -> None:
    level = logging.INFO if event.kind in _NOISY else logging.DEBUG
    if log.isEnabledFor(level):
        log.log(
            level,
            "%s [%s] %s %s %s %s",
            me,
            conversation_id,
            event.kind,
            event.performative or "",
            event.code or "",
            event.detail or "",
        )
