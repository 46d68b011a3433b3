"""The embedded ledger `lso run` starts: its operator is a ParticipantAdmin that acts as no party, its tokens
are verified with the platform's secret, and a configured authentication is left as it is; `lso ledger serve`
by hand does the same."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import pytest

from cli.ledger_process import ledger_environment, platform_ledger_settings
from ledger.identities.tokens import SignedUserTokens, load_or_create_secret
from ledger.settings import LedgerSettings, UserGrant

SECRET = "s" * 43


def test_the_operator_is_participant_admin_only() -> None:
    env = ledger_environment(LedgerSettings(_env_file=None), SECRET, "lso-operator")
    assert env["LSO_LEDGER_AUTH_SECRET"] == SECRET
    assert json.loads(env["LSO_LEDGER_AUTH_USERS"]) == {"lso-operator": {"admin": True}}
    assert "actAsAnyParty" not in env["LSO_LEDGER_AUTH_USERS"]


def test_configured_authentication_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LSO_LEDGER_AUTH_SECRET", raising=False)
    monkeypatch.delenv("LSO_LEDGER_AUTH_USERS", raising=False)
    settings = LedgerSettings(_env_file=None, auth_jwks_url="http://127.0.0.1:1/certs")
    env = ledger_environment(settings, SECRET, "lso-operator")
    assert "LSO_LEDGER_AUTH_SECRET" not in env and "LSO_LEDGER_AUTH_USERS" not in env
    users = LedgerSettings.model_validate({"auth_users": {"ops": {"admin": True}}})
    env = ledger_environment(users, SECRET, "lso-operator")
    assert env["LSO_LEDGER_AUTH_SECRET"] == SECRET
    assert "LSO_LEDGER_AUTH_USERS" not in env, "the configured users are the ledger's own settings"


def test_a_ledger_served_by_hand_verifies_the_platforms_tokens() -> None:
    derived = platform_ledger_settings(LedgerSettings(_env_file=None), SECRET, "lso-operator")
    assert derived.auth_secret is not None and derived.auth_secret.get_secret_value() == SECRET
    assert derived.auth_users == {"lso-operator": UserGrant(admin=True)}
    configured = LedgerSettings(_env_file=None, auth_jwks_url="http://127.0.0.1:1/certs")
    assert platform_ledger_settings(configured, SECRET, "lso-operator") is configured


async def test_lso_ledger_serve_alone_takes_the_tokens_lso_run_mints(tmp_path: Path) -> None:
    """`lso ledger serve` on the data directory of `lso run` starts without any LSO_LEDGER_AUTH_* setting
    and accepts the operator's token minted with the platform's secret, and no other."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_")}
    env |= {"LSO_DATA_DIR": str(tmp_path), "LSO_LEDGER_DATA_DIR": str(tmp_path / "ledger")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli.main",
        "ledger",
        "serve",
        "--json-api-port",
        "0",
        "--no-grpc",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert line, "the ledger did not start"
        url = json.loads(line)["json_api"]
        secret = load_or_create_secret(tmp_path / "ledger-token.secret")
        token = await SignedUserTokens(secret).token("lso-operator")
        forged = await SignedUserTokens("f" * 43).token("lso-operator")
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            ok = await http.get("/v1/parties", headers={"Authorization": f"Bearer {token}"})
            refused = await http.get("/v1/parties", headers={"Authorization": f"Bearer {forged}"})
        assert ok.status_code == 200, ok.text
        assert refused.status_code == 401
    finally:
        process.terminate()
        await process.wait()
