"""The console agent of the gateway: sends the manufacturers' manual steps, hears their status notices.

A step is a FIPA ``request`` (:mod:`ontology.console` content) to the manufacturer agent of the order,
which answers ``agree`` then ``inform`` (done), or ``refuse``/``failure`` with a
:class:`~ontology.common.Reason`. :meth:`ConsoleAgent.request` turns anything but done into a
:class:`~gateway.bridge.base.BridgeError`: 409 for a refusal or failure (the agent's reason, in words),
502 when the agent did not understand, 504 when it did not answer in time, 503 when this agent is not
connected. Status notices (plain ``inform``) go to ``on_notice``, but only those whose stamped sender the
store binds as a manufacturer's agent (:attr:`~agents.runtime.platform_agent.PlatformAgent.directory`);
others are dropped and logged. Notices are never answered.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from agents.runtime.conversation_behaviour import ConversationAborted
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.transport import bare
from common.settings import Settings
from gateway.bridge.base import BridgeError
from gateway.bridge.notices import NoticeHandler, notice_in
from ontology.codec import Content, ContentError, decode
from ontology.common import Done, Reason
from ontology.console import OrderStatusNotice
from protocols.acl import AclMessage
from protocols.performative import Performative
from protocols.request import RequestInitiator, RequestInitiatorState
from store.enums import AgentRole

log = logging.getLogger(__name__)

_S = RequestInitiatorState
GRACE_SECONDS = 2.0
NOTICES_WAITING = 1000
"""Status notices waiting for their sender's check at most; more are dropped (and logged)."""


class ConsoleAgent(PlatformAgent):
    def __init__(self, name: str, settings: Settings | None = None, *, password: str | None = None) -> None:
        super().__init__(name, settings, password=password)
        self.on_notice: NoticeHandler | None = None
        self._notices: asyncio.Queue[tuple[OrderStatusNotice, str]] = asyncio.Queue(NOTICES_WAITING)
        self._checker: asyncio.Task[None] | None = None

    async def setup(self) -> None:
        self._checker = asyncio.create_task(self._check_notices(), name=f"notices {self.address}")

    async def stop(self) -> None:
        checker, self._checker = self._checker, None
        if checker is not None:
            checker.cancel()
            await asyncio.gather(checker, return_exceptions=True)
        await super().stop()

    def receive_acl(self, message: AclMessage) -> None:
        notice = notice_in(message)
        if notice is None:
            super().receive_acl(message)
            return
        try:
            self._notices.put_nowait((notice, bare(message.sender)))
        except asyncio.QueueFull:
            log.warning("%s: dropped a status notice from %s: too many wait", self.address, message.sender)

    async def _check_notices(self) -> None:
        """Hand each notice on, in order, when its sender is bound as a manufacturer's agent; else drop it."""
        while True:
            notice, sender = await self._notices.get()
            try:
                if not await self.directory.may_act_as(sender, AgentRole.MANUFACTURER):
                    log.warning(
                        "%s: ignored a status notice of order %s from %s (not a manufacturer's agent)",
                        self.address,
                        notice.order_id,
                        sender,
                    )
                elif self.on_notice is not None:
                    self.on_notice(notice, sender)
            except Exception:
                log.exception("%s: could not handle a status notice from %s", self.address, sender)

    async def request(self, receiver: str, content: Content, timeout: timedelta) -> None:  # noqa: ASYNC109
        """Ask ``receiver`` to take the step ``content``; returns once it is done (else BridgeError)."""
        if not self.is_alive():
            raise BridgeError("the console agent is not connected", status_code=503)
        machine = RequestInitiator(
            me=self.address, patience=timeout, content_types={Performative.INFORM: (Done,)}
        )
        behaviour = self.open_conversation(machine)
        try:
            behaviour.act(
                lambda m, now: m.start(
                    content, receiver, now=now, reply_by=now + timeout, result_by=now + timeout
                )
            )
        except Exception as exc:
            raise BridgeError(f"could not reach {receiver}: {exc}", status_code=503) from exc
        try:
            async with asyncio.timeout(timeout.total_seconds() + GRACE_SECONDS):
                await behaviour.outcome()
        except (TimeoutError, ConversationAborted):
            raise BridgeError(f"{receiver} did not answer in time", status_code=504) from None
        state = machine.state
        if state is _S.DONE:
            return
        if state is _S.TIMED_OUT:
            raise BridgeError(f"{receiver} did not answer in time", status_code=504)
        if state is _S.NOT_UNDERSTOOD:
            raise BridgeError(f"{receiver} did not understand: {_reason(machine)}", status_code=502)
        raise BridgeError(_reason(machine), status_code=409)


def _reason(machine: RequestInitiator) -> str:
    """The reason of the last refuse/failure/not-understood reply, in words."""
    for reply in reversed(machine.replies):
        if reply.performative in (Performative.REFUSE, Performative.FAILURE, Performative.NOT_UNDERSTOOD):
            try:
                why = decode(reply.content, Reason)
            except ContentError:
                return reply.content[:2000]
            return f"{why.reason}: {why.detail}" if why.detail else why.reason
    outcome = machine.outcome
    return outcome.reason if outcome is not None else str(machine.state)
