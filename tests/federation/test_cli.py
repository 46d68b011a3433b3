"""``lso suppliers search`` and ``lso federation ...`` through the same clients, against the service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.federation import app
from federation.dataset import load_dataset
from federation.service.serve import RunningService

runner = CliRunner()


@pytest.fixture
def efpf_env(service: RunningService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSO_EFPF_IDENTITY_URL", f"{service.url}/auth")
    monkeypatch.setenv("LSO_EFPF_REGISTRY_URL", f"{service.url}/apis/sr")
    monkeypatch.setenv("LSO_EFPF_BACKOFF_SECONDS", "0.01")


def test_suppliers_search_prints_a_table(efpf_env: None) -> None:
    result = runner.invoke(
        app,
        [
            "suppliers",
            "search",
            "--process",
            "cnc-milling",
            "--material",
            "titanium",
            "--country",
            "de",
            "--max-results",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["id", "name", "country", "city"]
    assert len(lines) == 5 and lines[-1].startswith("3 of ")
    assert all(" DE " in line and "titanium" in line for line in lines[1:4])


def test_suppliers_search_as_json(efpf_env: None) -> None:
    result = runner.invoke(
        app,
        [
            "suppliers",
            "search",
            "--process",
            "pcb-assembly",
            "--certification",
            "IPC-A-610",
            "--json",
            "--max-results",
            "100",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["total"] == len(body["suppliers"]) > 0
    for supplier in body["suppliers"]:
        assert "IPC-A-610" in supplier["certifications"]
        assert set(supplier["prices"]) == {"pcb-assembly"}


def test_suppliers_search_errors(efpf_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    nothing = runner.invoke(app, ["suppliers", "search", "--process", "forging", "--material", "cheese"])
    assert (nothing.exit_code, nothing.output.strip()) == (0, "No supplier matches.")
    bad_country = runner.invoke(app, ["suppliers", "search", "--country", "Germany"])
    assert bad_country.exit_code == 2 and "country" in bad_country.output
    monkeypatch.setenv("LSO_EFPF_PASSWORD", "wrong")
    refused = runner.invoke(app, ["suppliers", "search", "--process", "welding"])
    assert refused.exit_code == 2
    assert "efpf-bad-credentials" in refused.output


def test_federation_token_and_services(efpf_env: None, service: RunningService) -> None:
    token = runner.invoke(app, ["federation", "token"])
    assert token.exit_code == 0 and token.output.count(".") == 2
    services = runner.invoke(app, ["federation", "services"])
    assert services.exit_code == 0
    assert f"HTTP {service.url}/apis/search" in services.output


def test_federation_dataset_writes_json_and_csv(tmp_path: Path) -> None:
    for name in ("s.json", "s.csv"):
        result = runner.invoke(
            app, ["federation", "dataset", str(tmp_path / name), "--seed", "9", "--count", "12"]
        )
        assert result.exit_code == 0, result.output
    assert load_dataset(tmp_path / "s.json").suppliers == load_dataset(tmp_path / "s.csv").suppliers
