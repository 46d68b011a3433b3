"""The embedded ledger `lso run` starts: its operator is a ParticipantAdmin that acts as no party, its tokens
are verified with the platform's secret, and a configured authentication is left as it is."""

from __future__ import annotations

import json

import pytest

from cli.ledger_process import ledger_environment
from ledger.settings import LedgerSettings

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
