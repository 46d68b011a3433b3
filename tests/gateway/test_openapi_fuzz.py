"""schemathesis over the gateway's own OpenAPI document (ASGI transport, in process), as a customer
and as a manufacturer of the demo data, and the /auth routes as an admin: no 5xx, no response outside
its documented schema, status or media type. The push streams (``/notifications``, ``/ws``) are left
to their own tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.app import create_app
from gateway.core import passwords
from gateway.core.tokens import TokenService
from gateway.demo.seed import DemoLogins, seed_demo_database
from store.database import Database
from store.enums import UserRole
from store.migrate import upgrade_sync
from store.records import NewUser
from tests.gateway.auth_support import settings as gateway_settings
from tests.gateway.recording_bridge import RecordingBridge

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
EXAMPLES = 25


@dataclass(frozen=True)
class FuzzWorld:
    app: FastAPI
    logins: DemoLogins
    admin_id: str

    def headers(self, role: UserRole) -> dict[str, str]:
        """A fresh token each time, so a fuzzed logout revokes nothing the next case needs."""
        tokens: TokenService = self.app.state.tokens
        user_id = {
            UserRole.CUSTOMER: self.logins.customer_id,
            UserRole.MANUFACTURER: self.logins.manufacturer_id,
            UserRole.ADMIN: self.admin_id,
        }[role]
        return {"Authorization": f"Bearer {tokens.issue(user_id, role).access_token}"}


async def _add_admin(url: str) -> str:
    db = await Database.open(url)
    try:
        async with db.transaction() as repos:
            admin = await repos.users.add(
                NewUser(
                    email="fuzz-admin@example.org",
                    display_name="Admin",
                    role=UserRole.ADMIN,
                    password_hash="x",
                )
            )
    finally:
        await db.close()
    return admin.id


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzWorld]:
    real_hasher = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._dummy_hash.cache_clear()
    directory: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite+aiosqlite:///{directory / 'fuzz.db'}"
    try:
        upgrade_sync(url)
        logins = asyncio.run(seed_demo_database(url))
        admin_id = asyncio.run(_add_admin(url))
        app = create_app(url, data_dir=directory, settings=gateway_settings(), bridge=RecordingBridge())
        DEFERRED.app = app
        yield FuzzWorld(app, logins, admin_id)
    finally:
        passwords._hasher = real_hasher
        passwords._dummy_hash.cache_clear()


class DeferredApp:
    """The ASGI app schemathesis calls: the fuzz world's gateway, built when the first test runs (the
    schema is loaded at import time, when no database exists yet; schemathesis's lazy fixture loader
    does not work with pytest 9)."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "the fuzz_world fixture installs the gateway"
        await self.app(scope, receive, send)


DEFERRED = DeferredApp()


def _load_schema() -> Any:
    """The gateway's OpenAPI document, from an app over a database it never opens."""
    spec_app = create_app(
        "sqlite+aiosqlite://", data_dir=Path("."), settings=gateway_settings(), bridge=RecordingBridge()
    )
    loaded = schemathesis.openapi.from_dict(spec_app.openapi())
    loaded.app = DEFERRED
    return loaded.exclude(path_regex=r"^/(notifications|ws)")


schema = _load_schema()
auth_schema = schema.include(path_regex=r"^/auth")

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@schema.parametrize()  # type: ignore[untyped-decorator]
@FUZZ_SETTINGS
def test_as_a_customer(case: Any, fuzz_world: FuzzWorld) -> None:
    case.call_and_validate(headers=fuzz_world.headers(UserRole.CUSTOMER), checks=CHECKS)


@schema.parametrize()  # type: ignore[untyped-decorator]
@FUZZ_SETTINGS
def test_as_a_manufacturer(case: Any, fuzz_world: FuzzWorld) -> None:
    case.call_and_validate(headers=fuzz_world.headers(UserRole.MANUFACTURER), checks=CHECKS)


@auth_schema.parametrize()  # type: ignore[untyped-decorator]
@FUZZ_SETTINGS
def test_the_auth_routes_as_an_admin(case: Any, fuzz_world: FuzzWorld) -> None:
    case.call_and_validate(headers=fuzz_world.headers(UserRole.ADMIN), checks=CHECKS)
