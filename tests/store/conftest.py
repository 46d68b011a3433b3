"""Fixtures of the store tests: every test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL: the server at 127.0.0.1:5432 (``LSO_TEST_POSTGRES_URL`` overrides the maintenance
database to connect to, default ``postgresql://postgres@127.0.0.1:5432/test``). The session creates
uniquely named databases ``lso_test_<random>`` and drops them at the end. If the server cannot be
reached the PostgreSQL cases are skipped (``-m "not postgres"`` deselects them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from store import Database
from store.engine import create_engine
from store.enums import UserRole
from store.migrate import upgrade
from store.models import metadata
from store.records import NewOrder, NewProduct, NewUser, OrderRecord, ProductRecord, UserRecord

POSTGRES_ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass
class Backend:
    """A database server the tests run on, able to make fresh empty databases (dropped at the end)."""

    name: str
    tmp_dir: Path
    created: list[str] = field(default_factory=list)

    async def create_empty(self) -> str:
        """A new empty database; returns its async SQLAlchemy URL."""
        suffix = uuid.uuid4().hex[:12]
        if self.name == "sqlite":
            path = self.tmp_dir / f"lso_test_{suffix}.db"
            self.created.append(str(path))
            return f"sqlite+aiosqlite:///{path}"
        name = f"lso_test_{suffix}"
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.created.append(name)
        url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
        return url.render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        if self.name != "postgres":
            return  # temp files go with tmp_path_factory
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


#: Both backends, as fixture parameters (PostgreSQL marked ``postgres``).
BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable: {exc}"
    await connection.close()
    return None


@asynccontextmanager
async def backend_of(request: pytest.FixtureRequest, tag: str) -> AsyncIterator[Backend]:
    """The backend a fixture is parametrised with (:data:`BACKENDS`; its SQLite files under a new directory
    ``<tag>-<name>``) for the time of a block, its databases dropped at the end; the test fails if
    PostgreSQL cannot be reached."""
    name: str = request.param
    if name == "postgres":
        problem = await _postgres_reachable()
        if problem:
            pytest.fail(f"{problem} (set LSO_TEST_POSTGRES_URL)")
    tmp_path_factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    server = Backend(name, tmp_path_factory.mktemp(f"{tag}-{name}"))
    try:
        yield server
    finally:
        await server.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with backend_of(request, "store") as server:
        yield server


@pytest.fixture(scope="session")
async def database_url(backend: Backend) -> str:
    """One migrated database per backend for the whole session."""
    url = await backend.create_empty()
    await upgrade(url)
    return url


@pytest.fixture(scope="session")
async def session_db(database_url: str) -> AsyncIterator[Database]:
    db = Database(create_engine(database_url))
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def db(session_db: Database) -> AsyncIterator[Database]:
    """The session's database, emptied after each test."""
    yield session_db
    async with session_db.engine.begin() as connection:
        tables = list(reversed(metadata.sorted_tables))
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            await connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(table.delete())


@dataclass(frozen=True)
class Parties:
    customer: UserRecord
    manufacturer: UserRecord
    product: ProductRecord


@pytest.fixture
async def parties(db: Database) -> Parties:
    """A customer, a manufacturer and one of its products."""
    async with db.transaction() as repos:
        customer = await repos.users.add(
            NewUser(
                email="carla@example.org", display_name="Carla", role=UserRole.CUSTOMER, password_hash="x"
            )
        )
        manufacturer = await repos.users.add(
            NewUser(
                email="bikes@example.org", display_name="Bikes", role=UserRole.MANUFACTURER, password_hash="x"
            )
        )
        product = await repos.products.add(
            NewProduct(manufacturer_id=manufacturer.id, name="Bicycle", base_price=Decimal("899.90"))
        )
    return Parties(customer, manufacturer, product)


def new_order(parties: Parties, **changes: object) -> NewOrder:
    data: dict[str, object] = {
        "customer_id": parties.customer.id,
        "manufacturer_id": parties.manufacturer.id,
        "product_id": parties.product.id,
        "customisation": {"choices": {"frame": "steel"}},
        "delivery_date": date.today() + timedelta(days=30),
    }
    return NewOrder.model_validate({**data, **changes})


@pytest.fixture
async def order(db: Database, parties: Parties) -> OrderRecord:
    async with db.transaction() as repos:
        return await repos.orders.add(new_order(parties))
