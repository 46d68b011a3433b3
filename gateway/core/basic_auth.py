"""HTTP Basic credentials (RFC 7617) from an Authorization header."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

REALM = "lso-gateway"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'


class MalformedCredentials(ValueError):
    """The header says Basic but does not carry ``base64(user:password)``."""


def basic_credentials(authorization: str | None, *, form_encoded: bool = False) -> tuple[str, str] | None:
    """``(user, password)`` of a Basic header, None for no header or another scheme.

    ``form_encoded``: both parts are application/x-www-form-urlencoded first, as RFC 6749 section
    2.3.1 asks of OAuth client credentials."""
    if authorization is None:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise MalformedCredentials("the Basic credentials are not base64 of UTF-8 text") from exc
    user, colon, password = decoded.partition(":")
    if not colon:
        raise MalformedCredentials("the Basic credentials have no ':' between user and password")
    if form_encoded:
        return unquote_plus(user), unquote_plus(password)
    return user, password
