"""Package uploads of the embedded ledger: validated before anything is stored, on both APIs.

    ids = await upload_dar(engine, dar_bytes, source="POST /v1/packages")   # JSON API and gRPC UploadDarFile
    await install(engine)                                                    # at start: the stored packages

An upload is decoded as dazl decodes packages (:mod:`ledger.lf.validate`, Daml's ``DAR_PARSE_ERROR`` when it
is not a DAR) and every package with templates must *be* the model the engine runs
(:mod:`ledger.lf.conform`, ``DAR_VALIDATION_ERROR`` otherwise); then all its packages are stored, and each
package holding model templates is registered with the engine (``engine.package_templates``) so commands may
name its package id, which the ledger then reports back (templateId keeps the client's package id).

At start, :func:`install` re-reads the stored packages: the model's own (always), conforming ones are
registered again, and a package stored before uploads were validated that dazl cannot read is hidden (no
longer listed or served; it stays in the database).
"""

from __future__ import annotations

import asyncio
import logging

from ledger.engine import EmbeddedLedger, ValidationError
from ledger.lf.conform import model_templates
from ledger.lf.validate import DalfPackage, read_dar, read_payload

log = logging.getLogger(__name__)


def validate_dar(data: bytes, engine: EmbeddedLedger) -> list[tuple[DalfPackage, frozenset[str]]]:
    """The DAR's packages and the model templates each holds; raises :class:`ValidationError` (a
    ``DarParseError`` or ``PackageNotModel``) if the DAR must be refused. CPU-bound: run it in a thread."""
    packages = read_dar(data)
    return [(p, model_templates(p, packages, engine.model)) for p in packages]


async def upload_dar(engine: EmbeddedLedger, data: bytes, source: str) -> list[str]:
    """Validate the DAR, then store all its packages (idempotently) and register the model's; returns their
    package ids. Nothing is stored if any package is refused."""
    checked = await asyncio.to_thread(validate_dar, data, engine)
    for package, templates in checked:
        await engine.upload_package(package.package_id, package.payload, source=source)
        if templates:
            engine.package_templates[package.package_id] = templates
    return [package.package_id for package, _ in checked]


async def install(engine: EmbeddedLedger) -> None:
    """Register the stored packages that hold the model; hide the ones dazl could not read."""
    stored: list[DalfPackage] = []
    for package_id in await engine.list_packages():
        payload = await engine.get_package(package_id)
        try:
            stored.append(await asyncio.to_thread(read_payload, package_id, payload))
        except ValidationError as exc:
            if package_id == engine.model_package_id:
                continue
            log.warning("hiding stored package %s: %s", package_id, exc)
            engine.hide_package(package_id)
    for package in stored:
        if package.package_id == engine.model_package_id:
            continue
        try:
            templates = model_templates(package, stored, engine.model)
        except ValidationError as exc:
            log.warning("stored package %s does not run as the model: %s", package.package_id, exc)
            continue
        if templates:
            engine.package_templates[package.package_id] = templates
