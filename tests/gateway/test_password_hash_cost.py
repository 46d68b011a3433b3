"""The argon2id cost of password hashes comes from ``LSO_GATEWAY_PASSWORD_HASH_*``: RFC 9106's second
recommended option by default, a hash made at another cost is due for rehashing, and a cost argon2 cannot
run is refused when the settings are read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError

from gateway.core import passwords
from gateway.core.config import GatewaySettings

VARIABLES = ("TIME_COST", "MEMORY_KIB", "PARALLELISM")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No hasher set in place, and the configured one read anew."""
    monkeypatch.setattr(passwords, "_hasher", None)
    passwords._configured.cache_clear()
    yield monkeypatch
    passwords._configured.cache_clear()


def test_the_default_cost_is_rfc_9106s_second_option(configured: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        configured.delenv(f"LSO_GATEWAY_PASSWORD_HASH_{name}", raising=False)
    settings = GatewaySettings()
    assert (settings.password_hash_time_cost, settings.password_hash_memory_kib) == (3, 65536)
    assert settings.password_hash_parallelism == 4


def test_hashes_carry_the_configured_cost_and_other_costs_are_rehashed(
    configured: pytest.MonkeyPatch,
) -> None:
    for name, value in zip(VARIABLES, ("2", "2048", "2"), strict=True):
        configured.setenv(f"LSO_GATEWAY_PASSWORD_HASH_{name}", value)
    stored = passwords.hash_password("correct horse battery")
    assert "$m=2048,t=2,p=2$" in stored
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "wrong horse battery")
    assert not passwords.needs_rehash(stored)
    older = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("correct horse battery")
    assert passwords.needs_rehash(older)
    assert passwords.verify_password(older, "correct horse battery")


def test_too_little_memory_for_the_lanes_is_refused_in_words(configured: pytest.MonkeyPatch) -> None:
    configured.setenv("LSO_GATEWAY_PASSWORD_HASH_MEMORY_KIB", "16")
    configured.setenv("LSO_GATEWAY_PASSWORD_HASH_PARALLELISM", "4")
    with pytest.raises(ValidationError, match="at least 8 x"):
        GatewaySettings()
