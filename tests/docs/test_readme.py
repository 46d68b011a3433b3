"""The README stays true: it documents every command of `lso` and every configuration variable."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from pydantic_settings import BaseSettings

from agents.supplier_proxy.settings import SupplierProxySettings
from cli.main import RETIRED_SETTINGS, app
from common.settings import Settings
from federation.settings import FederationSettings
from gateway.bridge.settings import BridgeSettings
from gateway.core.config import GatewaySettings
from ledger.settings import LedgerSettings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()

SETTINGS: dict[str, type[BaseSettings]] = {
    "LSO_": Settings,
    "LSO_EFPF_": FederationSettings,
    "LSO_LEDGER_": LedgerSettings,
    "LSO_GATEWAY_": GatewaySettings,
    "LSO_BRIDGE_": BridgeSettings,
    "LSO_SUPPLIERS_": SupplierProxySettings,
}
ROW = re.compile(r"^\| `(LSO_[A-Z0-9_]+)` \| `([^`]*)` \| (.*) \|$", re.MULTILINE)


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> list[str]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        paths: list[str] = []
        for name, sub in subcommands.items():
            paths += _command_paths(sub, (*prefix, name))
        return paths
    return [" ".join(prefix)]


def _variables() -> dict[str, tuple[type[BaseSettings], str]]:
    return {
        f"{prefix}{name.upper()}": (model, name)
        for prefix, model in SETTINGS.items()
        for name in model.model_fields
    }


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
    settings = set(_variables())
    assert settings <= documented, f"undocumented: {sorted(settings - documented)}"


def test_every_configuration_row_is_a_setting() -> None:
    rows = [match.group(1) for match in ROW.finditer(README)]
    assert len(rows) >= len(Settings.model_fields)
    unknown = sorted(set(rows) - set(_variables()))
    assert not unknown, f"README documents settings that do not exist: {unknown}"
    assert len(rows) == len(set(rows)), "a setting is documented twice"


@pytest.mark.parametrize("model", [Settings, SupplierProxySettings], ids=lambda m: m.__name__)
def test_the_rows_of_the_platform_and_supplier_settings_are_their_fields(model: type[BaseSettings]) -> None:
    """Those two tables are generated from the fields' defaults and descriptions: they must agree."""
    rows = {match.group(1): (match.group(2), match.group(3)) for match in ROW.finditer(README)}
    for variable, (owner, name) in _variables().items():
        if owner is not model:
            continue
        field = model.model_fields[name]
        default = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
        shown = "unset" if default is None else str(getattr(default, "value", default))
        assert rows[variable] == (shown, field.description), variable


def test_retired_settings_and_default_passwords_are_gone() -> None:
    rows = {match.group(1) for match in ROW.finditer(README)}
    assert not rows & set(RETIRED_SETTINGS)
    assert "lso-agent-secret" not in README
    for line in README.splitlines():
        if "XMPP" in line or "xmpp" in line:
            assert not re.search(r"default (XMPP )?password", line, re.IGNORECASE) or "no default" in line


def test_who_may_speak_for_whom_is_explained_and_links_the_wire_document() -> None:
    section = README.split("## Who may speak for whom", 1)[1].split("\n## ", 1)[0]
    assert "(docs/wire.md)" in section and (ROOT / "docs" / "wire.md").is_file()
    for words in (
        "lso agents bind",
        "lso xmpp add-account",
        "not-authorised",
        "too-many-requests",
        "message-too-large",
        "capacity-share",
        "LSO_XMPP_PASSWORDS",
        "LSO_DIRECTORY_TTL_SECONDS",
    ):
        assert words in section, words
