"""`lso run` wires the order story: the demo customer's order goes through the gateway, its bridge and the
platform's agents (manufacturer, matchmaker, supplier proxies, each party signing for itself on the embedded
ledger) to completed, every step reaches the customer's SSE stream, and the customer reads it all in words."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli.order_story import check_moves, check_words, order_story
from tests.lso_platform import lso_run
from tests.lso_platform import platform_env as build_platform_env


def test_lso_run_takes_the_demo_customers_order_to_completed(tmp_path: Path) -> None:
    platform_env = build_platform_env(tmp_path)
    with lso_run(platform_env) as banner:
        assert "manufacturer@localhost" in banner and "suppliers@localhost" in banner
        events, order = asyncio.run(order_story(f"http://127.0.0.1:{platform_env['LSO_GATEWAY_PORT']}"))
    assert order["status"] == "completed" and order["contract_ids"]
    check_moves(events)
    check_words(events, order)
