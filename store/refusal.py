"""A database that refuses work for a while (disk full, read-only, locked too long, server gone): recognise
it, and wait it out instead of dying.

:func:`refused` says whether an exception is such a refusal (the transaction that met it rolled back; trying
the same step again later is safe). :func:`pausing` makes an async method of a store's writer (e.g. the
manufacturer's journal) try again while the database refuses: the first refusal is logged at WARNING with
its first line, each retry waits longer (:data:`FIRST_WAIT` s, doubling up to :data:`MOST_WAIT` s), and the
end of the pause is logged at INFO. The pause lasts until the database takes the step again or the caller is
cancelled (an agent that stops); nothing fails for it, so no order dies of a full disk.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

FIRST_WAIT = 0.5
MOST_WAIT = 30.0

P = ParamSpec("P")
S = TypeVar("S")
T = TypeVar("T")


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing work for now, rather than a fault of the step itself."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, ConnectionError)


def first_line(exc: BaseException) -> str:
    """What the database said, without the SQL SQLAlchemy appends."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    words = str(orig or exc)
    return (words.splitlines() or [""])[0][:200]


async def while_refused(step: Callable[[], Awaitable[T]], what: str) -> T:
    """``step()``, again while the database refuses it (see the module)."""
    waits = 0
    while True:
        try:
            result = await step()
        except Exception as exc:
            if not refused(exc):
                raise
            delay = min(FIRST_WAIT * 2**waits, MOST_WAIT)
            if not waits:
                log.warning("the database refuses %s (%s): paused, trying again", what, first_line(exc))
            else:
                log.debug("the database still refuses %s; again in %.1f s", what, delay)
            waits += 1
            await asyncio.sleep(delay)
            continue
        if waits:
            log.info("the database takes %s again, after %d attempt(s)", what, waits + 1)
        return result


def pausing(
    method: Callable[Concatenate[S, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """``method`` (one transaction per call), tried again while the database refuses it."""

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        what = f"the {method.__name__.strip('_').replace('_', ' ')} step"
        return await while_refused(lambda: method(self, *args, **kwargs), what)

    return run
