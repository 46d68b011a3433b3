"""`lso run` in a child process, on its own data directory and free ports: shared by the tests that need the
whole platform (tests/cli, tests/webapp); the child itself is :mod:`cli.child_platform`'s."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.child_platform import PlatformDidNotStart, child_env, child_platform

STARTUP_TIMEOUT = 60.0


def platform_env(root: Path) -> dict[str, str]:
    """The environment of an `lso run` whose data lives under `root` and whose servers take free ports."""
    return child_env(root)


@contextlib.contextmanager
def lso_run(env: dict[str, str]) -> Iterator[str]:
    """`lso run` in a child process: its banner while it runs; then SIGTERM, and a clean exit."""
    try:
        with child_platform(env, timeout=STARTUP_TIMEOUT) as banner:
            yield banner
    except PlatformDidNotStart as exc:
        pytest.fail(str(exc))
