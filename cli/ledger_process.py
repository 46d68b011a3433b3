"""The embedded ledger as a child process of ``lso run``.

Unless its authentication is configured (``LSO_LEDGER_AUTH_*``), the ledger verifies HS256 user tokens signed
with the platform's ledger secret (:mod:`ledger.identities.tokens`: ``lso run`` mints the operator's and each
party's tokens with it), and its one configured user is the operator, with ParticipantAdmin only: it
allocates parties, creates users and uploads packages, and never acts as a party (no ``actAsAnyParty``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from ledger.settings import LedgerSettings

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class LedgerEndpoints:
    json_api: str
    grpc: str | None
    ledger_id: str
    pid: int


def auth_configured(ledger: LedgerSettings) -> bool:
    """Whether the user configured how the ledger verifies tokens (then ``lso run`` leaves it alone)."""
    return bool(
        ledger.auth_secret or ledger.auth_public_key_file or ledger.auth_jwks_url or ledger.auth_disabled
    )


def ledger_environment(ledger: LedgerSettings, secret: str, operator: str) -> dict[str, str]:
    """The child's environment. Unless the user configured the ledger's authentication, the ledger verifies
    HS256 tokens signed with ``secret`` and knows ``operator`` as a ParticipantAdmin (nothing more)."""
    env = dict(os.environ)
    if not auth_configured(ledger):
        env["LSO_LEDGER_AUTH_SECRET"] = secret
        if not ledger.auth_users:
            env["LSO_LEDGER_AUTH_USERS"] = json.dumps({operator: {"admin": True}})
    return env


@contextlib.asynccontextmanager
async def embedded_ledger(secret: str, operator: str) -> AsyncIterator[LedgerEndpoints]:
    """Start ``python -m ledger``; wait for its ready line; stop it by PID when done."""
    settings = LedgerSettings()
    if auth_configured(settings):
        log.info("the embedded ledger verifies tokens as LSO_LEDGER_AUTH_* configure it")
    else:
        log.info(
            "the embedded ledger verifies HS256 user tokens of the platform's secret; %s is its operator "
            "(ParticipantAdmin, acts as no party)",
            operator,
        )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ledger",
        stdout=asyncio.subprocess.PIPE,
        env=ledger_environment(settings, secret, operator),
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        if not line:
            raise RuntimeError(
                f"the embedded ledger exited with code {await process.wait()} before it was ready"
            )
        info = json.loads(line)
        endpoints = LedgerEndpoints(
            json_api=info["json_api"], grpc=info.get("grpc"), ledger_id=info["ledger_id"], pid=process.pid
        )
        log.info(
            "embedded ledger %s: JSON API %s, gRPC %s",
            endpoints.ledger_id,
            endpoints.json_api,
            endpoints.grpc,
        )
        yield endpoints
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
