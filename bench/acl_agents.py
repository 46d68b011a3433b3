"""The agents of the benchmark: raw SPADE echo/client, and their ACL-layer counterparts.

Raw agents use SPADE's own message path (``Agent._message_received`` -> ``Agent.dispatch`` ->
behaviour mailbox -> ``receive()``; ``behaviour.send``), with the same connection settings as platform
agents. ACL agents use :class:`~agents.runtime.platform_agent.PlatformAgent`: ``AclMessage`` -> envelope ->
SPADE message on the way out, and back (the sender's rate and the size limit, validation and the content
codec) on the way in; the ACL echo serves only senders its directory binds, as every platform agent does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from spade.agent import Agent
from spade.behaviour import CyclicBehaviour
from spade.message import Message

from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from ontology.codec import decode, encode
from ontology.common import Ping, Pong, Reason
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative
from protocols.request import RequestInitiator

BENCH_PROTOCOL = "x-lso-bench"
REQUEST_PATIENCE = timedelta(seconds=30)
RAW_BODY = encode(Ping(note="0"))
"""The raw messages carry the same body as an ACL request does."""


class RawAgent(PlatformAgent):
    """A platform agent's connection, but SPADE's plain message routing (no limits, no ACL decoding)."""

    def _message_received(self, node: Any) -> list[asyncio.Task[None]]:
        if node["type"] == "error":
            return []
        tasks: list[asyncio.Task[None]] = Agent._message_received(self, node)
        return tasks

    def dispatch(self, msg: Message) -> list[asyncio.Task[None]]:
        tasks: list[asyncio.Task[None]] = Agent.dispatch(self, msg)
        return tasks


class _Echo(CyclicBehaviour):  # type: ignore[misc]
    async def run(self) -> None:
        message = await self.receive(timeout=3600)
        if message is not None:
            await self.send(message.make_reply())


class RawEcho(RawAgent):
    """Sends every message back (SPADE ``make_reply``: same body, thread and metadata)."""

    async def setup(self) -> None:
        self.add_behaviour(_Echo())


class AclEcho(PlatformAgent):
    """Answers every ACL request carrying a Ping with ``inform`` Pong (same note) when its directory binds
    the sender (asked without waiting when the answer is remembered), else ``refuse`` ``not-authorised``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._checks: set[asyncio.Task[None]] = set()

    def receive_acl(self, message: AclMessage) -> None:
        if message.performative is not Performative.REQUEST:
            return
        if self.directory.known(message.sender) is True:
            self._echo(message)
            return
        check = asyncio.create_task(self._check(message))
        self._checks.add(check)
        check.add_done_callback(self._checks.discard)

    async def _check(self, message: AclMessage) -> None:
        if await self.directory.is_bound(message.sender):
            self._echo(message)
        else:
            self.refuse(message, Reason(reason=NOT_AUTHORISED, detail="the echo serves bound accounts only"))

    def _echo(self, message: AclMessage) -> None:
        ping = decode(message.content, Ping)
        self.send_acl(message.create_reply(Performative.INFORM, Pong(agent=self.address, note=ping.note)))


class _Collect(CyclicBehaviour):  # type: ignore[misc]
    def __init__(self, replies: asyncio.Queue[int]) -> None:
        super().__init__()
        self.replies = replies

    async def run(self) -> None:
        message = await self.receive(timeout=3600)
        if message is not None:
            self.replies.put_nowait(int(message.thread))


class RawClient(RawAgent):
    """Sends numbered raw messages; the numbers of the replies arrive in :attr:`replies`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: asyncio.Queue[int] = asyncio.Queue()
        self._behaviour = _Collect(self.replies)
        self.peer = ""

    async def setup(self) -> None:
        self.add_behaviour(self._behaviour)

    async def send(self, seq: int) -> None:
        message = Message(to=self.peer, body=RAW_BODY, thread=str(seq), metadata={"performative": "request"})
        await self._behaviour.send(message)


class AclClient(PlatformAgent):
    """Sends numbered ACL requests (Ping, one conversation each); reply numbers in :attr:`replies`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: asyncio.Queue[int] = asyncio.Queue()
        self.peer = ""

    async def send(self, seq: int) -> None:
        request = AclMessage.build(
            Performative.REQUEST,
            self.address,
            self.peer,
            Ping(note=str(seq)),
            protocol=BENCH_PROTOCOL,
            conversation_id=new_id(),
        )
        self.send_acl(request)

    def receive_acl(self, message: AclMessage) -> None:
        self.replies.put_nowait(int(decode(message.content, Pong).note))


class RequestClient(PlatformAgent):
    """Runs one FIPA-request conversation (RequestInitiator machine) per number, against a PingAgent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: asyncio.Queue[int] = asyncio.Queue()
        self.peer = ""

    async def send(self, seq: int) -> None:
        conversation = self.open_conversation(RequestInitiator(me=self.address), on_update=self._on_update)
        ping = Ping(note=str(seq))
        conversation.act(lambda m, now: m.start(ping, self.peer, now=now, reply_by=now + REQUEST_PATIENCE))

    def _on_update(self, conversation: ConversationBehaviour[RequestInitiator]) -> None:
        result = conversation.machine.result
        if conversation.machine.finished and result is not None:
            self.replies.put_nowait(int(decode(result.content, Pong).note))
