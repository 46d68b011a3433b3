"""Round-trip latency and pipelined throughput of anything that sends numbered messages."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel


class Sender(Protocol):
    replies: asyncio.Queue[int]

    async def send(self, seq: int) -> None: ...


@dataclass
class Samples:
    """Raw measurements of one path, over all rounds."""

    rtt_ms: list[float] = field(default_factory=list)
    round_trips_per_s: list[float] = field(default_factory=list)


class Result(BaseModel):
    """One measured path. A round trip is two XMPP messages (request and reply).

    Throughput is the median over the rounds; RTT percentiles pool the samples of every round.
    """

    round_trips: int
    round_trips_per_s: float
    msgs_per_s: float
    rounds_round_trips_per_s: list[float]
    rtt_ms: dict[str, float]

    @classmethod
    def of(cls, samples: Samples, count: int) -> Result:
        rate = statistics.median(samples.round_trips_per_s)
        times = samples.rtt_ms
        return cls(
            round_trips=count,
            round_trips_per_s=round(rate, 1),
            msgs_per_s=round(2 * rate, 1),
            rounds_round_trips_per_s=[round(r, 1) for r in samples.round_trips_per_s],
            rtt_ms={
                "p50": round(percentile(times, 0.50), 4),
                "p95": round(percentile(times, 0.95), 4),
                "mean": round(statistics.fmean(times), 4),
                "samples": float(len(times)),
            },
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _reply(sender: Sender, wait: float) -> int:
    async with asyncio.timeout(wait):
        return await sender.replies.get()


async def round_trip_times(sender: Sender, samples: int, wait: float) -> list[float]:
    """One message in flight at a time; each round trip in milliseconds."""
    times: list[float] = []
    for seq in range(samples):
        start = time.perf_counter()
        await sender.send(seq)
        got = await _reply(sender, wait)
        times.append((time.perf_counter() - start) * 1000)
        if got != seq:
            raise RuntimeError(f"reply {got} arrived for request {seq}")
    return times


async def throughput(sender: Sender, count: int, window: int, wait: float) -> float:
    """``count`` round trips with up to ``window`` in flight; round trips per second."""
    start = time.perf_counter()
    sent = 0
    for _ in range(min(window, count)):
        await sender.send(sent)
        sent += 1
    for _ in range(count):
        await _reply(sender, wait)
        if sent < count:
            await sender.send(sent)
            sent += 1
    return count / (time.perf_counter() - start)


async def measure_round(
    sender: Sender, samples: Samples, *, count: int, window: int, rtt_samples: int, wait: float
) -> float:
    """One round: warm-up, sequential RTTs, then a throughput run; returns its rate."""
    await round_trip_times(sender, min(20, rtt_samples), wait)
    samples.rtt_ms.extend(await round_trip_times(sender, rtt_samples, wait))
    rate = await throughput(sender, count, window, wait)
    samples.round_trips_per_s.append(rate)
    return rate
