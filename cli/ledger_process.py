"""The embedded ledger as a child process of ``lso run``, wired to the local identity provider."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from federation.settings import FederationSettings
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


def ledger_environment(ledger: LedgerSettings, identity_jwks_url: str | None, account: str) -> dict[str, str]:
    """The child's environment. Unless the user configured the ledger's authentication, tokens of the
    identity provider are verified with its JWKS, and the platform's account is the ledger operator."""
    env = dict(os.environ)
    configured = (
        ledger.auth_secret or ledger.auth_public_key_file or ledger.auth_jwks_url or ledger.auth_disabled
    )
    if identity_jwks_url and not configured:
        env["LSO_LEDGER_AUTH_JWKS_URL"] = identity_jwks_url
        if not ledger.auth_users:
            env["LSO_LEDGER_AUTH_USERS"] = json.dumps({account: {"admin": True, "actAsAnyParty": True}})
    return env


@contextlib.asynccontextmanager
async def embedded_ledger(
    federation: FederationSettings, identity_url: str | None
) -> AsyncIterator[LedgerEndpoints]:
    """Start ``python -m ledger``; wait for its ready line; stop it by PID when done."""
    settings = LedgerSettings()
    jwks = None
    if identity_url:
        jwks = f"{identity_url}/auth/realms/{federation.realm}/protocol/openid-connect/certs"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ledger",
        stdout=asyncio.subprocess.PIPE,
        env=ledger_environment(settings, jwks, federation.username),
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
