"""Register, log in with the password grant, and call a protected route with the token."""

from __future__ import annotations

import httpx

from tests.gateway.conftest import register_and_login


async def test_a_registered_user_logs_in_and_reads_itself(client: httpx.AsyncClient) -> None:
    headers = await register_and_login(client, "ada@example.org", role="manufacturer")
    me = await client.get("/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.org"
    assert me.json()["role"] == "manufacturer"


async def test_a_wrong_password_gets_no_token(client: httpx.AsyncClient) -> None:
    await register_and_login(client, "bob@example.org")
    login = await client.post(
        "/auth/token", data={"grant_type": "password", "username": "bob@example.org", "password": "wrong one"}
    )
    assert login.status_code == 400  # RFC 6749 section 5.2: invalid_grant
    assert login.json()["error"] == "invalid_grant"
    assert "access_token" not in login.json()


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/me")).status_code == 401
    bad = await client.get("/me", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401


async def test_an_e_mail_registers_once(client: httpx.AsyncClient) -> None:
    await register_and_login(client, "eve@example.org")
    again = await client.post(
        "/auth/register",
        json={
            "email": "EVE@example.org",
            "password": "violet tugboat orchestra",
            "display_name": "Eve",
            "role": "customer",
        },
    )
    assert again.status_code == 409
