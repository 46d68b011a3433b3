"""Runs a script of Digital Asset's own JSON API client in Node.js, for the ledger tests: ``@daml/ledger``
2.10.4 in ``tests/ledger/daml_client/``, installed by ``make test`` and ``.ci/run`` with ``npm ci``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CLIENT_DIR = Path(__file__).resolve().parent / "daml_client"
#: Seconds a script may run.
SCRIPT_SECONDS = 60.0


@dataclass(frozen=True)
class NodeRun:
    returncode: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict[str, Any]]:
        """The JSON objects the script printed, one a line (other output, such as Node's own rendering of an
        object, is ignored)."""
        found = []
        for line in self.stdout.splitlines():
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    found.append(json.loads(line))
        return found

    def steps(self) -> dict[str, dict[str, Any]]:
        """The printed ``{"step": name, ...}`` objects by name."""
        return {line["step"]: line for line in self.json_lines() if "step" in line}

    def tail(self) -> str:
        """The end of both outputs, for an assertion message."""
        return f"{self.stdout[-3000:]}\n{self.stderr[-3000:]}"


async def run_script(script: str, env: Mapping[str, str]) -> NodeRun:
    """``node <script>`` in ``tests/ledger/daml_client`` with ``env`` added to this process's environment."""
    node = shutil.which("node")
    if node is None or not (CLIENT_DIR / "node_modules" / "@daml" / "ledger").is_dir():
        pytest.fail("node and tests/ledger/daml_client/node_modules are needed (make test runs npm ci)")
    process = await asyncio.create_subprocess_exec(
        node,
        script,
        cwd=CLIENT_DIR,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), SCRIPT_SECONDS)
    assert process.returncode is not None
    return NodeRun(process.returncode, out.decode(), err.decode())
