"""Deploying the platform's DAR through the HTTP JSON API (``POST /v1/packages``), as the paper deploys it.

The contract agent commits over gRPC with dazl, but deploys the model's DAR through the JSON API before its
first commit. Uploading the same DAR again is harmless (the ledger keeps one copy per package id)."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from ledger.jsonapi_client import JsonApiClient, LedgerRejected
from ledger.lf import build_dar, package_id
from ledger.lf.validate import MANIFEST, parse_manifest, read_dar

log = logging.getLogger(__name__)


def main_package_id(dar: bytes) -> str:
    """The package id of the DAR's main DALF (its manifest's ``Main-Dalf``); raises ``DarParseError``."""
    packages = read_dar(dar)
    with zipfile.ZipFile(io.BytesIO(dar)) as zf:
        main = parse_manifest(zf.read(MANIFEST).decode("utf-8"))["Main-Dalf"]
    return next(p.package_id for p in packages if p.path == main)


class DarDeployment:
    """Uploads ``dar`` (default: the model's, built by :mod:`ledger.lf`) once; call it before committing.

    A ledger down raises :class:`~ledger.jsonapi_client.LedgerUnavailable` (retry). A refused upload (a
    token that is no admin's) is accepted when the package is on the ledger already (the operator deployed
    it); otherwise the refusal is raised."""

    def __init__(self, client: JsonApiClient, dar: bytes | None = None, package: str | None = None) -> None:
        self.client = client
        self.dar = dar
        self.package = package
        self.deployed = False

    async def __call__(self) -> None:
        if self.deployed:
            return
        dar = self.dar if self.dar is not None else build_dar()
        try:
            await self.client.upload_dar(dar)
        except LedgerRejected as refused:
            wanted = self.package or package_id()
            if wanted not in await self.client.packages():
                raise
            log.info("the DAR upload was refused (%s); package %s is deployed already", refused, wanted)
        self.deployed = True

    @classmethod
    def of_file(cls, client: JsonApiClient, path: Path) -> DarDeployment:
        """Deploys the DAR at ``path``, read and checked now: a wrong file fails at start, not at a commit."""
        dar = path.read_bytes()
        return cls(client, dar, main_package_id(dar))

    async def aclose(self) -> None:
        await self.client.aclose()
