"""``lso gateway add-user`` makes the first admin (not with a password that is easy to guess);
``lso gateway add-client`` a machine client whose secret then works at the token endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gateway.auth_support import bearer, cheap_argon2, gateway

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")

LSO = str(Path(sys.executable).with_name("lso"))


def _lso(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LSO_")}
    env["LSO_DATA_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [LSO, "gateway", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


async def test_first_admin_and_a_machine_client_from_the_command_line(tmp_path: Path) -> None:
    weak = _lso(tmp_path, "add-user", "root@example.org", "--password", "password1234")
    assert weak.returncode != 0
    assert "common password" in weak.stderr
    made = _lso(tmp_path, "add-user", "root@example.org", "--password", "long enough pass")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["role"] == "admin"
    again = _lso(tmp_path, "add-user", "root@example.org", "--password", "long enough pass")
    assert again.returncode != 0
    client = _lso(tmp_path, "add-client", "ERP", "--owner", "root@example.org", "--role", "customer")
    assert client.returncode == 0, client.stderr
    registered = json.loads(client.stdout)
    assert _lso(tmp_path, "add-client", "x", "--owner", "root@example.org", "--role", "admin").returncode != 0

    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'lso.db'}"
    async with gateway(url, tmp_path) as (_app, http):
        login = await http.post(
            "/auth/token",
            data={"grant_type": "password", "username": "root@example.org", "password": "long enough pass"},
        )
        assert login.status_code == 200
        assert (
            await http.get("/auth/clients", headers=bearer(login.json()["access_token"]))
        ).status_code == 200
        machine = await http.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": registered["client_id"],
                "client_secret": registered["client_secret"],
            },
        )
        assert machine.status_code == 200
        me = await http.get("/me", headers=bearer(machine.json()["access_token"]))
        assert me.json()["email"] == "root@example.org"
