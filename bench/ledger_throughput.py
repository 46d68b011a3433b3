"""Creates and exercises per second through the HTTP JSON API and through dazl (gRPC), with the embedded
engine
called directly as the baseline, in one run.

    python -m bench.ledger_throughput --out ledger-report.json [--count 100] [--window 8]

The ledger runs as ``python -m ledger`` in its own OS process (temporary data dir, SQLite, HS256 tokens); the
baseline engine on a temporary SQLite file in this process. Workload per path: ``count`` ``CustomerOrder``
creates, then ``count`` ``Archive`` exercises of them; one command in flight, then ``window`` in flight.
The report gives rates per second and each path's ratio to the engine. The dazl path is measured when
``ledger.dazl_client`` (and ``bench.ledger_dazl``) are present.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from ledger import samples
from ledger.engine import CreateCommand, EmbeddedLedger, ExerciseCommand, TemplateId
from ledger.engine.templates import MODULE
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.samples import CUSTOMER, MANUFACTURER
from ledger.server import model_package
from ledger.testing import LedgerProcess, hs256_token

ORDER = f"{MODULE}:CustomerOrder"
SECRET = "bench-ledger-throughput-secret-0123456789"
Rates = dict[str, float]


async def timed(count: int, window: int, step: Callable[[int], Awaitable[Any]]) -> tuple[float, list[Any]]:
    """``step(0..count-1)`` with up to ``window`` in flight: (operations per second, results in order)."""
    results: list[Any] = [None] * count
    indexes = iter(range(count))

    async def worker() -> None:
        for index in indexes:
            results[index] = await step(index)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(max(1, min(window, count)))))
    return count / (time.perf_counter() - start), results


def _order(run: str, index: int) -> dict[str, Any]:
    return samples.customer_order(f"bench-{run}-{index}", CUSTOMER, MANUFACTURER)


async def engine_rates(engine: EmbeddedLedger, n: int, window: int, run: str) -> Rates:
    template = TemplateId("", MODULE, "CustomerOrder")

    async def create(i: int) -> str:
        tx = await engine.submit(
            f"{run}-c{i}", "bench", [CUSTOMER], [CreateCommand(template, _order(run, i))]
        )
        return tx.created[0].contract_id

    create_rate, cids = await timed(n, window, create)

    async def exercise(i: int) -> None:
        await engine.submit(
            f"{run}-x{i}", "bench", [CUSTOMER], [ExerciseCommand(template, cids[i], "Archive")]
        )

    exercise_rate, _ = await timed(n, window, exercise)
    return {"creates_per_s": create_rate, "exercises_per_s": exercise_rate}


async def json_api_rates(url: str, token: str, n: int, window: int, run: str) -> Rates:
    async with JsonApiClient(url, static_token(token)) as client:
        await client.create(ORDER, _order(f"{run}-warmup", 0))
        create_rate, contracts = await timed(n, window, lambda i: client.create(ORDER, _order(run, i)))
        exercise_rate, _ = await timed(
            n, window, lambda i: client.exercise(ORDER, contracts[i].contract_id, "Archive")
        )
    return {"creates_per_s": create_rate, "exercises_per_s": exercise_rate}


def dazl_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("ledger.dazl_client", "bench.ledger_dazl"))


async def _engine(count: int, windows: Sequence[int]) -> dict[str, Rates]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = await EmbeddedLedger.open(
            f"sqlite+aiosqlite:///{tmp}/ledger.db", model_package_id=model_package()[0]
        )
        try:
            for party in (CUSTOMER, MANUFACTURER):
                await engine.allocate_party(party)
            return {f"window_{w}": await engine_rates(engine, count, w, f"e{w}") for w in windows}
        finally:
            await engine.close()


async def _servers(count: int, windows: Sequence[int]) -> dict[str, dict[str, Rates]]:
    out: dict[str, dict[str, Rates]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ledger = LedgerProcess(Path(tmp) / "ledger", secret=SECRET, grpc=dazl_available())
        info = await ledger.astart()
        try:
            admin = hs256_token(SECRET, admin=True, ledger_id=info.ledger_id)
            async with JsonApiClient(info.json_api, static_token(admin)) as client:
                for party in (CUSTOMER, MANUFACTURER):
                    await client.ensure_party(party)
            token = hs256_token(SECRET, act_as=[CUSTOMER], ledger_id=info.ledger_id, application_id="bench")
            out["json_api"] = {
                f"window_{w}": await json_api_rates(info.json_api, token, count, w, f"j{w}") for w in windows
            }
            if dazl_available() and info.grpc is not None:
                from bench.ledger_dazl import dazl_rates

                grpc_url = f"http://{info.grpc}"
                token = hs256_token(
                    SECRET, act_as=[CUSTOMER], ledger_id=info.ledger_id, application_id="lot-size-one"
                )
                out["dazl_grpc"] = {
                    f"window_{w}": await dazl_rates(grpc_url, token, count, window=w, run=f"d{w}")
                    for w in windows
                }
        finally:
            await ledger.astop()
    return out


def ratios(path: dict[str, Rates], baseline: dict[str, Rates]) -> dict[str, Rates]:
    return {
        key: {rate: path[key][rate] / baseline[key][rate] for rate in baseline[key]}
        for key in baseline
        if key in path
    }


async def run(count: int, windows: Sequence[int]) -> dict[str, Any]:
    engine = await _engine(count, windows)
    servers = await _servers(count, windows)
    report: dict[str, Any] = {
        "benchmark": "ledger_throughput",
        "count": count,
        "python": platform.python_version(),
        "engine_direct": engine,
        **servers,
    }
    for name, rates in servers.items():
        report[f"{name}_over_engine"] = ratios(rates, engine)
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--window", type=int, default=8, help="commands in flight in the concurrent run")
    args = parser.parse_args(argv)
    windows = sorted({1, max(1, args.window)})
    report = asyncio.run(run(args.count, windows))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k.endswith("_over_engine")}))


if __name__ == "__main__":
    main()
