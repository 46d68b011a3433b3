"""Signed tokens of the local identity provider: RS256 JWTs shaped like Keycloak's, the JWKS that
publishes the key, and verification for the registry and the search.

The signing key is an RSA 2048 key kept in ``<service_data_dir>/efpf-signing-key.pem`` (created on
first start), so tokens stay valid across restarts of the service.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_FILE = "efpf-signing-key.pem"
ALGORITHM = "RS256"
ACCESS = "Bearer"
REFRESH = "Refresh"


class InvalidToken(Exception):
    """A token that is not ours, is expired, revoked, or of the wrong kind."""


def load_or_create_key(data_dir: Path) -> rsa.RSAPrivateKey:
    """The service's signing key, created (mode 600) on first use."""
    path = data_dir / KEY_FILE
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data_dir.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an RSA key: the key id."""
    canonical = json.dumps({"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest())


class TokenIssuer:
    """Issues and verifies the realm's access and refresh tokens."""

    def __init__(
        self,
        key: rsa.RSAPrivateKey,
        issuer: str,
        *,
        access_lifetime: int,
        refresh_lifetime: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key
        self._public = key.public_key()
        self.issuer = issuer
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self._clock = clock
        self._jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        self.kid = thumbprint(self._jwk)
        #: Tokens of an older generation are revoked (see :meth:`revoke_all`).
        self.generation = 0

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set published at the realm's ``protocol/openid-connect/certs``."""
        return {"keys": [{**self._jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}]}

    def issue(
        self, username: str, roles: tuple[str, ...], client_id: str, session: str | None = None
    ) -> dict[str, Any]:
        """A Keycloak-shaped token response for ``username``."""
        now = int(self._clock())
        session = session or str(uuid.uuid4())
        subject = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/users/{username}"))
        common = {
            "iss": self.issuer,
            "sub": subject,
            "azp": client_id,
            "sid": session,
            "iat": now,
            "gen": self.generation,
        }
        access = {
            **common,
            "jti": str(uuid.uuid4()),
            "exp": now + self.access_lifetime,
            "typ": ACCESS,
            "aud": "account",
            "preferred_username": username,
            "realm_access": {"roles": list(roles)},
            "scope": "openid profile email",
        }
        refresh = {
            **common,
            "jti": str(uuid.uuid4()),
            "exp": now + self.refresh_lifetime,
            "typ": REFRESH,
            "aud": self.issuer,
            "preferred_username": username,
        }
        return {
            "access_token": self._sign(access),
            "expires_in": self.access_lifetime,
            "refresh_expires_in": self.refresh_lifetime,
            "refresh_token": self._sign(refresh),
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": session,
            "scope": "openid profile email",
        }

    def verify(self, token: str, kind: str = ACCESS) -> dict[str, Any]:
        """The claims of a valid token of ``kind``; :class:`InvalidToken` otherwise."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "sub", "jti"], "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims.get("typ") != kind:
            raise InvalidToken(f"not a {kind.lower()} token")
        if claims.get("gen") != self.generation:
            raise InvalidToken("token has been revoked")
        return claims

    def revoke_all(self) -> None:
        """Revoke every token issued so far (like Keycloak's 'not before' push)."""
        self.generation += 1

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})
