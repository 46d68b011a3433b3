"""The JWKS cache: fetched once, refetched when old or for an unknown key id (bounded), cached keys
kept while the provider is down, symmetric keys never used."""

from __future__ import annotations

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from gateway.core.config import GatewaySettings
from gateway.core.jwks import JwksCache, JwksUnavailable, UnknownKey


class Provider:
    def __init__(self) -> None:
        self.keys: list[dict[str, object]] = []
        self.down = False
        self.calls = 0

    def add_key(self, kid: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        self.keys.append(
            {**jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True), "kid": kid, "alg": "RS256"}
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.down:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": self.keys})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_fetch_cache_refetch() -> None:
    provider, clock = Provider(), Clock()
    provider.add_key("a")
    provider.keys.append({"kty": "oct", "k": "c2VjcmV0", "kid": "shared"})
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        cache = JwksCache("https://idp/certs", http, max_age=600, min_refetch=30, clock=clock)
        assert (await cache.key("a")).algorithm_name == "RS256"
        await cache.key("a")
        assert provider.calls == 1

        with pytest.raises(UnknownKey):
            await cache.key("shared")  # a symmetric key is never taken from a JWKS
        clock.now += 31
        provider.add_key("b")  # rotation: the new kid triggers one refetch
        assert (await cache.key("b")).algorithm_name == "RS256"
        assert provider.calls == 2
        calls = provider.calls
        for index in range(10):
            with pytest.raises(UnknownKey):
                await cache.key(f"forged-{index}")
        assert provider.calls == calls  # within min_refetch of the last fetch: no more fetches

        clock.now += 601
        provider.down = True
        assert (await cache.key("a")).algorithm_name == "RS256"  # stale but kept while the provider is down
        assert provider.calls == calls + 1


async def test_no_keys_and_provider_down_is_unavailable() -> None:
    provider = Provider()
    provider.down = True
    async with httpx.AsyncClient(transport=httpx.MockTransport(provider.handle)) as http:
        cache = JwksCache("https://idp/certs", http, max_age=600, min_refetch=30)
        with pytest.raises(JwksUnavailable):
            await cache.key("a")


@pytest.mark.parametrize(
    "values",
    [
        {"oidc_algorithms": ["HS256"]},
        {"oidc_algorithms": ["none"]},
        {"oidc_algorithms": []},
        {"oidc_issuer": "https://idp.example"},
        {"oidc_jwks_url": "https://idp.example/certs"},
    ],
)
def test_unsafe_oidc_settings_are_refused_at_start(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GatewaySettings(_env_file=None, **values)  # type: ignore[arg-type]
