"""Bring N supplier proxies online in one process over a real XMPP server, beside plain SPADE agents.

    python -m bench.proxies_online --count 1000 --out FILE [--baseline 50] [--server pyjabber|prosody]

Measured in one run, against one server started fresh on loopback:

* ``proxies``: one :class:`~agents.supplier_proxy.ProxyHost` (one XMPP account and connection)
  hosting ``--count`` proxies built from the federation data set (its suppliers cycled, with
  suffixed ids, past its size): wall time and RSS delta from nothing to connected, then the time
  for all of them to answer one ``cfp`` (one Contract Net round with every proxy invited; each
  answers ``propose`` or ``refuse``) sent by a prober agent; both agents send over XMPP only, never
  SPADE's in-process hand-over, so every message crosses the server;
* ``spade_agents``: ``--baseline`` plain SPADE agents (:class:`PlatformAgent`, one connection each,
  started concurrently): wall time and RSS delta to connect them all.

The report gives per-proxy and per-agent costs and their ratios; the goal is ``--count`` 1000
online in under 15 s. Every account is created before the clocks start; the proxies answer the prober
because the store of the run's data directory (which the host and the prober read) binds it as a
manufacturer's agent, and the host as a supplier host.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import uuid4

import uvloop

from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.transport import stanza_xml
from agents.supplier_proxy import ProxyHost
from bench.accounts import bind
from bench.servers import SERVERS, BenchServer, server_context
from common.settings import Settings
from federation.dataset.loader import load_shipped
from federation.dataset.schema import SupplierRecord
from ontology.negotiation import CallForProposals
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.wire import XmppEnvelope
from store.database import Database
from store.enums import ANY_PARTY, AgentRole

GOAL_SECONDS = 15.0
GOAL_COUNT = 1000


def _unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def rss_kib() -> int:
    """Resident set size of this process (Linux ``/proc``), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def records(count: int) -> Iterator[SupplierRecord]:
    """``count`` data-set suppliers, cycled with suffixed ids past the data set's size."""
    shipped = load_shipped().suppliers
    for index in range(count):
        record = shipped[index % len(shipped)]
        lap = index // len(shipped)
        yield record if lap == 0 else record.model_copy(update={"id": f"{record.id}-{lap}"})


class XmppOnlyHost(ProxyHost):
    """A proxy host that never uses SPADE's in-process hand-over (benchmark only)."""

    def _send_envelope(self, envelope: XmppEnvelope) -> None:
        self.client.send_raw(stanza_xml(envelope))


class Prober(PlatformAgent):
    """The calling side: one Contract Net with every proxy, over XMPP only (benchmark only)."""

    def _send_envelope(self, envelope: XmppEnvelope) -> None:
        self.client.send_raw(stanza_xml(envelope))


def _cfp(today: date) -> CallForProposals:
    part = RequiredPart(
        part_id="bracket", process=ProcessKind.LASER_CUTTING, material="steel", machine_minutes=20
    )
    return CallForProposals(
        order_id=uuid4(),
        part=part,
        delivery_date=today + timedelta(days=90),
        reply_by=datetime.now(UTC) + timedelta(seconds=60),
    )


async def _answer_all(prober: Prober, host: str, addresses: list[str], wait: float) -> dict[str, Any]:
    # The host's answers come at once, from one JID: known as bound before they arrive, they count against
    # the trusted rate (a stranger's burst would refuse most of a thousand).
    await prober.directory.bindings(host)
    machine = IteratedContractNetInitiator(me=prober.address, max_rounds=1)
    conversation = prober.open_conversation(machine)
    start = time.perf_counter()
    conversation.act(
        lambda m, now: m.start(_cfp(now.date()), addresses, now=now, reply_by=now + timedelta(seconds=wait))
    )
    async with asyncio.timeout(wait + 10):
        await conversation.wait_until(lambda m: m.state is not ContractNetInitiatorState.COLLECTING)
    elapsed = time.perf_counter() - start
    proposals, refusals = len(machine.proposals), len(machine.refusals)
    if machine.state is ContractNetInitiatorState.EVALUATING:
        conversation.act(lambda m, now: m.award([], now=now))
    return {
        "seconds": round(elapsed, 3),
        "proposals": proposals,
        "refusals": refusals,
        "silent": len(machine.silent),
        "answers_per_s": round((proposals + refusals) / elapsed, 1) if elapsed > 0 else None,
    }


async def bench_proxies(
    server: BenchServer, db: Database, count: int, wait: float
) -> tuple[dict[str, Any], ProxyHost, Prober]:
    settings = server.settings
    prober = Prober(_unique("prober"), settings)
    host_name = _unique("suppliers")
    host_jid = f"{host_name}@{settings.xmpp_domain}"
    await server.create_accounts([prober.address, host_name])
    await bind(
        db,
        [
            (prober.address, AgentRole.MANUFACTURER, "bench-prober"),
            (host_jid, AgentRole.SUPPLIER, ANY_PARTY),
            (host_jid, AgentRole.PLATFORM, "suppliers"),
        ],
    )
    prober.store = db
    await prober.start()
    gc.collect()
    rss0, start = rss_kib(), time.perf_counter()
    host = XmppOnlyHost(host_name, settings)
    host.store = db
    addresses = [host.add_record(record) for record in records(count)]
    added = time.perf_counter()
    await host.ensure_started()
    online = time.perf_counter() - start
    gc.collect()
    rss_delta = rss_kib() - rss0
    answered = await _answer_all(prober, host.address, addresses, wait)
    result = {
        "count": count,
        "online_s": round(online, 3),
        "add_s": round(added - start, 3),
        "connect_s": round(online - (added - start), 3),
        "rss_delta_kib": rss_delta,
        "per_proxy_ms": round(1000 * online / count, 4),
        "per_proxy_kib": round(rss_delta / count, 3),
        "answer_cfp": answered,
    }
    return result, host, prober


async def bench_spade_agents(server: BenchServer, count: int) -> tuple[dict[str, Any], list[PlatformAgent]]:
    names = [_unique("plain") for _ in range(count)]
    await server.create_accounts(names)
    gc.collect()
    rss0, start = rss_kib(), time.perf_counter()
    agents = [PlatformAgent(name, server.settings) for name in names]
    await asyncio.gather(*(agent.start() for agent in agents))
    elapsed = time.perf_counter() - start
    gc.collect()
    rss_delta = rss_kib() - rss0
    return {
        "count": count,
        "online_s": round(elapsed, 3),
        "rss_delta_kib": rss_delta,
        "per_agent_ms": round(1000 * elapsed / count, 3),
        "per_agent_kib": round(rss_delta / count, 3),
        "started": "concurrently (asyncio.gather)",
    }, agents


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Settings(log_level="WARNING")
    async with server_context(args.server, base) as server:
        db = await Database.open(server.settings.resolved_database_url, migrate=True)
        try:
            proxies, host, prober = await bench_proxies(server, db, args.count, args.wait)
            try:
                baseline, agents = await bench_spade_agents(server, args.baseline)
                await asyncio.gather(*(agent.stop() for agent in agents), return_exceptions=True)
            finally:
                await asyncio.gather(host.stop(), prober.stop(), return_exceptions=True)
        finally:
            await db.close()
    ratios = {
        "time_spade_agent_over_proxy": _ratio(baseline["per_agent_ms"], proxies["per_proxy_ms"]),
        "memory_spade_agent_over_proxy": _ratio(baseline["per_agent_kib"], proxies["per_proxy_kib"]),
    }
    return {
        "benchmark": "proxies_online",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "spade": metadata.version("spade"),
            "cpus": os.cpu_count() or 1,
            "event_loop": "uvloop",
        },
        "config": {"server": args.server, "count": args.count, "baseline": args.baseline},
        "goal": {"count": GOAL_COUNT, "online_s_max": GOAL_SECONDS},
        "goal_met": args.count >= GOAL_COUNT and proxies["online_s"] < GOAL_SECONDS,
        "proxies": proxies,
        "spade_agents": baseline,
        "ratios": ratios,
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 1) if b > 0 else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="time and memory to bring N supplier proxies online")
    parser.add_argument("--out", type=Path, default=Path("bench-proxies.json"), help="JSON report path")
    parser.add_argument("--count", type=int, default=GOAL_COUNT, help="supplier proxies to host")
    parser.add_argument("--baseline", type=int, default=50, help="plain SPADE agents to start for comparison")
    parser.add_argument("--server", choices=SERVERS, default="pyjabber", help="XMPP server to start")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds the proxies have to answer")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    report = uvloop.run(run(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    p, s = report["proxies"], report["spade_agents"]
    print(
        f"{p['count']} proxies online in {p['online_s']:.2f} s ({p['per_proxy_ms']:.3f} ms, "
        f"{p['per_proxy_kib']:.1f} KiB each); all answered a cfp in {p['answer_cfp']['seconds']:.2f} s\n"
        f"{s['count']} SPADE agents online in {s['online_s']:.2f} s ({s['per_agent_ms']:.1f} ms, "
        f"{s['per_agent_kib']:.1f} KiB each); ratios {report['ratios']}"
    )


if __name__ == "__main__":
    main()
