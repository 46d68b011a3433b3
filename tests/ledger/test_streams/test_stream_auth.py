"""Stream authentication: the ``jwt.token.`` / ``daml.ws.auth`` subprotocols; token problems answered in-band
(an error frame, then close 1008) for Daml clients, Daml's pre-upgrade 401 for others."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import jwt
import pytest
from websockets.exceptions import InvalidStatus

from ledger.grpc.auth import V2_SCOPE
from ledger.testing import hs256_token
from tests.ledger.test_streams.conftest import ORDER, SECRET, Ledger, receive, receive_until, token


def _unknown_user() -> str:
    return jwt.encode({"sub": "nobody", "scope": V2_SCOPE, "exp": int(time.time()) + 600}, SECRET, "HS256")


# Tokens are made when the test runs, not when it is collected: a long session must not expire them first.
@pytest.mark.parametrize(
    ("bearer", "status", "text"),
    [
        (lambda: "not-a-jwt", 401, "invalid token"),
        (lambda: hs256_token("another-secret-0123456789abcdef-xyz", act_as=["Alice"]), 401, "invalid token"),
        (lambda: hs256_token(SECRET, act_as=["Alice"], expires_in=-10), 401, "expired"),
        (lambda: hs256_token(SECRET, act_as=["Alice"], ledger_id="another-ledger"), 401, "ledger"),
        (lambda: hs256_token(SECRET, admin=True), 401, "no party"),
        (lambda: None, 401, "jwt.token."),
        (_unknown_user, 403, "unknown"),
    ],
    ids=["garbage", "bad-signature", "expired", "other-ledger", "no-party", "missing", "unknown-user"],
)
async def test_token_problems_are_an_error_frame(
    ledger: Ledger, bearer: Callable[[], str | None], status: int, text: str
) -> None:
    async with ledger.connect("/v1/stream/query", bearer()) as ws:
        assert ws.subprotocol == "daml.ws.auth"
        frame = await receive(ws)
        assert frame["status"] == status and text in frame["errors"][0], frame
        await ws.wait_closed()
        assert ws.close_code == 1008


async def test_without_daml_ws_auth_the_upgrade_is_refused(ledger: Ledger, parties: dict[str, str]) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with ledger.connect(
            "/v1/stream/query", token(ledger.process, parties["Customer"]), auth_protocol=False
        ):
            pass
    response = refused.value.response
    assert response.status_code == 401
    assert json.loads(response.body or b"{}")["status"] == 401
    plain = await ledger.http.get("/v1/stream/fetch")
    assert plain.status_code == 400 and plain.json()["errors"] == [
        "Cannot upgrade client's connection to websocket"
    ]


async def test_the_stream_ends_when_its_token_expires(ledger: Ledger, parties: dict[str, str]) -> None:
    c = parties["Customer"]
    await ledger.allocate(c)
    short = hs256_token(SECRET, act_as=[c], ledger_id=ledger.process.info.ledger_id, expires_in=1)
    async with ledger.connect("/v1/stream/query", short) as ws:
        await ws.send(json.dumps({"templateIds": [ORDER]}))
        frames = await receive_until(ws, lambda f: "errors" in f, 4.0)
        assert frames[-1] == {"errors": ["token expired"], "status": 401}
        await ws.wait_closed()
        assert ws.close_code == 1008
