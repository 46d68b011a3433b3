"""The contract agent deploys the model's DAR through the JSON API before committing (over gRPC)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.deploy import DarDeployment
from ledger.jsonapi_client import JsonApiClient, LedgerAuthError, static_token
from ledger.lf import build_dar, package_id, write_dar
from ledger.lf.validate import DarParseError
from ledger.testing import LedgerProcess, hs256_token

SECRET = "deploy-test-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("deploy"), secret=SECRET, grpc=False)
    process.start()
    yield process
    process.stop()


def client(ledger: LedgerProcess, *, admin: bool) -> JsonApiClient:
    token = hs256_token(SECRET, act_as=["m1"], admin=admin)
    return JsonApiClient(ledger.info.json_api, static_token(token))


async def test_the_dar_is_uploaded_once_through_the_json_api(ledger: LedgerProcess) -> None:
    deployment = DarDeployment(client(ledger, admin=True))
    try:
        await deployment()
        assert deployment.deployed and package_id() in await deployment.client.packages()
        await deployment()  # once deployed, nothing more is sent
    finally:
        await deployment.aclose()


async def test_a_refused_upload_is_accepted_only_when_the_package_is_there(ledger: LedgerProcess) -> None:
    present = DarDeployment(client(ledger, admin=False))
    absent = DarDeployment(client(ledger, admin=False), build_dar(), package="0" * 64)
    try:
        await present()  # no admin token, but the model's package is on the ledger already
        assert present.deployed
        with pytest.raises(LedgerAuthError):
            await absent()
        assert not absent.deployed
    finally:
        await present.aclose()
        await absent.aclose()


async def test_a_configured_dar_file_is_read_at_start_and_deployed(
    ledger: LedgerProcess, tmp_path: Path
) -> None:
    dar = tmp_path / "model.dar"
    written = write_dar(dar)
    deployment = DarDeployment.of_file(client(ledger, admin=False), dar)
    try:
        assert deployment.package == written == package_id()
        await deployment()  # refused (no admin), but its main package is on the ledger
        assert deployment.deployed
    finally:
        await deployment.aclose()
    broken = tmp_path / "broken.dar"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DarParseError):
        DarDeployment.of_file(client(ledger, admin=True), broken)
