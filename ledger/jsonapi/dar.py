"""Reading a DAR (a zip of DALF archives with ``META-INF/MANIFEST.MF``) for ``POST /v1/packages``."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from ledger.engine import ValidationError


@dataclass(frozen=True, slots=True)
class DarPackage:
    package_id: str
    payload: bytes
    """The ``ArchivePayload`` bytes (what the Ledger API's PackageService serves)."""
    path: str


def read_dar(data: bytes) -> list[DarPackage]:
    """Every DALF of the DAR; each package id is checked to be the sha256 of its payload, as DAML defines it.
    Raises :class:`ValidationError` for anything that is not a well-formed DAR."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValidationError("the upload is not a DAR (not a zip file)") from None
    with zf:
        names = zf.namelist()
        if "META-INF/MANIFEST.MF" not in names:
            raise ValidationError("the DAR has no META-INF/MANIFEST.MF")
        packages = [_read_dalf(path, zf.read(path)) for path in names if path.endswith(".dalf")]
    if not packages:
        raise ValidationError("the DAR holds no .dalf archive")
    return packages


def _read_dalf(path: str, data: bytes) -> DarPackage:
    from dazl._gen.com.digitalasset.daml.lf.archive import Archive, HashFunction

    archive = Archive()
    try:
        archive.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError
        raise ValidationError(f"{path} is not a DAML-LF archive: {exc}") from None
    if archive.hash_function != HashFunction.SHA256 or not archive.payload:
        raise ValidationError(f"{path} is not a SHA256 DAML-LF archive")
    digest = hashlib.sha256(archive.payload).hexdigest()
    if digest != archive.hash:
        raise ValidationError(
            f"{path}: package id {archive.hash} is not the sha256 of its payload ({digest})"
        )
    return DarPackage(package_id=digest, payload=bytes(archive.payload), path=path)
