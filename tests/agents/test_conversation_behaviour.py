"""The behaviour adapter around sans-IO machines: deadlines, application decisions, closing.

Both agents live in this process on the embedded server; SPADE's container hands their messages
over in-process, which is what this adapter test needs (the XMPP path is covered elsewhere).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour
from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings
from ontology.codec import decode
from ontology.common import Done, Ping, Pong, Reason
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from protocols.request import (
    RequestInitiator,
    RequestInitiatorState,
    RequestParticipant,
    RequestParticipantState,
)
from tests.agents.conftest import unique
from tests.agents.probe import WAIT, Probe
from tests.xmpp_accounts import started


class SlowWorker(PlatformAgent):
    """Agrees at once, informs after an awaited piece of work; refuses pings noted 'no'."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.work_done = asyncio.Event()
        self.opened: list[ConversationBehaviour[RequestParticipant]] = []

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open)

    def _open(self, message: AclMessage) -> None:
        machine = RequestParticipant.for_message(message, me=self.address)
        self.opened.append(self.open_conversation(machine, on_update=self._decide, opening=message))

    async def _decide(self, conversation: ConversationBehaviour[RequestParticipant]) -> None:
        machine = conversation.machine
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or machine.request is None:
            return
        ping = decode(machine.request.content, Ping)
        if ping.note == "no":
            conversation.act(lambda m, now: m.refuse("not today", now=now))
            return
        conversation.act(lambda m, now: m.agree(now=now))
        await self.work_done.wait()
        if conversation.machine.state is RequestParticipantState.AGREED:  # not cancelled meanwhile
            conversation.act(lambda m, now: m.inform(Pong(agent=self.address, note=ping.note), now=now))


@pytest.fixture
async def agents(pyjabber_settings: Settings) -> AsyncIterator[tuple[Probe, SlowWorker]]:
    client = Probe(unique("client"), pyjabber_settings)
    worker = SlowWorker(unique("worker"), pyjabber_settings)
    await asyncio.gather(started(client), started(worker))
    yield client, worker
    await asyncio.gather(client.stop(), worker.stop())


def request(
    client: Probe, to: str, note: str, reply_by: float = WAIT
) -> ConversationBehaviour[RequestInitiator]:
    conversation = client.open_conversation(RequestInitiator(me=client.address))
    conversation.act(
        lambda m, now: m.start(Ping(note=note), to, now=now, reply_by=now + timedelta(seconds=reply_by))
    )
    return conversation


async def test_agree_then_inform_after_application_work(agents: tuple[Probe, SlowWorker]) -> None:
    client, worker = agents
    conversation = request(client, worker.address, "job")
    async with asyncio.timeout(WAIT):
        await conversation.wait_until(lambda m: m.state is RequestInitiatorState.AGREED)
    assert not conversation.machine.finished
    worker.work_done.set()
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.DONE
    assert [r.performative for r in conversation.machine.replies] == [Performative.AGREE, Performative.INFORM]
    async with asyncio.timeout(WAIT):
        await worker.opened[0].outcome()
    assert worker.conversation(conversation.conversation_id) is None


async def test_refusal_ends_both_sides(agents: tuple[Probe, SlowWorker]) -> None:
    client, worker = agents
    conversation = request(client, worker.address, "no")
    async with asyncio.timeout(WAIT):
        outcome = await conversation.outcome()
    assert outcome.state == RequestInitiatorState.REFUSED
    assert "not today" in outcome.reason


async def test_deadline_fires_without_any_message(
    agents: tuple[Probe, SlowWorker], pyjabber_settings: Settings
) -> None:
    client, _ = agents
    silent = await started(Probe(unique("silent"), pyjabber_settings))  # receives, never answers
    try:
        start = datetime.now().astimezone()
        conversation = request(client, silent.address, "anyone?", reply_by=0.3)
        async with asyncio.timeout(WAIT):
            outcome = await conversation.outcome()
        assert outcome.state == RequestInitiatorState.TIMED_OUT
        assert outcome.at - start >= timedelta(seconds=0.3)
        assert (await silent.next_message()).performative is Performative.REQUEST
    finally:
        await silent.stop()


async def test_cancel_by_the_initiator(agents: tuple[Probe, SlowWorker]) -> None:
    client, worker = agents
    conversation = request(client, worker.address, "long")
    async with asyncio.timeout(WAIT):
        await conversation.wait_until(lambda m: m.state is RequestInitiatorState.AGREED)
    conversation.act(lambda m, now: m.cancel("changed my mind", now=now))
    assert conversation.machine.state is RequestInitiatorState.CANCELLED
    async with asyncio.timeout(WAIT):
        outcome = await worker.opened[-1].outcome()
    assert outcome.state == RequestParticipantState.CANCELLED
    done = await client.next_message(conversation.conversation_id)  # the participant's inform-done
    assert decode(done.content, Done).action == "cancel"
    worker.work_done.set()


async def test_stopping_the_agent_aborts_waiters(pyjabber_settings: Settings) -> None:
    client = await started(Probe(unique("quitter"), pyjabber_settings))
    conversation = request(client, unique("nobody") + "@localhost", "hello?")
    waiter = asyncio.ensure_future(conversation.outcome())
    await client.stop()
    with pytest.raises(ConversationAborted):
        async with asyncio.timeout(WAIT):
            await waiter
    with pytest.raises(ConversationAborted):
        conversation.act(lambda m, now: m.cancel("too late", now=now))


async def test_failing_responder_answers_failure(agents: tuple[Probe, SlowWorker]) -> None:
    client, worker = agents

    def broken(message: AclMessage) -> None:
        raise KeyError("bug")

    worker.serve("x-broken", broken)
    message = AclMessage.build(
        Performative.REQUEST,
        client.address,
        worker.address,
        Ping(),
        protocol="x-broken",
        conversation_id="c-b",
    )
    client.send_acl(message)
    reply = await client.next_message("c-b")
    assert reply.performative is Performative.FAILURE
    assert "internal error" in decode(reply.content, Reason).reason
