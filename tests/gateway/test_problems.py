"""API quality: RFC 9457 problem details for every error, the body size limit (declared and
streamed), request ids, CORS off by default, the OpenAPI document."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from gateway.core.problems import MEDIA_TYPE
from tests.gateway.auth_support import cheap_argon2, gateway, settings, snapshot

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")

Gateway = tuple[FastAPI, httpx.AsyncClient]
LIMIT = 4096


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    config = settings(max_body_bytes=LIMIT)
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path, config) as pair:
        yield pair


def _is_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["type"], str)
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_and_wrong_method(gw: Gateway) -> None:
    _app, client = gw
    body = _is_problem(await client.get("/no/such/route"), 404)
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    _is_problem(await client.delete("/me"), 405)


async def test_validation_errors_list_every_bad_field(gw: Gateway) -> None:
    app, client = gw
    before = await snapshot(app)
    body = _is_problem(
        await client.post("/auth/register", json={"email": "nope", "password": "short", "extra": 1}), 422
    )
    assert body["type"] == "/problems/validation-error"
    fields = {error["field"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {"body.email", "body.password", "body.display_name", "body.extra"}
    assert "body.email" in str(body["detail"])
    assert await snapshot(app) == before


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"email": "a@b.org", "password": ', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b"email=a@b.org", "application/x-www-form-urlencoded"),
        (b'{"email": "a@b.org"}', "text/plain"),
    ],
)
async def test_malformed_bodies(gw: Gateway, content: bytes, content_type: str) -> None:
    app, client = gw
    before = await snapshot(app)
    answer = await client.post("/auth/register", content=content, headers={"Content-Type": content_type})
    body = _is_problem(answer, 422)
    assert body["errors"]
    assert await snapshot(app) == before


async def test_a_declared_oversized_body_is_refused_unread(gw: Gateway) -> None:
    app, client = gw
    before = await snapshot(app)
    big = b'{"email": "' + b"a" * LIMIT + b'@example.org"}'
    body = _is_problem(
        await client.post("/auth/register", content=big, headers={"Content-Type": "application/json"}), 413
    )
    assert body["type"] == "/problems/request-too-large"
    assert await snapshot(app) == before


async def test_a_streamed_oversized_body_is_cut_off(gw: Gateway) -> None:
    app, client = gw
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "a@example.org", "display_name": "'
        for _ in range(100):  # 100 KiB, far beyond the limit, never declared
            sent.append(1024)
            yield b"x" * 1024
        yield b'", "password": "long enough"}'

    before = await snapshot(app)
    for path, content_type in (
        ("/auth/register", "application/json"),
        ("/auth/token", "application/x-www-form-urlencoded"),
    ):
        answer = await client.post(path, content=chunks(), headers={"Content-Type": content_type})
        assert "content-length" not in answer.request.headers
        _is_problem(answer, 413)
    assert await snapshot(app) == before


async def test_an_unexpected_error_is_a_500_problem_without_the_stack(
    gw: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = gw

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with caplog.at_level(logging.ERROR, logger="gateway.requests"):
        answer = await client.get("/boom", headers={"X-Request-ID": "req-42"})
    body = _is_problem(answer, 500)
    assert body["request_id"] == "req-42"
    assert "hunter2" not in answer.text
    assert "Traceback" not in answer.text
    logged = [record for record in caplog.records if "req-42" in record.getMessage()]
    assert logged and logged[0].exc_info is not None


async def test_a_database_that_refuses_is_a_503_with_retry_after(
    gw: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = gw

    @app.post("/full")
    async def full() -> None:
        # what aiosqlite raises when the disk is full (SQLITE_FULL), wrapped by SQLAlchemy
        raise OperationalError(
            "INSERT INTO orders ...", {}, sqlite3.OperationalError("database or disk is full")
        )

    with caplog.at_level(logging.ERROR, logger="gateway.core.problems"):
        answer = await client.post("/full")
    body = _is_problem(answer, 503)
    assert answer.headers["retry-after"] == "30"
    assert body["type"] == "/problems/database-unavailable"
    assert "rolled back" in str(body["detail"]) and "INSERT" not in answer.text
    assert any("database or disk is full" in record.getMessage() for record in caplog.records)
    health = (await client.get("/health")).json()
    assert health == {"status": "degraded", "database": "refusing requests: database or disk is full"}


async def test_request_ids_are_echoed_or_made_up(gw: Gateway) -> None:
    _app, client = gw
    assert (await client.get("/health", headers={"X-Request-ID": "abc-123"})).headers[
        "x-request-id"
    ] == "abc-123"
    made_up = (await client.get("/health", headers={"X-Request-ID": "evil value<x>"})).headers["x-request-id"]
    assert "evil" not in made_up and len(made_up) == 32
    first = (await client.get("/health")).headers["x-request-id"]
    assert first != (await client.get("/health")).headers["x-request-id"]


async def test_cors_is_closed_by_default(gw: Gateway) -> None:
    _app, client = gw
    preflight = await client.options(
        "/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_cors_allows_the_configured_origins(tmp_path: Path) -> None:
    config = settings(cors_origins=["https://app.example"])
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path, config) as (_app, client):
        allowed = await client.options(
            "/me",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        refused = await client.options(
            "/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in refused.headers
        error = await client.get("/me", headers={"Origin": "https://app.example"})
        assert error.status_code == 401
        assert error.headers["access-control-allow-origin"] == "https://app.example"


async def test_the_openapi_document(gw: Gateway) -> None:
    _app, client = gw
    document = (await client.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["HTTPBasic"]["scheme"] == "basic"
    assert schemes["OAuth2"]["flows"]["password"]["tokenUrl"] == "/auth/token"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["properties"])
    me = document["paths"]["/me"]["get"]
    assert me["security"] == [{"HTTPBearer": []}]
    assert "application/problem+json" in me["responses"]["default"]["content"]
    register = document["paths"]["/auth/register"]["post"]
    assert "application/problem+json" in register["responses"]["422"]["content"]
    token = document["paths"]["/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert document["paths"]["/auth/login"]["post"]["security"] == [{"HTTPBasic": []}]
    for name in ("UserCreate", "TokenResponse", "OAuthError", "ApiClientCreate", "Problem"):
        assert document["components"]["schemas"][name].get("examples"), name
