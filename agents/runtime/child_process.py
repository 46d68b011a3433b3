"""Start a Python module as a child process that reports ``READY ...`` on stdout, and stop it by PID.

Used by the tests and the benchmark to put agents in separate OS processes (agents in one SPADE
container skip XMPP). The child gets the ``LSO_*`` settings as environment variables.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from agents.runtime.orphans import die_with_parent
from common.settings import Settings, XmppMode

READY = "READY"


def settings_env(settings: Settings) -> dict[str, str]:
    """The ``LSO_*`` variables that point a child at the XMPP server ``settings`` reach.

    The mode is always ``external``: the server is already running (a child that serves it,
    ``python -m agents.runtime.embedded_server``, does not look at the mode).
    """
    env = {
        "LSO_DATA_DIR": str(settings.data_dir),
        "LSO_LOG_LEVEL": settings.log_level,
        "LSO_XMPP_MODE": XmppMode.EXTERNAL.value,
        "LSO_XMPP_DOMAIN": settings.xmpp_domain,
        "LSO_XMPP_HOST": settings.xmpp_host,
        "LSO_XMPP_PORT": str(settings.xmpp_port),
        "LSO_XMPP_S2S_PORT": str(settings.xmpp_s2s_port),
        "LSO_XMPP_ACCOUNTS_FILE": str(settings.resolved_accounts_file),
        "LSO_XMPP_VERIFY_TLS": str(settings.xmpp_verify_tls).lower(),
        "LSO_XMPP_CONNECT_TIMEOUT": str(settings.xmpp_connect_timeout),
        "LSO_ACL_MAX_MESSAGE_BYTES": str(settings.acl_max_message_bytes),
        "LSO_ACL_RATE_PER_SECOND": str(settings.acl_rate_per_second),
        "LSO_ACL_RATE_BURST": str(settings.acl_rate_burst),
        "LSO_ACL_TRUSTED_RATE_PER_SECOND": str(settings.acl_trusted_rate_per_second),
        "LSO_ACL_TRUSTED_RATE_BURST": str(settings.acl_trusted_rate_burst),
        "LSO_DIRECTORY_TTL_SECONDS": str(settings.directory_ttl_seconds),
    }
    if settings.xmpp_passwords:
        env["LSO_XMPP_PASSWORDS"] = json.dumps(
            {node: secret.get_secret_value() for node, secret in settings.xmpp_passwords.items()}
        )
    if settings.xmpp_ca_file is not None:
        env["LSO_XMPP_CA_FILE"] = str(settings.xmpp_ca_file)
    if settings.database_url:
        env["LSO_DATABASE_URL"] = settings.database_url
    return env


class ChildProcess:
    """A running child; ``ready_line`` is what it printed after ``READY``."""

    def __init__(self, process: asyncio.subprocess.Process, ready_line: str) -> None:
        self.process = process
        self.ready_line = ready_line
        self._drain = asyncio.create_task(_drain(process.stdout))

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM by PID, SIGKILL after ``grace`` seconds; the exit code."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        self._drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._drain
        return self.process.returncode


async def _drain(stream: asyncio.StreamReader | None) -> None:
    if stream is None:
        return
    while await stream.readline():
        pass


async def spawn(
    module: str,
    args: list[str],
    settings: Settings,
    *,
    ready_timeout: float = 30.0,
    extra_env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stderr: int | IO[bytes] | None = None,
) -> ChildProcess:
    """``python -m module args...``; return once it printed a ``READY`` line.

    ``stderr``: where the child's log goes (default: inherited).
    """
    env = {**os.environ, **settings_env(settings), **(extra_env or {})}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
        preexec_fn=die_with_parent(),
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(ready_timeout):
            while True:
                line = (await process.stdout.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError(f"{module} exited with {await process.wait()} before it was ready")
                if line.startswith(READY):
                    return ChildProcess(process, line[len(READY) :].strip())
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
