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
