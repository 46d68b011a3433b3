"""Authentication of a stream: the token travels in the WebSocket subprotocols, as Daml's JSON API wants::

    Sec-WebSocket-Protocol: jwt.token.<JWT>, daml.ws.auth

The server accepts the ``daml.ws.auth`` subprotocol. The token is checked like a bearer token of the HTTP
endpoints (same verifier, same ledger id and user checks, :func:`ledger.jsonapi.auth.claims_from_header`), at
connection time and again on every heartbeat, so a stream ends when its token expires or its user loses its
rights.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from ledger.grpc.auth import UnknownUser
from ledger.jsonapi.auth import OPEN, AuthError, Claims, JwtVerifier, TokenVerifier, claims_from_header
from ledger.jsonapi.streams.frames import StreamError

WS_PROTOCOL = "daml.ws.auth"
TOKEN_PREFIX = "jwt.token."
MISSING_PROTOCOL = f"Missing required {TOKEN_PREFIX}[token] or {WS_PROTOCOL} subprotocol"


@dataclass(frozen=True)
class StreamAuth:
    """Who reads: ``parties`` (None: every party, for an operator or a ledger without authentication)."""

    token: str | None
    claims: Claims
    expires_at: float | None

    @property
    def parties(self) -> frozenset[str] | None:
        c = self.claims
        if c.unrestricted or c.any_party:
            return None
        return c.readers


def token_of(subprotocols: Iterable[str]) -> str | None:
    for protocol in subprotocols:
        if protocol.startswith(TOKEN_PREFIX):
            return protocol[len(TOKEN_PREFIX) :]
    return None


def _expiry(token: str) -> float | None:
    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return float(exp) if isinstance(exp, int | float) else None


def _open_claims(token: str | None) -> Claims:
    """Without authentication, a given token still names the parties to read as (as Daml's sandbox without
    auth decodes, but does not verify, the token); no token or one naming no party reads as every party."""
    if token is None:
        return OPEN
    try:
        claims = JwtVerifier().claims(jwt.decode(token, options={"verify_signature": False}))
    except (jwt.PyJWTError, AuthError):
        return OPEN
    return claims if claims.readers else OPEN


def authenticate(verifier: TokenVerifier | None, subprotocols: Iterable[str], ledger_id: str) -> StreamAuth:
    """The stream's reader; raises :class:`StreamError` 401 (no/invalid token) or 403 (unknown user)."""
    token = token_of(subprotocols)
    if verifier is None:
        return StreamAuth(token, _open_claims(token), None)
    if token is None:
        raise StreamError(401, f"Missing required {TOKEN_PREFIX}[token] in subprotocol")
    claims = check(verifier, token, ledger_id)
    if not (claims.readers or claims.any_party or claims.unrestricted):
        raise StreamError(401, "the token allows reading as no party")
    return StreamAuth(token, claims, _expiry(token))


def check(verifier: TokenVerifier, token: str, ledger_id: str) -> Claims:
    try:
        return claims_from_header(verifier, f"Bearer {token}", ledger_id)
    except UnknownUser as exc:
        raise StreamError(403, str(exc)) from None
    except AuthError as exc:
        raise StreamError(401, str(exc)) from None


def recheck(verifier: TokenVerifier | None, auth: StreamAuth, ledger_id: str) -> None:
    """Raises :class:`StreamError` if the stream's token no longer holds (expired, user gone, rights lost)."""
    if verifier is None or auth.token is None:
        return
    if auth.expires_at is not None and time.time() >= auth.expires_at:
        raise StreamError(401, "token expired")
    now = StreamAuth(auth.token, check(verifier, auth.token, ledger_id), auth.expires_at).parties
    if now is not None and (auth.parties is None or not auth.parties <= now):
        raise StreamError(403, "the token no longer allows reading as every party of this stream")
