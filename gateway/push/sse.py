"""Server-Sent Events: one ``event:``/``id:``/``data:`` block per order event, comments as heartbeats.

The event name is the event's kind (``status``, ``quotation``, ``invoice``, ``negotiation-message``); the
id resumes a stream
(``Last-Event-ID``); ``data`` is :func:`~gateway.push.payload.event_payload`. A comment line
(``: heartbeat``) goes out whenever nothing was sent for the heartbeat interval, and then the token is
checked again: once it has expired or was revoked, an ``end`` event closes the stream. The stream also
ends when the subscriber fell too far behind (the client reconnects with its last id and replays).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from gateway.bridge.hub import Numbered, Subscription, SubscriptionClosed
from gateway.push.access import Filter
from gateway.push.payload import event_json

RETRY_MILLISECONDS = 3000
HEARTBEAT = ": heartbeat\n\n"


def sse_block(item: Numbered) -> str:
    return f"id: {item.id}\nevent: {item.event.kind}\ndata: {event_json(item)}\n\n"


def end_block(reason: str) -> str:
    return f"event: end\ndata: {json.dumps({'reason': reason})}\n\n"


async def sse_stream(
    subscription: Subscription,
    keep: Filter,
    *,
    heartbeat: float,
    still_valid: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """The text of the stream; closes ``subscription`` when it ends (or the client goes away)."""
    subscription.only(keep)
    async with subscription:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        last_write = time.monotonic()
        while True:
            wait = max(0.0, last_write + heartbeat - time.monotonic())
            try:
                item = await subscription.get(wait)
            except SubscriptionClosed:
                yield end_block("overflowed" if subscription.overflowed else "closed")
                return
            if item is not None and keep(item.event):
                yield sse_block(item)
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat:
                if not await still_valid():
                    yield end_block("the token expired or was revoked")
                    return
                yield HEARTBEAT
                last_write = time.monotonic()
