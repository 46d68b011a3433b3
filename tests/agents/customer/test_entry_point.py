"""``python -m agents.customer`` against a whole order world over XMPP (the embedded pyjabber).

The world (:mod:`bench.order_world`): federation service, matchmaker, supplier proxies and the
manufacturer, each in its own process; no contract agent answers, so an accepted quotation ends in a
failed contract. The customer entry point runs in a process of its own (its account created and bound to
the world's customer first) and prints ``READY <jid>``, then one JSON line per event; its exit code says
how the order ended.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.runtime.child_process import READY, settings_env
from bench.order_world import OrderWorld, order_world
from common.settings import Settings
from ontology.policy import CustomerPolicy
from simulation.samples.bike import manufacturer_policy, order_for

WAIT = 60.0


@pytest.fixture(scope="module")
async def world(
    pyjabber_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[OrderWorld]:
    directory = tmp_path_factory.mktemp("customer-world")
    policy = manufacturer_policy(suppliers_per_part=3)
    async with order_world(pyjabber_settings, directory, policy=policy, timings={"contract": 2.0}) as running:
        yield running


async def run_customer(
    world: OrderWorld, tmp_path: Path, policy: CustomerPolicy, days: int = 120
) -> tuple[int, str, list[dict[str, Any]]]:
    """Run the entry point for one order; its exit code, its READY line and its events."""
    order, policy_file = tmp_path / "order.json", tmp_path / "policy.json"
    order.write_text(order_for(days=days).model_dump_json())
    policy_file.write_text(policy.model_dump_json())
    name = f"customer-{tmp_path.name[-20:].lower().replace('_', '-')}"
    await world.add_customer(name)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "agents.customer",
        "--name",
        name,
        "--manufacturer",
        world.manufacturer,
        "--order",
        str(order),
        "--policy",
        str(policy_file),
        "--quotation-seconds",
        "30",
        "--payment-seconds",
        "10",
        env={**os.environ, **settings_env(world.settings)},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(WAIT):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    lines = stdout.decode().splitlines()
    assert lines and lines[0].startswith(f"{READY} "), (lines, stderr.decode()[-2000:])
    events = [json.loads(line) for line in lines[1:]]
    assert process.returncode is not None
    return process.returncode, lines[0], events


def _kinds(events: list[dict[str, Any]]) -> list[str]:
    """The kinds of the events other than the manufacturer's status notices."""
    return [event["event"] for event in events if event["event"] != "status"]


def _statuses(events: list[dict[str, Any]]) -> list[str]:
    """The statuses of the manufacturer's notices, in order."""
    return [event["content"]["status"] for event in events if event["event"] == "status"]


async def test_a_declined_quotation_prints_the_quotation_then_declined_and_exits_0(
    world: OrderWorld, tmp_path: Path
) -> None:
    code, ready, events = await run_customer(
        world, tmp_path, CustomerPolicy(accept_at_most=1, max_counters=0)
    )
    assert ready.split()[1].startswith("customer-")
    assert _kinds(events) == ["quotation", "declined"], events
    assert code == 0
    order_id = events[0]["order_id"]
    assert all(event["order_id"] == order_id for event in events)
    quotation = next(event["content"] for event in events if event["event"] == "quotation")
    assert quotation["order_id"] == order_id and float(quotation["total_price"]) > 1
    [line] = quotation["lines"]  # the product with quantity and unit price, not the sourced parts
    assert (line["part_id"], line["quantity"], line["unit_price"]) == ("bike", 1, quotation["total_price"])
    assert "more than this customer pays" in events[-1]["detail"]
    assert _statuses(events)[:5] == ["received", "accepted", "sourcing", "negotiating", "quoted"], events
    quoted = next(
        e["content"] for e in events if e["event"] == "status" and e["content"]["status"] == "quoted"
    )
    assert quoted["price"] == quotation["total_price"] and quoted["currency"] == quotation["currency"]


async def test_an_infeasible_order_prints_refused_and_exits_0(world: OrderWorld, tmp_path: Path) -> None:
    code, _, events = await run_customer(world, tmp_path, CustomerPolicy(accept_at_most=100_000), days=0)
    assert _kinds(events) == ["refused"], events
    assert "infeasible-delivery-date" in events[-1]["detail"]
    assert _statuses(events) == ["received", "rejected"], events
    assert code == 0


async def test_an_accepted_quotation_whose_contract_fails_prints_failed_and_exits_1(
    world: OrderWorld, tmp_path: Path
) -> None:
    code, _, events = await run_customer(world, tmp_path, CustomerPolicy(accept_at_most=100_000))
    assert _kinds(events) == ["quotation", "failed"], events
    assert events[-1]["detail"]
    assert code == 1
