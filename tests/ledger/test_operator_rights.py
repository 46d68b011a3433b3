"""The operator right (act and read as any party) is granted only to users configured with it."""

from __future__ import annotations

import time

import jwt
import pytest

from ledger.grpc.auth import JwtVerifier, UnknownUser
from ledger.jsonapi.auth import _rights
from ledger.settings import UserGrant

SECRET = "operator-test-secret-of-thirty-two-bytes"


def _user_token(user: str) -> str:
    return jwt.encode({"sub": user, "scope": "daml_ledger_api", "exp": time.time() + 60}, SECRET, "HS256")


def _verifier() -> JwtVerifier:
    return JwtVerifier(
        secret=SECRET,
        users={
            "operator": _rights(UserGrant.model_validate({"actAsAnyParty": True, "admin": True})),
            "alice": _rights(UserGrant.model_validate({"actAs": ["Alice"]})),
        },
    )


def test_operator_may_act_and_read_as_any_party() -> None:
    claims = _verifier().verify(_user_token("operator"))
    assert claims.may_submit(["Alice", "Bob"], ["Carol"])
    assert claims.may_read(["Zed"])


def test_ordinary_user_keeps_its_own_parties_only() -> None:
    claims = _verifier().verify(_user_token("alice"))
    assert claims.may_submit(["Alice"], [])
    assert not claims.may_submit(["Bob"], [])
    assert not claims.may_read(["Bob"])


def test_unknown_user_is_refused() -> None:
    """A well-signed token of a user the participant does not know gets no rights at all (issue 14 item 11):
    it is refused, as Daml 2.x refuses it with PERMISSION_DENIED."""
    with pytest.raises(UnknownUser):
        _verifier().verify(_user_token("mallory"))
