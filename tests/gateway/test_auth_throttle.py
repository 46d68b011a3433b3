"""Failed logins make the failing client wait, with growing delays (429 with Retry-After, the password
not even checked), and never lock the account: a client that is not waiting always logs in with the right
password, however hard another one hammers the account. On SQLite and on PostgreSQL; time is a clock the
test moves, never a sleep."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway.core import passwords
from gateway.core.login import LoginThrottle, ThrottlePolicy, client_key
from tests.gateway.auth_support import PASSWORD, add_user, cheap_argon2, database, gateway, settings
from tests.gateway.backends import database_url, gateway_backend

__all__ = ["cheap_argon2", "database_url", "gateway_backend"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")

WRONG = "not the password"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _clocked(app: FastAPI) -> Clock:
    clock = Clock()
    throttle: LoginThrottle = app.state.login_throttle
    throttle.clock = clock
    return clock


@asynccontextmanager
async def _from(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


async def _grant(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = {"grant_type": "password", "username": email, "password": password}
    return await client.post("/auth/token", data=form)


async def test_a_failing_client_waits_longer_each_time_even_with_the_right_password(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = settings(login_failures_before_delay=2, login_max_delay_seconds=4)
    async with gateway(database_url, tmp_path, config) as (app, client):
        clock = _clocked(app)
        await add_user(app, "dan@example.org")
        assert (await _grant(client, "dan@example.org", WRONG)).status_code == 400
        wrong = await _grant(client, "dan@example.org", WRONG)
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

        checked: list[str] = []
        original = passwords.verify_password

        def recording(password_hash: str, password: str) -> bool:
            checked.append(password)
            return original(password_hash, password)

        monkeypatch.setattr(passwords, "verify_password", recording)
        waits = []
        for _ in range(4):
            throttled = await _grant(client, "dan@example.org", PASSWORD)
            assert throttled.status_code == 429
            assert throttled.json()["error"] == "invalid_grant"
            assert "try again in" in throttled.json()["error_description"]
            basic = await client.post("/auth/login", headers=_basic("dan@example.org", PASSWORD))
            assert basic.status_code == 429
            assert basic.headers["content-type"] == "application/problem+json"
            assert basic.json()["type"] == "/problems/too-many-logins"
            assert basic.headers["Retry-After"] == throttled.headers["Retry-After"]
            waits.append(int(throttled.headers["Retry-After"]))
            assert checked == []  # a waiting client's password is not even looked at
            clock.advance(waits[-1])
            assert (await _grant(client, "dan@example.org", WRONG)).status_code == 400
            checked.clear()
        assert waits == [1, 2, 4, 4]  # doubling, up to LSO_GATEWAY_LOGIN_MAX_DELAY_SECONDS

        clock.advance(4)
        assert (await _grant(client, "dan@example.org", PASSWORD)).status_code == 200


async def test_the_right_password_from_another_client_logs_in_while_one_hammers_the_account(
    database_url: str, tmp_path: Path
) -> None:
    config = settings(login_failures_before_delay=2)
    async with (
        gateway(database_url, tmp_path, config) as (app, _client),
        _from(app, "203.0.113.9") as attacker,
        _from(app, "198.51.100.7") as owner,
    ):
        _clocked(app)
        await add_user(app, "eli@example.org")
        for _ in range(2):
            assert (await _grant(attacker, "eli@example.org", WRONG)).status_code == 400
        for _ in range(20):
            assert (await _grant(attacker, "eli@example.org", WRONG)).status_code == 429
        assert (await _grant(attacker, "eli@example.org", PASSWORD)).status_code == 429

        assert (await _grant(owner, "eli@example.org", PASSWORD)).status_code == 200
        assert (
            await owner.post("/auth/login", headers=_basic("eli@example.org", PASSWORD))
        ).status_code == 200
        async with database(app).transaction() as repos:
            user = await repos.users.credentials("eli@example.org")
        assert user is not None and user.failed_login_count == 0 and user.locked_until is None
        # the attacker still waits: the owner's login forgave the account, not the attacker
        assert (await _grant(attacker, "eli@example.org", PASSWORD)).status_code == 429


async def test_a_client_failing_on_a_hammered_account_waits_as_long_as_the_account(
    database_url: str, tmp_path: Path
) -> None:
    config = settings(login_failures_before_delay=2)
    async with (
        gateway(database_url, tmp_path, config) as (app, _client),
        _from(app, "203.0.113.1") as first,
        _from(app, "203.0.113.2") as second,
        _from(app, "2001:db8:1:2::3") as third,
        _from(app, "198.51.100.7") as owner,
    ):
        clock = _clocked(app)
        await add_user(app, "fay@example.org")
        # two clients, two guesses each: the account has failed four times...
        for guesser in (first, second, first, second):
            assert (await _grant(guesser, "fay@example.org", WRONG)).status_code == 400
            clock.advance(1)
        clock.advance(1)
        assert (await _grant(third, "fay@example.org", WRONG)).status_code == 400
        # ...so a third client, after its first guess (the account's fifth failure), waits as long as the
        # account does: 8 s, not the no wait its own one failure would give
        waited = await _grant(third, "fay@example.org", PASSWORD)
        assert waited.status_code == 429
        assert waited.headers["Retry-After"] == "8"
        # another address of the same IPv6 /64 is the same client
        async with _from(app, "2001:db8:1:2::99") as neighbour:
            assert (await _grant(neighbour, "fay@example.org", PASSWORD)).status_code == 429
        # nobody who has not failed is kept out
        assert (await _grant(owner, "fay@example.org", PASSWORD)).status_code == 200


async def test_failures_are_forgotten_after_a_window_and_after_a_success(
    database_url: str, tmp_path: Path
) -> None:
    config = settings(login_failures_before_delay=2, login_forget_seconds=60)
    async with gateway(database_url, tmp_path, config) as (app, client):
        clock = _clocked(app)
        await add_user(app, "gus@example.org")
        for _ in range(2):
            await _grant(client, "gus@example.org", WRONG)
        assert (await _grant(client, "gus@example.org", WRONG)).status_code == 429
        clock.advance(1 + 60)  # the wait (1 s), then the window
        assert (await _grant(client, "gus@example.org", WRONG)).status_code == 400  # one failure, not three
        assert (await _grant(client, "gus@example.org", PASSWORD)).status_code == 200
        async with database(app).transaction() as repos:
            user = await repos.users.credentials("gus@example.org")
        assert user is not None and user.failed_login_count == 0

        await _grant(client, "gus@example.org", WRONG)
        assert (await _grant(client, "gus@example.org", PASSWORD)).status_code == 200
        assert (await _grant(client, "gus@example.org", WRONG)).status_code == 400  # one failure, not two
        assert (await _grant(client, "gus@example.org", WRONG)).status_code == 400
        assert (await _grant(client, "gus@example.org", PASSWORD)).status_code == 429


async def test_guesses_sent_in_parallel_do_not_slip_past_the_wait(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path, settings(login_failures_before_delay=2)) as (app, client):
        _clocked(app)
        await add_user(app, "ida@example.org")
        guesses = [_grant(client, "ida@example.org", f"guess number {n}") for n in range(8)]
        answers = sorted(answer.status_code for answer in await asyncio.gather(*guesses))
        assert answers == [400, 400] + [429] * 6


async def test_guessing_across_accounts_makes_the_client_wait(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path, settings(login_failures_before_delay=3)) as (app, client):
        _clocked(app)
        await add_user(app, "hal@example.org")
        for email in ("nobody@example.org", "no-one@example.org", "\x00bad"):
            assert (await _grant(client, email, WRONG)).status_code == 400
        assert (await _grant(client, "hal@example.org", PASSWORD)).status_code == 429


async def test_an_unknown_e_mail_still_costs_a_hash_verification(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with gateway(database_url, tmp_path) as (_app, client):
        checked: list[str] = []
        original = passwords.verify_password

        def counting(password_hash: str, password: str) -> bool:
            checked.append(password)
            return original(password_hash, password)

        monkeypatch.setattr(passwords, "verify_password", counting)
        refused = await _grant(client, "nobody@example.org", "some password")
        assert refused.status_code == 400
        assert refused.json() == {"error": "invalid_grant", "error_description": "wrong e-mail or password"}
        assert checked == ["some password"]


def test_clients_are_told_apart_by_address_and_ipv6_network() -> None:
    assert client_key("192.0.2.1") == "192.0.2.1"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("2001:db8:1:2::3") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::3") != client_key("2001:db8:1:2::3")
    assert client_key(None) == "unknown"
    assert client_key("testclient") == "testclient"


def test_the_throttle_forgets_the_oldest_clients_beyond_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LoginThrottle, "MAX_CLIENTS", 2)
    policy = ThrottlePolicy(
        failures_before_delay=1, max_delay=timedelta(seconds=8), forget_after=timedelta(hours=1)
    )
    now = datetime(2030, 1, 1, tzinfo=UTC)
    throttle = LoginThrottle(policy, clock=lambda: now)
    for client in ("a", "b", "c"):
        throttle.attempt(client, "x@example.org", now)
    assert throttle.retry_after("a", now) is None
    assert throttle.retry_after("b", now) == throttle.retry_after("c", now) == 1
    assert [policy.delay(failures) for failures in range(7)] == [
        timedelta(seconds=s) for s in (0, 1, 2, 4, 8, 8, 8)
    ]
