"""Checking credentials: people by e-mail and password, machines by client id and secret.

Failed logins are never answered by locking the account (anyone could lock anyone out). A client (an IP
address; an IPv6 one by its /64 network) that fails too often waits, with growing delays, before its next
try; while it waits it is answered 429 even for the right password, which is then not checked. The
account's failures (counted in the store) make every client that fails on it wait as long as the account's
own delay, so many clients guessing one password each get nowhere fast; a client that is not waiting
always logs in with the right password, however hard another one hammers the account.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gateway.core.config import GatewaySettings
from gateway.core.passwords import hash_password_async, needs_rehash, verify_password_async
from store.database import Database
from store.records import UserCredentials, normalise_email
from store.records.clients import ApiClientCredentials

log = logging.getLogger(__name__)

MAX_IDENTIFIER = 320
MAX_SECRET = 256

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class LoginFailed(Exception):
    """Wrong e-mail or password (deliberately not saying which)."""


class LoginThrottled(Exception):
    """This client failed too often: it waits ``retry_after`` more seconds (its password is not checked)."""

    def __init__(self, retry_after: int) -> None:
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(f"too many failed logins from here: try again in {retry_after} {unit}")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    failures_before_delay: int
    max_delay: timedelta
    forget_after: timedelta

    @classmethod
    def of(cls, settings: GatewaySettings) -> ThrottlePolicy:
        return cls(
            settings.login_failures_before_delay,
            timedelta(seconds=settings.login_max_delay_seconds),
            timedelta(seconds=settings.login_forget_seconds),
        )

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failed logins: none before the threshold, then 1, 2, 4 ... seconds,
        at most ``max_delay``."""
        beyond = failures - self.failures_before_delay
        if beyond < 0:
            return timedelta(0)
        return min(self.max_delay, timedelta(seconds=2 ** min(beyond, 32)))


def client_key(host: str | None) -> str:
    """Whom a wait applies to: the client's IP address; an IPv6 address by its /64 network (what one
    subscriber gets), an IPv4-mapped one as the IPv4 address."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass(slots=True)
class _ClientFailures:
    until: datetime  # the end of the client's wait (its last failure when it does not wait)
    by_account: dict[str, int] = field(default_factory=dict)


class LoginThrottle:
    """The failed logins of each client, in this gateway process's memory (a restart forgets them; the
    accounts' counts are in the store)."""

    MAX_CLIENTS = 10_000
    #: Accounts remembered per client; failures on further ones are counted together, under a key no
    #: successful login clears.
    MAX_ACCOUNTS = 100
    _OTHERS = "\x00others"

    def __init__(self, policy: ThrottlePolicy, clock: Clock = utc_now) -> None:
        self.policy = policy
        self.clock = clock
        self._clients: OrderedDict[str, _ClientFailures] = OrderedDict()

    def retry_after(self, client: str, now: datetime) -> int | None:
        """Seconds ``client`` still waits, or None when it may try now."""
        entry = self._current(client, now)
        if entry is None or entry.until <= now:
            return None
        return max(1, math.ceil((entry.until - now).total_seconds()))

    def attempt(self, client: str, account: str, now: datetime) -> None:
        """Count a login of ``client`` on ``account`` as failed before its password is checked (so that
        guesses sent in parallel cannot all pass); it then waits as its own count asks."""
        entry = self._current(client, now) or _ClientFailures(until=now)
        if account not in entry.by_account and len(entry.by_account) >= self.MAX_ACCOUNTS:
            account = self._OTHERS
        entry.by_account[account] = entry.by_account.get(account, 0) + 1
        own = now + self.policy.delay(sum(entry.by_account.values()))
        entry.until = max(entry.until, own)
        self._clients[client] = entry
        self._clients.move_to_end(client)
        while len(self._clients) > self.MAX_CLIENTS:
            self._clients.popitem(last=False)

    def wait_until(self, client: str, until: datetime) -> None:
        """``client`` failed on an account whose own wait lasts until ``until``: it waits as long."""
        entry = self._clients.get(client)
        if entry is not None:
            entry.until = max(entry.until, until)

    def succeeded(self, client: str, account: str, now: datetime) -> None:
        """``client`` logged in to ``account``: its failures on that account are forgotten, and the wait
        its attempt started is cancelled (it was not waiting when it tried)."""
        entry = self._current(client, now)
        if entry is None:
            return
        entry.by_account.pop(account, None)
        entry.until = min(entry.until, now)
        if not entry.by_account:
            del self._clients[client]

    def _current(self, client: str, now: datetime) -> _ClientFailures | None:
        entry = self._clients.get(client)
        if entry is not None and now >= entry.until + self.policy.forget_after:
            del self._clients[client]
            return None
        return entry


async def check_password(
    db: Database, throttle: LoginThrottle, client: str, email: str, password: str
) -> UserCredentials:
    """The user's credentials when ``password`` is right and ``client`` is not waiting;
    :class:`LoginThrottled` while it waits (the password is then not even checked); :class:`LoginFailed`
    otherwise (counted for the client and the account)."""
    now = throttle.clock()
    wait = throttle.retry_after(client, now)
    if wait is not None:
        raise LoginThrottled(wait)
    malformed = not email or len(email) > MAX_IDENTIFIER or len(password) > MAX_SECRET or "\x00" in email
    account = "" if malformed else normalise_email(email)
    throttle.attempt(client, account, now)
    if malformed:
        await verify_password_async(None, password[:MAX_SECRET])
        raise LoginFailed
    async with db.transaction() as repos:
        user = await repos.users.credentials(email)
    if not await verify_password_async(user.password_hash if user else None, password):
        if user is not None:
            async with db.transaction() as repos:
                failures = await repos.users.record_failed_login(
                    user.id, forget_before=now - throttle.policy.forget_after
                )
                account_until = await repos.users.delay_logins(user.id, now + throttle.policy.delay(failures))
            throttle.wait_until(client, account_until)
            if failures == throttle.policy.failures_before_delay:
                log.warning("user %s: %d failed logins, failing clients now wait", user.id, failures)
        raise LoginFailed
    assert user is not None  # an unknown account never passes the check above
    throttle.succeeded(client, account, now)
    if user.failed_login_count or user.locked_until is not None:
        async with db.transaction() as repos:
            await repos.users.record_successful_login(user.id)
    if needs_rehash(user.password_hash):  # argon2 parameters were raised since it was hashed
        new_hash = await hash_password_async(password)
        async with db.transaction() as repos:
            await repos.users.set_password_hash(user.id, new_hash)
    return user


async def check_client(db: Database, client_id: str, secret: str) -> ApiClientCredentials | None:
    """The client's credentials when ``secret`` is its secret, else None (same cost either way)."""
    client = None
    if client_id and len(client_id) <= 64 and len(secret) <= MAX_SECRET and "\x00" not in client_id:
        async with db.transaction() as repos:
            client = await repos.api_clients.credentials(client_id)
    if not await verify_password_async(client.secret_hash if client else None, secret[:MAX_SECRET]):
        return None
    return client
