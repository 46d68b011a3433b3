"""docker-compose.yml cannot run here (no Docker engine): check that it agrees with the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings
from federation.settings import FederationSettings
from ledger.settings import LedgerSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_every_service_has_an_image_or_a_build(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").is_file()


def test_production_parts_are_present(compose: dict[str, Any]) -> None:
    images = {s.get("image", "").split(":")[0] for s in compose["services"].values()}
    assert {"postgres", "prosody/prosody"} <= images
    commands = [tuple(s.get("command", ())) for s in compose["services"].values()]
    assert ("agents", "run") in commands
    assert ("gateway", "serve") in commands


def test_every_lso_command_in_compose_exists(compose: dict[str, Any]) -> None:
    runner = CliRunner()
    for name, service in compose["services"].items():
        if "build" not in service or "command" not in service:
            continue
        words = [w for w in service["command"] if not w.startswith("-") and "$" not in w]
        result = runner.invoke(app, [*words[:2], "--help"])
        assert result.exit_code == 0, f"{name}: lso {' '.join(words[:2])} is not a command: {result.output}"


def test_every_lso_variable_in_compose_is_a_setting(compose: dict[str, Any]) -> None:
    known = {f"LSO_{field.upper()}" for field in Settings.model_fields}
    known |= {f"LSO_LEDGER_{field.upper()}" for field in LedgerSettings.model_fields}
    known |= {f"LSO_EFPF_{field.upper()}" for field in FederationSettings.model_fields}
    used = set(re.findall(r"\b(LSO_[A-Z_]+)\b", (ROOT / "docker-compose.yml").read_text()))
    assert used, "compose configures the platform through LSO_ variables"
    assert used <= known, f"unknown settings: {sorted(used - known)}"


def test_compose_runs_a_daml_sandbox_built_from_the_model(compose: dict[str, Any]) -> None:
    services = compose["services"]
    build = services["daml-build"]
    assert "./ledger/daml:/model:ro" in build["volumes"]
    assert (ROOT / "ledger" / "daml" / "daml.yaml").is_file()
    assert "daml build" in " ".join(build["command"])
    assert "--dar" in services["sandbox"]["command"]
    env = services["agents"]["environment"]
    assert env["LSO_LEDGER_LOCAL"] == "false"
    assert env["LSO_LEDGER_JSON_API_URL"] == "http://json-api:7575"
    assert "7575" in services["json-api"]["command"]


def test_compose_configures_postgres_and_external_xmpp(compose: dict[str, Any]) -> None:
    env = compose["services"]["agents"]["environment"]
    assert env["LSO_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert env["LSO_XMPP_MODE"] == "external"
    assert env["LSO_XMPP_HOST"] == "prosody"
