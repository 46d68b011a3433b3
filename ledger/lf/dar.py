"""DAML-LF archives and the DAR (a zip of DALFs with a manifest) of the platform's model."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dazl._gen.com.digitalasset.daml.lf.archive import Archive, ArchivePayload, HashFunction

from ledger.engine.templates import MODEL, PACKAGE_NAME, PACKAGE_VERSION, Model
from ledger.lf.package import LF_MINOR, build_package

MANIFEST_PATH = "META-INF/MANIFEST.MF"
#: Zip entry timestamp, fixed so the same model always gives byte-identical DARs.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class BuiltArchive:
    """One DALF: ``payload`` is what the Ledger API's PackageService serves, ``package_id`` its sha256."""

    package_id: str
    payload: bytes
    dalf: bytes


def build_archive(
    model: Model = MODEL, name: str = PACKAGE_NAME, version: str = PACKAGE_VERSION
) -> BuiltArchive:
    """The ``Archive`` (hash function SHA256, package id = hex sha256 of the ``ArchivePayload`` bytes)."""
    package = build_package(model, name, version)
    payload = ArchivePayload(
        minor=LF_MINOR, daml_lf_1=package.SerializeToString(deterministic=True)
    ).SerializeToString(deterministic=True)
    package_id = hashlib.sha256(payload).hexdigest()
    archive = Archive(hash_function=HashFunction.SHA256, payload=payload, hash=package_id)
    return BuiltArchive(package_id, payload, archive.SerializeToString(deterministic=True))


def package_id(model: Model = MODEL) -> str:
    """The package id the model's DAR carries (what ``pkgId:Module:Entity`` template ids start with)."""
    return build_archive(model).package_id


def manifest(main_dalf: str, name: str = PACKAGE_NAME) -> str:
    """A DAR manifest naming ``main_dalf`` (the only DALF: the package has no dependencies)."""
    lines = [
        "Manifest-Version: 1.0",
        "Created-By: lot-size-one ledger.lf",
        f"Name: {name}",
        f"Main-Dalf: {main_dalf}",
        f"Dalfs: {main_dalf}",
        "Format: daml-lf",
        "Encryption: non-encrypted",
    ]
    return "\r\n".join(lines) + "\r\n"


def build_dar(model: Model = MODEL, name: str = PACKAGE_NAME, version: str = PACKAGE_VERSION) -> bytes:
    """The DAR of ``model``: ``META-INF/MANIFEST.MF`` plus ``<name>-<version>-<pkgid>/<same>.dalf``."""
    archive = build_archive(model, name, version)
    stem = f"{name}-{version}-{archive.package_id}"
    dalf_path = f"{stem}/{stem}.dalf"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as dar:
        for path, data in ((MANIFEST_PATH, manifest(dalf_path, name).encode()), (dalf_path, archive.dalf)):
            entry = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dar.writestr(entry, data)
    return buffer.getvalue()


def write_dar(out: str | Path, model: Model = MODEL) -> str:
    """Write the model's DAR to ``out`` (for ``lso ledger dar --out FILE``); returns its package id."""
    Path(out).write_bytes(build_dar(model))
    return package_id(model)


def read_dar_archives(dar: bytes) -> list[BuiltArchive]:
    """Every DALF of a DAR (any DAR, not only ours), as ``BuiltArchive``; verifies each SHA256 package id."""
    archives: list[BuiltArchive] = []
    with zipfile.ZipFile(io.BytesIO(dar)) as zf:
        for path in zf.namelist():
            if not path.endswith(".dalf"):
                continue
            data = zf.read(path)
            archive = Archive()
            archive.ParseFromString(data)
            if archive.hash_function != HashFunction.SHA256:
                raise ValueError(f"{path}: unsupported hash function {archive.hash_function}")
            if hashlib.sha256(archive.payload).hexdigest() != archive.hash:
                raise ValueError(f"{path}: package id {archive.hash} does not match its payload")
            archives.append(BuiltArchive(archive.hash, archive.payload, data))
    if not archives:
        raise ValueError("the DAR holds no .dalf")
    return archives
