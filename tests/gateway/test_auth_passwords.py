"""New passwords must be hard to guess (zxcvbn, with the person's e-mail address and name and the
platform's words counted as known): registration and admin-created users refuse weak ones with a 422
problem saying why in words, and store nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.core.password_policy import WeakPassword, check_new_password
from store.enums import UserRole
from tests.gateway.auth_support import cheap_argon2, gateway, login_as, password_token, settings, snapshot

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")

WEAK = [
    ("password1234", "common"),
    ("qwertyuiop", "common"),
    ("carla@example.org", "e-mail address or your name"),
    ("CARLA@example.org!", "e-mail address or your name"),
    ("Carla Carla Carla", "repeat"),
    ("lotsizeone2024", "guess"),
]


def _body(password: str, **more: str) -> dict[str, str]:
    return {"email": "carla@example.org", "password": password, "display_name": "Carla", **more}


@pytest.mark.parametrize(("password", "said"), WEAK, ids=[password for password, _ in WEAK])
def test_guessable_passwords_are_refused_in_words(password: str, said: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_new_password(password, email="carla@example.org", display_name="Carla", min_score=3)
    message = str(refused.value)
    assert said in message.lower()
    assert message[0].isupper() and message.endswith(".")


async def test_registration_refuses_weak_passwords_and_accepts_a_strong_one(tmp_path: Path) -> None:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as (app, client):
        before = await snapshot(app)
        for password in ("password1234", "carla@example.org"):
            refused = await client.post("/auth/register", json=_body(password))
            assert refused.status_code == 422, refused.text
            problem = refused.json()
            assert refused.headers["content-type"] == "application/problem+json"
            assert problem["type"] == "/problems/weak-password"
            assert problem["title"] == "Password too easy to guess"
            assert "Add another word or two" in problem["detail"]
        short = await client.post("/auth/register", json=_body("Xk9#mQ2!"))
        assert short.status_code == 422
        assert short.json()["errors"][0]["field"] == "body.password"
        assert await snapshot(app) == before

        created = await client.post("/auth/register", json=_body("violet tugboat orchestra"))
        assert created.status_code == 201, created.text
        assert await password_token(client, "carla@example.org", "violet tugboat orchestra")


async def test_admins_create_users_under_the_same_policy(tmp_path: Path) -> None:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as (app, client):
        admin = await login_as(app, client, "root@example.org", UserRole.ADMIN)
        body = {**_body("12345678901"), "role": "manufacturer"}
        refused = await client.post("/auth/users", json=body, headers=admin)
        assert refused.status_code == 422
        assert refused.json()["type"] == "/problems/weak-password"
        body["password"] = "violet tugboat orchestra"
        assert (await client.post("/auth/users", json=body, headers=admin)).status_code == 201


async def test_the_least_score_is_a_setting(tmp_path: Path) -> None:
    fair = "a-long-password"  # zxcvbn scores it 3 of 4
    strict = settings(password_min_score=4)
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path, strict) as (_app, client):
        assert (await client.post("/auth/register", json=_body(fair))).status_code == 422
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as (_app, client):
        assert (await client.post("/auth/register", json=_body(fair))).status_code == 201
