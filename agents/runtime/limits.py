"""Bounds on what any sender can make an agent do: a size limit per ACL message and a rate limit per sender.

Both apply to what arrives over XMPP (agents in the same process are the platform itself). The size is that
of the message's body and metadata, measured before the ACL message is parsed, decoded or stored. The rate is
a token bucket per sender (bare JID): ``rate`` messages per second on average, ``burst`` at once; accounts the
platform has bound to a party get the (larger) trusted bucket. The buckets of at most ``senders`` senders are
kept (the least recently seen are forgotten first), so a crowd of senders cannot grow memory either.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: float


class _Bucket:
    __slots__ = ("refusal_window", "refused", "tokens", "updated")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.updated = now
        self.refused = 0
        self.refusal_window = 0.0


class RateLimiter:
    """Token buckets per sender; :meth:`allow` takes one token."""

    def __init__(
        self, untrusted: Rate, trusted: Rate, *, senders: int = 10_000, clock: Clock = time.monotonic
    ) -> None:
        self.untrusted = untrusted
        self.trusted = trusted
        self.senders = senders
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, bool], _Bucket] = OrderedDict()

    def allow(self, sender: str, *, trusted: bool = False) -> bool:
        rate = self.trusted if trusted else self.untrusted
        now = self._clock()
        key = (sender, trusted)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate.burst, now)
            while len(self._buckets) > self.senders:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(rate.burst, bucket.tokens + (now - bucket.updated) * rate.per_second)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        bucket.refused += 1
        return False

    def should_answer(self, sender: str, *, trusted: bool = False, every: float = 1.0) -> bool:
        """Whether to tell ``sender`` it is over its limit now: at most once per ``every`` seconds, so a
        flood is not answered by a flood. Returns how many were refused since the last answer via
        :meth:`refused_since_answer`."""
        bucket = self._buckets.get((sender, trusted))
        if bucket is None:
            return True
        now = self._clock()
        if now >= bucket.refusal_window:
            bucket.refusal_window = now + every
            return True
        return False

    def refused_since_answer(self, sender: str, *, trusted: bool = False) -> int:
        bucket = self._buckets.get((sender, trusted))
        if bucket is None:
            return 0
        count, bucket.refused = bucket.refused, 0
        return count

    @property
    def tracked(self) -> int:
        return len(self._buckets)


def acl_size(body: str, metadata: dict[str, str]) -> int:
    """Bytes of a message's content and parameters (UTF-8), as the limit counts them."""
    size = len(body.encode("utf-8", "surrogatepass"))
    for key, value in metadata.items():
        size += len(key.encode("utf-8", "surrogatepass")) + len(value.encode("utf-8", "surrogatepass"))
    return size
