"""What a bounded flood from outside leaves behind: memory and answers of the agents it hits.

    python -m bench.wire_flood --out bench-flood.json [--server pyjabber|prosody] [--count 2000] [--settle 35]

One supplier proxy host (every supplier of the shipped data set) and one ping agent run in this process over a
real XMPP server started fresh on loopback; each flood comes from its own process (:mod:`bench.flooder`, plain
slixmpp), so every stanza crosses the server. Measured in one run, in turn, against the memory before any
flood (the baseline of the same run):

* ``outsider_cfps``: ``--count`` cfps to one proxy from an account the store does not bind;
* ``manufacturer_cfps``: ``--count`` cfps from an account bound as a manufacturer's agent that never answers
  the proposals (each conversation lives until the proposal's validity ends, then leaves a small tombstone);
  ``manufacturer_cfps_again``: the same once more;
* ``oversize``: ``--oversize`` messages of 200 kB to the ping agent.

For each: the Python heap this process holds (tracemalloc, after a full collection) and its RSS, before the
flood, right after it, and once the flood's conversations could have ended (``--settle`` seconds, more than
the proposals' 30 s validity), the host's own counts (:meth:`ProxyHost.sizes`), and what the flooder was
answered (performative and reason). The goal: see :data:`GOAL_HEAP_RATIO` and :data:`BOUNDED`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import uvloop

from agents.ping_agent import PingAgent
from agents.runtime.child_process import settings_env
from agents.runtime.directory import StoreDirectory
from agents.supplier_proxy import ProxyHost
from bench.accounts import bind
from bench.servers import SERVERS, BenchServer, server_context
from common.settings import Settings
from federation.dataset.loader import load_shipped
from ontology.process import ProcessKind
from store.database import Database
from store.enums import ANY_PARTY, AgentRole

GOAL_HEAP_RATIO = 1.1
"""Largest heap once settled, over the heap before the flood, for the scenarios in :data:`BOUNDED`."""
BOUNDED = ("outsider_cfps", "manufacturer_cfps_again", "oversize")
"""Floods that must leave memory where it was. The first flood of a bound manufacturer fills what is bounded
by count (the decoded-content cache of 512 entries, the tombstones of finished conversations, at most 4096):
its repetition must not grow it again."""


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _measure() -> dict[str, float]:
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    return {"heap_mib": round(current / 2**20, 2), "rss_mib": round(_rss_mib(), 1)}


async def _flood(server: BenchServer, account: str, password: str, arguments: list[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        **settings_env(server.settings),
        "LSO_FLOOD_ACCOUNT": account,
        "LSO_FLOOD_PASSWORD": password,
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.flooder", *arguments, env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), 300)
    lines = output.decode().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"the flooder failed ({process.returncode}): {output.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


async def _scenario(
    name: str,
    server: BenchServer,
    host: ProxyHost,
    flood: tuple[str, str, list[str]],
    settle: float,
    top: int = 0,
) -> dict[str, Any]:
    before, snapshot = _measure(), tracemalloc.take_snapshot() if top else None
    answered = await _flood(server, *flood)
    after = _measure()
    await asyncio.sleep(settle)
    settled = _measure()
    if snapshot is not None:
        for stat in tracemalloc.take_snapshot().compare_to(snapshot, "lineno")[:top]:
            print(f"  {stat}", flush=True)
    ratio = settled["heap_mib"] / before["heap_mib"] if before["heap_mib"] else None
    print(
        f"{name}: heap {before['heap_mib']} -> {after['heap_mib']} -> {settled['heap_mib']} MiB", flush=True
    )
    return {
        "flood": answered,
        "before": before,
        "after_flood": after,
        "settled": settled,
        "heap_settled_over_before": None if ratio is None else round(ratio, 3),
        "host": host.sizes(),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    base = Settings(_env_file=None, log_level=args.log_level)
    tracemalloc.start()  # before the agents exist: the baseline holds them
    async with server_context(args.server, base) as server:
        settings = server.settings
        domain = settings.xmpp_domain
        passwords = await server.create_accounts(["suppliers", "ping", "outsider", "maker"])
        db = await Database.open(settings.resolved_database_url, migrate=True)
        await bind(
            db,
            [
                (f"suppliers@{domain}", AgentRole.PLATFORM, "suppliers"),
                (f"suppliers@{domain}", AgentRole.SUPPLIER, ANY_PARTY),
                (f"ping@{domain}", AgentRole.PLATFORM, "ping"),
                (f"maker@{domain}", AgentRole.MANUFACTURER, "maker-1"),
            ],
        )
        directory = StoreDirectory(db, ttl=settings.directory_ttl_seconds)
        dataset = load_shipped()
        host = ProxyHost("suppliers", settings)
        for record in dataset.suppliers:
            host.add_record(record)
        ping = PingAgent("ping", settings)
        for agent in (host, ping):
            agent.store, agent.directory = db, directory
            await agent.start()
        welder = next(
            s.id for s in dataset.suppliers if any(c.process == ProcessKind.WELDING for c in s.capabilities)
        )
        proxy = host.address_for(welder)
        cfps = ["--to", host.address, "--receiver", proxy, "--count", str(args.count)]
        oversize = ["--to", ping.address, "--kind", "oversize", "--count", str(args.oversize)]
        plan = (  # name, account, flooder arguments, seconds to settle
            ("outsider_cfps", "outsider", cfps, args.settle),
            ("manufacturer_cfps", "maker", [*cfps, "--warm"], args.settle),
            ("manufacturer_cfps_again", "maker", [*cfps, "--warm"], args.settle),
            ("oversize", "outsider", oversize, 2.0),
        )
        try:
            baseline = _measure()
            scenarios = {}
            for name, account, arguments, settle in plan:
                flood = (account, passwords[account], arguments)
                scenarios[name] = await _scenario(name, server, host, flood, settle, args.top)
        finally:
            tracemalloc.stop()
            for agent in (ping, host):
                await agent.stop()
            await db.close()
    bounded = {name: scenarios[name]["heap_settled_over_before"] for name in BOUNDED}
    return {
        "benchmark": "wire_flood",
        "config": {
            "server": args.server,
            "count": args.count,
            "oversize": args.oversize,
            "settle_s": args.settle,
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "baseline": baseline,
        "scenarios": scenarios,
        "goal": {"heap_settled_over_before_max": GOAL_HEAP_RATIO, "scenarios": list(BOUNDED)},
        "heap_settled_over_before": bounded,
        "met": all(ratio is not None and ratio <= GOAL_HEAP_RATIO for ratio in bounded.values()),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="memory and answers of agents under a bounded flood")
    parser.add_argument("--out", type=Path, default=Path("bench-flood.json"), help="JSON report path")
    parser.add_argument("--server", choices=SERVERS, default="pyjabber", help="XMPP server to start")
    parser.add_argument("--count", type=int, default=2000, help="cfps per flood")
    parser.add_argument("--oversize", type=int, default=50, help="oversize messages")
    parser.add_argument("--settle", type=float, default=35.0, help="seconds before measuring again")
    parser.add_argument("--log-level", default="ERROR", help="log level of the agents")
    parser.add_argument("--top", type=int, default=0, help="print the N lines that kept most memory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    report = uvloop.run(run(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"baseline heap {report['baseline']['heap_mib']} MiB; settled over before: "
        f"{report['heap_settled_over_before']} "
        f"(goal <= {GOAL_HEAP_RATIO}: {'met' if report['met'] else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
