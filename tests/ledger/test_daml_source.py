"""The committed DAML source and daml.yaml agree with the Python model."""

from __future__ import annotations

import re

import yaml

from ledger.daml_source import SOURCE_PATH, render_source
from ledger.engine.templates import MODEL, PACKAGE_NAME, PACKAGE_VERSION


def test_committed_source_is_the_rendering_of_the_model() -> None:
    assert SOURCE_PATH.read_text(encoding="utf-8") == render_source(), "run python -m ledger.daml_source"


def test_source_declares_every_template_and_choice() -> None:
    text = SOURCE_PATH.read_text(encoding="utf-8")
    for template in MODEL.templates:
        assert re.search(rf"^template {template.entity}$", text, re.M)
        for choice in template.choices:
            if choice.name != "Archive":
                assert re.search(rf"choice {choice.name} : ", text)


def test_daml_yaml_matches_package() -> None:
    config = yaml.safe_load((SOURCE_PATH.parents[2] / "daml.yaml").read_text())
    assert config["name"] == PACKAGE_NAME and config["version"] == PACKAGE_VERSION
    assert str(config["sdk-version"]).startswith("2.")
    assert config["source"] == "daml"


def test_choice_names_are_unique_in_the_module() -> None:
    """Daml 2.x makes a data type of each choice's argument, named after the choice, in the template's
    module: two templates of one module with the same choice name do not compile."""
    names = [c.name for t in MODEL.templates for c in t.choices if c.name != "Archive"]
    assert len(names) == len(set(names))
    records = {r.name for r in MODEL.records} | {t.entity for t in MODEL.templates}
    assert not records & set(names)


def test_source_imports_what_its_rules_and_bodies_use() -> None:
    text = SOURCE_PATH.read_text(encoding="utf-8")
    assert "import DA.Date (subDate, toDateUTC)" in text
    assert "import DA.Optional (fromSome, isNone, isSome)" in text
    assert "import qualified DA.Text as T" in text
    assert "fetchByKey @OrderAgreement (OrderKey manufacturer orderId)" in text
    for template in MODEL.templates:
        block = text.split(f"template {template.entity}\n", 1)[1].split("\ntemplate ", 1)[0]
        for rule in template.ensure:
            assert f"({rule.daml})" in block
