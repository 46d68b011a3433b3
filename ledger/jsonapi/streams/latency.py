"""Create-to-event latency on an open stream, for benches (``bench/ledger_throughput.py``)::

    report = await measure_stream_latency(json_api, token, customer, manufacturer, samples=100)
    report.as_dict()   # {"samples", "create_p50_ms", "create_p95_ms", "event_p50_ms", "event_p95_ms"}

A ``/v1/stream/query`` stream on the customer's ``CustomerOrder`` contracts is opened and followed until its
live marker; then, one at a time, a ``CustomerOrder`` is created with ``POST /v1/create``. For each, from the
moment the request is sent: ``create`` is the time to the HTTP answer, ``event`` the time until the stream
delivered the created event. The parties must be allocated and ``token`` must act as ``customer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import websockets

from ledger import samples as sample_payloads
from ledger.engine.templates import MODULE

TEMPLATE = f"{MODULE}:CustomerOrder"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in [0, 1]) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class LatencyReport:
    samples: int
    create_p50_ms: float
    create_p95_ms: float
    event_p50_ms: float
    event_p95_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def measure_stream_latency(
    json_api: str,
    token: str,
    customer: str,
    manufacturer: str,
    *,
    samples: int = 50,
    timeout: float = 10.0,  # noqa: ASYNC109
) -> LatencyReport:
    """Create ``samples`` contracts one after another and time each create and its event on an open stream."""
    arrivals: dict[str, float] = {}
    arrived = asyncio.Condition()
    ws_url = json_api.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/v1/stream/query"
    protocols: Any = [f"jwt.token.{token}", "daml.ws.auth"]
    run = uuid.uuid4().hex[:8]
    create_ms: list[float] = []
    event_ms: list[float] = []
    async with (
        httpx.AsyncClient(base_url=json_api, timeout=timeout) as http,
        websockets.connect(ws_url, subprotocols=protocols, max_size=None) as ws,
    ):
        await ws.send(json.dumps({"templateIds": [TEMPLATE], "query": {"customer": customer}}))
        async with asyncio.timeout(timeout):
            while "offset" not in json.loads(await ws.recv()):
                pass

        async def read() -> None:
            async for message in ws:
                now = time.perf_counter()
                for event in json.loads(message).get("events", []):
                    if "created" in event:
                        arrivals[event["created"]["contractId"]] = now
                async with arrived:
                    arrived.notify_all()

        reader = asyncio.create_task(read())
        try:
            headers = {"Authorization": f"Bearer {token}"}
            for i in range(samples):
                payload = sample_payloads.customer_order(f"latency-{run}-{i}", customer, manufacturer)
                started = time.perf_counter()
                response = await http.post(
                    "/v1/create", json={"templateId": TEMPLATE, "payload": payload}, headers=headers
                )
                answered = time.perf_counter()
                response.raise_for_status()
                contract_id = response.json()["result"]["contractId"]
                async with asyncio.timeout(timeout), arrived:
                    await arrived.wait_for(lambda cid=contract_id: cid in arrivals)  # type: ignore[misc]
                create_ms.append((answered - started) * 1000)
                event_ms.append((arrivals.pop(contract_id) - started) * 1000)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await reader
    return LatencyReport(
        samples=samples,
        create_p50_ms=round(percentile(create_ms, 0.50), 3),
        create_p95_ms=round(percentile(create_ms, 0.95), 3),
        event_p50_ms=round(percentile(event_ms, 0.50), 3),
        event_p95_ms=round(percentile(event_ms, 0.95), 3),
    )
