"""Creates and exercises per second through dazl (gRPC Ledger API) versus the embedded engine called directly.

    python -m bench.ledger_dazl --out ledger-dazl-report.json [--count 200] [--window 8]

The gRPC path runs against ``python -m ledger`` in its own OS process (``ledger.testing.LedgerProcess``, a
temporary data dir, HS256 tokens); the direct path opens an engine on a temporary SQLite file in this process.
Each path: ``count`` ``CustomerOrder`` creates, then ``count`` ``Archive`` exercises of them, first one
command in flight, then ``window`` in flight. :func:`dazl_rates` is importable by a wider ledger benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ledger import samples
from ledger.dazl_client import DazlLedgerClient
from ledger.engine import CreateCommand, EmbeddedLedger, ExerciseCommand, TemplateId
from ledger.engine.templates import MODULE
from ledger.lf import build_dar, package_id
from ledger.samples import CUSTOMER, MANUFACTURER

ORDER = f"{MODULE}:CustomerOrder"
SECRET = "bench-ledger-dazl-secret-bench-ledger-dazl-secret"


async def _timed(count: int, window: int, step: Callable[[int], Awaitable[Any]]) -> tuple[float, list[Any]]:
    """Run ``step(0..count-1)`` with up to ``window`` in flight; (operations per second, results in order)."""
    results: list[Any] = [None] * count
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < count:
            index = next_index
            next_index += 1
            results[index] = await step(index)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, min(window, count)))))
    return count / (time.perf_counter() - start), results


def _order(run: str, index: int) -> dict[str, Any]:
    return samples.customer_order(f"bench-{run}-{index}", CUSTOMER, MANUFACTURER)


async def dazl_rates(url: str, token: str, n: int, *, window: int = 1, run: str = "dazl") -> dict[str, float]:
    """``n`` creates then ``n`` exercises through :class:`DazlLedgerClient` at ``url``, acting as the sample
    ``Customer`` (``token`` must allow it; the parties and the DAR must be on the ledger); rates per second.
    """
    async with DazlLedgerClient(url, act_as=[CUSTOMER], token=token, timeout=30.0) as client:
        await client.create(ORDER, _order(f"{run}-warmup", 0))
        create_rate, contracts = await _timed(n, window, lambda i: client.create(ORDER, _order(run, i)))
        exercise_rate, _ = await _timed(
            n, window, lambda i: client.exercise(ORDER, contracts[i].contract_id, "Archive")
        )
    return {"creates_per_s": create_rate, "exercises_per_s": exercise_rate}


async def engine_rates(
    engine: EmbeddedLedger, n: int, *, window: int = 1, run: str = "engine"
) -> dict[str, float]:
    """The same workload on the engine directly (no serialisation, no network)."""
    template = TemplateId("", MODULE, "CustomerOrder")
    counter = iter(range(10**9))

    async def create(i: int) -> str:
        tx = await engine.submit(
            f"{run}-c-{i}-{next(counter)}", "bench", [CUSTOMER], [CreateCommand(template, _order(run, i))]
        )
        return tx.created[0].contract_id

    create_rate, cids = await _timed(n, window, create)

    async def exercise(i: int) -> None:
        command = ExerciseCommand(template, cids[i], "Archive", {})
        await engine.submit(f"{run}-x-{i}-{next(counter)}", "bench", [CUSTOMER], [command])

    exercise_rate, _ = await _timed(n, window, exercise)
    return {"creates_per_s": create_rate, "exercises_per_s": exercise_rate}


async def _engine_report(count: int, windows: Sequence[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = await EmbeddedLedger.open(
            f"sqlite+aiosqlite:///{tmp}/ledger.db", model_package_id=package_id()
        )
        try:
            for party in (CUSTOMER, MANUFACTURER):
                await engine.allocate_party(party)
            return {f"window_{w}": await engine_rates(engine, count, window=w, run=f"e{w}") for w in windows}
        finally:
            await engine.close()


async def _dazl_report(count: int, windows: Sequence[int]) -> dict[str, Any]:
    from ledger.testing import LedgerProcess, hs256_token

    with tempfile.TemporaryDirectory() as tmp:
        ledger = LedgerProcess(Path(tmp) / "ledger", secret=SECRET)
        ledger.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # the bench names its parties by their hints
        await ledger.astart()
        try:
            assert ledger.info.grpc is not None
            url = f"http://{ledger.info.grpc}"
            admin = hs256_token(SECRET, admin=True, application_id="lot-size-one")
            async with DazlLedgerClient(url, admin=True, token=admin) as client:
                for party in (CUSTOMER, MANUFACTURER):
                    await client.allocate_party(party)
                await client.upload_dar(build_dar())
            token = hs256_token(SECRET, act_as=[CUSTOMER], application_id="lot-size-one")
            return {
                f"window_{w}": await dazl_rates(url, token, count, window=w, run=f"d{w}") for w in windows
            }
        finally:
            await ledger.astop()


async def run(count: int, windows: Sequence[int]) -> dict[str, Any]:
    engine = await _engine_report(count, windows)
    dazl = await _dazl_report(count, windows)
    ratios = {
        key: {rate: dazl[key][rate] / engine[key][rate] for rate in engine[key]}
        for key in engine
        if key in dazl
    }
    return {
        "benchmark": "ledger_dazl",
        "count": count,
        "python": platform.python_version(),
        "engine_direct": engine,
        "dazl_grpc": dazl,
        "dazl_over_engine": ratios,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--window", type=int, default=8, help="commands in flight in the concurrent run")
    args = parser.parse_args(argv)
    windows = sorted({1, max(1, args.window)})
    report = asyncio.run(run(args.count, windows))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["dazl_over_engine"]))


if __name__ == "__main__":
    main()
