"""Order-to-quotation latency, concurrent orders/s and messages per negotiation, over XMPP.

    python -m bench.negotiation_throughput --out bench-negotiation.json [--server pyjabber|prosody]
        [--orders 10] [--concurrent 10] [--suppliers 10] [--rounds 2] [--warmup 1] [--rtt-samples 50]

The world (:mod:`bench.order_world`): a fresh XMPP server (default: the embedded pyjabber in its own
process; ``--server prosody`` runs Prosody via :mod:`agents.runtime.prosody`), the local federation
service, the matchmaker, a proxy host for the shipped suppliers and the manufacturer, each in its own
process; the customer (a :class:`~agents.customer.agent.CustomerAgent`) in this one. Every ACL message
of an order therefore crosses the XMPP server; every agent's account is created before it starts and
bound in the world's store (the customer to the order's customer). The manufacturer sources the bike's
two parts (frame, cover) from up to ``--suppliers`` candidates each, in up to ``--rounds`` rounds. The
customer stops at the quotation: it timestamps the quotation's arrival and declines it.

Measured:

* ``order_to_quotation_ms``: ``--orders`` orders one after another; from ``place_order`` to the
  quotation reaching the customer's decision source; p50, p95, mean;
* ``concurrent``: ``--concurrent`` orders placed at once; orders/s = orders / time from placing them
  to the last quotation;
* ``messages``: from the manufacturer's ACL log (every message in and out of it, by order id; no other
  agent talks ACL about an order), per order: ACL messages, XMPP messages (an outgoing ACL message is
  one XMPP message per receiver), the same up to the quotation, and the critical path up to the
  quotation in hops (see :func:`critical_hops`);
* ``raw_transport``: in the same run, the round-trip time of raw SPADE messages between two XMPP
  connections of two processes (:mod:`bench.peer`'s echo); one message's transport time = RTT p50 / 2;
* ``efficiency``: raw transport time of the order's messages divided by the measured order-to-quotation
  p50; ``total`` uses every XMPP message up to the quotation (as if sent one after another),
  ``critical_path`` the critical-path hops. Goal: ``total`` >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import UUID

import uvloop

from agents.customer.agent import CustomerAgent, CustomerTimings, OrderHandle
from agents.customer.decisions import Decision, DecisionSource
from agents.runtime.child_process import spawn
from bench.acl_agents import RawClient
from bench.measure import percentile, round_trip_times
from bench.order_world import order_world, unique
from bench.servers import SERVERS, BenchServer, server_context
from common.settings import Settings
from ontology.codec import ContentError, decode
from ontology.negotiation import CallForProposals
from ontology.order import Order
from ontology.quotation import Quotation
from simulation.samples.bike import SOURCED_PARTS, manufacturer_policy, order_for
from store.database import Database
from store.enums import Direction
from store.records.acl import AclMessageRecord

GOAL = 0.5
CUSTOMER_TIMINGS = CustomerTimings(
    quotation=timedelta(seconds=30), decision=timedelta(seconds=10), contract=timedelta(seconds=10)
)


class StopAtQuotation(DecisionSource):
    """Timestamps each order's first quotation (``time.perf_counter``) and declines it."""

    def __init__(self) -> None:
        self.quoted_at: dict[UUID, float] = {}

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        self.quoted_at.setdefault(order.id, time.perf_counter())
        return Decision.decline("the benchmark stops at the quotation")


@dataclass
class Placed:
    handle: OrderHandle
    placed_at: float
    phase: str


@dataclass
class Customer:
    agent: CustomerAgent
    decisions: StopAtQuotation
    placed: list[Placed] = field(default_factory=list)

    def place(self, manufacturer: str, phase: str) -> Placed:
        order = order_for()
        placed = Placed(self.agent.place_order(order, manufacturer), time.perf_counter(), phase)
        self.placed.append(placed)
        return placed

    async def quoted(self, placed: Placed, wait: float) -> float:
        """Seconds from placing to the quotation; raises when the order ended without one."""
        async with asyncio.timeout(wait):
            outcome = await placed.handle.outcome
        quoted_at = self.decisions.quoted_at.get(placed.handle.order.id)
        if quoted_at is None:
            raise RuntimeError(f"order {placed.handle.order.id} got no quotation: {outcome}")
        return quoted_at - placed.placed_at


# ------------------------------------------------------------------------ messages


def _runs(messages: list[AclMessageRecord]) -> int:
    """Runs of consecutive messages in one direction (a fan-out, or answers awaited together, is one hop)."""
    hops, last = 0, None
    for message in messages:
        if message.direction != last:
            hops += 1
            last = message.direction
    return hops


def critical_hops(messages: list[AclMessageRecord], customer_conversation: str) -> int:
    """Hops on the critical path up to the quotation (``messages``: the order's log up to it).

    A hop is a run of consecutive messages in one direction within one conversation: the ``cfp`` to
    ten suppliers is one hop, their ten proposals (the round closes on the last) another. The order's
    conversations run customer -> matchmaker (and any other FIPA request) -> the parts' negotiations
    in parallel -> customer, so the path is the customer conversation's hops, plus every other
    non-negotiation conversation's hops, plus the longest supplier negotiation's hops.
    """
    by_conversation: dict[str, list[AclMessageRecord]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id or "", []).append(message)
    hops = _runs(by_conversation.pop(customer_conversation, []))
    negotiations = [
        _runs(conv)
        for conv in by_conversation.values()
        if conv[0].protocol in ("fipa-iterated-contract-net", "fipa-contract-net")
    ]
    others = [
        _runs(conv)
        for conv in by_conversation.values()
        if conv[0].protocol not in ("fipa-iterated-contract-net", "fipa-contract-net")
    ]
    return hops + sum(others) + max(negotiations, default=0)


def _first_round(content: str) -> bool:
    try:
        return decode(content, CallForProposals).round == 1
    except ContentError:
        return False


def _xmpp(messages: list[AclMessageRecord]) -> int:
    return sum(max(1, len(m.receivers)) if m.direction == Direction.OUT else 1 for m in messages)


def count_messages(log: list[AclMessageRecord], customer_conversation: str) -> dict[str, Any]:
    """The figures of one order's ACL log (the manufacturer's view: every message in and out)."""
    quotation = next(
        (
            index
            for index, m in enumerate(log)
            if m.conversation_id == customer_conversation
            and m.direction == Direction.OUT
            and m.performative == "propose"
        ),
        None,
    )
    if quotation is None:
        raise RuntimeError("the log holds no quotation")
    upto = log[: quotation + 1]
    invited: dict[str, int] = {}  # supplier negotiation -> suppliers sent its first cfp
    for m in log:
        if (
            m.direction == Direction.OUT
            and m.performative == "cfp"
            and m.conversation_id not in (None, customer_conversation)
            and _first_round(m.content)
        ):
            key = m.conversation_id or ""
            invited[key] = invited.get(key, 0) + max(1, len(m.receivers))
    return {
        "acl": len(log),
        "xmpp": _xmpp(log),
        "acl_to_quotation": len(upto),
        "xmpp_to_quotation": _xmpp(upto),
        "critical_hops_to_quotation": critical_hops(upto, customer_conversation),
        "suppliers_invited_per_part": sorted(invited.values()),
        "by_kind": dict(Counter(f"{m.direction} {m.protocol} {m.performative}" for m in log)),
    }


async def read_logs(database_url: str, placed: list[Placed]) -> list[dict[str, Any]]:
    db = await Database.open(database_url)
    try:
        counted = []
        async with db.transaction() as repos:
            for p in placed:
                log = await repos.acl.by_order(str(p.handle.order.id))
                counted.append({"phase": p.phase, **count_messages(log, p.handle.conversation_id)})
        return counted
    finally:
        await db.close()


# ------------------------------------------------------------------------ raw transport


async def raw_rtt_ms(server: BenchServer, samples: int, wait: float) -> list[float]:
    """RTTs of raw SPADE messages: this process <-> an echo agent in another process."""
    settings = server.settings
    names = [unique("raw-echo"), unique("acl-echo"), unique("ping")]
    client = RawClient(unique("raw-client"), settings)
    await server.create_accounts([*names, client.address])
    peer = await spawn("bench.peer", names, settings)
    try:
        client.peer = peer.ready_line.split()[0]
        await client.start()
        await round_trip_times(client, min(20, samples), wait)  # warm-up
        return await round_trip_times(client, samples, wait)
    finally:
        await client.stop()
        await peer.stop()


# ------------------------------------------------------------------------ the run


def _ms(values: list[float]) -> dict[str, float]:
    millis = [v * 1000 for v in values]
    return {
        "p50": round(percentile(millis, 0.50), 2),
        "p95": round(percentile(millis, 0.95), 2),
        "mean": round(statistics.fmean(millis), 2),
        "min": round(min(millis), 2),
        "max": round(max(millis), 2),
        "samples": float(len(millis)),
    }


def _median_of(rows: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(row[key] for row in rows))


async def _orders(customer: Customer, manufacturer: str, args: argparse.Namespace) -> dict[str, Any]:
    for _ in range(args.warmup):
        await customer.quoted(customer.place(manufacturer, "warmup"), args.wait)
    sequential = [
        await customer.quoted(customer.place(manufacturer, "sequential"), args.wait)
        for _ in range(args.orders)
    ]
    start = time.perf_counter()
    batch = [customer.place(manufacturer, "concurrent") for _ in range(args.concurrent)]
    latencies = await asyncio.gather(*(customer.quoted(p, args.wait) for p in batch))
    elapsed = max(p.placed_at + latency for p, latency in zip(batch, latencies, strict=True)) - start
    return {"sequential": sequential, "concurrent_latencies": list(latencies), "concurrent_s": elapsed}


async def measure(server: BenchServer, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    policy = manufacturer_policy(args.suppliers, args.deadline, args.rounds)
    async with order_world(server.settings, directory, accounts=server.accounts, policy=policy) as world:
        rtt = await raw_rtt_ms(server, args.rtt_samples, args.wait)
        decisions = StopAtQuotation()
        name = await world.add_customer(unique("customer"))
        agent = CustomerAgent(name, world.settings, decisions=decisions, timings=CUSTOMER_TIMINGS)
        customer = Customer(agent, decisions)
        await agent.start()
        try:
            timed = await _orders(customer, world.manufacturer, args)
            async with asyncio.timeout(args.wait):  # every order ends (declined) before the counts
                await asyncio.gather(*(p.handle.outcome for p in customer.placed))
        finally:
            await agent.stop()
        await asyncio.sleep(0.5)  # let the manufacturer take in the last declines
        await world.stop_manufacturer()
        counted = await read_logs(world.database_url, customer.placed)
    return {"rtt_ms": rtt, **timed, "messages": counted}


def report(measured: dict[str, Any], args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    rtt: list[float] = measured["rtt_ms"]
    one_way_ms = percentile(rtt, 0.5) / 2
    sequential: list[float] = measured["sequential"]
    latency = _ms(sequential)
    counted = [row for row in measured["messages"] if row["phase"] != "warmup"]
    per_order = {
        key: _median_of(counted, key)
        for key in ("acl", "xmpp", "acl_to_quotation", "xmpp_to_quotation", "critical_hops_to_quotation")
    }
    invited = [n for row in counted for n in row["suppliers_invited_per_part"]]
    transport_total_ms = per_order["xmpp_to_quotation"] * one_way_ms
    transport_critical_ms = per_order["critical_hops_to_quotation"] * one_way_ms
    ratio_total = transport_total_ms / latency["p50"]
    ratio_critical = transport_critical_ms / latency["p50"]
    return {
        "benchmark": "negotiation_throughput",
        "environment": {
            "python": platform.python_version(),
            "spade": metadata.version("spade"),
            "pyjabber": metadata.version("pyjabber"),
            "event_loop": "uvloop",
            "cpus": os.cpu_count() or 1,
        },
        "config": {
            "server": args.server,
            "orders": args.orders,
            "concurrent": args.concurrent,
            "warmup": args.warmup,
            "suppliers_per_part": args.suppliers,
            "sourced_parts": list(SOURCED_PARTS),
            "max_rounds": args.rounds,
            "round_deadline_s": args.deadline,
            "rtt_samples": args.rtt_samples,
            "processes": "XMPP server, matchmaker, proxy host, manufacturer: one process each; "
            "federation service (thread) and customer: this process",
            "stops_at": "quotation (the customer declines it)",
        },
        "order_to_quotation_ms": latency,
        "concurrent": {
            "orders": args.concurrent,
            "seconds": round(measured["concurrent_s"], 3),
            "orders_per_s": round(args.concurrent / measured["concurrent_s"], 3),
            "order_to_quotation_ms": _ms(measured["concurrent_latencies"]),
        },
        "sequential_orders_per_s": round(len(sequential) / sum(sequential), 3),
        "messages": {
            "per_order_median": per_order,
            "suppliers_invited_per_part": {"min": min(invited, default=0), "max": max(invited, default=0)},
            "example_order": counted[0]["by_kind"] if counted else {},
            "orders": measured["messages"],
            "definition": "the manufacturer's ACL log by order id: every ACL message in and out; "
            "xmpp counts an outgoing ACL message once per receiver; *_to_quotation stops at the "
            "quotation (propose to the customer); the totals include the customer's decline and what "
            "follows it",
        },
        "raw_transport": {
            "rtt_ms": _ms([r / 1000 for r in rtt]),
            "one_way_ms": round(one_way_ms, 4),
            "definition": "raw SPADE message to an echo agent in another process and back, one in flight; "
            "one message's transport time = RTT p50 / 2",
        },
        "efficiency": {
            "total": round(ratio_total, 4),
            "critical_path": round(ratio_critical, 4),
            "transport_total_ms": round(transport_total_ms, 3),
            "transport_critical_path_ms": round(transport_critical_ms, 3),
            "definition": "raw transport time / order-to-quotation p50; total: median XMPP messages up to "
            "the quotation x one-way time; critical_path: median critical-path hops up to the quotation "
            "x one-way time",
        },
        "goal": {"efficiency_total_min": GOAL},
        "goal_met": ratio_total >= GOAL,
        "run_seconds": round(seconds, 1),
    }


def summary(result: dict[str, Any]) -> str:
    latency, concurrent = result["order_to_quotation_ms"], result["concurrent"]
    per_order, efficiency = result["messages"]["per_order_median"], result["efficiency"]
    return (
        f"{result['config']['server']}: order->quotation p50 {latency['p50']:.0f} ms "
        f"p95 {latency['p95']:.0f} ms; "
        f"{concurrent['orders_per_s']:.2f} orders/s with {concurrent['orders']} in flight; "
        f"{per_order['acl']:.0f} ACL / {per_order['xmpp']:.0f} XMPP msgs per order "
        f"({per_order['xmpp_to_quotation']:.0f} to quotation, {per_order['critical_hops_to_quotation']:.0f} "
        f"critical hops); raw one-way {result['raw_transport']['one_way_ms']:.3f} ms; "
        f"efficiency total {efficiency['total']:.3f} critical {efficiency['critical_path']:.3f} "
        f"(goal >= {GOAL}: {'met' if result['goal_met'] else 'not met'}); {result['run_seconds']:.0f} s"
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    directory = Path(tempfile.mkdtemp(prefix="lso-bench-negotiation-"))
    try:
        async with server_context(args.server, Settings(log_level="WARNING")) as server:
            measured = await measure(server, directory, args)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return report(measured, args, time.perf_counter() - started)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Order-to-quotation latency and throughput over XMPP")
    parser.add_argument("--out", type=Path, default=Path("bench-negotiation.json"), help="JSON report path")
    parser.add_argument(
        "--server", choices=SERVERS, default="pyjabber", help="XMPP server started for the run"
    )
    parser.add_argument("--orders", type=int, default=10, help="sequential orders timed")
    parser.add_argument("--concurrent", type=int, default=10, help="orders placed at once")
    parser.add_argument("--warmup", type=int, default=1, help="orders placed (and not timed) first")
    parser.add_argument("--suppliers", type=int, default=10, help="candidate suppliers per sourced part")
    parser.add_argument("--rounds", type=int, default=2, help="negotiation rounds per part at most")
    parser.add_argument("--deadline", type=float, default=5.0, help="seconds a negotiation round stays open")
    parser.add_argument("--rtt-samples", type=int, default=50, help="raw round trips timed")
    parser.add_argument("--wait", type=float, default=40.0, help="seconds to wait for any one order")
    args = parser.parse_args(argv)
    if min(args.orders, args.concurrent, args.suppliers, args.rounds, args.rtt_samples) < 1:
        parser.error("--orders, --concurrent, --suppliers, --rounds and --rtt-samples must be >= 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result = uvloop.run(run(args))
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(summary(result))
    print(f"report written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
