"""An embedded ledger (temp SQLite) behind the gRPC Ledger API on a loopback port, with HS256 tokens."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest

from ledger.engine import EmbeddedLedger
from ledger.grpc.auth import V1_NAMESPACE, V2_SCOPE, JwtVerifier, UserRights
from ledger.grpc.server import start_grpc_server
from ledger.lf import package_id

SECRET = "grpc-test-secret-that-is-long-enough-for-hs256"
APP = "lot-size-one"
#: A 2.x user (``sub`` + ``scope: daml_ledger_api``) the test server knows: acts as Manufacturer.
USER = "manufacturer-app"


def user_token(user: str = USER, *, secret: str = SECRET) -> str:
    return jwt.encode(
        {"sub": user, "scope": V2_SCOPE, "exp": int(time.time() + 3600)}, secret, algorithm="HS256"
    )


def make_token(
    act_as: Sequence[str] = (),
    read_as: Sequence[str] = (),
    *,
    admin: bool = False,
    expires_in: float = 3600,
    secret: str = SECRET,
    ledger_id: str | None = None,
) -> str:
    claims: dict[str, Any] = {
        "actAs": list(act_as),
        "readAs": list(read_as),
        "admin": admin,
        "applicationId": APP,
    }
    if ledger_id is not None:
        claims["ledgerId"] = ledger_id
    payload = {V1_NAMESPACE: claims, "exp": int(time.time() + expires_in)}
    return jwt.encode(payload, secret, algorithm="HS256")


@dataclass
class GrpcLedger:
    url: str
    engine: EmbeddedLedger


@pytest.fixture(scope="module")
async def grpc_ledger(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GrpcLedger]:
    path: Path = tmp_path_factory.mktemp("grpc-ledger")
    database = f"sqlite+aiosqlite:///{path / 'ledger.db'}"
    engine = await EmbeddedLedger.open(database, model_package_id=package_id())
    users = {USER: UserRights(act_as=frozenset({"Manufacturer"}), read_as=frozenset({"Supplier"}))}
    server = await start_grpc_server(engine, "127.0.0.1", 0, auth=JwtVerifier(secret=SECRET, users=users))
    try:
        yield GrpcLedger(f"http://127.0.0.1:{server.bound_port}", engine)
    finally:
        await server.stop(None)
        await engine.close()


@pytest.fixture(scope="module")
async def parties(grpc_ledger: GrpcLedger) -> list[str]:
    """The sample parties, allocated through dazl with an admin token; the model's DAR uploaded too."""
    from ledger.dazl_client import DazlLedgerClient
    from ledger.lf import build_dar
    from ledger.samples import PARTIES

    async with DazlLedgerClient(grpc_ledger.url, admin=True, token=make_token(admin=True)) as admin:
        allocated = [await admin.allocate_party(p, display_name=p) for p in PARTIES]
        await admin.upload_dar(build_dar())
    return allocated


def client(ledger: GrpcLedger, *act_as: str, read_as: Sequence[str] = (), token: str | None = None) -> Any:
    from ledger.dazl_client import DazlLedgerClient

    return DazlLedgerClient(
        ledger.url, act_as=act_as, read_as=read_as, token=token or make_token(act_as, read_as), timeout=5.0
    )
