"""The platform split over two processes, as docker-compose runs it: `lso agents run` (the agents, the
embedded XMPP server and ledger) and `lso gateway serve` (the gateway and its bridge, whose customer agent
signs each customer's steps with that customer's own ledger user). The demo customer's order goes to
completed."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.order_story import check_moves, order_story
from tests.lso_platform import platform_env

STARTUP_TIMEOUT = 90.0


@contextmanager
def _process(env: dict[str, str], *args: str, ready: str) -> Iterator[list[str]]:
    """`python -m cli.main ARGS` until it prints a line containing ``ready``; SIGTERM when done."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            lines.append(line.rstrip())
            if ready in line:
                break
        else:
            pytest.fail(f"lso {' '.join(args)} did not start:\n" + "\n".join(lines))
        if process.poll() is not None:
            pytest.fail(f"lso {' '.join(args)} ended:\n" + "\n".join(lines))
        yield lines
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_agents_and_gateway_in_two_processes_take_an_order_to_completed(tmp_path: Path) -> None:
    env = platform_env(tmp_path)
    env["LSO_LEDGER_JSON_API_URL"] = f"http://127.0.0.1:{env['LSO_LEDGER_JSON_API_PORT']}"
    env["LSO_LEDGER_GRPC_URL"] = f"http://127.0.0.1:{env['LSO_LEDGER_GRPC_PORT']}"
    made = subprocess.run(
        [sys.executable, "-m", "cli.main", "xmpp", "init-accounts"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    gateway_env = {**env, "LSO_XMPP_MODE": "external", "LSO_XMPP_HOST": "127.0.0.1"}
    with (
        _process(env, "agents", "run", ready="Press Ctrl+C"),
        _process(gateway_env, "gateway", "serve", ready="agents bridge connected"),
    ):
        events, order = asyncio.run(order_story(f"http://127.0.0.1:{env['LSO_GATEWAY_PORT']}"))
    assert order["status"] == "completed"
    check_moves(events)
