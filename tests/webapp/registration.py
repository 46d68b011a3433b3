"""People of a browser test's own gateway, registered over its HTTP API."""

from __future__ import annotations

import httpx

from tests.webapp.browser import Account


def register(base: str, account: Account, role: str, display_name: str) -> tuple[str, dict[str, str]]:
    """Register ``account`` as ``role`` with the gateway at ``base`` and log it in: its user id and the
    headers that authenticate it."""
    body = {"email": account.email, "password": account.password, "display_name": display_name, "role": role}
    registered = httpx.post(f"{base}/auth/register", json=body, timeout=10)
    assert registered.status_code == 201, registered.text
    token = httpx.post(
        f"{base}/auth/token",
        data={"grant_type": "password", "username": account.email, "password": account.password},
        timeout=10,
    )
    assert token.status_code == 200, token.text
    return str(registered.json()["id"]), {"Authorization": f"Bearer {token.json()['access_token']}"}
