"""A whole platform (`lso run` in a child process) to attack from outside, on pyjabber or on Prosody.

On pyjabber `lso run` runs its own embedded server. On Prosody it runs in external mode against the session's
Prosody: the admin first makes the platform's accounts (`lso xmpp init-accounts`, then each one on Prosody, as
an admin of that server would), then starts it. Outsiders get accounts the admin's way too (`lso xmpp
add-account`), with or without a binding: they are somebody's agents, just not the platform's.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agents.runtime.prosody import ProsodyServer
from tests.lso_platform import platform_env

STARTUP_TIMEOUT = 90.0


@dataclass
class Platform:
    server: str
    env: dict[str, str]
    data: Path
    log: Path
    prosody: ProsodyServer | None = None
    outsiders: list[str] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['LSO_GATEWAY_PORT']}"

    @property
    def xmpp(self) -> tuple[str, int, str]:
        """Where an outsider connects: host, port, domain."""
        host = self.env.get("LSO_XMPP_HOST", "127.0.0.1")
        return host, int(self.env["LSO_XMPP_PORT"]), self.env.get("LSO_XMPP_DOMAIN", "localhost")

    @property
    def domain(self) -> str:
        return self.xmpp[2]

    @property
    def database(self) -> str:
        return f"sqlite+aiosqlite:///{self.data / 'lso.db'}"

    def lso(self, *args: str, stdin: str | None = None) -> str:
        """`lso ARGS` as the platform's admin; its output (it must succeed)."""
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"lso {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def outsider(self, *, role: str | None = None, party: str | None = None) -> tuple[str, str]:
        """A new account made by the admin (bound to ``party`` in ``role`` when given): JID, password."""
        name = f"outsider-{uuid.uuid4().hex[:8]}"
        password = f"pw-{uuid.uuid4().hex}"
        extra = [] if self.prosody is None else ["--prosodyctl-config", str(self._prosody_config)]
        self.lso("xmpp", "add-account", name, "--password-stdin", *extra, stdin=password + "\n")
        jid = f"{name}@{self.domain}"
        if role is not None:
            self.lso("agents", "bind", jid, "--role", role, "--party", party or "*")
        self.outsiders.append(jid)
        return jid, password

    @property
    def _prosody_config(self) -> Path:
        assert self.prosody is not None and self.prosody.workdir is not None
        return self.prosody.workdir / "prosody.cfg.lua"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_for_banner(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Press Ctrl+C" in text:
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    pytest.fail(
        "lso run printed no banner:\n" + (log.read_text(errors="replace")[-5000:] if log.exists() else "")
    )


@contextlib.contextmanager
def running(root: Path, prosody: ProsodyServer | None = None) -> Iterator[Platform]:
    """`lso run` under ``root`` (on ``prosody`` in external mode when given), its output in a file (never a
    pipe nobody reads: a flood's log lines would fill it and stop the platform)."""
    env = platform_env(root)
    env["LSO_LOG_LEVEL"] = "INFO"
    platform = Platform(
        "pyjabber" if prosody is None else "prosody", env, root / "data", root / "lso-run.log"
    )
    if prosody is not None:
        env.update(
            LSO_XMPP_MODE="external",
            LSO_XMPP_HOST=prosody.host,
            LSO_XMPP_PORT=str(prosody.port),
            LSO_XMPP_DOMAIN=prosody.domain,
        )
        platform.prosody = prosody
        platform.lso("db", "upgrade")
        platform.lso("xmpp", "init-accounts")
        book = json.loads((platform.data / "xmpp-accounts.json").read_text())
        for node, entry in book["accounts"].items():
            prosody.create_account(node, entry["password"])
    with open(platform.log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "run"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_banner(process, platform.log)
        yield platform
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if prosody is not None:
            for node in [*json.loads((platform.data / "xmpp-accounts.json").read_text())["accounts"]]:
                with contextlib.suppress(Exception):
                    prosody.remove_account(node)
