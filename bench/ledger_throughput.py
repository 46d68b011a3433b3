"""Creates and exercises per second through the HTTP JSON API and through dazl (gRPC), with the embedded
engine called directly as the baseline, in one run; and the streaming latency of the JSON API.

    python -m bench.ledger_throughput --out report.json [--count 100] [--window 8] [--stream-samples 100]

The ledger runs as ``python -m ledger`` in its own OS process (temporary data dir, SQLite, HS256 tokens); the
baseline engine on a temporary SQLite file in this process. Workload per path: ``count`` ``CustomerOrder``
creates, then ``count`` ``Archive`` exercises of them; one command in flight, then ``window`` in flight.
The report gives rates per second and each path's ratio to the engine. The dazl path is measured when
``ledger.dazl_client`` (and ``bench.ledger_dazl``) are present.

Streaming (``json_api_stream``): a ``/v1/stream/query`` WebSocket is open on the customer's orders; then,
one at a time, ``stream_samples`` creates through ``POST /v1/create``; for each, from the moment the request
is sent, the time to the HTTP answer (``create``) and to the created event on the stream (``event``), p50 and
p95 in ms (:func:`ledger.jsonapi.streams.latency.measure_stream_latency`), and ``event_over_create``: how
much longer the event takes than the create's own answer. Everything is bounded: ``count`` and
``stream_samples`` operations, each part within ``--budget`` seconds (a part that overruns is reported as
such, the others still are).

Paths are measured in ``--rounds`` rounds, each round running the engine, the JSON API and dazl back to back
per window (so a ratio compares paths under the same load); the report keeps, per path, window and rate,
the best of the rounds (``per_round`` has them all).
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


async def stream_latency(url: str, token: str, samples: int) -> dict[str, Any]:
    """Create-to-event latency on an open JSON API stream, or why it could not be measured."""
    try:
        from ledger.jsonapi.streams.latency import measure_stream_latency
    except ImportError as exc:
        return {"error": f"no stream measuring helper: {exc}"}
    try:
        report = (await measure_stream_latency(url, token, CUSTOMER, MANUFACTURER, samples=samples)).as_dict()
    except Exception as exc:  # a bench reports what failed rather than stopping the other measures
        return {"error": f"{type(exc).__name__}: {exc}"}
    report["event_over_create_p50"] = report["event_p50_ms"] / report["create_p50_ms"]
    report["event_over_create_p95"] = report["event_p95_ms"] / report["create_p95_ms"]
    return report


async def bounded(budget: float, part: Awaitable[Any]) -> Any:
    """``part``'s result, or an error record when it takes longer than ``budget`` seconds."""
    try:
        async with asyncio.timeout(budget):
            return await part
    except TimeoutError:
        return {"error": f"did not finish within {budget:g} s"}


PATHS = ("engine_direct", "json_api", "dazl_grpc")


def customer_token(ledger_id: str, application_id: str) -> str:
    return hs256_token(SECRET, act_as=[CUSTOMER], ledger_id=ledger_id, application_id=application_id)


async def _round(
    engine: EmbeddedLedger, info: Any, count: int, windows: Sequence[int], tag: str
) -> dict[str, dict[str, Rates]]:
    """One round: per window, the engine, the JSON API and dazl back to back (so under the same load)."""
    from bench.ledger_dazl import dazl_rates

    json_token = hs256_token(SECRET, act_as=[CUSTOMER], ledger_id=info.ledger_id, application_id="bench")
    dazl_token = hs256_token(
        SECRET, act_as=[CUSTOMER], ledger_id=info.ledger_id, application_id="lot-size-one"
    )
    out: dict[str, dict[str, Rates]] = {path: {} for path in PATHS}
    for w in windows:
        key = f"window_{w}"
        out["engine_direct"][key] = await engine_rates(engine, count, w, f"e{w}{tag}")
        out["json_api"][key] = await json_api_rates(info.json_api, json_token, count, w, f"j{w}{tag}")
        if info.grpc is not None and dazl_available():
            grpc_url = f"http://{info.grpc}"
            out["dazl_grpc"][key] = await dazl_rates(grpc_url, dazl_token, count, window=w, run=f"d{w}{tag}")
    return out


def best(rounds: Sequence[dict[str, dict[str, Rates]]], path: str) -> dict[str, Rates]:
    """Per window and rate, the best of the rounds (the one least disturbed by other load)."""
    merged: dict[str, Rates] = {}
    for measured in rounds:
        for key, rates in measured[path].items():
            slot = merged.setdefault(key, {})
            for rate, value in rates.items():
                slot[rate] = max(slot.get(rate, 0.0), value)
    return merged


def ratios(path: dict[str, Rates], baseline: dict[str, Rates]) -> dict[str, Rates]:
    return {
        key: {rate: path[key][rate] / baseline[key][rate] for rate in baseline[key]}
        for key in baseline
        if key in path
    }


async def run(
    count: int,
    windows: Sequence[int],
    stream_samples: int = 100,
    budget: float = 300.0,
    rounds: int = 3,
) -> dict[str, Any]:
    """The report: best-of-``rounds`` rates per path, their ratios to the engine, the stream latency."""
    report: dict[str, Any] = {
        "benchmark": "ledger_throughput",
        "count": count,
        "rounds": rounds,
        "python": platform.python_version(),
    }
    measured: list[dict[str, dict[str, Rates]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = await EmbeddedLedger.open(
            f"sqlite+aiosqlite:///{tmp}/engine.db", model_package_id=model_package()[0]
        )
        ledger = LedgerProcess(Path(tmp) / "ledger", secret=SECRET, grpc=dazl_available())
        ledger.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # the bench names its parties by their hints
        info = await ledger.astart()
        try:
            for party in (CUSTOMER, MANUFACTURER):
                await engine.allocate_party(party)
            admin = hs256_token(SECRET, admin=True, ledger_id=info.ledger_id)
            async with JsonApiClient(info.json_api, static_token(admin)) as client:
                for party in (CUSTOMER, MANUFACTURER):
                    await client.ensure_party(party)
            try:
                async with asyncio.timeout(budget):
                    for r in range(max(1, rounds)):
                        measured.append(await _round(engine, info, count, windows, f"r{r}"))
            except TimeoutError:
                report["throughput_note"] = f"{len(measured)} round(s) within {budget:g} s"
            if stream_samples > 0:
                token = hs256_token(
                    SECRET, act_as=[CUSTOMER], ledger_id=info.ledger_id, application_id="bench"
                )
                report["json_api_stream"] = await bounded(
                    budget, stream_latency(info.json_api, token, stream_samples)
                )
        finally:
            await ledger.astop()
            await engine.close()
    if not measured:
        report["error"] = "no throughput round finished"
        return report
    for path in PATHS:
        report[path] = best(measured, path)
    for path in ("json_api", "dazl_grpc"):
        if report[path]:
            report[f"{path}_over_engine"] = ratios(report[path], report["engine_direct"])
    report["per_round"] = measured
    return report


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--window", type=int, default=8, help="commands in flight in the concurrent run")
    parser.add_argument(
        "--stream-samples", type=int, default=100, help="creates timed to their event on an open stream"
    )
    parser.add_argument("--budget", type=float, default=300.0, help="seconds each measured part may take")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every path; the best of each counts")
    args = parser.parse_args(argv)
    windows = sorted({1, max(1, args.window)})
    report = asyncio.run(run(args.count, windows, args.stream_samples, args.budget, args.rounds))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    summary = {k: v for k, v in report.items() if k.endswith("_over_engine") or k == "json_api_stream"}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
