"""Ask another agent something with a FIPA request and wait, bounded, for the result or the reason."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from agents.manufacturer.host import ConversationOpener
from agents.runtime.conversation_behaviour import ConversationAborted, ConversationBehaviour
from ontology.codec import Content, ContentError, decode
from ontology.common import Reason
from protocols.performative import Performative
from protocols.request import RequestInitiator, RequestInitiatorState

T = TypeVar("T", bound=Content)

Opened = Callable[[ConversationBehaviour[RequestInitiator]], Awaitable[None]]

GRACE_SECONDS = 5.0


async def ask(
    agent: ConversationOpener,
    receiver: str,
    content: Content,
    expected: type[T],
    *,
    timeout: timedelta,  # noqa: ASYNC109 (a protocol deadline, not a call timeout)
    opened: Opened | None = None,
) -> T | Reason:
    """Request ``content`` from ``receiver``; the ``inform`` result as ``expected``, else why not.

    ``opened`` is awaited once the request was sent and again once it ended (to save snapshots).
    """
    machine = RequestInitiator(
        me=agent.address,
        patience=timeout,
        content_types={Performative.INFORM: (expected,)},
    )
    behaviour = agent.open_conversation(machine)
    behaviour.act(
        lambda m, now: m.start(content, receiver, now=now, reply_by=now + timeout, result_by=now + timeout)
    )
    if opened is not None:
        await opened(behaviour)
    try:
        async with asyncio.timeout(timeout.total_seconds() + GRACE_SECONDS):
            outcome = await behaviour.outcome()
    except (TimeoutError, ConversationAborted):
        return Reason(reason="no-answer", detail=f"{receiver} did not answer in time")
    finally:
        if opened is not None:
            await opened(behaviour)
    result = machine.result
    if machine.state is RequestInitiatorState.DONE and result is not None:
        try:
            return decode(result.content, expected)
        except ContentError as exc:
            return Reason(reason="bad-result", detail=str(exc))
    return Reason(reason=outcome.state, detail=outcome.reason)
