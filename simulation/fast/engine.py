"""A fast run of one cell: every agent in this process, messages handed over in memory after a
simulated latency, deadlines on the simulated clock, no XMPP and no login.

The messages are the real :class:`~protocols.acl.AclMessage` objects the machines make (content
encoded by the ontology codec and decoded by the receiver), the suppliers are the real proxies
(:mod:`simulation.fast.suppliers`), the manufacturer's side is :class:`PartSourcing`. Orders are
served one after another in arrival order (an order starts at its arrival, or when the one before
it is done), and the parts of an order one after another: the same sequence as a distributed run,
so both give the same agreements.

While it runs, the cyclic garbage collector's oldest generation is collected rarely
(:func:`few_full_collections`): a run keeps a large heap alive (the conversations kept for late
messages, the recorder's trace) and CPython's full collections, which come every time that heap grows
by a quarter, traverse all of it, about a third of the CPU time of a 1,000-negotiation run. Young
collections still run, so cycles that die young are still freed; nothing a run decides depends on
the collector.
"""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial

from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.settings import Timings
from agents.supplier_proxy.host import FINISHED_KEPT
from protocols.acl import AclMessage
from simulation.fast.clock import EventQueue
from simulation.fast.sourcing import PartSourcing
from simulation.fast.suppliers import InMemoryProxies
from simulation.plan import Cell, Plan
from simulation.recorder import PartContext, Recorder

Progress = Callable[[int], None]
"""Called with the number of negotiations just finished."""


def timings_of(plan: Plan) -> Timings:
    spec = plan.scenario.negotiation
    return Timings(
        evaluation=timedelta(seconds=spec.evaluation_seconds),
        supplier_result=timedelta(seconds=spec.supplier_result_seconds),
        award_attempts=spec.award_attempts,
    )


def buyer_address(manufacturer: str, domain: str) -> str:
    return f"{manufacturer}@{domain}"


class FastWorld:
    """One cell's agents and the in-memory router between them."""

    def __init__(self, plan: Plan, cell: Cell, recorder: Recorder, *, domain: str, start: datetime) -> None:
        self.plan, self.cell, self.recorder = plan, cell, recorder
        self.domain = domain
        self.queue = EventQueue(start)
        self.latency = timedelta(milliseconds=plan.scenario.negotiation.latency_ms)
        self.proxies = InMemoryProxies(
            f"suppliers-{cell.index}@{domain}",
            cell.suppliers,
            seed=cell.seed,
            today=plan.today,
            queue=self.queue,
            send=self.send,
        )
        self.buyers = {buyer_address(m, domain): m for m in cell.policies}
        self.conversations: OrderedDict[str, PartSourcing] = OrderedDict()
        """The manufacturer's conversations, newest last; the oldest finished ones are dropped."""
        self._current: PartSourcing | None = None

    def send(self, message: AclMessage) -> None:
        if message.sender in self.buyers:
            self.recorder.sent(message, self.queue.now)
        for receiver in message.receivers:
            self.queue.after(self.latency, partial(self._deliver, receiver, message))

    def _deliver(self, receiver: str, message: AclMessage) -> None:
        if receiver in self.buyers:
            self.recorder.received(message, self.queue.now)
            sourcing = self.conversations.get(message.conversation_id or "")
            if sourcing is not None:
                sourcing.handle(message)
        elif self.proxies.hosts(receiver):
            self.proxies.deliver(receiver, message)

    def run(self, progress: Progress) -> None:
        spec = self.plan.scenario.negotiation
        timings = timings_of(self.plan)
        for order in self.cell.orders:
            policy = self.cell.policies[order.manufacturer]
            me = buyer_address(order.manufacturer, self.domain)
            scorer = NegotiationScorer(policy.strategy, seed=self.cell.seed)
            arrival = self.queue.start + timedelta(seconds=order.at)
            for part in order.parts:
                context = PartContext(
                    self.cell,
                    order,
                    part,
                    policy,
                    self.plan.today,
                    spec.buyer_reservation_price,
                    spec.outcome_space,
                )
                sourcing = PartSourcing(
                    me=me,
                    order_id=order.order_id,
                    part=part,
                    agents=[self.proxies.address_for(s) for s in order.candidates[part.part_id]],
                    latest=order.latest,
                    policy=policy,
                    scorer=scorer,
                    timings=timings,
                    queue=self.queue,
                    send=self.send,
                    track=partial(self._track, context=context),
                )
                self.queue.at(max(arrival, self.queue.now), partial(self._start, sourcing))
                self.queue.run(until=sourcing.finished)
                progress(len(order.candidates[part.part_id]))
        self.queue.run(until=lambda: False)
        self.close()

    def close(self) -> None:
        """Let go of the conversations: they reach back to this world (its ``send``), so they
        would otherwise wait for a full collection to be freed."""
        self.conversations.clear()
        self._current = None
        self.proxies.close()

    def _start(self, sourcing: PartSourcing) -> None:
        self._current = sourcing
        sourcing.start()

    def _track(self, conversation_id: str, context: PartContext) -> None:
        self.recorder.open(conversation_id, context)
        assert self._current is not None
        self.conversations[conversation_id] = self._current
        while len(self.conversations) > FINISHED_KEPT:
            oldest = next(iter(self.conversations.values()))
            if not oldest.finished():
                break
            self.conversations.popitem(last=False)


#: The oldest generation's threshold during a fast run (CPython's default is 10): a full collection
#: comes after this many collections of the middle generation, instead of every 10.
FULL_COLLECTION_THRESHOLD = 1000


@contextmanager
def few_full_collections() -> Iterator[None]:
    """Collect the oldest generation rarely while the block runs; restore the thresholds after."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, max(old, FULL_COLLECTION_THRESHOLD))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def run_fast(plan: Plan, recorder: Recorder, *, domain: str, progress: Progress) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    with few_full_collections():
        for cell in plan.cells:
            FastWorld(plan, cell, recorder, domain=domain, start=start).run(progress)
