"""The embedded ledger as a child process of ``lso run``.

Unless its authentication is configured (``LSO_LEDGER_AUTH_*``), the ledger verifies HS256 user tokens signed
with the platform's ledger secret (:mod:`ledger.identities.tokens`: ``lso run`` mints the operator's and each
party's tokens with it), and its one configured user is the operator, with ParticipantAdmin only: it
allocates parties, creates users and uploads packages, and never acts as a party (no ``actAsAnyParty``).

The child is supervised (:mod:`cli.supervisor`): when it dies it is restarted with backoff on the ports it got
the first time, with the same store and settings, and its exit is logged with its cause. ``lso ledger serve``
run by hand derives the same authentication (:func:`platform_ledger_settings`)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from pydantic import SecretStr

from cli.supervisor import Backoff, Supervised
from ledger.settings import LedgerSettings, UserGrant

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0


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


def endpoints_of(line: bytes, pid: int) -> LedgerEndpoints:
    """The endpoints in the ledger's ready line (one JSON object)."""
    info = json.loads(line)
    return LedgerEndpoints(
        json_api=info["json_api"], grpc=info.get("grpc"), ledger_id=info["ledger_id"], pid=pid
    )


def pinned_ports(endpoints: LedgerEndpoints) -> dict[str, str]:
    """The ports a restarted ledger must bind: the ones it got the first time (clients keep their URLs)."""
    ports = {"LSO_LEDGER_JSON_API_PORT": endpoints.json_api.rsplit(":", 1)[1]}
    if endpoints.grpc:
        ports["LSO_LEDGER_GRPC_PORT"] = endpoints.grpc.rsplit(":", 1)[1]
    return ports


def platform_ledger_settings(ledger: LedgerSettings, secret: str, operator: str) -> LedgerSettings:
    """``ledger`` as ``lso run`` starts it: unless its authentication is configured, verifying tokens of the
    platform's ``secret`` with ``operator`` as its one (ParticipantAdmin) user."""
    if auth_configured(ledger):
        return ledger
    update: dict[str, object] = {"auth_secret": SecretStr(secret)}
    if not ledger.auth_users:
        update["auth_users"] = {operator: UserGrant(admin=True)}
    return ledger.model_copy(update=update)


@contextlib.asynccontextmanager
async def embedded_ledger(
    secret: str, operator: str, *, backoff: Backoff | None = None
) -> AsyncIterator[LedgerEndpoints]:
    """Start ``python -m ledger`` and wait for its ready line; restart it (same ports, same store, same
    settings) whenever it dies, logging why; stop it by PID when done."""
    settings = LedgerSettings()
    if auth_configured(settings):
        log.info("the embedded ledger verifies tokens as LSO_LEDGER_AUTH_* configure it")
    else:
        log.info(
            "the embedded ledger verifies HS256 user tokens of the platform's secret; %s is its operator "
            "(ParticipantAdmin, acts as no party)",
            operator,
        )
    env = ledger_environment(settings, secret, operator)
    child: Supervised[LedgerEndpoints] | None = None

    def ready(line: bytes) -> LedgerEndpoints:
        assert child is not None and child.pid is not None
        return endpoints_of(line, child.pid)

    def restarted(endpoints: LedgerEndpoints) -> None:
        log.info("embedded ledger %s serves again: JSON API %s", endpoints.ledger_id, endpoints.json_api)

    child = Supervised(
        "the embedded ledger",
        [sys.executable, "-m", "ledger"],
        lambda: env,
        ready,
        start_timeout=START_TIMEOUT,
        backoff=backoff,
        on_restart=restarted,
    )
    try:
        endpoints = await child.start()
        env.update(pinned_ports(endpoints))
        log.info(
            "embedded ledger %s: JSON API %s, gRPC %s (pid %d, restarted if it dies)",
            endpoints.ledger_id,
            endpoints.json_api,
            endpoints.grpc,
            endpoints.pid,
        )
        yield endpoints
    finally:
        await child.stop()
