"""TLS verification is on by default: a self-signed service is refused unless its CA is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from agents.runtime.certs import write_self_signed
from federation.errors import FederationUnavailable
from federation.matchmaking import EfpfMatchmaker
from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings
from ontology.matchmaking import FindSuppliers
from ontology.process import ProcessKind
from ontology.product import RequiredPart


@pytest.fixture(scope="module")
def tls_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningService, Path]]:
    directory = tmp_path_factory.mktemp("efpf-tls")
    cert, key = directory / "localhost.crt", directory / "localhost.key"
    write_self_signed(cert, key, "localhost")
    settings = FederationSettings(
        _env_file=None,
        service_port=0,
        service_data_dir=directory,
        service_tls_cert=cert,
        service_tls_key=key,
    )
    with ServiceThread(settings) as running:
        yield running, cert


async def test_https_with_an_untrusted_certificate_is_refused(
    tls_service: tuple[RunningService, Path],
) -> None:
    running, _ = tls_service
    assert running.url.startswith("https://127.0.0.1:")
    settings = running.client_settings(FederationSettings(_env_file=None, retries=3))
    async with EfpfMatchmaker(settings) as matchmaker:
        with pytest.raises(FederationUnavailable, match="TLS verification failed"):
            await matchmaker.search_base_url()


async def test_https_with_the_ca_bundle(tls_service: tuple[RunningService, Path]) -> None:
    running, cert = tls_service
    settings = running.client_settings(FederationSettings(_env_file=None, ca_bundle=cert))
    request = FindSuppliers(
        order_id=uuid4(), parts=(RequiredPart(part_id="p", process=ProcessKind.WOODWORKING),)
    )
    async with EfpfMatchmaker(settings) as matchmaker:
        assert (await matchmaker.search_base_url()).startswith("https://")
        assert (await matchmaker.find_suppliers(request)).for_part("p")
