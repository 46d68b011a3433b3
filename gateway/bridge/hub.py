"""Fan-out of order events to push connections: numbered once, replayable for a while, bounded per subscriber.

Every event the bridge publishes gets an id ``<run>-<sequence>`` (``run`` is random per hub, so an id
from before a restart is recognised as unknown) and is kept in a bounded ring for replay: a client that
reconnects with the SSE ``Last-Event-ID`` gets what it missed, as long as it is still in the ring.

Each subscriber has its own queue of at most ``capacity`` events. A subscriber that falls that far
behind is dropped (its queue is cleared and its feed ends), so a slow client never slows the bridge
or the other clients; it may reconnect and replay. A subscriber that says which events it hears
(:meth:`Subscription.only`) queues no others: the other orders' negotiation messages never fill its queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from gateway.bridge.base import OrderEvent

REPLAY_ALL = "*"
"""A ``last_event_id`` asking for every event still in the replay ring."""


@dataclass(frozen=True, slots=True)
class Numbered:
    """An event and its id (the SSE ``id``)."""

    id: str
    event: OrderEvent


class SubscriptionClosed(Exception):
    """The feed ended: the bridge stopped, or the subscriber fell too far behind (``overflowed``)."""


class Subscription:
    """One subscriber's bounded feed; :meth:`get` the next event, ``None`` when ``timeout`` passed first."""

    def __init__(self, capacity: int, on_close: Callable[[Subscription], None] | None = None) -> None:
        if capacity < 1:
            raise ValueError("a subscription holds at least one event")
        self.capacity = capacity
        self.closed = False
        self.overflowed = False
        self._queue: asyncio.Queue[Numbered | None] = asyncio.Queue()
        self._on_close = on_close
        self._hears: Callable[[OrderEvent], bool] | None = None

    def only(self, hears: Callable[[OrderEvent], bool]) -> None:
        """From now on, queue only the events ``hears`` keeps (the others are skipped, not counted)."""
        self._hears = hears

    def offer(self, item: Numbered, *, force: bool = False) -> bool:
        """Queue ``item``; a full queue drops this subscriber (unless ``force``, used for replays)."""
        if self.closed:
            return False
        if self._hears is not None and not self._hears(item.event):
            return True
        if not force and self._queue.qsize() >= self.capacity:
            self.overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self.close()
            return False
        self._queue.put_nowait(item)
        return True

    async def get(self, timeout: float | None = None) -> Numbered | None:  # noqa: ASYNC109
        """The next event; ``None`` after ``timeout`` seconds without one (time for a heartbeat).

        Raises :class:`SubscriptionClosed` once the feed has ended."""
        if self.closed and self._queue.empty():
            raise SubscriptionClosed("overflowed" if self.overflowed else "closed")
        try:
            item = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if item is None:
            raise SubscriptionClosed("overflowed" if self.overflowed else "closed")
        return item

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._queue.put_nowait(None)
        if self._on_close is not None:
            self._on_close(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()


class EventHub:
    """Numbers, keeps and fans out events; ``capacity`` per subscriber, ``replay`` events kept."""

    def __init__(self, *, capacity: int = 256, replay: int = 1000) -> None:
        self.capacity = capacity
        self.run = secrets.token_hex(4)
        self._sequence = 0
        self._recent: deque[tuple[int, Numbered]] = deque(maxlen=max(replay, 1))
        self._subscribers: set[Subscription] = set()
        self.dropped = 0
        """How many subscribers were dropped for falling behind."""

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, event: OrderEvent) -> Numbered:
        self._sequence += 1
        numbered = Numbered(f"{self.run}-{self._sequence}", event)
        self._recent.append((self._sequence, numbered))
        for subscriber in list(self._subscribers):
            if not subscriber.offer(numbered):
                self.dropped += subscriber.overflowed
        return numbered

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        """A new feed: first what followed ``last_event_id`` (if still kept), then every new event."""
        subscription = Subscription(self.capacity, on_close=self._subscribers.discard)
        for numbered in self.after(last_event_id):
            subscription.offer(numbered, force=True)
        self._subscribers.add(subscription)
        return subscription

    def after(self, last_event_id: str | None) -> list[Numbered]:
        """The kept events after ``last_event_id`` (:data:`REPLAY_ALL`: all); none for an unknown id."""
        if not last_event_id:
            return []
        if last_event_id == REPLAY_ALL:
            return [numbered for _, numbered in self._recent]
        run, _, sequence = last_event_id.partition("-")
        if run != self.run or not sequence.isdigit():
            return []
        last = int(sequence)
        return [numbered for seq, numbered in self._recent if seq > last]

    def close(self) -> None:
        """End every feed (the bridge stops)."""
        for subscriber in list(self._subscribers):
            subscriber.close()


def pumped(events: AsyncIterator[OrderEvent], capacity: int = 256) -> Subscription:
    """A subscription fed by an event iterator (for bridges without a hub); ids count per subscriber."""
    task: asyncio.Task[None] | None = None

    def stop(_: Subscription) -> None:
        if task is not None:
            task.cancel()

    subscription = Subscription(capacity, on_close=stop)

    async def pump() -> None:
        sequence = 0
        with contextlib.suppress(asyncio.CancelledError):
            async for event in events:
                sequence += 1
                if not subscription.offer(Numbered(f"local-{sequence}", event)):
                    break
        with contextlib.suppress(Exception):
            await events.aclose()  # type: ignore[attr-defined]
        subscription.close()

    task = asyncio.create_task(pump(), name="bridge events pump")
    return subscription
