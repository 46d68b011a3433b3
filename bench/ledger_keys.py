"""What contract keys cost: the latency of a keyed create against the same create with the model's keys taken
away, on the embedded engine, SQLite and (when reachable) PostgreSQL.

    python -m bench.ledger_keys --out bench-ledger-keys.json [--count 300] [--rounds 3]
        [--postgres postgresql://postgres@127.0.0.1/test]

Per storage, ``rounds`` times: two fresh ledgers, one with the model as it is (keyed), one with every ``key``
set to None (unkeyed), and ``count`` sequential ``CustomerOrder`` creates (distinct order ids) on each,
alternating between them so that the machine's load hits both alike; writes (and prints) one JSON object:
median and p95 create latency in ms of each, and ``keyed_over_unkeyed`` (ratio of medians).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from ledger import samples
from ledger.engine import MODEL, CreateCommand, EmbeddedLedger, Model, TemplateId
from ledger.engine.templates import MODULE

UNKEYED = Model(tuple(dataclasses.replace(t, key=None) for t in MODEL.templates), MODEL.records)


async def _interleaved(urls: dict[str, str], count: int) -> dict[str, list[float]]:
    """``count`` creates on each of a keyed and an unkeyed ledger, alternating (so load on the machine hits
    both alike); the latency of each, in ms."""
    ledgers = {
        "keyed": await EmbeddedLedger.open(urls["keyed"], model=MODEL),
        "unkeyed": await EmbeddedLedger.open(urls["unkeyed"], model=UNKEYED),
    }
    latencies: dict[str, list[float]] = {"keyed": [], "unkeyed": []}
    try:
        for ledger in ledgers.values():
            for party in samples.PARTIES:
                await ledger.ensure_party(party)
        template = TemplateId("", MODULE, "CustomerOrder")
        run = uuid.uuid4().hex[:8]
        for i in range(count):
            order = ("keyed", "unkeyed") if i % 2 else ("unkeyed", "keyed")
            for label in order:
                command = CreateCommand(template, samples.customer_order(f"k-{run}-{i}"))
                start = time.perf_counter()
                await ledgers[label].submit(f"{run}-{i}", "bench", [samples.CUSTOMER], [command])
                latencies[label].append((time.perf_counter() - start) * 1000)
        return latencies
    finally:
        for ledger in ledgers.values():
            await ledger.close()


async def _postgres(admin_url: str, name: str, create: bool) -> str:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    admin = await asyncpg.connect(admin_url, timeout=5)
    try:
        verb = f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        await admin.execute(verb)
    finally:
        await admin.close()
    return make_url(admin_url).set(drivername="postgresql+asyncpg", database=name).render_as_string(False)


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
    }


async def measure(count: int, rounds: int, postgres: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {"count": count, "rounds": rounds}
    storages = ["sqlite"] + (["postgres"] if postgres else [])
    for storage in storages:
        samples_by: dict[str, list[float]] = {"keyed": [], "unkeyed": []}
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(rounds):
                names = {label: f"lso_keys_bench_{uuid.uuid4().hex[:10]}" for label in ("keyed", "unkeyed")}
                if storage == "sqlite":
                    urls = {label: f"sqlite+aiosqlite:///{Path(tmp) / f'{label}-{r}.db'}" for label in names}
                else:
                    assert postgres is not None
                    urls = {
                        label: await _postgres(postgres, name, create=True) for label, name in names.items()
                    }
                try:
                    for label, values in (await _interleaved(urls, count)).items():
                        samples_by[label] += values
                finally:
                    if storage == "postgres":
                        assert postgres is not None
                        for name in names.values():
                            await _postgres(postgres, name, create=False)
        keyed, unkeyed = _summary(samples_by["keyed"]), _summary(samples_by["unkeyed"])
        report[storage] = {
            "keyed": keyed,
            "unkeyed": unkeyed,
            "keyed_over_unkeyed": round(keyed["median_ms"] / unkeyed["median_ms"], 3),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server (optional)")
    parser.add_argument("--out", type=Path, default=None, help="JSON report path")
    args = parser.parse_args()
    report = json.dumps(asyncio.run(measure(args.count, args.rounds, args.postgres)), indent=2)
    if args.out is not None:
        args.out.write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
