"""`lso run` in a child process, on its own data directory and free ports: shared by the tests that need the
whole platform (tests/cli, tests/webapp)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.runtime.ports import free_port

STARTUP_TIMEOUT = 60.0


def platform_env(root: Path) -> dict[str, str]:
    """The environment of an `lso run` whose data lives under `root` and whose servers take free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_")}
    env.update(
        LSO_DATA_DIR=str(root / "data"),
        LSO_XMPP_PORT=str(free_port()),
        LSO_XMPP_S2S_PORT=str(free_port()),
        LSO_GATEWAY_PORT=str(free_port()),
        LSO_EFPF_SERVICE_PORT=str(free_port()),
        LSO_EFPF_SERVICE_DATA_DIR=str(root / "data" / "federation"),
        LSO_LEDGER_DATA_DIR=str(root / "data" / "ledger"),
        LSO_LEDGER_JSON_API_PORT=str(free_port()),
        LSO_LEDGER_GRPC_PORT=str(free_port()),
        LSO_LOG_LEVEL="WARNING",
    )
    return env


def _wait_for_banner(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip())
        if line.startswith("Press Ctrl+C"):
            return lines
    process.kill()
    pytest.fail("lso run printed no banner:\n" + "\n".join(lines))


@contextlib.contextmanager
def lso_run(env: dict[str, str]) -> Iterator[str]:
    """`lso run` in a child process: its banner while it runs; then SIGTERM, and a clean exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield "\n".join(_wait_for_banner(process))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, "lso run did not stop cleanly on SIGTERM"
