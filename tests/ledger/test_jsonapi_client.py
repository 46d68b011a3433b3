"""The JSON API client's error mapping and retries (a mock transport: no server needed)."""

from __future__ import annotations

import json

import httpx
import pytest

from ledger.jsonapi_client import (
    JsonApiClient,
    LedgerAuthError,
    LedgerRejected,
    LedgerUnavailable,
    RetryPolicy,
    static_token,
)


async def _no_sleep(_: float) -> None:
    return None


def client(handler: httpx.MockTransport, attempts: int = 3) -> JsonApiClient:
    return JsonApiClient(
        "http://ledger.test",
        static_token("tok"),
        retry=RetryPolicy(attempts=attempts, sleep=_no_sleep),
        transport=handler,
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, LedgerRejected), (404, LedgerRejected), (401, LedgerAuthError), (403, LedgerAuthError)],
)
async def test_4xx_raise_typed_errors_at_once(status: int, error: type[Exception]) -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        assert request.headers["Authorization"] == "Bearer tok"
        return httpx.Response(status, json={"status": status, "errors": ["nope"]})

    async with client(httpx.MockTransport(handle)) as c:
        with pytest.raises(error) as caught:
            await c.query(["M:T"])
    assert calls == 1
    assert caught.value.status == status and caught.value.errors == ["nope"]  # type: ignore[attr-defined]


async def test_5xx_and_connection_errors_are_retried_with_the_same_command_id() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["meta"]["commandId"])
        if len(seen) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(seen) == 2:
            return httpx.Response(503, json={"status": 503, "errors": ["busy"]})
        body = {
            "contractId": "00ab",
            "templateId": "p:M:T",
            "payload": {},
            "signatories": ["A"],
            "observers": [],
        }
        return httpx.Response(200, json={"status": 200, "result": body})

    async with client(httpx.MockTransport(handle)) as c:
        created = await c.create("M:T", {}, act_as=["A"])
    assert created.contract_id == "00ab"
    assert len(seen) == 3 and len(set(seen)) == 1


async def test_gives_up_after_the_last_attempt() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with client(httpx.MockTransport(handle), attempts=2) as c:
        with pytest.raises(LedgerUnavailable) as caught:
            await c.packages()
    assert caught.value.status == 0


def test_backoff_is_bounded() -> None:
    policy = RetryPolicy(backoff=0.5, backoff_max=3.0)
    assert [policy.delay(i) for i in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
