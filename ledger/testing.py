"""Test harness: the embedded ledger as a subprocess (free loopback ports kept across restarts, its own data
dir, started until ready, stopped by PID) and development tokens.

    with LedgerProcess(tmp_path, secret="s3cret") as ledger:      # or: await ledger.astart() / astop()
        ledger.info.json_api, ledger.info.grpc                   # "http://127.0.0.1:PORT", "127.0.0.1:PORT"
        token = hs256_token("s3cret", act_as=["Alice"], admin=True, ledger_id=ledger.info.ledger_id)
        ledger.stop(); ledger.start()                            # same ports, same data: a restart
        ledger.kill()                                            # a crash (SIGKILL)
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jwt

from ledger.grpc.auth import V1_NAMESPACE
from ledger.server import ServerInfo

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def hs256_token(
    secret: str,
    *,
    act_as: Iterable[str] = (),
    read_as: Iterable[str] = (),
    admin: bool = False,
    ledger_id: str | None = None,
    application_id: str = "lso-tests",
    expires_in: float = 3600.0,
) -> str:
    """A 1.x ``https://daml.com/ledger-api`` token signed HS256 with ``secret``."""
    return claims_token(
        secret,
        "HS256",
        act_as=act_as,
        read_as=read_as,
        admin=admin,
        ledger_id=ledger_id,
        application_id=application_id,
        expires_in=expires_in,
    )


def claims_token(
    key: Any,
    algorithm: str,
    *,
    act_as: Iterable[str] = (),
    read_as: Iterable[str] = (),
    admin: bool = False,
    ledger_id: str | None = None,
    application_id: str = "lso-tests",
    expires_in: float = 3600.0,
    headers: Mapping[str, Any] | None = None,
) -> str:
    claims: dict[str, Any] = {
        "actAs": list(act_as),
        "readAs": list(read_as),
        "admin": admin,
        "applicationId": application_id,
    }
    if ledger_id is not None:
        claims["ledgerId"] = ledger_id
    payload = {V1_NAMESPACE: claims, "exp": int(time.time() + expires_in), "sub": application_id}
    return jwt.encode(payload, key, algorithm=algorithm, headers=dict(headers) if headers else None)


class LedgerProcess:
    """``python -m ledger`` in a subprocess with its data under ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        secret: str | None = None,
        env: Mapping[str, str] | None = None,
        grpc: bool = True,
        database_url: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.json_port = free_port()
        self.grpc_port = free_port()
        self.env = {
            "LSO_LEDGER_DATA_DIR": str(data_dir),
            "LSO_LEDGER_HOST": "127.0.0.1",
            "LSO_LEDGER_JSON_API_PORT": str(self.json_port),
            "LSO_LEDGER_GRPC_PORT": str(self.grpc_port),
            "LSO_LEDGER_GRPC_ENABLED": "true" if grpc else "false",
            "LSO_LEDGER_LEDGER_ID": "lso-test-ledger",
        }
        if database_url:
            self.env["LSO_LEDGER_DATABASE_URL"] = database_url
        if secret is None:
            self.env["LSO_LEDGER_AUTH_DISABLED"] = "true"
        else:
            self.env["LSO_LEDGER_AUTH_SECRET"] = secret
        self.env.update(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self._info: ServerInfo | None = None

    @property
    def info(self) -> ServerInfo:
        if self._info is None:
            raise RuntimeError("the ledger has not been started")
        return self._info

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0) -> ServerInfo:
        if self.running:
            return self.info
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_LEDGER_")}
        env.update(self.env)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
        log = (self.data_dir / "ledger.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ledger"], stdout=subprocess.PIPE, stderr=log, env=env, cwd=REPO_ROOT
        )
        log.close()
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                self._reap()
                tail = (self.data_dir / "ledger.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the ledger did not start within {timeout} s:\n{tail}")
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 0.2))
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                line += chunk
        self._info = ServerInfo(**json.loads(line.decode().splitlines()[0]))
        return self._info

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM by PID, then SIGKILL if it does not stop within ``timeout``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        self._reap()

    def kill(self) -> None:
        """SIGKILL by PID: a crash."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            if self.process.stdout is not None:
                self.process.stdout.close()
        self.process = None

    async def astart(self, timeout: float = 30.0) -> ServerInfo:  # noqa: ASYNC109
        return await asyncio.to_thread(self.start, timeout)

    async def astop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await asyncio.to_thread(self.stop, timeout)

    def __enter__(self) -> LedgerProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
