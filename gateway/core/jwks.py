"""A JSON Web Key Set fetched over HTTP and cached: refetched when it is old, or when a token names
a key id it does not hold (at most once per ``min_refetch`` seconds, so forged key ids cannot make
the gateway hammer the identity provider)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

#: Key types that may verify external tokens (never shared secrets, "oct").
ASYMMETRIC = frozenset({"RSA", "EC", "OKP"})


class JwksUnavailable(Exception):
    """The key set could not be fetched (the identity provider is down or answers nonsense)."""


class UnknownKey(Exception):
    """The key set has no usable key with the token's key id."""


class JwksCache:
    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        max_age: float,
        min_refetch: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._http = http
        self._max_age = max_age
        self._min_refetch = min_refetch
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str | None) -> jwt.PyJWK:
        """The key with id ``kid`` (a key set of one key also serves tokens without a kid)."""
        if self._stale():
            await self._refresh(force=False)
        found = self._lookup(kid)
        if found is None and self._may_refetch():
            await self._refresh(force=True)
            found = self._lookup(kid)
        if found is None:
            raise UnknownKey(f"no signing key with id {kid!r}")
        return found

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._min_refetch

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            # Another request may have refreshed while this one waited.
            if not (self._stale() or (force and self._may_refetch())):
                return
            try:
                self._keys = await self._fetch()
            except JwksUnavailable:
                if not self._keys:
                    raise
                # Keep verifying with the keys we have; try again after min_refetch seconds.
                log.warning("cannot refresh the JWKS at %s; using the cached keys", self.url, exc_info=True)
                self._fetched_at = self._clock() - self._max_age + self._min_refetch
                return
            self._fetched_at = self._clock()

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        self.fetches += 1
        try:
            response = await self._http.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksUnavailable(f"cannot fetch the JWKS at {self.url}: {exc}") from exc
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise JwksUnavailable(f"the JWKS at {self.url} has no 'keys' list")
        keys: dict[str, jwt.PyJWK] = {}
        for index, entry in enumerate(document["keys"]):
            if not isinstance(entry, dict) or entry.get("kty") not in ASYMMETRIC:
                continue
            if entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError as exc:
                log.warning("skipping an unusable key of %s: %s", self.url, exc)
                continue
            keys[str(entry.get("kid", f"#{index}"))] = key
        return keys
