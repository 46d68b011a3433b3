"""`lso run` starts the whole platform on its embedded defaults and stops cleanly."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings, XmppMode
from ontology.codec import decode
from ontology.common import Ping, Reason
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from tests.agents.probe import Probe
from tests.lso_platform import lso_run
from tests.lso_platform import platform_env as build_platform_env


@pytest.fixture
def platform_env(tmp_path: Path) -> dict[str, str]:
    return build_platform_env(tmp_path)


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


def test_lso_config_masks_the_xmpp_passwords_and_names_retired_settings(platform_env: dict[str, str]) -> None:
    platform_env["LSO_XMPP_PASSWORDS"] = json.dumps({"acme": "very-secret-value"})
    platform_env["LSO_XMPP_PASSWORD"] = "old-shared-value"
    shown = subprocess.run(
        [sys.executable, "-m", "cli.main", "config"], env=platform_env, capture_output=True, text=True
    )
    assert shown.returncode == 0
    assert "very-secret-value" not in shown.stdout + shown.stderr
    assert "old-shared-value" not in shown.stdout + shown.stderr
    assert '"acme": "**********"' in shown.stdout
    assert platform_env["LSO_DATA_DIR"] in shown.stdout
    assert "warning: LSO_XMPP_PASSWORD is set but ignored now" in shown.stderr


def _assert_everything_started(platform_env: dict[str, str], banner: str) -> None:
    """The banner names every server; each answers, and listens on the loopback address only."""
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


def _lso(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_lso_run_starts_everything_and_serves_an_account_the_admin_adds_only_once_it_is_bound(
    platform_env: dict[str, str],
) -> None:
    """`lso run` starts every server on loopback and stops cleanly on SIGTERM (:func:`lso_run`); every account
    of it has its own password in the book (mode 0600, never printed); an account an admin adds logs in at
    once, and the platform's agents serve it only once the store binds it; a restart keeps the accounts."""
    platform_env["LSO_DIRECTORY_TTL_SECONDS"] = "0.2"
    with lso_run(platform_env) as banner:
        _assert_everything_started(platform_env, banner)
        book = Path(platform_env["LSO_DATA_DIR"]) / "xmpp-accounts.json"
        assert f"XMPP accounts {book}" in banner
        assert stat.S_IMODE(book.stat().st_mode) == 0o600
        passwords = {n: a["password"] for n, a in json.loads(book.read_text())["accounts"].items()}
        assert set(passwords) == {
            "ping",
            "matchmaker",
            "suppliers",
            "manufacturer",
            "customers",
            "console",
        }
        assert len(set(passwords.values())) == len(passwords)
        assert not any(password in banner for password in passwords.values())
        bindings = _lso(platform_env, "agents", "bindings")
        assert "customers@localhost" in bindings and "lso run" in bindings

        _lso(platform_env, "xmpp", "add-account", "run-test-client")
        refused = asyncio.run(_ask_over_xmpp(platform_env))
        assert refused["ping"] == (Performative.REFUSE, NOT_AUTHORISED)

        _lso(platform_env, "agents", "bind", "run-test-client", "--role", "platform", "--party", "tests")
        time.sleep(0.5)
        served = asyncio.run(_ask_over_xmpp(platform_env))
        assert served["ping"][0] is Performative.INFORM, served

    with lso_run(platform_env):
        again = {n: a["password"] for n, a in json.loads(book.read_text())["accounts"].items()}
        assert again == {**passwords, "run-test-client": again["run-test-client"]}, "a restart keeps them"


async def _ask_over_xmpp(env: dict[str, str]) -> dict[str, tuple[Performative, str]]:
    """Ping from the account run-test-client: the answer's performative and reason."""
    settings = Settings(
        _env_file=None,
        data_dir=Path(env["LSO_DATA_DIR"]),
        xmpp_mode=XmppMode.EXTERNAL,
        xmpp_port=int(env["LSO_XMPP_PORT"]),
    )
    probe = Probe("run-test-client", settings)
    await probe.start()
    answers: dict[str, tuple[Performative, str]] = {}
    try:
        asks: list[tuple[str, Ping]] = [("ping", Ping(note="hello"))]
        for agent, content in asks:
            conversation = f"run-test-{agent}-{uuid.uuid4().hex[:6]}"
            request = AclMessage.build(
                Performative.REQUEST,
                probe.address,
                f"{agent}@localhost",
                content,
                protocol=ProtocolName.REQUEST,
                conversation_id=conversation,
            )
            probe.send_acl(request)
            answer = await probe.next_message(conversation, wait=30)
            reason = (
                decode(answer.content, Reason).reason if answer.performative is Performative.REFUSE else ""
            )
            answers[agent] = (answer.performative, reason)
    finally:
        await probe.stop()
    return answers


@pytest.mark.prosody
def test_lso_agents_run_on_a_server_without_its_accounts_says_how_to_create_them(
    platform_env: dict[str, str], prosody_settings: Settings
) -> None:
    platform_env.update(
        LSO_XMPP_MODE="external",
        LSO_XMPP_HOST=prosody_settings.xmpp_host,
        LSO_XMPP_PORT=str(prosody_settings.xmpp_port),
        LSO_XMPP_DOMAIN=prosody_settings.xmpp_domain,
        LSO_FEDERATION_LOCAL="false",
        LSO_LEDGER_LOCAL="false",
    )
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "agents", "run"],
        env=platform_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "have a password in" in done.stderr and "not yet an account on the XMPP server" in done.stderr
    assert "lso agents run: the XMPP server" in done.stderr and "refused the login of ping@" in done.stderr
    assert "lso xmpp add-account ping" in done.stderr
    assert "Traceback" not in done.stderr
    book = json.loads((Path(platform_env["LSO_DATA_DIR"]) / "xmpp-accounts.json").read_text())
    assert "customers" not in book["accounts"], "agents run makes no account of the gateway's"
    assert {"ping", "matchmaker", "suppliers", "manufacturer"} <= set(book["accounts"])
