"""Federated-search throughput over real HTTP against the local federation service.

    python -m bench.search_throughput --out search-report.json [--duration 2] [--concurrency 8]

The service runs in its own OS process (``python -m federation.service`` on a free loopback port);
this process runs the clients, ``--concurrency`` requests in flight. Measured, each for
``--duration`` seconds after a short warm-up:

* ``health``: raw ``httpx`` GET of ``/health`` on the same server (no token, no work): the baseline;
* ``select``: one authorised page of the federated search (``FederatedSearchClient.select``,
  a process filter, 25 rows), Bearer token checked (RS256) by the service;
* ``search``: a whole client search (``EfpfMatchmaker.search``: every page of a process+material
  query, mapped to ``Supplier`` and checked);
* ``find_suppliers``: the matchmaker's answer to a three-part ``FindSuppliers`` request.

Ratios compare each to the baseline's requests per second. Bounded: about 4 x duration + startup.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from federation.matchmaking import EfpfMatchmaker
from federation.search import SearchQuery
from federation.settings import FederationSettings
from ontology.matchmaking import FindSuppliers
from ontology.process import ProcessKind
from ontology.product import RequiredPart

STARTUP_TIMEOUT = 30.0
WARMUP_FRACTION = 0.15
PROCESSES = (
    ProcessKind.CNC_MILLING,
    ProcessKind.LASER_CUTTING,
    ProcessKind.PCB_ASSEMBLY,
    ProcessKind.WOODWORKING,
    ProcessKind.INJECTION_MOULDING,
)
QUERIES = (
    SearchQuery(process=ProcessKind.CNC_MILLING, material="aluminium"),
    SearchQuery(process=ProcessKind.LASER_CUTTING, material="steel"),
    SearchQuery(process=ProcessKind.TEXTILE_CUTTING_SEWING, material="cotton"),
)
REQUEST_PARTS = (
    RequiredPart(part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium", machine_minutes=60),
    RequiredPart(part_id="panel", process=ProcessKind.LASER_CUTTING, material="steel", machine_minutes=10),
    RequiredPart(part_id="board", process=ProcessKind.PCB_ASSEMBLY, material="FR-4", machine_minutes=20),
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def _run(
    operation: Callable[[int], Awaitable[Any]], *, duration: float, concurrency: int
) -> dict[str, Any]:
    """``concurrency`` workers call ``operation(n)`` until ``duration`` is over; rate and latencies."""
    warmup_end = time.perf_counter() + duration * WARMUP_FRACTION
    end = warmup_end + duration
    latencies: list[float] = []
    errors = 0
    counter = 0

    async def worker() -> None:
        nonlocal errors, counter
        while (now := time.perf_counter()) < end:
            counter += 1
            try:
                await operation(counter)
            except Exception:
                errors += 1
                continue
            if now >= warmup_end:
                latencies.append(time.perf_counter() - now)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "per_second": round(len(latencies) / duration, 1),
        "count": len(latencies),
        "errors": errors,
        "latency_ms": {
            "p50": round(_percentile(latencies, 0.5) * 1000, 2),
            "p95": round(_percentile(latencies, 0.95) * 1000, 2),
        },
    }


async def _start_service(data_dir: Path) -> tuple[asyncio.subprocess.Process, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_EFPF_")}
    env["LSO_EFPF_SERVICE_DATA_DIR"] = str(data_dir)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "federation.service",
        "--port",
        "0",
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while True:
                line = (await process.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(f"the federation service exited with {await process.wait()}")
                if line.startswith("READY "):
                    return process, line.split(maxsplit=1)[1].strip()
    except BaseException:
        process.kill()
        await process.wait()
        raise


async def _stop_service(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def measure(url: str, *, duration: float, concurrency: int) -> dict[str, Any]:
    settings = FederationSettings(
        _env_file=None, identity_url=f"{url}/auth", registry_url=f"{url}/apis/sr", search_page_size=25
    )
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with (
        httpx.AsyncClient(limits=limits, timeout=10) as raw,
        EfpfMatchmaker(settings) as matchmaker,
    ):
        base = await matchmaker.search_base_url()
        select = matchmaker.search_client.select

        async def health(_: int) -> None:
            (await raw.get(f"{url}/health")).raise_for_status()

        async def one_page(n: int) -> None:
            await select(base, fq=[f'process:"{PROCESSES[n % len(PROCESSES)].value}"'], rows=25)

        async def whole_search(n: int) -> None:
            await matchmaker.search(QUERIES[n % len(QUERIES)])

        async def find(_: int) -> None:
            await matchmaker.find_suppliers(FindSuppliers(order_id=uuid4(), parts=REQUEST_PARTS))

        sizes = [len((await matchmaker.search(query)).suppliers) for query in QUERIES]
        results = {
            "health": await _run(health, duration=duration, concurrency=concurrency),
            "select": await _run(one_page, duration=duration, concurrency=concurrency),
            "search": await _run(whole_search, duration=duration, concurrency=concurrency),
            "find_suppliers": await _run(find, duration=duration, concurrency=concurrency),
        }
    baseline = results["health"]["per_second"] or 1.0
    return {
        "results": results,
        "ratios_to_health": {
            name: round(result["per_second"] / baseline, 3)
            for name, result in results.items()
            if name != "health"
        },
        "suppliers_per_search": dict(zip((str(q.process) for q in QUERIES), sizes, strict=True)),
        "page_rows": 25,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lso-bench-efpf-") as data_dir:
        process, url = await _start_service(Path(data_dir))
        try:
            report = await measure(url, duration=args.duration, concurrency=args.concurrency)
        finally:
            await _stop_service(process)
    return {
        "benchmark": "search_throughput",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters": {"duration_s": args.duration, "concurrency": args.concurrency},
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "httpx": metadata.version("httpx"),
            "fastapi": metadata.version("fastapi"),
            "uvicorn": metadata.version("uvicorn"),
            "service": "separate process, loopback, asyncio loop, h11",
        },
        **report,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="JSON report to write")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds measured per operation (<= 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 3 or not 1 <= args.concurrency <= 64:
        parser.error("--duration must be in (0, 3] and --concurrency in [1, 64] (the run stays under 15 s)")
    report = asyncio.run(main_async(args))
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    results = report["results"]
    print(
        f"search throughput: health {results['health']['per_second']}/s (baseline), "
        + ", ".join(
            f"{name} {results[name]['per_second']}/s (x{ratio})"
            for name, ratio in report["ratios_to_health"].items()
        )
        + f"; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
