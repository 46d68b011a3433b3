"""A child process kept running: started, watched, restarted with backoff when it dies, stopped by its PID.

Every exit that was not asked for is logged with its cause (the exit code, or the signal that killed it) and
the delay before the restart; the delay doubles from :attr:`Backoff.first` up to :attr:`Backoff.most` while
the child keeps dying soon after it started, and starts again from :attr:`Backoff.first` once it stayed up
:attr:`Backoff.settled` seconds. A restart that does not get ready is a failure like any other. The child
dies with this process (``PR_SET_PDEATHSIG`` where Linux offers it), so a SIGKILLed parent leaves no child
holding its ports; it runs in a session of its own, so a Ctrl+C in the terminal reaches only this process,
which stops its children in order (a child that got the terminal's SIGINT too would die first, and be
restarted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from agents.runtime.orphans import die_with_parent

log = logging.getLogger(__name__)

T = TypeVar("T")

STOP_TIMEOUT = 15.0
"""Seconds a child is given to stop after SIGTERM before it is killed."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child that died."""

    first: float = 1.0
    most: float = 30.0
    settled: float = 60.0
    """Seconds up after which a child counts as healthy again (the next restart waits ``first``)."""

    def delay(self, failures: int) -> float:
        """The wait before restart number ``failures`` (1 for the first) of a child that keeps dying."""
        return float(min(self.most, self.first * 2 ** max(failures - 1, 0)))


def exit_cause(returncode: int) -> str:
    """Why a child ended, in words: ``killed by SIGKILL``, ``exited with code 1``."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


class NotReady(RuntimeError):
    """The child ended, or did not say it was ready in time."""


class Supervised(Generic[T]):
    """One child process (``argv``) that says on stdout when it is ready: ``ready`` is given each line until
    it returns what the line (with those before it) says, not None.

    :meth:`start` starts it and returns what ``ready`` made of that line; from then on it is restarted
    whenever it dies, with the environment ``environment()`` gives at that moment (e.g. the ports it got
    the first time), until :meth:`stop`. ``on_restart`` is told what each restarted child said.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        environment: Callable[[], Mapping[str, str]],
        ready: Callable[[bytes], T | None],
        *,
        start_timeout: float = 60.0,
        backoff: Backoff | None = None,
        on_restart: Callable[[T], None] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.environment = environment
        self.ready = ready
        self.start_timeout = start_timeout
        self.backoff = backoff or Backoff()
        self.on_restart = on_restart
        self.restarts = 0
        """How many times the child was restarted after dying."""
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pid(self) -> int | None:
        """The running child's PID (None between a death and its restart)."""
        process = self._process
        return process.pid if process is not None and process.returncode is None else None

    async def start(self) -> T:
        """Start the child and wait until it is ready; :class:`NotReady` when it is not."""
        info = await self._spawn()
        self._watcher = asyncio.create_task(self._watch(), name=f"supervise {self.name}")
        return info

    async def stop(self) -> None:
        """Stop watching, then stop the child (SIGTERM, SIGKILL after :data:`STOP_TIMEOUT` s)."""
        self._stopping = True
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self._end(self._process)

    async def _spawn(self) -> T:
        process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdout=asyncio.subprocess.PIPE,
            env=dict(self.environment()),
            preexec_fn=die_with_parent(),
            start_new_session=True,
        )
        self._process = process
        try:
            return await asyncio.wait_for(self._until_ready(process), self.start_timeout)
        except TimeoutError:
            await self._end(process)
            raise NotReady(f"{self.name} was not ready within {self.start_timeout:.0f} s") from None
        except BaseException:
            await self._end(process)
            raise

    async def _until_ready(self, process: asyncio.subprocess.Process) -> T:
        assert process.stdout is not None
        while True:
            line = await process.stdout.readline()
            if not line:
                raise NotReady(f"{self.name} {exit_cause(await process.wait())} before it was ready")
            info = self.ready(line)
            if info is not None:
                return info

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            process = self._process
            assert process is not None and process.stdout is not None
            started = loop.time()
            while await process.stdout.readline():  # what it prints after the ready line is not ours
                pass
            cause = exit_cause(await process.wait())
            if self._stopping:
                return
            failures = 1 if loop.time() - started >= self.backoff.settled else failures + 1
            while True:
                delay = self.backoff.delay(failures)
                log.error("%s (pid %d) %s; restarting it in %.1f s", self.name, process.pid, cause, delay)
                await asyncio.sleep(delay)
                try:
                    info = await self._spawn()
                except Exception as exc:
                    failures += 1
                    cause = f"did not start again: {exc}"
                    continue
                break
            self.restarts += 1
            assert self._process is not None
            log.warning("%s restarted (pid %d, restart %d)", self.name, self._process.pid, self.restarts)
            if self.on_restart is not None:
                self.on_restart(info)

    @staticmethod
    async def _end(process: asyncio.subprocess.Process | None) -> None:
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
