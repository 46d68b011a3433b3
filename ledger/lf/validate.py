"""Structural validation of an uploaded DAR: what Daml's participant checks before it stores a package.

A DAR must be a zip with ``META-INF/MANIFEST.MF`` (its ``Main-Dalf`` present in the zip, ``Format: daml-lf``
when given), at least one ``.dalf``, each an ``Archive`` with a SHA-256 hash that is the sha256 of its
payload, and each payload a DAML-LF package that **dazl's own decoder** reads (``dazl.damlast.parse`` and its
package lookup: the very code a fresh dazl process runs on every package it downloads). Anything else raises
:class:`DarParseError` (Daml's ``DAR_PARSE_ERROR``: gRPC INVALID_ARGUMENT, JSON API 400), and nothing of the
DAR is stored.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from dazl._gen.com.digitalasset.daml.lf.archive import Archive, ArchivePayload, HashFunction
from dazl._gen.com.digitalasset.daml.lf.archive import daml_lf1_pb2 as pblf

from ledger.engine.errors import InvalidIndependentOfSystemState

MANIFEST = "META-INF/MANIFEST.MF"
#: Bound on the DAR's uncompressed size (a zip bomb is refused before it is inflated).
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024


class DarParseError(InvalidIndependentOfSystemState):
    """Daml's ``DAR_PARSE_ERROR`` (category 8, InvalidIndependentOfSystemState): the upload is not a DAR."""

    code = "DAR_PARSE_ERROR"


@dataclass(frozen=True, slots=True)
class DalfPackage:
    """One DALF of a DAR, decoded."""

    package_id: str
    payload: bytes
    """The ``ArchivePayload`` bytes (what the Ledger API's PackageService serves)."""
    path: str
    archive: Any
    """dazl's decoded ``dazl.damlast.daml_lf_1.Archive`` (``.package``: modules, templates, data types)."""
    lf1: pblf.Package | None
    """The raw DAML-LF 1.x package protobuf (None for LF 2)."""

    @property
    def name(self) -> str:
        metadata = self.archive.package.metadata
        return str(metadata.name) if metadata is not None else ""

    @property
    def has_templates(self) -> bool:
        return any(module.templates for module in self.archive.package.modules)


def parse_manifest(text: str) -> dict[str, str]:
    """The attributes of a JAR-style manifest (continuation lines start with one space)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.startswith(" ") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    attributes: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep:
            raise DarParseError(f"the DAR manifest has a malformed line {line!r}")
        attributes[key.strip()] = value.strip()
    return attributes


def read_dar(data: bytes) -> list[DalfPackage]:
    """Every DALF of the DAR ``data``, decoded and checked; raises :class:`DarParseError`."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise DarParseError("Failed to parse the dar file content: it is not a zip archive") from None
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise DarParseError(f"the DAR inflates to more than {MAX_UNCOMPRESSED_BYTES} bytes")
        names = {i.filename for i in infos}
        if MANIFEST not in names:
            raise DarParseError(f"Failed to parse the dar file content: no {MANIFEST}")
        try:
            manifest = parse_manifest(zf.read(MANIFEST).decode("utf-8"))
            main = manifest.get("Main-Dalf")
            if not main or main not in names:
                raise DarParseError(f"the DAR manifest's Main-Dalf {main!r} is not in the DAR")
            if manifest.get("Format", "daml-lf") != "daml-lf":
                raise DarParseError(f"the DAR's format is {manifest['Format']!r}, not daml-lf")
            packages = [_read_dalf(path, zf.read(path)) for path in sorted(names) if path.endswith(".dalf")]
        except (zipfile.BadZipFile, UnicodeDecodeError, OSError, EOFError) as exc:
            raise DarParseError(f"Failed to parse the dar file content: {exc}") from None
    if not packages:
        raise DarParseError("the DAR holds no .dalf archive")
    check_with_dazl(packages)
    return packages


def read_payload(package_id: str, payload: bytes, path: str = "") -> DalfPackage:
    """A stored ``ArchivePayload`` decoded and checked as at upload (for packages already in the store)."""
    if hashlib.sha256(payload).hexdigest() != package_id:
        raise DarParseError(f"package {package_id} is not the sha256 of its payload")
    package = _decode(package_id, payload, path or package_id)
    check_with_dazl([package])
    return package


def _read_dalf(path: str, data: bytes) -> DalfPackage:
    archive = Archive()
    try:
        archive.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError
        raise DarParseError(f"{path} is not a DAML-LF archive: {exc}") from None
    if archive.hash_function != HashFunction.SHA256 or not archive.payload:
        raise DarParseError(f"{path} is not a SHA256 DAML-LF archive")
    digest = hashlib.sha256(archive.payload).hexdigest()
    if digest != archive.hash:
        raise DarParseError(f"{path}: package id {archive.hash} is not the sha256 of its payload ({digest})")
    return _decode(digest, bytes(archive.payload), path)


def _decode(package_id: str, payload: bytes, path: str) -> DalfPackage:
    from dazl.damlast.parse import parse_archive

    try:
        archive_payload = ArchivePayload.FromString(payload)
        kind = archive_payload.WhichOneof("Sum")
        if kind is None:
            raise ValueError("the archive payload holds no DAML-LF package")
        lf1 = pblf.Package.FromString(archive_payload.daml_lf_1) if kind == "daml_lf_1" else None
        decoded = parse_archive(package_id, payload, None)  # type: ignore[arg-type]
    except DarParseError:
        raise
    except Exception as exc:  # DecodeError, ValueError, KeyError, ... anything dazl chokes on
        raise DarParseError(
            f"{path}: not a DAML-LF package dazl can read: {exc or type(exc).__name__}"
        ) from None
    return DalfPackage(package_id=package_id, payload=payload, path=path, archive=decoded, lf1=lf1)


def check_with_dazl(packages: list[DalfPackage]) -> None:
    """Index the packages as dazl's package loader does (``MultiPackageLookup.add_archive``): a package it
    cannot index (e.g. metadata version not dotted numbers) would break every dazl client."""
    from dazl.damlast.lookup import MultiPackageLookup

    try:
        MultiPackageLookup().add_archive(*(p.archive for p in packages))
    except Exception as exc:
        raise DarParseError(f"a package of the DAR cannot be indexed by dazl: {exc}") from None
