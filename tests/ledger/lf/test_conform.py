"""Which packages are the model (ledger.lf.conform), checked on DARs built in Python: no ledger needed."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ledger.engine import MODEL
from ledger.engine.templates import MODULE, Model
from ledger.lf.conform import PackageNotModel, model_templates
from ledger.lf.dar import build_dar
from ledger.lf.validate import DarParseError, read_dar


def changed(which: str, **changes: Any) -> Model:
    return Model(
        tuple(dataclasses.replace(t, **changes) if t.entity == which else t for t in MODEL.templates),
        MODEL.records,
    )


def names(model: Model) -> frozenset[str]:
    packages = read_dar(build_dar(model))
    return model_templates(packages[0], packages)


def test_the_model_and_an_older_build_without_keys_conform() -> None:
    everything = {t.qualified_name for t in MODEL.templates}
    assert names(MODEL) == everything
    keyless = Model(tuple(dataclasses.replace(t, key=None) for t in MODEL.templates), MODEL.records)
    assert names(keyless) == everything


def choice_changed(entity: str, index: int, **changes: Any) -> Model:
    choices = list(MODEL.template(MODULE, entity).choices)
    choices[index] = dataclasses.replace(choices[index], **changes)
    return changed(entity, choices=tuple(choices))


REFUSED = {
    "another signatory": (
        changed("CustomerOrder", signatories=("customer", "manufacturer"), observers=()),
        "signatories",
    ),
    "no observer": (changed("CustomerOrder", observers=()), "observers"),
    "a field less": (
        changed("CustomerOrder", fields=MODEL.template(MODULE, "CustomerOrder").fields[:-1]),
        "fields",
    ),
    "a choice less": (
        changed("CustomerOrder", choices=MODEL.template(MODULE, "CustomerOrder").choices[1:]),
        "choices",
    ),
    "another controller": (choice_changed("CustomerOrder", 0, controllers=("customer",)), "controllers"),
    "nonconsuming": (choice_changed("CustomerOrder", 1, consuming=False), "consuming"),
    "consuming ProposeSupply": (choice_changed("OrderAgreement", 0, consuming=True), "consuming"),
    "a template not in the model": (
        changed("CustomerOrder", entity="Quotation"),
        "not a template of the model",
    ),
}


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_packages_that_are_not_the_model_are_refused(what: str) -> None:
    model, why = REFUSED[what]
    with pytest.raises(PackageNotModel, match=why) as refused:
        names(model)
    assert str(refused.value).startswith("DAR_VALIDATION_ERROR(8,")
    assert refused.value.grpc_status == "INVALID_ARGUMENT" and refused.value.http_status == 400


def test_a_zip_that_is_not_a_dar_is_a_parse_error() -> None:
    with pytest.raises(DarParseError, match="not a zip"):
        read_dar(b"PK but not really")
