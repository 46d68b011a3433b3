"""Children that do not outlive their parent (Linux ``PR_SET_PDEATHSIG``).

Servers and agents started by tests or the benchmark must not linger when the parent is killed
(a test run interrupted by a timeout, say). On Linux the child asks the kernel for SIGTERM when
the *thread* that started it exits, so start children from a long-lived thread (the main one).
Elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    prctl: Callable[..., int] = libc.prctl
    return prctl


_PRCTL = _load_prctl()  # resolved in the parent: the forked child must not import or load anything


def _terminate_with_parent() -> None:
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess``/``asyncio`` that makes the child die with its parent."""
    return _terminate_with_parent if _PRCTL is not None else None
