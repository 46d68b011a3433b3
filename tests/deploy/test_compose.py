"""docker-compose.yml cannot run here (no Docker engine): check that it agrees with the code.

(tests/deploy/test_prosody_accounts.py runs its Prosody configuration and account registration for real.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import RETIRED_SETTINGS, app
from common.settings import Settings
from federation.settings import FederationSettings
from ledger.settings import LedgerSettings

ROOT = Path(__file__).resolve().parents[2]
PROSODY_CONFIG = (ROOT / "deploy" / "prosody" / "prosody.cfg.lua").read_text()
DATA_DIR = "/var/lib/lso"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _lua_list(name: str) -> list[str]:
    found = re.search(rf"^{name}\s*=\s*\{{([^}}]*)\}}", PROSODY_CONFIG, re.MULTILINE)
    assert found, f"prosody.cfg.lua sets no {name}"
    return re.findall(r'"([^"]+)"', found.group(1))


def _volumes(service: dict[str, Any]) -> dict[str, str]:
    """The service's volumes: mount point -> source (with ':ro' kept on the source)."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *mode = volume.split(":")
        mounts[target] = source + (f":{mode[0]}" if mode else "")
    return mounts


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


def test_every_lso_command_in_compose_exists_with_its_options(compose: dict[str, Any]) -> None:
    runner = CliRunner()
    for name, service in compose["services"].items():
        if "build" not in service or "command" not in service:
            continue
        words = [w for w in service["command"] if not w.startswith("-") and "$" not in w]
        result = runner.invoke(app, [*words[:2], "--help"], terminal_width=300)
        assert result.exit_code == 0, f"{name}: lso {' '.join(words[:2])} is not a command: {result.output}"
        for option in (w for w in service["command"] if w.startswith("--")):
            assert option in result.output, f"{name}: lso {' '.join(words[:2])} has no option {option}"


def test_every_lso_variable_in_compose_is_a_setting(compose: dict[str, Any]) -> None:
    known = {f"LSO_{field.upper()}" for field in Settings.model_fields}
    known |= {f"LSO_LEDGER_{field.upper()}" for field in LedgerSettings.model_fields}
    known |= {f"LSO_EFPF_{field.upper()}" for field in FederationSettings.model_fields}
    used = set(re.findall(r"\b(LSO_[A-Z_]+)\b", (ROOT / "docker-compose.yml").read_text()))
    assert used, "compose configures the platform through LSO_ variables"
    assert used <= known, f"unknown settings: {sorted(used - known)}"
    assert not used & set(RETIRED_SETTINGS), "compose sets a retired setting"


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


def test_prosody_lets_no_client_register_and_bounds_stanzas() -> None:
    assert "register" not in _lua_list("modules_enabled")
    assert "register" in _lua_list("modules_disabled")
    assert re.search(r"^allow_registration\s*=\s*false\s*$", PROSODY_CONFIG, re.MULTILINE)
    assert not re.search(r"^allow_registration\s*=\s*true", PROSODY_CONFIG, re.MULTILINE)
    assert re.search(r"^c2s_stanza_size_limit\s*=\s*262144\s*$", PROSODY_CONFIG, re.MULTILINE)
    assert re.search(r"^c2s_require_encryption\s*=\s*true\s*$", PROSODY_CONFIG, re.MULTILINE)
    assert Settings().acl_max_message_bytes < 262144


def test_no_password_is_given_by_compose(compose: dict[str, Any]) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "LSO_XMPP_PASSWORD" not in text
    for name, service in compose["services"].items():
        for variable in service.get("environment", {}) or {}:
            assert not variable.startswith("LSO_XMPP_PASSWORD"), (name, variable)


def test_an_accounts_service_makes_every_account_before_prosody_starts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    accounts = services["xmpp-accounts"]
    assert "build" in accounts
    command = accounts["command"]
    assert command[:2] == ["xmpp", "init-accounts"]
    tsv = command[command.index("--prosody-accounts") + 1]
    assert accounts["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert accounts["environment"] == services["agents"]["environment"]
    mounts = _volumes(accounts)
    assert mounts[DATA_DIR] == "lso-data"
    shared = next(target for target in mounts if tsv.startswith(f"{target}/"))

    prosody = services["prosody"]
    assert prosody["depends_on"]["xmpp-accounts"]["condition"] == "service_completed_successfully"
    assert prosody["depends_on"]["xmpp-cert"]["condition"] == "service_completed_successfully"
    prosody_mounts = _volumes(prosody)
    assert prosody_mounts[shared] == f"{mounts[shared]}:ro"
    assert prosody["environment"]["PROSODY_ACCOUNTS_FILE"] == tsv
    script = prosody["entrypoint"][-1]
    assert prosody_mounts[script] == "./deploy/prosody/register-accounts.sh:ro"
    text = (ROOT / "deploy" / "prosody" / "register-accounts.sh").read_text()
    assert "prosodyctl --config" in text and "register" in text
    assert re.search(r"^exec .*prosody --config \"\$config\" -F$", text, re.MULTILINE)
    assert prosody_mounts["/etc/prosody/prosody.cfg.lua"] == "./deploy/prosody/prosody.cfg.lua:ro"
    for service in ("agents", "gateway"):
        assert services[service]["depends_on"]["prosody"]["condition"] == "service_healthy"


def test_the_agents_and_the_gateway_share_the_account_book(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"LSO_DATA_DIR={DATA_DIR}" in dockerfile
    for name in ("agents", "gateway", "xmpp-accounts"):
        service = compose["services"][name]
        assert "LSO_DATA_DIR" not in service["environment"]
        assert "LSO_XMPP_ACCOUNTS_FILE" not in service["environment"]
        assert _volumes(service)[DATA_DIR] == "lso-data", name
    assert "lso-data" in compose["volumes"]


def test_production_verifies_the_xmpp_servers_certificate(compose: dict[str, Any]) -> None:
    services = compose["services"]
    cert = services["xmpp-cert"]
    domain = "${LSO_XMPP_DOMAIN:-lso.local}"
    assert cert["command"][:3] == ["xmpp", "cert", domain]
    written = cert["command"][cert["command"].index("--public-out") + 1]
    public_volume = _volumes(cert)[written]
    key_dir = cert["command"][cert["command"].index("--out") + 1]
    assert _volumes(services["prosody"])["/etc/prosody/certs"] == f"{_volumes(cert)[key_dir]}:ro"
    for name in ("agents", "gateway"):
        env = services[name]["environment"]
        assert env["LSO_XMPP_VERIFY_TLS"] == "true", name
        ca_file = Path(env["LSO_XMPP_CA_FILE"])
        assert ca_file.name == f"{domain}.crt"
        mounts = _volumes(services[name])
        assert mounts[str(ca_file.parent)] == f"{public_volume}:ro", name
        assert _volumes(cert)[key_dir] not in {m.split(":")[0] for m in mounts.values()}, "the key stays"


def test_the_image_holds_every_package_of_the_distribution() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]]
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE))
    assert set(packages) <= copied, f"the Dockerfile does not copy {sorted(set(packages) - copied)}"
    assert re.search(r"mkdir -p [^&]*/prosody-accounts", dockerfile), "the accounts file's directory"
