"""DAR uploads are validated before anything is stored (JSON API and gRPC), a package that is not the model is
refused, and a conforming package runs under the package id the client names (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import dazl
import grpc
import httpx
import pytest
from dazl._gen.com.digitalasset.daml.lf.archive import Archive, ArchivePayload, HashFunction
from dazl.damlast.lookup import MultiPackageLookup

from ledger import samples
from ledger.engine import MODEL
from ledger.engine.templates import MODULE, Model
from ledger.lf.dar import MANIFEST_PATH, build_archive, build_dar, manifest
from ledger.testing import REPO_ROOT, LedgerProcess
from tests.ledger.backends import allocate, auth, ledger_fixture, ledger_on, token

CUSTOMER_ORDER = f"{MODULE}:CustomerOrder"


ledger = ledger_fixture("packages")


def dar_of(*dalfs: tuple[str, bytes], main: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(MANIFEST_PATH, manifest(main or dalfs[0][0]))
        for path, data in dalfs:
            zf.writestr(path, data)
    return buffer.getvalue()


def archive(payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).hexdigest()
    data: bytes = Archive(hash_function=HashFunction.SHA256, payload=payload, hash=digest).SerializeToString()
    return data


def corrupt_dars() -> dict[str, bytes]:
    """DARs a Daml participant refuses: each once stored would have broken every fresh dazl process."""
    garbage = b"\x0a\x05hello\xff\xff\xff\xff"
    not_lf = ArchivePayload(minor="17", daml_lf_1=b"\xff\xff\xff\xff not a package").SerializeToString()
    return {
        "not a zip": b"not a zip at all",
        "no manifest": zipfile_bytes({"x.dalf": archive(garbage)}),
        "garbage payload": dar_of(("x.dalf", archive(garbage))),
        "payload not DAML-LF": dar_of(("x.dalf", archive(not_lf))),
        "hash mismatch": dar_of(
            (
                "x.dalf",
                Archive(hash_function=HashFunction.SHA256, payload=not_lf, hash="0" * 64).SerializeToString(),
            )
        ),
        "dalf not an archive": dar_of(("x.dalf", b"\xff" * 40)),
    }


def zipfile_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, data in entries.items():
            zf.writestr(path, data)
    return buffer.getvalue()


def variant(entity: str, **changes: Any) -> Model:
    """The model with one template changed (a package this ledger cannot run)."""
    templates = tuple(dataclasses.replace(t, **changes) if t.entity == entity else t for t in MODEL.templates)
    return Model(templates, MODEL.records)


#: Our model as an older release built it: same templates, no contract keys (so another package id).
OLDER = Model(tuple(dataclasses.replace(t, key=None) for t in MODEL.templates), MODEL.records)


def older_version() -> bytes:
    return build_dar(OLDER, version="0.9.0")


DAZL_CREATE = """
import asyncio, json, sys
import dazl

async def main(url, token, party, payload, template):
    async with dazl.connect(url=url, oauth_token=token, act_as=[party]) as conn:
        event = await conn.create(template, json.loads(payload))
        print(json.dumps({"cid": event.contract_id.value, "template": str(event.contract_id.value_type)}))

asyncio.run(main(*sys.argv[1:]))
"""


def fresh_dazl_create(
    ledger: LedgerProcess, party: str, order_id: str, template: str = CUSTOMER_ORDER
) -> dict[str, Any]:
    """Create a CustomerOrder by template name from a brand-new dazl process (it downloads every package)."""
    payload = json.dumps(samples.customer_order(order_id, party, f"M-{party}"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            DAZL_CREATE,
            f"http://{ledger.info.grpc}",
            token(ledger, party),
            party,
            payload,
            template,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def cli_dar(out: Path) -> None:
    """``python -m cli.ledger dar --out FILE``."""
    command = [sys.executable, "-m", "cli.ledger", "dar", "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.returncode == 0, result.stderr


async def packages(http: httpx.AsyncClient, ledger: LedgerProcess) -> list[str]:
    response = await http.get("/v1/packages", headers=auth(ledger, admin=True))
    assert response.status_code == 200
    return sorted(response.json()["result"])


async def test_corrupt_uploads_are_refused_and_fresh_dazl_processes_keep_working(
    ledger: LedgerProcess,
) -> None:
    party = f"C-{uuid.uuid4().hex[:8]}"
    await allocate(ledger, party, f"M-{party}")
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        before = await packages(http, ledger)
        admin = {**auth(ledger, admin=True), "Content-Type": "application/octet-stream"}
        for what, dar in corrupt_dars().items():
            response = await http.post("/v1/packages", content=dar, headers=admin)
            assert response.status_code == 400, (what, response.text)
            body = response.json()
            assert body["status"] == 400 and "DAR_PARSE_ERROR" in body["errors"][0], (what, body)
        channel = grpc.insecure_channel(ledger.info.grpc)
        upload = channel.unary_unary(
            "/com.daml.ledger.api.v1.admin.PackageManagementService/UploadDarFile",
            request_serializer=lambda r: r.SerializeToString(),
            response_deserializer=lambda b: b,
        )
        from dazl._gen.com.daml.ledger.api.v1.admin import UploadDarFileRequest

        metadata = [("authorization", f"Bearer {token(ledger, admin=True)}")]
        for what, dar in corrupt_dars().items():
            with pytest.raises(grpc.RpcError) as refused:
                upload(UploadDarFileRequest(dar_file=dar), metadata=metadata, timeout=10)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, what
            assert "DAR_PARSE_ERROR" in (refused.value.details() or ""), what
        channel.close()
        assert await packages(http, ledger) == before  # nothing stored
    created = fresh_dazl_create(ledger, party, "after-bad-uploads")
    assert created["cid"]


async def test_a_package_that_is_not_the_model_is_refused(ledger: LedgerProcess) -> None:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        before = await packages(http, ledger)
        admin = {**auth(ledger, admin=True), "Content-Type": "application/octet-stream"}
        other = {
            "signatories": variant("CustomerOrder", signatories=("customer", "manufacturer"), observers=()),
            "fields": variant("CustomerOrder", fields=MODEL.template(MODULE, "CustomerOrder").fields[:-1]),
            "choices": variant("CustomerOrder", choices=MODEL.template(MODULE, "CustomerOrder").choices[1:]),
        }
        for what, model in other.items():
            response = await http.post("/v1/packages", content=build_dar(model), headers=admin)
            assert response.status_code == 400, (what, response.text)
            error = response.json()["errors"][0]
            assert "DAR_VALIDATION_ERROR" in error and "is not the model this ledger runs" in error, error
        assert await packages(http, ledger) == before


async def test_a_conforming_package_runs_under_the_package_id_the_client_sent(ledger: LedgerProcess) -> None:
    party = f"C-{uuid.uuid4().hex[:8]}"
    manufacturer = f"M-{party}"
    await allocate(ledger, party, manufacturer)
    dar = older_version()
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        admin = {**auth(ledger, admin=True), "Content-Type": "application/octet-stream"}
        response = await http.post("/v1/packages", content=dar, headers=admin)
        assert response.json() == {"status": 200, "result": 1}, response.text
        older = build_archive(OLDER, version="0.9.0").package_id
        assert older in await packages(http, ledger)
        full = f"{older}:{CUSTOMER_ORDER}"
        body = {"templateId": full, "payload": samples.customer_order("o-older", party, manufacturer)}
        created = (await http.post("/v1/create", json=body, headers=auth(ledger, party))).json()
        assert created["status"] == 200, created
        assert created["result"]["templateId"] == full
        # a query naming that package finds it under that id; one naming the built-in package does not
        found = await http.post("/v1/query", json={"templateIds": [full]}, headers=auth(ledger, party))
        assert [c["templateId"] for c in found.json()["result"]] == [full]
        builtin = f"{ledger.info.package_id}:{CUSTOMER_ORDER}"
        found = await http.post("/v1/query", json={"templateIds": [builtin]}, headers=auth(ledger, party))
        assert created["result"]["contractId"] not in [c["contractId"] for c in found.json()["result"]]
        # an uploaded package id that holds no such template, and an unknown package id, are refused
        unknown = {"templateId": f"{'ab' * 32}:{CUSTOMER_ORDER}", "payload": body["payload"]}
        response = await http.post("/v1/create", json=unknown, headers=auth(ledger, party))
        assert response.status_code == 400
    # dazl over gRPC: a fresh process naming the older package id gets that id back
    via_dazl = fresh_dazl_create(ledger, party, "o-older-dazl", template=full)
    assert via_dazl["template"].startswith(older)


async def test_the_dar_the_cli_writes_is_accepted_over_grpc(ledger: LedgerProcess, tmp_path: Path) -> None:
    out = tmp_path / "model.dar"
    cli_dar(out)
    url = f"http://{ledger.info.grpc}"
    # a private package cache: dazl's default one is shared by the whole (pytest) process, and the older
    # package must not leak into other tests' dazl name lookups (their ledgers do not hold it)
    private = MultiPackageLookup()
    async with dazl.connect(
        url=url, admin=True, oauth_token=token(ledger, admin=True), lookup=private
    ) as conn:
        await conn.upload_package(out.read_bytes())
        await conn.upload_package(older_version())
        ids = set(await conn.list_package_ids())
    assert {ledger.info.package_id, build_archive(OLDER, version="0.9.0").package_id} <= ids


async def test_a_corrupt_package_stored_before_validation_is_hidden_at_start(tmp_path: Path) -> None:
    """A store from before uploads were validated (a corrupt DALF payload in it): at start the ledger stops
    listing and serving it, so fresh dazl processes work again."""
    from ledger.engine import EmbeddedLedger

    data_dir = tmp_path / "ledger"
    data_dir.mkdir()
    engine = await EmbeddedLedger.open(f"sqlite+aiosqlite:///{data_dir / 'ledger.db'}")
    garbage = b"\x0a\x05hello\xff\xff\xff\xff"
    corrupt_id = hashlib.sha256(garbage).hexdigest()
    await engine.upload_package(corrupt_id, garbage, source="an unvalidated upload")
    await engine.close()
    for process in ledger_on("sqlite", data_dir):
        party = f"C-{uuid.uuid4().hex[:8]}"
        await allocate(process, party, f"M-{party}")
        async with httpx.AsyncClient(base_url=process.info.json_api, timeout=30) as http:
            listed = await packages(http, process)
            assert corrupt_id not in listed and process.info.package_id in listed
            response = await http.get(f"/v1/packages/{corrupt_id}", headers=auth(process, admin=True))
            assert response.status_code == 404
        assert fresh_dazl_create(process, party, "healed")["cid"]
