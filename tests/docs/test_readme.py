"""The README stays true: it documents every command of `lso` and every configuration variable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from cli.main import app
from core.settings import Settings
from federation.settings import FederationSettings
from gateway.core.config import GatewaySettings
from ledger.settings import LedgerSettings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[str]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        paths: list[str] = []
        for name, sub in subcommands.items():
            paths += _command_paths(sub, (*prefix, name))
        return paths
    return [" ".join(prefix)]


def test_the_two_commands_come_first() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block


def test_every_cli_command_is_documented() -> None:
    paths = _command_paths(typer.main.get_command(app))
    assert "run" in paths
    missing = [p for p in paths if f"lso {p}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(LSO_[A-Z0-9_]+)`", README))
    settings = {f"LSO_{name.upper()}" for name in Settings.model_fields}
    settings |= {f"LSO_EFPF_{name.upper()}" for name in FederationSettings.model_fields}
    settings |= {f"LSO_LEDGER_{name.upper()}" for name in LedgerSettings.model_fields}
    settings |= {f"LSO_GATEWAY_{name.upper()}" for name in GatewaySettings.model_fields}
    assert settings <= documented, f"undocumented: {sorted(settings - documented)}"
