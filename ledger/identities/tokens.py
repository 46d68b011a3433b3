"""Party tokens: how a component acting for a party gets a token of that party's ledger user, and only that.

A :class:`PartyTokens` provider answers ``await tokens.token(user_id)``; :func:`user_token_provider` binds it
to one user, giving the :data:`~ledger.jsonapi_client.TokenProvider` a ledger client of that party takes.
Tokens are Daml 2.x user tokens (``sub`` = the ledger user, ``scope: daml_ledger_api``): the ledger takes the
user's rights from its user management on every request, so a token never carries more than the user may do.

* Embedded platform (``lso run``): :class:`SignedUserTokens` mints HS256 user tokens with the secret the
  embedded ledger verifies (``LSO_LEDGER_AUTH_SECRET`` of the ledger process): ``lso run`` keeps it in
  ``<LSO_DATA_DIR>/ledger-token.secret`` (mode 600, made on first use) and hands the ledger process the
  secret, and the agents acting for parties a provider bound to their party's user (never the secret).
  HS256 is what Daml's sandbox calls unsafe (``--auth-jwt-hs256-unsafe``): fit for one machine whose
  processes share one trust boundary, as in ``lso run``, not for production.
* Production: :class:`ConfiguredPartyTokens`: each agent is given the tokens of the users it acts for, no
  more — ``LSO_LEDGER_PARTY_TOKENS`` (JSON ``{ledger user: token}``) and/or ``LSO_LEDGER_PARTY_TOKEN_DIR``
  (one file ``<ledger user>.jwt`` each, read on every request, so the IdP client that refreshes them — e.g.
  an OAuth client-credentials sidecar per agent — can rotate them in place). The ledger (Canton) verifies
  them with its IdP's JWKS.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import jwt
from pydantic import SecretStr

from ledger.jsonapi_client import LedgerAuthError, TokenProvider

log = logging.getLogger(__name__)

#: The scope of a Daml 2.x user token (``ledger.grpc.auth.V2_SCOPE``; repeated to keep this module light).
USER_TOKEN_SCOPE = "daml_ledger_api"
SECRET_FILE = "ledger-token.secret"


class PartyTokens(Protocol):
    """Tokens of ledger users: ``token(user_id)`` is a bearer token of that user only."""

    async def token(self, user_id: str) -> str: ...


class NoPartyToken(LedgerAuthError):
    """This process holds no token for that ledger user (it does not act for that party)."""

    def __init__(self, user_id: str, where: str) -> None:
        super().__init__(401, [f"no ledger token for the user {user_id!r} ({where})"])
        self.user_id = user_id


def user_token_provider(tokens: PartyTokens, user_id: str) -> TokenProvider:
    """A ledger client's token provider: the tokens of ``user_id`` only."""

    async def provide() -> str:
        return await tokens.token(user_id)

    return provide


class SignedUserTokens:
    """HS256 user tokens signed with ``secret`` (the embedded ledger's ``LSO_LEDGER_AUTH_SECRET``), each valid
    ``lifetime`` seconds, cached until half of it has passed."""

    def __init__(self, secret: str, *, lifetime: float = 3600.0, audience: str | None = None) -> None:
        if len(secret) < 32:
            raise ValueError("an HS256 ledger secret has at least 32 characters")
        self._secret = secret
        self.lifetime = lifetime
        self.audience = audience
        self._cache: dict[str, tuple[str, float]] = {}

    async def token(self, user_id: str) -> str:
        now = time.time()
        cached = self._cache.get(user_id)
        if cached is not None and cached[1] - now > self.lifetime / 2:
            return cached[0]
        expires = now + self.lifetime
        claims: dict[str, object] = {"sub": user_id, "scope": USER_TOKEN_SCOPE, "exp": int(expires)}
        if self.audience:
            claims["aud"] = self.audience
        token = jwt.encode(claims, self._secret, algorithm="HS256")
        self._cache[user_id] = (token, expires)
        return token


def load_or_create_secret(path: Path) -> str:
    """The HS256 secret kept in ``path`` (mode 600), created with 256 random bits on first use."""
    if path.is_file():
        secret = path.read_text().strip()
        if len(secret) >= 32:
            return secret
        log.warning("%s holds no usable secret (under 32 characters): making a new one", path)
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return load_or_create_secret(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    log.info("made the embedded ledger's token secret %s (mode 600)", path)
    return secret


class ConfiguredPartyTokens:
    """Tokens given by configuration: ``tokens`` ({ledger user: token}) first, then the file
    ``<directory>/<ledger user>.jwt`` (read on every call: rotated in place by whoever refreshes it)."""

    def __init__(self, tokens: Mapping[str, SecretStr] | None = None, directory: Path | None = None) -> None:
        self._tokens = dict(tokens or {})
        self.directory = directory

    @property
    def users(self) -> list[str]:
        """The users whose tokens are configured inline (the directory's are found on demand)."""
        return sorted(self._tokens)

    async def token(self, user_id: str) -> str:
        given = self._tokens.get(user_id)
        if given is not None:
            return given.get_secret_value()
        if self.directory is not None and "/" not in user_id and not user_id.startswith("."):
            token = await asyncio.to_thread(_read_token, self.directory / f"{user_id}.jwt")
            if token:
                return token
        where = f"neither in LSO_LEDGER_PARTY_TOKENS nor as {user_id}.jwt in LSO_LEDGER_PARTY_TOKEN_DIR"
        raise NoPartyToken(user_id, where if self.directory is not None else "not in LSO_LEDGER_PARTY_TOKENS")


def _read_token(path: Path) -> str:
    try:
        return path.read_text().strip()
    except (FileNotFoundError, IsADirectoryError):
        return ""
