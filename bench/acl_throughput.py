"""ACL layer vs raw SPADE messaging over a real XMPP server, between two OS processes.

    python -m bench.acl_throughput --out bench-report.json [--servers prosody,pyjabber]

For each server (started fresh on loopback) a peer process hosts a raw echo agent, an ACL echo
agent and a PingAgent; this process hosts the clients, each on its own XMPP connection. Agents in
one SPADE container hand messages over in-process, so the far side is always another process:
every message here crosses the XMPP server. Every account is created before its agent starts, and
bound (a platform service) in the store of the run's data directory, which every agent's directory
reads: the ACL echo and the PingAgent serve bound senders only.

Measured per server, for each path:

* ``raw``: SPADE ``Message`` (same body, ``performative`` metadata) -> echo -> reply, through
  SPADE behaviours;
* ``acl``: ``AclMessage`` -> envelope -> SPADE message, and back with validation and the content
  codec (Ping/Pong), through :class:`~agents.runtime.platform_agent.PlatformAgent`;
* ``request_protocol``: whole FIPA-request conversations (RequestInitiator and the PingAgent's
  RequestParticipant, each run by a ConversationBehaviour).

Round-trip times come from one message in flight; throughput from ``--count`` round trips with
``--window`` in flight. A round measures every path back to back (the order alternates between
rounds), so the paths of a round share the machine's load; ``ratio_acl_over_raw`` is the median
over rounds of acl/raw throughput (goal >= 0.8), throughputs are medians over rounds, RTT
percentiles pool all rounds' samples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import uvloop

from agents.runtime.child_process import spawn
from bench.accounts import bind
from bench.acl_agents import AclClient, RawClient, RequestClient
from bench.measure import Result, Samples, Sender, measure_round
from bench.servers import SERVERS, BenchServer, server_context
from common.settings import Settings
from store.database import Database
from store.enums import AgentRole

GOAL = 0.8
PATHS = ("raw", "acl", "request_protocol")


def _unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


BenchClient = RawClient | AclClient | RequestClient


async def _measure_all(clients: dict[str, BenchClient], args: argparse.Namespace) -> dict[str, Any]:
    """Rounds of every path back to back (order alternating), so they share the machine's load."""
    samples = {path: Samples() for path in PATHS}
    ratios: list[float] = []
    for index in range(args.rounds):
        rates: dict[str, float] = {}
        for path in PATHS if index % 2 == 0 else tuple(reversed(PATHS)):
            sender: Sender = clients[path]
            rates[path] = await measure_round(
                sender,
                samples[path],
                count=args.count,
                window=args.window,
                rtt_samples=args.samples,
                wait=args.wait,
            )
        ratios.append(rates["acl"] / rates["raw"])
    return {"results": {path: Result.of(s, args.count) for path, s in samples.items()}, "ratios": ratios}


async def _run_clients(
    clients: dict[str, BenchClient], peers: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    for path, peer_jid in zip(PATHS, peers, strict=True):
        clients[path].peer = peer_jid
    await asyncio.gather(*(client.start() for client in clients.values()))
    try:
        return await _measure_all(clients, args)
    finally:
        await asyncio.gather(*(client.stop() for client in clients.values()), return_exceptions=True)


async def _accounts(server: BenchServer, db: Database, peers: list[str], clients: list[str]) -> None:
    """Every agent's account (``peers``: nodes, ``clients``: JIDs), and its binding: platform accounts, the
    peers' services and the clients."""
    await server.create_accounts([*peers, *clients])
    domain = server.settings.xmpp_domain
    services = ("bench-echo", "bench-echo", "ping")
    bindings = [(f"{node}@{domain}", AgentRole.PLATFORM, s) for node, s in zip(peers, services, strict=True)]
    await bind(db, [*bindings, *((jid, AgentRole.PLATFORM, "bench-client") for jid in clients)])


async def bench_server(name: str, base: Settings, args: argparse.Namespace) -> dict[str, Any]:
    async with server_context(name, base) as server:
        settings = server.settings
        db = await Database.open(settings.resolved_database_url, migrate=True)
        try:
            clients: dict[str, BenchClient] = {
                "raw": RawClient(_unique("raw-client"), settings),
                "acl": AclClient(_unique("acl-client"), settings),
                "request_protocol": RequestClient(_unique("request-client"), settings),
            }
            names = [_unique("raw-echo"), _unique("acl-echo"), _unique("ping")]
            await _accounts(server, db, names, [client.address for client in clients.values()])
            for client in clients.values():
                client.store = db
            peer = await spawn("bench.peer", names, settings)
            try:
                measured = await _run_clients(clients, peer.ready_line.split(), args)
            finally:
                await peer.stop()
        finally:
            await db.close()
    results: dict[str, Result] = measured["results"]
    ratios: list[float] = measured["ratios"]
    raw, acl, request = results["raw"], results["acl"], results["request_protocol"]
    ratio = statistics.median(ratios)
    return {
        **{path: result.model_dump() for path, result in results.items()},
        "ratio_acl_over_raw": round(ratio, 3),
        "ratio_acl_over_raw_rounds": [round(r, 3) for r in ratios],
        "ratio_acl_over_raw_p50_rtt": round(raw.rtt_ms["p50"] / acl.rtt_ms["p50"], 3),
        "ratio_request_protocol_over_raw": round(request.round_trips_per_s / raw.round_trips_per_s, 3),
        "goal_met": ratio >= GOAL,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Settings(log_level="WARNING")
    results = {name: await bench_server(name, base, args) for name in args.servers}
    return {
        "benchmark": "acl_throughput",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": {
            "python": platform.python_version(),
            "spade": metadata.version("spade"),
            "slixmpp": metadata.version("slixmpp-multiplatform"),
            "pyjabber": metadata.version("pyjabber"),
            "event_loop": "uvloop",
            "cpus": _cpu_count(),
        },
        "config": {
            "count": args.count,
            "window": args.window,
            "rtt_samples": args.samples,
            "rounds": args.rounds,
            "processes": "clients in this process, echo/ping agents in a peer process",
        },
        "goal": {"ratio_acl_over_raw_min": GOAL},
        "servers": results,
    }


def _cpu_count() -> int:
    return os.cpu_count() or 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="ACL layer vs raw SPADE messages over XMPP")
    parser.add_argument("--out", type=Path, default=Path("bench-report.json"), help="JSON report path")
    parser.add_argument(
        "--servers",
        default=",".join(SERVERS),
        type=lambda text: [s.strip() for s in text.split(",") if s.strip()],
        help=f"comma-separated, from {', '.join(SERVERS)}",
    )
    parser.add_argument("--count", type=int, default=250, help="round trips per throughput run")
    parser.add_argument("--window", type=int, default=32, help="round trips in flight during throughput runs")
    parser.add_argument("--samples", type=int, default=50, help="sequential round trips timed per round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of all paths; medians are reported")
    parser.add_argument("--wait", type=float, default=10.0, help="seconds to wait for any one reply")
    return parser.parse_args(argv)


def _summary(report: dict[str, Any]) -> str:
    lines = []
    for server, result in report["servers"].items():
        for path in PATHS:
            r = result[path]
            lines.append(
                f"{server:9} {path:17} {r['msgs_per_s']:9.0f} msgs/s  "
                f"RTT p50 {r['rtt_ms']['p50']:.3f} ms  p95 {r['rtt_ms']['p95']:.3f} ms"
            )
        lines.append(f"{server:9} acl/raw throughput ratio {result['ratio_acl_over_raw']:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    report = uvloop.run(run(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(_summary(report))
    print(f"report written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
