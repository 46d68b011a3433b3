"""Users and products: registration, unique e-mail, failed-login locking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from store import ConflictError, Database, NotFoundError
from store.enums import UserRole
from store.records import NewProduct, NewUser
from tests.store.conftest import Parties


def _user(email: str, role: UserRole = UserRole.CUSTOMER) -> NewUser:
    return NewUser(email=email, display_name="Someone", role=role, password_hash="argon2$hash")


async def test_add_and_find_user_without_leaking_the_hash(db: Database) -> None:
    async with db.transaction() as repos:
        added = await repos.users.add(_user("  Alice@Example.ORG "))
    async with db.transaction() as repos:
        assert await repos.users.get(added.id) == added
        assert await repos.users.get_by_email("ALICE@example.org") == added
        credentials = await repos.users.credentials("alice@example.org")
    assert added.email == "alice@example.org"
    assert "password_hash" not in added.model_dump()
    assert credentials is not None and credentials.password_hash == "argon2$hash"


async def test_email_is_unique_case_insensitively(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.add(_user("bob@example.org"))
    async with db.transaction() as repos:
        with pytest.raises(ConflictError):
            await repos.users.add(_user("BOB@example.org"))
        # the transaction is still usable after the refusal
        await repos.users.add(_user("bobby@example.org"))
    async with db.transaction() as repos:
        assert len(await repos.users.list_all()) == 2


async def test_list_users_by_role(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.add(_user("c@example.org"))
        await repos.users.add(_user("m@example.org", UserRole.MANUFACTURER))
        await repos.users.add(_user("r@example.org", UserRole.RESEARCHER))
    async with db.transaction() as repos:
        makers = await repos.users.list_all(UserRole.MANUFACTURER)
    assert [user.email for user in makers] == ["m@example.org"]


async def test_failed_logins_are_counted_until_forgotten_and_success_resets_them(db: Database) -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    async with db.transaction() as repos:
        user = await repos.users.add(_user("lock@example.org"))
        for attempt in range(1, 4):
            assert await repos.users.record_failed_login(user.id, forget_before=now) == attempt
            until = now + timedelta(seconds=attempt)
            assert await repos.users.delay_logins(user.id, until) == until
        # a shorter wait never cuts a longer one short
        assert await repos.users.delay_logins(user.id, now) == now + timedelta(seconds=3)
        # failures of an account whose last wait ended by forget_before are forgotten
        later = now + timedelta(hours=2)
        assert await repos.users.record_failed_login(user.id, forget_before=later) == 1

    async with db.transaction() as repos:
        await repos.users.record_successful_login(user.id)
        credentials = await repos.users.credentials("lock@example.org")
    assert credentials is not None
    assert credentials.locked_until is None and credentials.failed_login_count == 0


async def test_profile_and_password_updates(db: Database) -> None:
    async with db.transaction() as repos:
        user = await repos.users.add(_user("p@example.org"))
        renamed = await repos.users.update_profile(user.id, display_name="Paula")
        await repos.users.set_password_hash(user.id, "new-hash")
        with pytest.raises(NotFoundError):
            await repos.users.set_password_hash("nobody", "x")
    async with db.transaction() as repos:
        credentials = await repos.users.credentials("p@example.org")
    assert renamed.display_name == "Paula"
    assert credentials is not None and credentials.password_hash == "new-hash"


async def test_products_of_a_manufacturer(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        other = await repos.products.add(
            NewProduct(
                id="city-bike",
                manufacturer_id=parties.manufacturer.id,
                name="City bike",
                options=[{"id": "colour", "choices": ["red", "blue"]}],
                base_price=Decimal("1234.5678"),
            )
        )
        with pytest.raises(ConflictError):
            await repos.products.add(
                NewProduct(
                    id="city-bike", manufacturer_id=parties.manufacturer.id, name="X", base_price=Decimal(1)
                )
            )
        with pytest.raises(NotFoundError):
            await repos.products.add(NewProduct(manufacturer_id="nobody", name="X", base_price=Decimal(1)))
    async with db.transaction() as repos:
        products = await repos.products.list_by_manufacturer(parties.manufacturer.id)
        updated = await repos.products.update(other.id, base_price=Decimal("999.99"))
    assert [product.name for product in products] == ["Bicycle", "City bike"]
    assert products[1].base_price == Decimal("1234.5678")
    assert products[1].options == [{"id": "colour", "choices": ["red", "blue"]}]
    assert updated.base_price == Decimal("999.99") and updated.name == "City bike"
