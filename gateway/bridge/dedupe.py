"""One event per change, although several sources report it.

The same status change can reach the bridge four ways: the customer's agent (its quotation, invoice,
contract and payment events), the manufacturer's status notice to the customer agent and the one to
the console, and the tail of the store's status history. Each source reports the changes of an
order in the order they happened, so the n-th report of (kind, status, progress) about an order by
one source is the same change as the n-th such report by any other: the first source to report
occurrence n wins, the others are dropped. Counting occurrences (rather than remembering "seen")
keeps a change that legitimately happens again (quoted, countered, quoted again) from being taken
for a duplicate.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from enum import StrEnum
from uuid import UUID

from gateway.bridge.base import OrderEvent

Key = tuple[str, str, int | None]


class Source(StrEnum):
    """Where a report comes from; one source never reports a change twice."""

    CUSTOMER = "customer-agent"
    CUSTOMER_NOTICE = "status-notice-to-customer-agent"
    CONSOLE_NOTICE = "status-notice-to-console"
    HISTORY = "status-history"


def key_of(event: OrderEvent) -> Key:
    """What makes a change: kind and status; and the progress of a production progress report
    (1-99 %: a report without a status change; 0 and 100 come with the changes to in_production and
    produced, which the history reports without a progress)."""
    progress = event.progress if event.progress is not None and 0 < event.progress < 100 else None
    return (str(event.kind), str(event.status), progress)


class _OrderCounts:
    __slots__ = ("by_source", "published")

    def __init__(self) -> None:
        self.by_source: dict[Source, Counter[Key]] = {}
        self.published: Counter[Key] = Counter()


class Deduplicator:
    """Decides which reports to publish; remembers the ``orders`` most recently active orders."""

    def __init__(self, orders: int = 10_000) -> None:
        self.limit = orders
        self._orders: OrderedDict[UUID, _OrderCounts] = OrderedDict()

    def first(self, source: Source, event: OrderEvent) -> bool:
        """Count this report; True when it is the first report of its change (publish it)."""
        counts = self._orders.get(event.order_id)
        if counts is None:
            counts = self._orders[event.order_id] = _OrderCounts()
            while len(self._orders) > self.limit:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(event.order_id)
        key = key_of(event)
        seen = counts.by_source.setdefault(source, Counter())
        seen[key] += 1
        if seen[key] <= counts.published[key]:
            return False
        counts.published[key] = seen[key]
        return True
