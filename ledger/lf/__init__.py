"""The DAML-LF package and DAR of the platform's model, built in Python from ``ledger.engine.templates``."""

from ledger.lf.dar import BuiltArchive, build_archive, build_dar, package_id, read_dar_archives, write_dar
from ledger.lf.package import build_package

__all__ = [
    "BuiltArchive",
    "build_archive",
    "build_dar",
    "build_package",
    "package_id",
    "read_dar_archives",
    "write_dar",
]
