"""``lso run`` as a child process on its own data directory and free loopback ports: what the benchmarks and
the tests that need the whole platform start."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from agents.runtime.ports import free_port

#: The last line of the banner `lso run` prints once everything runs.
READY_LINE = "Press Ctrl+C"
#: Lines of what `lso run` printed after its banner kept for the error when it does not stop cleanly.
TAIL_KEPT = 200


class PlatformDidNotStart(RuntimeError):
    """`lso run` ended or printed no banner in time; the message holds what it printed."""


def child_env(root: Path) -> dict[str, str]:
    """The environment of an `lso run` whose data lives under ``root`` and whose servers take free ports
    (no ``LSO_*`` setting of the caller's environment leaks in)."""
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


def wait_for_banner(process: subprocess.Popen[str], timeout: float) -> list[str]:
    """The lines `lso run` printed up to its ready line; :class:`PlatformDidNotStart` (the child killed) when
    it ends or does not get there within ``timeout`` seconds."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line.rstrip())
        if line.startswith(READY_LINE):
            return lines
    process.kill()
    process.wait()
    raise PlatformDidNotStart("lso run printed no banner:\n" + "\n".join(lines[-60:]))


@contextlib.contextmanager
def child_platform(env: dict[str, str], timeout: float = 60.0, stop_timeout: float = 30.0) -> Iterator[str]:
    """`lso run` in a child process: its banner while it runs (what it prints after it goes to
    ``<LSO_DATA_DIR>/lso-run.log``); then SIGTERM. Raises
    :class:`subprocess.TimeoutExpired` (after killing it) when it does not stop within ``stop_timeout``, and
    :class:`RuntimeError` when it stops with another exit code than 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    tail: deque[str] = deque(maxlen=TAIL_KEPT)
    try:
        banner = "\n".join(wait_for_banner(process, timeout))
        # what it prints from now on is read all along (a full pipe would stall its logging, and then it)
        log = Path(env["LSO_DATA_DIR"]) / "lso-run.log" if "LSO_DATA_DIR" in env else None
        threading.Thread(target=_drain, args=(process, tail, log), name="lso run output", daemon=True).start()
        yield banner
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
    if process.returncode != 0:
        said = "\n".join(tail)
        code = process.returncode
        raise RuntimeError(f"lso run did not stop cleanly on SIGTERM (exit code {code}):\n{said}")


def _drain(process: subprocess.Popen[str], tail: deque[str], log: Path | None) -> None:
    """Keep the last lines of what ``process`` prints (and write all of it to ``log``, when given)."""
    assert process.stdout is not None
    with contextlib.ExitStack() as files:
        out = files.enter_context(log.open("a", encoding="utf-8")) if log is not None else None
        for line in process.stdout:
            tail.append(line.rstrip())
            if out is not None:
                out.write(line)
                out.flush()
