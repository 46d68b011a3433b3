"""One local federation service per test session, in its own thread and event loop, on a free
loopback port, with its test controls on: tests switch faults over real HTTP (``control``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings


class Control:
    """The service's ``/_test`` controls, over HTTP."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=10)

    def fault(self, target: str, mode: str = "status", count: int = 1, **fields: Any) -> None:
        response = self.client.post(
            "/_test/faults", json={"target": target, "mode": mode, "count": count, **fields}
        )
        response.raise_for_status()

    def counters(self) -> dict[str, int]:
        counters: dict[str, int] = self.client.get("/_test/counters").raise_for_status().json()
        return counters

    def token_lifetime(self, seconds: int) -> None:
        self.client.put("/_test/token-lifetime", json={"access_seconds": seconds}).raise_for_status()

    def revoke_tokens(self) -> None:
        self.client.post("/_test/revoke-tokens").raise_for_status()

    def reset(self) -> None:
        self.client.post("/_test/reset").raise_for_status()


@pytest.fixture(scope="session")
def service_settings(tmp_path_factory: pytest.TempPathFactory) -> FederationSettings:
    return FederationSettings(
        service_port=0,
        service_data_dir=tmp_path_factory.mktemp("efpf"),
        service_test_controls=True,
    )


@pytest.fixture(scope="session")
def service(service_settings: FederationSettings) -> Iterator[RunningService]:
    with ServiceThread(service_settings) as running:
        yield running


@pytest.fixture(scope="session")
def control(service: RunningService) -> Iterator[Control]:
    control = Control(service.url)
    yield control
    control.client.close()


@pytest.fixture(autouse=True)
def _fresh_service(request: pytest.FixtureRequest) -> None:
    """Tests that use the service start from its initial state."""
    if "service" in request.fixturenames:
        request.getfixturevalue("control").reset()


@pytest.fixture
def settings(service: RunningService, tmp_path: Path) -> FederationSettings:
    """Client settings for the session's service: short timeouts, fast retries."""
    return service.client_settings(
        FederationSettings(
            _env_file=None,
            retries=2,
            backoff_seconds=0.01,
            backoff_max_seconds=0.05,
            timeout_seconds=3.0,
            connect_timeout_seconds=2.0,
            search_page_size=25,
        )
    )
