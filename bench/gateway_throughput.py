"""Gateway throughput over real HTTP: authenticated ``GET /orders/{id}`` against ``GET /health/live`` of
the same app in the same run, and orders placed per second end to end (``POST /orders`` until the
quotation event arrives on the customer's SSE stream).

    python -m bench.gateway_throughput --out bench-gateway.json [--duration 2] [--concurrency 8]
                                       [--orders 10] [--sequential 5]

Every part runs in its own process on loopback: a fresh pyjabber, the matchmaker (EFPF: the local
federation service, in a thread here), a proxy host for the shipped suppliers, the manufacturer agent
(policy and catalogue of the demo, from a fresh SQLite store), and the gateway with its bridge's
agents (``python -m bench.gateway_process``). This process only runs the HTTP clients. Every agent's
account is created before it starts, and every agent reads the bindings of that store: the matchmaker, the
proxy host and the console platform services, the manufacturer agent its user, the bridge's customer agent
every app customer.

* ``health_live`` (no token, no database) and ``get_order`` (bearer token checked against the store,
  the order, its history and invoices read) are measured alternately, ``--rounds`` times each for
  ``--duration`` seconds with ``--concurrency`` requests in flight, by the same load generator; the
  median round counts. Goal: ratio >= 0.5. The load generator is a minimal HTTP/1.1 keep-alive
  client (one connection per request in flight, a prepared request, the status line and
  ``Content-Length`` parsed, the body read): httpx spends about 1 ms of CPU per request, several
  times what ``/health/live`` costs the server, so with it the trivial endpoint measured the client.
  Each round reports the client's CPU (fraction of one core), the server's CPU per request (from
  ``/proc`` of the gateway process) and the 1-minute load average at its end.
* ``orders``: ``--sequential`` orders one after the other (order-to-quotation latency through HTTP,
  the bridge, XMPP and the whole negotiation with the suppliers), then ``--orders`` placed at once
  (orders per second until the last quotation arrived).

Bounded: a few seconds per HTTP round, at most ``ORDER_TIMEOUT`` seconds per order phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg  # type: ignore[import-untyped]
import httpx
from sqlalchemy.engine import make_url

from agents.runtime.child_process import ChildProcess, spawn
from bench.accounts import bind_at
from bench.order_world import start_federation, unique
from bench.servers import pyjabber
from common.settings import Settings
from gateway.core.passwords import hash_password
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from simulation.samples.bike import TIMINGS
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, PolicyKind, UserRole
from store.product_rows import new_product_row
from store.records import NewUser

PASSWORD = "bench-password-1"
PRODUCT = "demo-bicycle-frame"
WARMUP_FRACTION = 0.15
ORDER_TIMEOUT = 90.0
GOAL_RATIO = 0.5


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


class Connection:
    """One keep-alive HTTP/1.1 connection of the load generator (a request in flight at a time)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parsed = httpx.URL(url)
        reader, writer = await asyncio.open_connection(parsed.host, parsed.port)
        return cls(reader, writer)

    async def get(self, request: bytes) -> None:
        """Send a prepared request and read the whole response; ``RuntimeError`` unless it is a 200."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        marker = head.lower().find(b"\r\ncontent-length:")
        if marker < 0:
            raise RuntimeError(f"no Content-Length in {head[:200]!r}")
        length = int(head[marker + 17 : head.index(b"\r\n", marker + 2)])
        await self.reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"HTTP {status.decode()}")

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def prepared_get(url: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    host = httpx.URL(url).netloc.decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _rate(
    url: str, request: bytes, *, duration: float, concurrency: int, server_pid: int
) -> dict[str, Any]:
    """``concurrency`` connections send ``request`` for ``duration`` s after a warm-up; rate, latencies,
    client CPU and server CPU (per request) over the measured window."""
    connections = [await Connection.open(url) for _ in range(concurrency)]
    warmup_end = time.perf_counter() + duration * WARMUP_FRACTION
    end = warmup_end + duration
    latencies: list[float] = []
    errors = 0
    window: dict[str, float] = {}

    async def worker(connection: Connection) -> None:
        nonlocal errors
        while (now := time.perf_counter()) < end:
            try:
                await connection.get(request)
            except (RuntimeError, ValueError, asyncio.IncompleteReadError):
                errors += 1
                continue
            if now >= warmup_end:
                latencies.append(time.perf_counter() - now)

    async def sample() -> None:
        await asyncio.sleep(max(0.0, warmup_end - time.perf_counter()))
        window.update(wall=time.perf_counter(), client=time.process_time(), server=_cpu_seconds(server_pid))

    try:
        await asyncio.gather(sample(), *(worker(connection) for connection in connections))
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))
    wall = time.perf_counter() - window["wall"]
    server_cpu = _cpu_seconds(server_pid) - window["server"]
    return {
        "per_second": round(len(latencies) / duration, 1),
        "count": len(latencies),
        "errors": errors,
        "latency_ms": {
            "p50": round(_percentile(latencies, 0.5) * 1000, 2),
            "p95": round(_percentile(latencies, 0.95) * 1000, 2),
        },
        "client_cpu_fraction": round((time.process_time() - window["client"]) / wall, 3),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, len(latencies)), 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


@asynccontextmanager
async def database(directory: Path, postgres: str | None) -> AsyncIterator[str]:
    """A fresh database: SQLite under ``directory``, or a new database on the PostgreSQL server of the
    admin URL ``postgres`` (dropped afterwards); its async URL."""
    if postgres is None:
        yield f"sqlite+aiosqlite:///{directory / 'lso.db'}"
        return
    name = f"lso_bench_{uuid4().hex[:12]}"
    admin_url = make_url(postgres).set(drivername="postgresql")
    admin = await asyncpg.connect(admin_url.render_as_string(hide_password=False), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield admin_url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        admin = await asyncpg.connect(admin_url.render_as_string(hide_password=False), timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def prepare_store(url: str, manufacturer_jid: str) -> tuple[str, str]:
    """Migrate the store at ``url`` and add a customer, a manufacturer, its demo catalogue and policy;
    the customer's login e-mail and the manufacturer's user id."""
    db = await Database.open(url, migrate=True)
    customer = "bench-customer@example.org"
    try:
        async with db.transaction() as repos:
            await repos.users.add(
                NewUser(
                    email=customer,
                    display_name="bench customer",
                    role=UserRole.CUSTOMER,
                    password_hash=hash_password(PASSWORD),
                )
            )
            maker = await repos.users.add(
                NewUser(
                    email="bench-maker@example.org",
                    display_name="bench maker",
                    role=UserRole.MANUFACTURER,
                    password_hash=hash_password(PASSWORD),
                )
            )
            products = demo_products(maker.id)
            for product in products:
                await repos.products.add(new_product_row(product))
            await repos.policies.put(
                manufacturer_jid, PolicyKind.MANUFACTURER, demo_policy(products), owner_user_id=maker.id
            )
    finally:
        await db.close()
    return customer, maker.id


async def _child(
    stack: AsyncExitStack, module: str, args: list[str], settings: Settings, env: dict[str, str]
) -> ChildProcess:
    child = await spawn(module, args, settings, ready_timeout=90.0, extra_env=env)
    stack.push_async_callback(child.stop)
    return child


@asynccontextmanager
async def world(directory: Path, postgres: str | None) -> AsyncIterator[tuple[str, str, int]]:
    """Everything started; the gateway's URL, the customer's e-mail and the gateway's process id."""
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(database(directory, postgres))
        server = await stack.enter_async_context(pyjabber(Settings(_env_file=None, log_level="WARNING")))
        settings = server.settings.model_copy(update={"database_url": url})
        efpf = await start_federation(stack, directory / "efpf")
        domain = settings.xmpp_domain
        agents = ("manufacturer", "console", "customers", "matchmaker", "suppliers")
        nodes = {agent: unique(agent) for agent in agents}
        jids = {agent: f"{node}@{domain}" for agent, node in nodes.items()}
        customer, maker_id = await prepare_store(url, jids["manufacturer"])
        await server.create_accounts(nodes.values())
        await bind_at(
            url,
            [
                (jids["manufacturer"], AgentRole.MANUFACTURER, maker_id),
                (jids["console"], AgentRole.PLATFORM, "console"),
                (jids["customers"], AgentRole.CUSTOMER, ANY_PARTY),
                (jids["matchmaker"], AgentRole.PLATFORM, "matchmaker"),
                (jids["suppliers"], AgentRole.PLATFORM, "suppliers"),
                (jids["suppliers"], AgentRole.SUPPLIER, ANY_PARTY),
            ],
        )
        efpf_env = {
            "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
            "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
        }
        matchmaker, proxies = await asyncio.gather(
            _child(stack, "agents.matchmaker", ["--name", nodes["matchmaker"]], settings, efpf_env),
            _child(stack, "agents.supplier_proxy", ["--name", nodes["suppliers"]], settings, {}),
        )
        (directory / "catalogue.json").write_text("[]")
        (directory / "timings.json").write_text(json.dumps(TIMINGS))
        await _child(
            stack,
            "agents.manufacturer",
            [
                *("--name", jids["manufacturer"], "--catalogue", str(directory / "catalogue.json")),
                *("--matchmaker", matchmaker.ready_line, "--contract", f"nobody@{domain}"),
                *(
                    "--proxy-host",
                    proxies.ready_line.split()[0],
                    "--timings",
                    str(directory / "timings.json"),
                ),
                *("--console", jids["console"]),
                *("--manufacturer-id", maker_id),
            ],
            settings,
            {},
        )
        gateway = await _child(
            stack,
            "bench.gateway_process",
            ["--database-url", url, "--data-dir", str(directory), "--bridge"],
            settings,
            {
                "LSO_BRIDGE_CONSOLE_AGENT": nodes["console"],
                "LSO_BRIDGE_CUSTOMER_AGENT": nodes["customers"],
                "LSO_GATEWAY_JWT_SECRET": "bench-secret-" + "x" * 32,
            },
        )
        yield gateway.ready_line, customer, gateway.pid


class Quotations:
    """The customer's SSE stream: when each order's quotation arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.changed = asyncio.Condition()

    async def listen(self, http: httpx.AsyncClient, auth: dict[str, str], opened: asyncio.Event) -> None:
        async with http.stream("GET", "/notifications/stream", headers=auth, timeout=None) as response:
            opened.set()
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event["kind"] == "quotation":
                    async with self.changed:
                        self.arrived.setdefault(event["order_id"], time.perf_counter())
                        self.changed.notify_all()

    async def wait(self, order_ids: list[str]) -> None:
        async with asyncio.timeout(ORDER_TIMEOUT), self.changed:
            await self.changed.wait_for(lambda: all(o in self.arrived for o in order_ids))


async def place(http: httpx.AsyncClient, auth: dict[str, str]) -> str:
    body = {"product_id": PRODUCT, "delivery_date": str(date.today() + timedelta(days=120))}
    response = await http.post("/orders", headers=auth, json=body)
    if response.status_code != 202:
        raise RuntimeError(f"POST /orders: {response.status_code} {response.text}")
    return str(response.json()["id"])


async def measure(url: str, customer: str, server_pid: int, args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(
        max_connections=args.concurrency + 2, max_keepalive_connections=args.concurrency + 2
    )
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        login = await http.post(
            "/auth/token", data={"grant_type": "password", "username": customer, "password": PASSWORD}
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        quotations = Quotations()
        opened = asyncio.Event()
        listener = asyncio.create_task(quotations.listen(http, auth, opened))
        try:
            await opened.wait()
            first = await place(http, auth)  # also the warm-up of the whole path
            await quotations.wait([first])
            requests = await _requests(url, auth, first, server_pid, args)
            orders = await _orders(http, auth, quotations, args)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
    return {**requests, "orders": orders}


async def _requests(
    url: str, auth: dict[str, str], order_id: str, server_pid: int, args: argparse.Namespace
) -> dict[str, Any]:
    prepared = {
        "health_live": prepared_get(url, "/health/live"),
        "get_order": prepared_get(url, f"/orders/{order_id}", auth),
    }
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in prepared}
    for _ in range(args.rounds):
        for name, request in prepared.items():
            rounds[name].append(
                await _rate(
                    url, request, duration=args.duration, concurrency=args.concurrency, server_pid=server_pid
                )
            )
    results = {name: _median_round(measured) for name, measured in rounds.items()}
    ratio = results["get_order"]["per_second"] / (results["health_live"]["per_second"] or 1.0)
    return {
        "results": results,
        "ratio_get_order_to_health_live": round(ratio, 3),
        "goal_ratio": GOAL_RATIO,
        "goal_met": ratio >= GOAL_RATIO,
    }


def _median_round(measured: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(measured, key=lambda r: r["per_second"])
    median = ordered[len(ordered) // 2]
    return {**median, "rounds_per_second": [r["per_second"] for r in measured]}


async def _orders(
    http: httpx.AsyncClient, auth: dict[str, str], quotations: Quotations, args: argparse.Namespace
) -> dict[str, Any]:
    latencies: list[float] = []
    for _ in range(args.sequential):
        started = time.perf_counter()
        order_id = await place(http, auth)
        await quotations.wait([order_id])
        latencies.append(quotations.arrived[order_id] - started)
    started = time.perf_counter()
    placed = await asyncio.gather(*(place(http, auth) for _ in range(args.orders)))
    await quotations.wait(list(placed))
    wall = max(quotations.arrived[o] for o in placed) - started
    return {
        "sequential": {
            "count": len(latencies),
            "order_to_quotation_ms": {
                "p50": round(statistics.median(latencies) * 1000, 1),
                "p95": round(_percentile(latencies, 0.95) * 1000, 1),
            },
        },
        "concurrent": {
            "count": len(placed),
            "in_flight": len(placed),
            "wall_s": round(wall, 3),
            "orders_per_s": round(len(placed) / wall, 2),
        },
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="lso-bench-gateway-") as directory:
        async with world(Path(directory), args.postgres) as (url, customer, server_pid):
            report = await measure(url, customer, server_pid, args)
    return {
        "benchmark": "gateway_throughput",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "orders": args.orders,
            "sequential": args.sequential,
            "product": PRODUCT,
        },
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "fastapi": metadata.version("fastapi"),
            "uvicorn": metadata.version("uvicorn"),
            "database": "PostgreSQL (asyncpg), fresh" if args.postgres else "SQLite (aiosqlite), fresh",
            "xmpp": "pyjabber, fresh, own process",
            "gateway": "own process, loopback, TCP_NODELAY, bridge agents in it",
            "load_generator": "this process: raw HTTP/1.1 keep-alive connections, one per request in flight",
            "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        },
        **report,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="JSON report to write")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds per HTTP round (<= 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint (alternating)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--orders", type=int, default=10, help="orders placed at once (<= 50)")
    parser.add_argument("--sequential", type=int, default=5, help="orders one after the other (<= 20)")
    parser.add_argument(
        "--postgres",
        default=None,
        metavar="ADMIN_URL",
        help="run on a fresh database of this PostgreSQL server "
        "(e.g. postgresql://postgres@127.0.0.1:5432/test) instead of SQLite",
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 3 or not 1 <= args.concurrency <= 64 or not 1 <= args.rounds <= 5:
        parser.error("--duration in (0, 3], --concurrency in [1, 64], --rounds in [1, 5]")
    if not 1 <= args.orders <= 50 or not 1 <= args.sequential <= 20:
        parser.error("--orders in [1, 50], --sequential in [1, 20]")
    report = asyncio.run(main_async(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    results, orders = report["results"], report["orders"]
    print(
        f"gateway: GET /health/live {results['health_live']['per_second']}/s, "
        f"GET /orders/{{id}} {results['get_order']['per_second']}/s "
        f"(x{report['ratio_get_order_to_health_live']}, goal >= {GOAL_RATIO}; server CPU per request "
        f"{results['health_live']['server_cpu_ms_per_request']} / "
        f"{results['get_order']['server_cpu_ms_per_request']} ms, client CPU "
        f"{results['health_live']['client_cpu_fraction']} / {results['get_order']['client_cpu_fraction']} "
        f"of a core); "
        f"order to quotation p50 {orders['sequential']['order_to_quotation_ms']['p50']} ms, "
        f"{orders['concurrent']['orders_per_s']} orders/s "
        f"with {orders['concurrent']['in_flight']} in flight; "
        f"wrote {args.out}"
    )


if __name__ == "__main__":
    main()
