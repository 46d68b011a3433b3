"""`lso run` starts the whole platform on its embedded defaults and stops cleanly."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core.settings import Settings, XmppMode
from ontology.codec import decode
from ontology.contract import ContractCommitted
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from tests.agents.probe import Probe
from tests.ledger.examples import commit_request
from tests.lso_platform import lso_run
from tests.lso_platform import platform_env as build_platform_env


@pytest.fixture
def platform_env(tmp_path: Path) -> dict[str, str]:
    return build_platform_env(tmp_path)


def test_lso_run_starts_everything_and_stops_on_sigterm(platform_env: dict[str, str]) -> None:
    with lso_run(platform_env) as banner:
        port = platform_env["LSO_GATEWAY_PORT"]
        assert f"http://127.0.0.1:{port}/docs" in banner
        assert f"127.0.0.1:{platform_env['LSO_XMPP_PORT']}" in banner
        assert "ping@localhost" in banner
        assert "matchmaker@localhost" in banner
        federation = f"http://127.0.0.1:{platform_env['LSO_EFPF_SERVICE_PORT']}"
        assert federation in banner
        assert httpx.get(f"{federation}/health", timeout=10).status_code == 200
        assert (Path(platform_env["LSO_DATA_DIR"]) / "lso.db").is_file()
        assert (Path(platform_env["LSO_DATA_DIR"]) / "xmpp" / "certs").is_dir()

        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok"}
        listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
        for line in listening.splitlines():
            if f":{platform_env['LSO_XMPP_PORT']} " in line or f":{port} " in line:
                assert "127.0.0.1:" in line, f"listens beyond loopback: {line}"


def test_lso_db_upgrade_then_current(platform_env: dict[str, str]) -> None:
    upgrade = subprocess.run(
        [sys.executable, "-m", "cli.main", "db", "upgrade"], env=platform_env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    current = subprocess.run(
        [sys.executable, "-m", "cli.main", "db", "current"], env=platform_env, capture_output=True, text=True
    )
    assert current.returncode == 0
    revision = current.stdout.strip()
    assert revision and revision in upgrade.stdout
    assert "empty database" not in revision


def test_lso_config_masks_the_xmpp_password(platform_env: dict[str, str]) -> None:
    platform_env["LSO_XMPP_PASSWORD"] = "very-secret-value"
    shown = subprocess.run(
        [sys.executable, "-m", "cli.main", "config"], env=platform_env, capture_output=True, text=True
    )
    assert shown.returncode == 0
    assert "very-secret-value" not in shown.stdout
    assert platform_env["LSO_DATA_DIR"] in shown.stdout


def test_lso_run_commits_an_agreement_through_its_contract_agent(platform_env: dict[str, str]) -> None:
    """The wiring of `lso run`: identity provider -> ledger auth (JWKS) -> contract agent over XMPP."""
    with lso_run(platform_env) as banner:
        assert "contract@localhost" in banner
        assert f"http://127.0.0.1:{platform_env['LSO_LEDGER_JSON_API_PORT']}" in banner
        reply = asyncio.run(_commit_over_xmpp(platform_env))
        assert reply.performative is Performative.INFORM, reply.content
        committed = decode(reply.content, ContractCommitted)
        assert committed.order_contract_id


async def _commit_over_xmpp(env: dict[str, str]) -> AclMessage:
    settings = Settings(
        _env_file=None,
        data_dir=Path(env["LSO_DATA_DIR"]),
        xmpp_mode=XmppMode.EXTERNAL,
        xmpp_port=int(env["LSO_XMPP_PORT"]),
    )
    probe = Probe("run-test-client", settings)
    await probe.start()
    try:
        request = AclMessage.build(
            Performative.REQUEST,
            probe.address,
            "contract@localhost",
            commit_request(),
            protocol=ProtocolName.REQUEST,
            conversation_id="run-test-commit",
        )
        probe.send_acl(request)
        first = await probe.next_message("run-test-commit", wait=30)
        assert first.performative is Performative.AGREE, first.content
        return await probe.next_message("run-test-commit", wait=60)
    finally:
        await probe.stop()
