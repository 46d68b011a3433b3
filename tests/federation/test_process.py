"""The local federation service as its own OS process: ``python -m federation.service`` and
``lso federation serve`` (via ``python -m cli.federation``), reached by the real clients, stopped
by SIGTERM, listening on loopback only."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from federation.matchmaking import EfpfMatchmaker
from federation.settings import FederationSettings
from ontology.matchmaking import FindSuppliers
from ontology.process import ProcessKind
from ontology.product import RequiredPart

STARTUP_TIMEOUT = 30.0


async def _start(args: list[str], marker: str, data_dir: Path) -> tuple[asyncio.subprocess.Process, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSO_")}
    env["LSO_EFPF_SERVICE_DATA_DIR"] = str(data_dir)
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while True:
                line = (await process.stdout.readline()).decode()
                if not line:
                    pytest.fail(f"{args} exited with {await process.wait()} before it was ready")
                if marker in line:
                    return process, line.split(marker, 1)[1].strip()
    except BaseException:
        process.kill()
        await process.wait()
        raise


async def _stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                return await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
    return process.returncode


def _listens_on_loopback_only(port: str) -> None:
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    lines = [line for line in listening.splitlines() if f":{port} " in line]
    assert lines, f"nothing listens on port {port}"
    for line in lines:
        assert "127.0.0.1:" in line, f"listens beyond loopback: {line}"


@pytest.mark.parametrize(
    ("args", "marker"),
    [
        (["-m", "federation.service", "--port", "0"], "READY "),
        (["-m", "cli.federation", "federation", "serve", "--port", "0"], "Local EFPF federation service at "),
    ],
    ids=["python-m-federation.service", "lso-federation-serve"],
)
async def test_the_service_runs_as_its_own_process(args: list[str], marker: str, tmp_path: Path) -> None:
    process, url = await _start(args, marker, tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:")
        _listens_on_loopback_only(url.rsplit(":", 1)[1])
        settings = FederationSettings(
            _env_file=None, identity_url=f"{url}/auth", registry_url=f"{url}/apis/sr"
        )
        part = RequiredPart(part_id="p", process=ProcessKind.LASER_CUTTING, material="steel")
        async with EfpfMatchmaker(settings) as matchmaker:
            result = await matchmaker.find_suppliers(FindSuppliers(order_id=uuid4(), parts=(part,)))
        assert result.for_part("p")
        assert (tmp_path / "efpf-signing-key.pem").stat().st_mode & 0o777 == 0o600
    finally:
        code = await _stop(process)
    assert code == 0
