"""The compose way of making accounts, on a real Prosody: `lso xmpp cert` and `lso xmpp init-accounts
--prosody-accounts` write what deploy/prosody/register-accounts.sh registers with the configuration
deploy/prosody/prosody.cfg.lua (paths and ports moved to a temporary directory and loopback); then an agent
logs in with the book's password and verifies the server's certificate against the CA file, as the compose
services do."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from spade.agent import DisconnectedException

from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.ports import LOOPBACK, free_port, wait_for_port
from common.settings import Settings, XmppMode
from tests.xmpp_servers import require_prosody

pytestmark = pytest.mark.prosody

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "lso.test"


def _lso(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, f"lso {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done


def _deploy_config(work: Path, port: int) -> str:
    """deploy/prosody/prosody.cfg.lua with its container paths and ports moved here."""
    text = (ROOT / "deploy" / "prosody" / "prosody.cfg.lua").read_text()
    replacements = {
        'data_path = "/var/lib/prosody"': f'data_path = "{work}/data"',
        'certificates = "/etc/prosody/certs"': f'certificates = "{work}/certs"',
        'pidfile = "/var/run/prosody/prosody.pid"': f'pidfile = "{work}/prosody.pid"',
        'interfaces = { "*" }': f'interfaces = {{ "{LOOPBACK}" }}',
        "c2s_ports = { 5222 }": f"c2s_ports = {{ {port} }}",
        'log = { info = "*console" }': f'log = {{ info = "{work}/prosody.log" }}',
    }
    for old, new in replacements.items():
        assert old in text, f"the deploy configuration no longer has {old!r}"
        text = text.replace(old, new)
    return text


@dataclass
class Deployed:
    env: dict[str, str]
    settings: Settings
    work: Path
    ca_file: Path
    accounts_file: Path
    process: subprocess.Popen[bytes]


def _chown_for_prosody(root: Path) -> None:
    if os.geteuid() != 0:
        return
    account = pwd.getpwnam("prosody")
    for directory, _, filenames in os.walk(root):
        os.chown(directory, account.pw_uid, account.pw_gid)
        for name in filenames:
            os.chown(os.path.join(directory, name), account.pw_uid, account.pw_gid)


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    require_prosody()
    work = Path(tempfile.mkdtemp(prefix="lso-deploy-prosody-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_")}
    env.update(
        LSO_DATA_DIR=str(work / "lso-data"),
        LSO_XMPP_MODE="external",
        LSO_XMPP_DOMAIN=DOMAIN,
        LSO_XMPP_HOST=LOOPBACK,
        LSO_XMPP_PORT=str(port),
        LSO_LOG_LEVEL="WARNING",
    )
    process: subprocess.Popen[bytes] | None = None
    try:
        _lso(
            env,
            "xmpp",
            "cert",
            DOMAIN,
            "--out",
            str(work / "certs"),
            "--key-mode",
            "644",
            "--public-out",
            str(work / "ca"),
        )
        accounts = work / "prosody-accounts" / "accounts.tsv"
        _lso(env, "xmpp", "init-accounts", "--prosody-accounts", str(accounts))
        (work / "data").mkdir()
        config = work / "prosody.cfg.lua"
        config.write_text(_deploy_config(work, port))
        _chown_for_prosody(work / "data")
        _chown_for_prosody(work / "certs")
        if os.geteuid() == 0:
            os.chown(work, pwd.getpwnam("prosody").pw_uid, -1)
        with open(work / "stdout.log", "wb") as output:
            process = subprocess.Popen(
                ["/bin/sh", str(ROOT / "deploy" / "prosody" / "register-accounts.sh")],
                env={
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "PROSODY_CONFIG": str(config),
                    "PROSODY_ACCOUNTS_FILE": str(accounts),
                    "LSO_XMPP_DOMAIN": DOMAIN,
                },
                cwd=work,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = process
        try:
            wait_for_port(LOOPBACK, port, 30.0, alive=lambda: started.poll() is None)
        except (TimeoutError, RuntimeError) as exc:
            pytest.fail(f"Prosody did not start: {exc}\n{_logs(work)}")
        settings = Settings(
            _env_file=None,
            data_dir=work / "lso-data",
            xmpp_mode=XmppMode.EXTERNAL,
            xmpp_domain=DOMAIN,
            xmpp_host=LOOPBACK,
            xmpp_port=port,
            xmpp_verify_tls=True,
            xmpp_ca_file=work / "ca" / f"{DOMAIN}.crt",
            xmpp_connect_timeout=10.0,
            log_level="WARNING",
        )
        yield Deployed(env, settings, work, work / "ca" / f"{DOMAIN}.crt", accounts, process)
    finally:
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(15)
        shutil.rmtree(work, ignore_errors=True)


def _logs(work: Path) -> str:
    parts = []
    for name in ("stdout.log", "prosody.log"):
        path = work / name
        if path.is_file():
            parts.append(path.read_text(errors="replace")[-4000:])
    return "\n".join(parts)


def test_the_accounts_file_is_private_and_lists_every_platform_account(deployed: Deployed) -> None:
    assert stat.S_IMODE(deployed.accounts_file.stat().st_mode) == 0o600
    nodes = [line.split("\t")[0] for line in deployed.accounts_file.read_text().splitlines()]
    expected = {"ping", "matchmaker", "suppliers", "manufacturer", "customers", "console"}
    assert set(nodes) == expected
    assert "register-accounts: 6 accounts" in _logs(deployed.work)


async def test_an_agent_logs_in_with_the_books_password_verifying_the_certificate(deployed: Deployed) -> None:
    agent = PlatformAgent("matchmaker", deployed.settings)
    await agent.start()
    try:
        assert agent.is_alive()
    finally:
        await agent.stop()


async def test_a_server_certificate_the_ca_file_does_not_vouch_for_is_refused(
    deployed: Deployed, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    _lso(deployed.env, "xmpp", "cert", DOMAIN, "--out", str(other))
    settings = deployed.settings.model_copy(
        update={"xmpp_ca_file": other / f"{DOMAIN}.crt", "xmpp_connect_timeout": 5.0}
    )
    agent = PlatformAgent("ping", settings)
    # PlatformAgent lets SPADE's DisconnectedException through here (the stream closes on the TLS error).
    with pytest.raises((ConnectionError, DisconnectedException)):
        await agent.start()
    await agent.stop()


async def test_an_account_the_admin_adds_with_prosodyctl_logs_in(deployed: Deployed) -> None:
    config = str(deployed.work / "prosody.cfg.lua")
    added = _lso(deployed.env, "xmpp", "add-account", "acme-agent", "--prosodyctl-config", config)
    assert "account created" in added.stdout
    agent = PlatformAgent("acme-agent", deployed.settings)
    await agent.start()
    await agent.stop()
    _lso(deployed.env, "xmpp", "remove-account", "acme-agent", "--prosodyctl-config", config)
    again = PlatformAgent("acme-agent", deployed.settings, password="anything-at-all-1")
    with pytest.raises(ConnectionError):
        await again.start()
    await again.stop()
