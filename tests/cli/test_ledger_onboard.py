"""`lso ledger onboard | identities` against a real embedded ledger over HTTP, with the operator token minted
from the data directory's ledger secret (as `lso run` keeps it), or given by LSO_LEDGER_OPERATOR_TOKEN."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.identities import SignedUserTokens
from ledger.identities.tokens import load_or_create_secret
from ledger.testing import LedgerProcess
from tests.cli.conftest import Lso

LEDGER_ID = "lso-onboard-cli-test"
FINGERPRINT = "1220" + hashlib.sha256(LEDGER_ID.encode()).hexdigest()


@pytest.fixture
def ledger(lso_env: dict[str, str], tmp_path: Path) -> Iterator[LedgerProcess]:
    """The embedded ledger as `lso run` starts it: the data dir's secret, the operator ParticipantAdmin."""
    secret = load_or_create_secret(Path(lso_env["LSO_DATA_DIR"]) / "ledger-token.secret")
    env = {
        "LSO_LEDGER_AUTH_USERS": json.dumps({"lso-operator": {"admin": True}}),
        "LSO_LEDGER_PARTY_IDS": "canton",
        "LSO_LEDGER_LEDGER_ID": LEDGER_ID,
    }
    with LedgerProcess(tmp_path / "ledger", secret=secret, env=env, grpc=False) as process:
        lso_env["LSO_LEDGER_JSON_API_URL"] = process.info.json_api
        lso_env["LSO_LEDGER_CLIENT_RETRIES"] = "1"
        yield process


def test_onboard_then_list(lso: Lso, ledger: LedgerProcess) -> None:
    out = lso(
        "ledger", "onboard", "--role", "supplier", "--id", "SUP-0001", "--name", "Sandberg Laser AB"
    ).output
    party = f"supplier-SUP-0001::{FINGERPRINT}"
    assert re.search(
        rf"supplier SUP-0001: ledger party {re.escape(party)}, ledger user lso-supplier-sup-0001-", out
    )
    assert lso("ledger", "onboard", "--role", "supplier", "--id", "SUP-0001").output == out, "idempotent"

    listed = lso("ledger", "identities").output.splitlines()
    assert listed[0].split() == ["ROLE", "PLATFORM", "ID", "LEDGER", "PARTY", "LEDGER", "USER", "NAME"]
    assert listed[1].split()[:3] == ["supplier", "SUP-0001", party]
    assert listed[1].endswith("Sandberg Laser AB")
    assert lso("ledger", "identities", "--role", "customer").output.strip() == "no ledger identities"


def test_without_an_operator_token_nothing_is_onboarded(lso: Lso, lso_env: dict[str, str]) -> None:
    lso_env["LSO_LEDGER_JSON_API_URL"] = "http://127.0.0.1:9"
    result = lso("ledger", "onboard", "--role", "customer", "--id", "c-1", ok=False)
    assert result.exit_code == 1
    assert "no operator token" in result.output and "LSO_LEDGER_OPERATOR_TOKEN" in result.output


def test_a_party_token_cannot_onboard(lso: Lso, lso_env: dict[str, str], ledger: LedgerProcess) -> None:
    lso("ledger", "onboard", "--role", "manufacturer", "--id", "m-1")
    secret = load_or_create_secret(Path(lso_env["LSO_DATA_DIR"]) / "ledger-token.secret")
    party_token = asyncio.run(SignedUserTokens(secret).token("lso-manufacturer-m-1"))
    lso_env["LSO_LEDGER_OPERATOR_TOKEN"] = party_token
    result = lso("ledger", "onboard", "--role", "customer", "--id", "c-2", ok=False)
    assert result.exit_code == 1
    assert "not onboarded" in result.output and "403" in result.output
