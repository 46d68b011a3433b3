"""The model's contract keys: DAML's static rules (maintainers are signatories), the documented keys, and the
same keys in the DAML source and in the DAML-LF package (as dazl reads it)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from dazl.damlast.daml_lf_1 import PackageRef
from dazl.damlast.lookup import MultiPackageLookup
from dazl.damlast.parse import parse_archive

from ledger.daml_source import SOURCE_PATH
from ledger.engine.templates import MODEL, MODULE, KeyDef, check_key
from ledger.lf import build_archive


def test_every_template_has_the_documented_key() -> None:
    keys = {t.entity: (t.key.fields, t.key.maintainers) for t in MODEL.templates if t.key is not None}
    assert keys == {
        "CustomerOrder": (("customer", "orderId"), ("customer",)),
        "OrderAgreement": (("manufacturer", "orderId"), ("manufacturer",)),
        "SupplyProposal": (("manufacturer", "orderId", "supplier"), ("manufacturer",)),
        "SupplyAgreement": (("manufacturer", "orderId", "supplier"), ("manufacturer",)),
        "Invoice": (("issuer", "invoiceId"), ("issuer",)),
        "PaymentClaim": (("issuer", "invoiceId"), ("issuer",)),
        "PaymentReceipt": (("issuer", "invoiceId"), ("issuer",)),
    }


def test_maintainers_must_be_signatories() -> None:
    template = MODEL.template(MODULE, "SupplyProposal")
    check_key(template)
    for key, problem in (
        (KeyDef("SupplyKey", ("supplier", "orderId"), ("supplier",)), "not a signatory"),
        (KeyDef("SupplyKey", ("manufacturer", "orderId"), ()), "at least one maintainer"),
        (KeyDef("SupplyKey", ("manufacturer", "orderId"), ("orderId",)), "not a Party field"),
        (KeyDef("SupplyKey", ("manufacturer", "nope"), ("manufacturer",)), "no field"),
    ):
        with pytest.raises((ValueError, KeyError), match=problem):
            check_key(dataclasses.replace(template, key=key))


def test_daml_source_declares_the_keys() -> None:
    text = SOURCE_PATH.read_text(encoding="utf-8")
    for template in MODEL.templates:
        if template.key is None:
            continue
        block = text.split(f"template {template.entity}\n", 1)[1].split("\ntemplate ", 1)[0]
        record = template.key.record
        assert f"    key ({record} {' '.join(template.key.fields)}) : {record}\n" in block
        assert f"    maintainer {', '.join(f'key.{m}' for m in template.key.maintainers)}\n" in block
        assert f"data {record} = {record} with\n" in text


def test_lf_package_carries_the_keys_dazl_reads() -> None:
    archive = build_archive()
    lookup = MultiPackageLookup([parse_archive(PackageRef(archive.package_id), archive.payload, None)])
    for template in MODEL.templates:
        if template.key is None:
            continue
        name = f"{archive.package_id}:{template.module}:{template.entity}"
        lf_key: Any = lookup.search(name).templates.single().object.key
        assert lf_key is not None
        assert str(lf_key.type.con.tycon).endswith(f":{template.module}:{template.key.record}")
        record = lf_key.complex_key.rec_con
        assert [f.field for f in record.fields] == list(template.key.fields)
        assert [f.expr.rec_proj.field for f in record.fields] == list(template.key.fields)
        maintainers = lf_key.maintainers.abs
        assert [e.rec_proj.field for e in maintainers.body.cons.front] == list(template.key.maintainers)
        key_record = lookup.search(f"{archive.package_id}:{template.module}:{template.key.record}")
        data: Any = key_record.data_types.single().object.record
        assert [f.field for f in data.fields] == list(template.key.fields)
